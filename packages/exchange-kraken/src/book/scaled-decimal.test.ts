import { describe, expect, it } from 'vitest';
import { decimalsInText, parseScaled, parseScaledDecimal, scaledFromDigits, scaledResult } from './scaled-decimal.js';

const scaled = (text: string, precision: number): number => parseScaledDecimal(text, 0, text.length, precision);

describe('parseScaledDecimal', () => {
  it('scales plain decimals to the precision, restoring trailing zeros the wire dropped', () => {
    expect(scaled('29430.2', 1)).toBe(294302);
    expect(scaled('0.001', 8)).toBe(100000);
    expect(scaled('4.0', 8)).toBe(400000000);
    expect(scaled('0.567', 4)).toBe(5670);
    expect(scaled('24306.41678', 8)).toBe(2430641678000);
    expect(scaled('45281', 1)).toBe(452810);
    expect(scaled('.5', 2)).toBe(50);
  });

  it('reads exponent forms exactly', () => {
    expect(scaled('5.1e-05', 8)).toBe(5100);
    expect(scaled('1E-8', 8)).toBe(1);
    expect(scaled('1.5e+3', 1)).toBe(15000);
    expect(scaled('12e2', 0)).toBe(1200);
  });

  it('accepts zeros beyond the precision but refuses non-zero digits there', () => {
    expect(scaled('29430.20000000000000', 1)).toBe(294302);
    expect(scaled('0.000000000', 8)).toBe(0);
    expect(Number.isNaN(scaled('29430.25', 1))).toBe(true);
    expect(Number.isNaN(scaled('1e-9', 8))).toBe(true);
  });

  it('refuses text that is not a number or does not fit in 2^53', () => {
    for (const text of ['', '-', '.', 'abc', '1.2.3', '1e', '1e+', '12x', '99999999999999999999']) {
      expect(Number.isNaN(scaled(text, 2)), text).toBe(true);
    }
    expect(Number.isNaN(scaled('90071992547.40992', 5))).toBe(true);
    expect(scaled('90071992547.40991', 5)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads a token inside a larger text without slicing it', () => {
    const message = '{"price":0.5666,"qty":4831.75496356}';
    expect(parseScaledDecimal(message, 9, 15, 4)).toBe(5666);
    expect(parseScaledDecimal(message, 22, 35, 8)).toBe(483175496356);
  });

  it('reads non-negative values only (book prices and quantities)', () => {
    expect(Number.isNaN(scaled('-1.5', 1))).toBe(true);
    expect(scaled('+1.5', 1)).toBe(15);
  });

  it('holds values beyond 2^53 exactly in two parts, high × 10^8 + low', () => {
    const parts = (text: string, precision: number) => (parseScaled(text, 0, text.length, precision) ? { ...scaledResult } : undefined);
    expect(parts('99999997.00000000', 8)).toEqual({ high: 99999997, low: 0 });
    expect(parts('123456789012.34567', 5)).toEqual({ high: 123456789, low: 1234567 });
    expect(parts('0.00000001', 8)).toEqual({ high: 0, low: 1 });
    expect(parts('10e-1', 0)).toEqual({ high: 0, low: 1 });
    expect(parts('1000000000000000000000000', 0)).toBeUndefined();
    expect(Number.isNaN(scaled('99999997.00000000', 8))).toBe(true); // the one-number form refuses it
  });
});

describe('decimalsInText', () => {
  it('counts the decimals a fixed-precision string carries', () => {
    expect(decimalsInText('354.13000000')).toBe(8);
    expect(decimalsInText('0.043020')).toBe(6);
    expect(decimalsInText('17')).toBe(0);
  });
});

describe('scaledFromDigits', () => {
  it('gives what parseScaled gives for the same plain number, or declines', () => {
    let seed = 5;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 5000; round++) {
      const digits = Math.floor(next() * 10 ** (1 + (round % 15)));
      const decimals = round % 11;
      const text = String(digits).padStart(decimals + 1, '0');
      const token = decimals === 0 ? text : `${text.slice(0, text.length - decimals)}.${text.slice(text.length - decimals)}`;
      const precision = round % 9;
      const parsed = parseScaled(token, 0, token.length, precision);
      const expected = parsed ? [scaledResult.high, scaledResult.low] : undefined;
      if (scaledFromDigits(digits, decimals, precision)) expect([scaledResult.high, scaledResult.low], token).toEqual(expected);
      else expect(decimals > precision || expected === undefined || expected[0]! * 1e8 + expected[1]! > Number.MAX_SAFE_INTEGER, token).toBe(true);
    }
  });
});

