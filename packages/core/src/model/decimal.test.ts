import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { Decimal, toDecimal } from './decimal.js';

describe('toDecimal', () => {
  it('returns a finite Decimal as it is', () => {
    const value = new Decimal('29000.1');
    expect(toDecimal(value)).toBe(value);
  });

  it('reads numbers through their shortest text and strings exactly', () => {
    expect(toDecimal(0.1).toFixed()).toBe('0.1');
    expect(toDecimal('0.10000000000000000000000000001').toFixed()).toBe('0.10000000000000000000000000001');
    expect(toDecimal(' 12.5 ').toFixed()).toBe('12.5');
    expect(toDecimal('-3e-2').toFixed()).toBe('-0.03');
  });

  it('names the field, the value and what was expected when the input is not a finite number', () => {
    expect(() => toDecimal('12,5', 'quantity')).toThrow(new InvariantError('quantity: received "12,5", expected a decimal number or decimal string'));
    expect(() => toDecimal(Number.NaN, 'price')).toThrow(new InvariantError('price: received NaN, expected a finite number'));
    expect(() => toDecimal(new Decimal(Number.POSITIVE_INFINITY), 'fee')).toThrow(new InvariantError('fee: received Infinity, expected a finite decimal'));
    expect(() => toDecimal('', 'price')).toThrow(InvariantError);
  });

  it('gives the same instance for the same text, so a strategy repeating a quantity parses it once', () => {
    const first = toDecimal('0.001');
    expect(toDecimal('0.001')).toBe(first);
    expect(toDecimal('0.0010')).not.toBe(first);
    expect(toDecimal('0.0010').equals(first)).toBe(true);
  });

  it('stays right after its cache fills and is cleared', () => {
    const remembered = toDecimal('7.25');
    for (let index = 0; index < 3000; index++) expect(toDecimal(`${index}.5`).toFixed()).toBe(`${index}.5`);
    const again = toDecimal('7.25');
    expect(again.toFixed()).toBe('7.25');
    expect(again.equals(remembered)).toBe(true);
    expect(() => toDecimal('x7.25', 'price')).toThrow(InvariantError);
  });
});
