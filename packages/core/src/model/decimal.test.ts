import { describe, expect, it, vi } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { Decimal as DecimalJs } from 'decimal.js';
import { Decimal, compareDecimals, decimalAtLeast, decimalAtMost, decimalEquals, decimalGreaterThan, decimalLessThan, decimalToNumber, maxDecimal, minDecimal, toDecimal } from './decimal.js';
import { decimalProductBelow, quotientWithHint } from './decimal-arithmetic.js';

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

describe('compareDecimals', () => {
  const edgeTexts = [
    '0', '-0', '1', '-1', '0.1', '-0.1', '1e-7', '1e-8', '9999999', '10000000', '10000001', '12345678.9', '12345678.90000001',
    '0.0000001', '0.00000010000001', '29000.1', '29000.10000000000000000000000000000000001', '-29000.1', '1e30', '-1e30', '1e-35',
    '123456789012345678901234567890.1234567891', 'NaN', 'Infinity', '-Infinity',
  ];
  const edges = edgeTexts.map((text) => new Decimal(text));

  /** decimal.js's own answer, with NaN where it gives NaN. */
  const expected = (a: Decimal, b: Decimal) => a.comparedTo(b);

  it('agrees with decimal.js on every pair of edge values: zeros of both signs, word boundaries, NaN and infinities', () => {
    for (const a of edges) {
      for (const b of edges) {
        const want = expected(a, b);
        const got = compareDecimals(a, b);
        if (Number.isNaN(want)) expect(got, `${a.toString()} vs ${b.toString()}`).toBeNaN();
        else expect(got, `${a.toString()} vs ${b.toString()}`).toBe(want);
      }
    }
  });

  it('agrees with decimal.js on 20,000 random pairs of near and far values, and on results of arithmetic', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const randomDecimal = () => {
      const digits = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 10)).join('');
      const point = Math.floor(random() * (digits.length + 1));
      const text = `${random() < 0.3 ? '-' : ''}${digits.slice(0, point) || '0'}.${digits.slice(point) || '0'}`;
      return new Decimal(text).times(new Decimal(10).pow(Math.floor(random() * 20) - 10));
    };
    for (let index = 0; index < 20_000; index++) {
      const a = randomDecimal();
      // Half the pairs differ only far down (the same value plus a tiny step), so the digit words decide.
      const b = random() < 0.5 ? randomDecimal() : a.plus(new Decimal(random() < 0.5 ? '1e-30' : '-1e-30').times(Math.floor(random() * 3)));
      expect(compareDecimals(a, b), `${a.toString()} vs ${b.toString()}`).toBe(expected(a, b));
    }
  });

  it('reads Decimals of another decimal.js configuration (a user\'s own import) the same way', () => {
    const foreign = new DecimalJs('29000.1');
    expect(compareDecimals(new Decimal('29000.1'), foreign as unknown as Decimal)).toBe(0);
    expect(compareDecimals(foreign as unknown as Decimal, new Decimal('29000.11'))).toBe(-1);
  });

  it('gives the named predicates, which are false when either side is NaN', () => {
    const [one, two, nan] = [new Decimal(1), new Decimal(2), new Decimal(Number.NaN)];
    expect([decimalLessThan(one, two), decimalAtMost(one, one), decimalGreaterThan(two, one), decimalAtLeast(two, two), decimalEquals(one, new Decimal('1.0'))]).toEqual([true, true, true, true, true]);
    expect([decimalLessThan(two, one), decimalAtMost(two, one), decimalGreaterThan(one, two), decimalAtLeast(one, two), decimalEquals(one, two)]).toEqual([false, false, false, false, false]);
    expect([decimalLessThan(nan, one), decimalAtMost(nan, one), decimalGreaterThan(one, nan), decimalAtLeast(nan, nan), decimalEquals(nan, nan)]).toEqual([false, false, false, false, false]);
    expect(minDecimal(two, one)).toBe(one);
    expect(maxDecimal(two, one)).toBe(two);
  });
});

