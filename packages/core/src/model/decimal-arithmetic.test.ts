import { afterEach, describe, expect, it, vi } from 'vitest';
import { Decimal as DecimalJs } from 'decimal.js';
import { SeededRandom } from '../data/seeded-random.js';
import { Decimal } from './decimal.js';
import { decimalDividedBy, decimalFromNumber, decimalFromText, decimalMinus, decimalPlus, decimalTimes, decimalToPlaces } from './decimal-arithmetic.js';

/** The fields decimal.js's arithmetic reads: equal parts mean the same Decimal to every later operation. */
function parts(value: Decimal): { s: number; e: number; d: number[] | null; ctor: boolean } {
  const internal = value as unknown as { s: number; e: number; d: number[] | null; constructor: unknown };
  return { s: internal.s, e: internal.e, d: internal.d === null ? null : [...internal.d], ctor: internal.constructor === Decimal };
}

/** A seeded generator, so a failure names an input that can be replayed. */
function randomSource(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.uniform();
}

/**
 * Decimal texts shaped like money and like the cases that break word arithmetic: 1 to 32
 * significant digits, runs of 9s and 0s (carries and borrows across words), exponents that put
 * the digits on either side of the decimal point and across word boundaries, both signs.
 */
function randomDecimalText(random: () => number): string {
  const digitCount = 1 + Math.floor(random() * (random() < 0.7 ? 16 : 32));
  const style = random();
  let digits = '';
  for (let index = 0; index < digitCount; index++) {
    const pick = random();
    const digit = style < 0.2 ? (pick < 0.8 ? 9 : Math.floor(pick * 10)) : style < 0.4 ? (pick < 0.7 ? 0 : Math.floor(pick * 10)) : Math.floor(pick * 10);
    digits += String(digit);
  }
  digits = digits.replace(/^0+/, '') || '1';
  const exponent = Math.floor(random() * 40) - 22;
  const sign = random() < 0.25 ? '-' : '';
  return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent}`;
}

function randomDecimal(random: () => number): Decimal {
  return new Decimal(randomDecimalText(random));
}

const EDGE_TEXTS = [
  '0', '1', '-1', '9999999', '10000000', '0.0000001', '0.9999999', '9999999.9999999', '99999999999999', '1e-7', '1e7', '1e-14',
  '123.45', '0.00000001', '30000.1', '0.01234567', '29999.9', '-0.5', '0.5', '1.5', '2.5', '-2.5', '0.00005', '0.00015', '0.00025',
  '5e-5', '5e-8', '4.99999999', '0.0001', '99.995', '1234567.1234567', '0.000000099', '5000000', '0.5000000', '0.50000001',
];

describe('decimalPlus, decimalMinus, decimalTimes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('give exactly decimal.js\'s Decimal (value and form) on 30,000 random pairs', () => {
    const random = randomSource(20261126);
    for (let round = 0; round < 30_000; round++) {
      const a = randomDecimal(random);
      const b = random() < 0.1 ? a.negated() : randomDecimal(random);
      const where = `a=${a.toString()} b=${b.toString()}`;
      expect(parts(decimalPlus(a, b)), `plus ${where}`).toEqual(parts(a.plus(b)));
      expect(parts(decimalMinus(a, b)), `minus ${where}`).toEqual(parts(a.minus(b)));
      expect(parts(decimalTimes(a, b)), `times ${where}`).toEqual(parts(a.times(b)));
    }
  });

  it('give exactly decimal.js\'s Decimal on every pair of edge values (carries, borrows, zeros, word boundaries)', () => {
    const values = EDGE_TEXTS.flatMap((text) => [new Decimal(text), new Decimal(text).negated()]);
    for (const a of values) {
      for (const b of values) {
        const where = `a=${a.toString()} b=${b.toString()}`;
        expect(parts(decimalPlus(a, b)), `plus ${where}`).toEqual(parts(a.plus(b)));
        expect(parts(decimalMinus(a, b)), `minus ${where}`).toEqual(parts(a.minus(b)));
        expect(parts(decimalTimes(a, b)), `times ${where}`).toEqual(parts(a.times(b)));
      }
    }
  });

  it('round like decimal.js when the exact result has more than 40 digits', () => {
    const a = new Decimal('1234567.123456712345671234567');
    const b = new Decimal('7654321.765432176543217654321');
    expect(parts(decimalTimes(a, b))).toEqual(parts(a.times(b)));
    const long = new Decimal('1e30');
    const tiny = new Decimal('1.23456789e-15');
    expect(parts(decimalPlus(long, tiny))).toEqual(parts(long.plus(tiny)));
  });

  it('round like decimal.js on 40-digit operands (averages), ties and far-apart exponents', () => {
    const random = randomSource(77);
    // 40-digit values as divisions leave them: average prices, partial-close cost bases.
    const averages = Array.from({ length: 400 }, () => randomDecimal(random).dividedBy(new Decimal((1 + random() * 3).toFixed(8))));
    for (let round = 0; round < 10_000; round++) {
      const a = averages[round % averages.length]!;
      const b = random() < 0.5 ? averages[Math.floor(random() * averages.length)]! : randomDecimal(random);
      const where = `a=${a.toString()} b=${b.toString()}`;
      expect(parts(decimalPlus(a, b)), `plus ${where}`).toEqual(parts(a.plus(b)));
      expect(parts(decimalMinus(a, b)), `minus ${where}`).toEqual(parts(a.minus(b)));
      expect(parts(decimalTimes(a, b)), `times ${where}`).toEqual(parts(a.times(b)));
    }
    const forty = '1234567890123456789012345678901234567890';
    const texts = [[forty, '0.5'], [forty, '1.5'], [forty, '0.50000001'], [forty, '-0.5'], ['1e30', '1.5e-30'], ['-1e30', '1e-30'], ['9'.repeat(40), '1'], ['1e39', '-1e-12'], [`${forty}.5`, '0']];
    for (const [x, y] of texts) {
      const a = new Decimal(x!);
      const b = new Decimal(y!);
      expect(parts(decimalPlus(a, b)), `${x} + ${y}`).toEqual(parts(a.plus(b)));
      expect(parts(decimalMinus(a, b)), `${x} - ${y}`).toEqual(parts(a.minus(b)));
      expect(parts(decimalTimes(a, b)), `${x} * ${y}`).toEqual(parts(a.times(b)));
    }
  });

  it('leave Decimals of another configuration to their own rounding', () => {
    const Short = DecimalJs.clone({ precision: 5 });
    const a = new Short('1.23456') as unknown as Decimal;
    const b = new Short('2.5') as unknown as Decimal;
    expect(decimalTimes(a, b).toString()).toBe(a.times(b).toString());
    expect(decimalTimes(a, b).toString()).toBe('3.0864');
    expect(decimalPlus(a, b).toString()).toBe('3.7346');
  });

  it('follow kbot\'s Decimal when a caller configures it to fewer digits', () => {
    const { precision } = Decimal;
    try {
      Decimal.set({ precision: 10 });
      const a = new Decimal('1234.56789');
      const b = new Decimal('0.00012345678');
      expect(parts(decimalTimes(a, b))).toEqual(parts(a.times(b)));
      expect(parts(decimalPlus(a, b))).toEqual(parts(a.plus(b)));
      expect(decimalPlus(a, b).toFixed()).toBe('1234.568013');
    } finally {
      Decimal.set({ precision });
    }
  });

  it('do the money arithmetic of a fill without decimal.js\'s general code', () => {
    const plus = vi.spyOn(DecimalJs.prototype, 'plus');
    const minus = vi.spyOn(DecimalJs.prototype, 'minus');
    const times = vi.spyOn(DecimalJs.prototype, 'times');
    const quantity = new Decimal('0.16493127');
    const price = new Decimal('30312.4');
    const cost = decimalTimes(quantity, price);
    const balance = decimalMinus(new Decimal('10000'), cost);
    const position = decimalPlus(new Decimal('0.5'), quantity);
    expect([cost.toFixed(), balance.toFixed(), position.toFixed()]).toEqual(['4999.462628748', '5000.537371252', '0.66493127']);
    expect(plus).not.toHaveBeenCalled();
    expect(minus).not.toHaveBeenCalled();
    expect(times).not.toHaveBeenCalled();
  });
});

describe('decimalToPlaces', () => {
  const MODES = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;

  it('gives exactly decimal.js\'s Decimal for every rounding mode on 20,000 random values', () => {
    const random = randomSource(7);
    for (let round = 0; round < 20_000; round++) {
      const value = randomDecimal(random);
      const places = Math.floor(random() * 16);
      for (const mode of MODES) {
        expect(parts(decimalToPlaces(value, places, mode)), `${value.toString()} to ${places} places, mode ${mode}`).toEqual(parts(value.toDecimalPlaces(places, mode)));
      }
    }
  });

  it('gives exactly decimal.js\'s Decimal on edge values: ties, carries into a new word, results of zero or one unit', () => {
    const values = EDGE_TEXTS.flatMap((text) => [new Decimal(text), new Decimal(text).negated()]);
    for (const value of values) {
      for (let places = 0; places <= 15; places++) {
        for (const mode of MODES) {
          expect(parts(decimalToPlaces(value, places, mode)), `${value.toString()} to ${places} places, mode ${mode}`).toEqual(parts(value.toDecimalPlaces(places, mode)));
        }
      }
    }
  });

  it('rounds a fee half up and a price to its tick without decimal.js\'s rounding pass', () => {
    const spy = vi.spyOn(DecimalJs.prototype, 'toDecimalPlaces');
    expect(decimalToPlaces(new Decimal('12.99756'), 4, Decimal.ROUND_HALF_UP).toFixed()).toBe('12.9976');
    expect(decimalToPlaces(new Decimal('30327.55'), 1, Decimal.ROUND_CEIL).toFixed()).toBe('30327.6');
    expect(decimalToPlaces(new Decimal('9999999.99'), 1, Decimal.ROUND_UP).toFixed()).toBe('10000000');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('decimalFromNumber', () => {
  it('gives exactly new Decimal(number) for prices, quantities, integers and any double', () => {
    const random = randomSource(99);
    const values: number[] = [0.1, 0.5, 1, 7, 9999999, 10000000, 12345678, 30312.4, 0.00012345, 1e-6, 1.5e-7, 123456789.12345679, 1e20, 1e21, 2 ** 53, -0.001, -30000.5, Number.MIN_VALUE, Number.MAX_VALUE, 0.1 + 0.2];
    for (let round = 0; round < 20_000; round++) {
      const kind = random();
      const places = Math.floor(random() * 9);
      if (kind < 0.4) values.push(Number((random() * 100_000).toFixed(places)));
      else if (kind < 0.6) values.push(Number((random() * 10).toFixed(places)) * (random() < 0.3 ? -1 : 1));
      else if (kind < 0.8) values.push(random() * 10 ** (Math.floor(random() * 40) - 20));
      else values.push(Math.floor(random() * 2 ** 40));
    }
    for (const value of values) expect(parts(decimalFromNumber(value)), String(value)).toEqual(parts(new Decimal(value)));
  });

  it('keeps the sign of zero and leaves NaN and infinities to decimal.js', () => {
    expect(parts(decimalFromNumber(0))).toEqual(parts(new Decimal(0)));
    expect(parts(decimalFromNumber(-0))).toEqual(parts(new Decimal(-0)));
    expect(decimalFromNumber(Number.NaN).isNaN()).toBe(true);
    expect(decimalFromNumber(Number.NEGATIVE_INFINITY).toString()).toBe('-Infinity');
  });
});

describe('decimalDividedBy', () => {
  const Wide = DecimalJs.clone({ precision: 100 });

  it('gives exactly decimal.js\'s 40-digit quotient on 30,000 random pairs, ties at the 41st digit included', () => {
    const random = randomSource(4040);
    let ties = 0;
    for (let round = 0; round < 30_000; round++) {
      const a = randomDecimal(random);
      const pick = random();
      // Quantities and prices, powers of two and five (exact quotients ending in 5: ties), anything.
      const b = pick < 0.3 ? new Decimal((random() * 3).toFixed(1 + Math.floor(random() * 8)))
        : pick < 0.5 ? new Decimal(2 ** Math.floor(random() * 30)).times(random() < 0.5 ? 1 : new Decimal('1e-5'))
          : pick < 0.6 ? new Decimal(5 ** Math.floor(random() * 13))
            : randomDecimal(random);
      if (b.isZero()) continue;
      const expected = a.dividedBy(b);
      // A tie: the exact quotient has 41 digits and ends in 5 (worked out at 100 digits).
      const wide = new Wide(a).dividedBy(new Wide(b));
      if (wide.precision(true) === 41 && wide.toFixed().endsWith('5') && wide.times(new Wide(b)).equals(new Wide(a))) ties++;
      expect(parts(decimalDividedBy(a, b)), `${a.toString()} / ${b.toString()}`).toEqual(parts(expected));
    }
    expect(ties).toBeGreaterThan(0);
  });

  it('gives exactly decimal.js\'s quotient on every pair of edge values, zeros and signs included', () => {
    const values = EDGE_TEXTS.flatMap((text) => [new Decimal(text), new Decimal(text).negated()]);
    for (const a of values) {
      for (const b of values) {
        expect(parts(decimalDividedBy(a, b)), `${a.toString()} / ${b.toString()}`).toEqual(parts(a.dividedBy(b)));
      }
    }
  });

  it('divides a cost by a quantity without decimal.js\'s long division', () => {
    const spy = vi.spyOn(DecimalJs.prototype, 'dividedBy');
    expect(decimalDividedBy(new Decimal('4999.462628748'), new Decimal('0.16493127')).toFixed()).toBe('30312.4');
    // A quantity of 1 and more with 8 places spans three words: 1.23456789 is [1, 2345678, 9000000].
    expect(decimalDividedBy(new Decimal('37423.45644957'), new Decimal('1.23456789')).toFixed()).toBe('30313');
    expect(decimalDividedBy(new Decimal('1'), new Decimal('3')).toFixed()).toBe('0.3333333333333333333333333333333333333333');
    expect(decimalDividedBy(new Decimal('2'), new Decimal('3')).toFixed()).toBe('0.6666666666666666666666666666666666666667');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('decimalFromText', () => {
  it('gives exactly new Decimal(text) for 20,000 random decimal texts and every edge form', () => {
    const random = randomSource(1234);
    const texts = ['0', '-0', '+0', '0.0', '-0.000', '007.50', '5.', '.5', '+.5', '-.25', '1', '10000000', '9999999.9999999', '0.00000001', '30312.4', '123456789012345678901234567890.1234567890',
      '1' + '0'.repeat(45), '0.' + '0'.repeat(30) + '1', '1'.repeat(41), '1e5', '-1.5e-3', 'Infinity', 'NaN'];
    for (let round = 0; round < 20_000; round++) {
      const integer = random() < 0.2 ? '' : String(Math.floor(random() * 10 ** Math.floor(random() * 16)));
      const fraction = random() < 0.3 ? '' : Array.from({ length: 1 + Math.floor(random() * 20) }, () => String(Math.floor(random() * 10))).join('');
      const text = `${random() < 0.2 ? '-' : random() < 0.1 ? '+' : ''}${integer}${fraction === '' ? (integer === '' ? '0' : '') : `.${fraction}`}`;
      texts.push(text);
    }
    for (const text of texts) expect(parts(decimalFromText(text)), text).toEqual(parts(new Decimal(text)));
  });

  it('throws what decimal.js throws for text that is not a number', () => {
    for (const text of ['', '.', '-', '1.2.3', ' 1', 'abc']) expect(() => decimalFromText(text), text).toThrow(/DecimalError/);
  });
});