describe('quotientWithHint', () => {
  let seed = 987;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  /** A positive decimal with up to `digits` significant digits and `places` decimals at most. */
  const randomAmount = (digits: number, places: number) => new Decimal(Math.floor(1 + random() * 10 ** digits)).dividedBy(new Decimal(10).pow(Math.floor(random() * places)));

  it('gives exactly what the division gives, whether the hint is the quotient, close to it or wrong', () => {
    for (let index = 0; index < 5_000; index++) {
      const price = randomAmount(7, 2);
      const quantity = randomAmount(9, 8);
      // Usually an average over fills at one price (the hint is right), sometimes over two prices (it is not).
      const dividend = random() < 0.7 ? price.times(quantity) : price.times(quantity).plus(randomAmount(5, 4));
      const hint = random() < 0.9 ? price : price.plus('1e-30');
      const divided = dividend.dividedBy(quantity);
      const hinted = quotientWithHint(dividend, quantity, hint);
      expect(hinted.toFixed(), `${dividend.toFixed()} / ${quantity.toFixed()}, hint ${hint.toFixed()}`).toBe(divided.toFixed());
      expect(hinted.equals(divided)).toBe(true);
    }
  });

  it('returns the hint itself only when it is the exact quotient, and divides when there is no hint', () => {
    const price = new Decimal('29000.1');
    const quantity = new Decimal('0.0123');
    expect(quotientWithHint(price.times(quantity), quantity, price)).toBe(price);
    expect(quotientWithHint(price.times(quantity).plus('0.0001'), quantity, price)).not.toBe(price);
    expect(quotientWithHint(new Decimal(10), new Decimal(3), undefined).toFixed()).toBe(new Decimal(10).dividedBy(3).toFixed());
    // A hint whose product with the divisor could round at 40 digits is not trusted: the division decides.
    const long = new Decimal('1.234567890123456789012345678901');
    const longQuantity = new Decimal('9.87654321098765432');
    expect(quotientWithHint(long.times(longQuantity), longQuantity, long).toFixed()).toBe(long.times(longQuantity).dividedBy(longQuantity).toFixed());
  });
});

describe('decimalToNumber', () => {
  it('gives the very double decimal.js gives, on edge values and 50,000 random ones', () => {
    const texts = ['0', '-0', '1', '-1', '0.1', '0.3', '29000.1', '-29000.1', '123456789012345', '1234567890123456', '9007199254740993', '1e22', '1e23', '1e-22', '1e-23',
      '0.000000000000000000001', '123.456789012345', '99999999999999.9', '4906.614157858', '0.00012345', '4960.123456789012345678901234', '1e300', '-1e-300', 'NaN', 'Infinity', '-Infinity'];
    for (const text of texts) expect(Object.is(decimalToNumber(new Decimal(text)), new Decimal(text).toNumber()), text).toBe(true);
    let seed = 77;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let index = 0; index < 50_000; index++) {
      const digits = 1 + Math.floor(random() * 17);
      const significand = Array.from({ length: digits }, (_, at) => (at === 0 ? 1 + Math.floor(random() * 9) : Math.floor(random() * 10))).join('');
      const value = new Decimal(`${random() < 0.3 ? '-' : ''}${significand}e${Math.floor(random() * 60) - 35}`);
      expect(Object.is(decimalToNumber(value), value.toNumber()), value.toString()).toBe(true);
    }
  });
  it('reads a balance of up to 15 digits without decimal.js, whatever the places its words span', () => {
    const spy = vi.spyOn(DecimalJs.prototype, 'toNumber');
    expect(decimalToNumber(new Decimal('4906.614157858'))).toBe(4906.614157858);
    expect(decimalToNumber(new Decimal('19651.8510527'))).toBe(19651.8510527);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('decimalProductBelow', () => {
  it('agrees with the exact product on random orders, on products at the limit and a hair either side of it', () => {
    let seed = 31;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const limit = new Decimal('0.5');
    for (let index = 0; index < 20_000; index++) {
      const price = new Decimal(1 + Math.floor(random() * 1e7)).dividedBy(new Decimal(10).pow(Math.floor(random() * 5)));
      const quantity = new Decimal(1 + Math.floor(random() * 1e6)).dividedBy(new Decimal(10).pow(3 + Math.floor(random() * 6)));
      expect(decimalProductBelow(price, quantity, limit), `${price.toFixed()} × ${quantity.toFixed()}`).toBe(price.times(quantity).lessThan(limit));
    }
    const price = new Decimal('50000');
    expect(decimalProductBelow(price, new Decimal('0.00001'), limit)).toBe(false);
    expect(decimalProductBelow(price, new Decimal('0.00000999'), limit)).toBe(true);
    // Closer than doubles can tell apart: the exact product decides.
    expect(decimalProductBelow(new Decimal('0.5'), new Decimal('0.99999999999999999999'), limit)).toBe(true);
    expect(decimalProductBelow(new Decimal('0.5'), new Decimal('1.00000000000000000001'), limit)).toBe(false);
    expect(decimalProductBelow(new Decimal('0.5'), new Decimal('0.99999999999'), limit)).toBe(true);
    expect(decimalProductBelow(new Decimal('0.5'), new Decimal('1.00000000001'), limit)).toBe(false);
    expect(decimalProductBelow(new Decimal('0.5'), new Decimal('1'), limit)).toBe(false);
    expect(decimalProductBelow(new Decimal('3'), new Decimal('4'), new Decimal(0))).toBe(false);
  });
});
