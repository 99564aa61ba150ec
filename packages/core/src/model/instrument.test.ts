import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { Decimal } from './decimal.js';
import { affordableQuantity, certainlyBelowMinimums, checkOrderRules, defineInstrument, explainOrderRuleViolation, roundQuantity } from './instrument.js';

/** floor(spend / price) to the lot, worked out with integers: the reference the function must match exactly. */
function exactFloor(spend: Decimal, price: Decimal, increment: Decimal): Decimal {
  const scaled = (value: Decimal, places: number) => BigInt(value.times(new Decimal(10).pow(places)).toFixed(0));
  const places = Math.max(spend.decimalPlaces(), price.decimalPlaces(), increment.decimalPlaces());
  // spend / price / increment, floored, times increment: all three scaled to the same integer unit.
  const lots = (scaled(spend, places) * 10n ** BigInt(places)) / (scaled(price, places) * scaled(increment, places));
  return new Decimal(lots.toString()).times(increment);
}

describe('affordableQuantity', () => {
  const btc = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5' });
  const lots = defineInstrument({ id: 'DOT/USD', pricePrecision: 4, quantityPrecision: 2, quantityIncrement: '0.05' });

  it('is spend ÷ price rounded down to the lot, exactly, on 5,000 random amounts and prices', () => {
    let seed = 4242;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let index = 0; index < 5_000; index++) {
      const instrument = random() < 0.7 ? btc : lots;
      const spend = new Decimal(Math.floor(random() * 1e9)).dividedBy(new Decimal(10).pow(Math.floor(random() * 9)));
      const price = new Decimal(1 + Math.floor(random() * 1e8)).dividedBy(new Decimal(10).pow(Math.floor(random() * 6)));
      const quantity = affordableQuantity(instrument, spend, price);
      const expected = exactFloor(spend, price, instrument.quantityIncrement);
      expect(quantity.toFixed(), `${spend.toFixed()} / ${price.toFixed()} on ${instrument.id}`).toBe(expected.toFixed());
    }
  });

  it('keeps a quotient that lands exactly on a lot, and gives what roundQuantity gives on the 40-digit quotient', () => {
    expect(affordableQuantity(btc, new Decimal('300.01'), new Decimal('30001')).toFixed()).toBe('0.01');
    expect(affordableQuantity(btc, new Decimal('300.0099'), new Decimal('30001')).toFixed()).toBe('0.00999999');
    const spend = new Decimal('4960.123456789');
    const price = new Decimal('29876.5');
    expect(affordableQuantity(btc, spend, price).toFixed()).toBe(roundQuantity(btc, spend.dividedBy(price)).toFixed());
    expect(affordableQuantity(lots, new Decimal('10'), new Decimal('3')).toFixed()).toBe('3.3');
  });

  it('returns zero for nothing to spend and a Decimal of kbot\'s configuration', () => {
    expect(affordableQuantity(btc, new Decimal(0), new Decimal('30000')).isZero()).toBe(true);
    expect(affordableQuantity(btc, new Decimal('-5'), new Decimal('30000')).isZero()).toBe(true);
    expect(affordableQuantity(btc, new Decimal('100'), new Decimal('3')).constructor).toBe(Decimal);
  });

  it('names the bad argument', () => {
    expect(() => affordableQuantity(btc, new Decimal('100'), new Decimal(0))).toThrow(new InvariantError('affordableQuantity price: received 0, expected a price above 0'));
    expect(() => affordableQuantity(btc, new Decimal(Number.NaN), new Decimal('3'))).toThrow(InvariantError);
  });
});

describe('certainlyBelowMinimums', () => {
  const btc = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5' });

  it('never says "below" when the exact sizing would place the order, on 20,000 amounts around both minimums', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let below = 0;
    for (let index = 0; index < 20_000; index++) {
      // Spends within a few percent of 0.5 USD and prices that put 0.0001 BTC near it.
      const spend = new Decimal((0.45 + random() * 0.1).toFixed(1 + Math.floor(random() * 10)));
      const price = new Decimal((4000 + random() * 2000).toFixed(1));
      const quantity = affordableQuantity(btc, spend, price);
      const exactlyBelow = quantity.lessThan(btc.minQuantity) || spend.lessThan(btc.minCost);
      const quick = certainlyBelowMinimums(btc, spend.toNumber(), price.toNumber());
      if (quick) {
        below++;
        expect(exactlyBelow, `${spend.toFixed()} at ${price.toFixed()}`).toBe(true);
      }
    }
    // It does decide most of them: the margin is a billionth, not a percent.
    expect(below).toBeGreaterThan(5_000);
  });

  it('says "below" for a spend well under the minimum cost or quantity, and leaves the boundary to the exact check', () => {
    expect(certainlyBelowMinimums(btc, 0.4, 30_000)).toBe(true);
    expect(certainlyBelowMinimums(btc, 2.9, 30_000)).toBe(true);
    expect(certainlyBelowMinimums(btc, 3.1, 30_000)).toBe(false);
    expect(certainlyBelowMinimums(btc, 3, 30_000)).toBe(false);
    expect(certainlyBelowMinimums(btc, 0.5, 4_000)).toBe(false);
    expect(certainlyBelowMinimums(btc, Number.NaN, 30_000)).toBe(false);
  });
});

describe('explainOrderRuleViolation', () => {
  const btc = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 4, priceIncrement: '0.5', quantityIncrement: '0.0005', minQuantity: '0.001', minCost: '100' });
  const explain = (order: { quantity: Decimal; price?: Decimal; referencePrice?: Decimal; type?: 'market' | 'limit' | 'stop-loss' | 'take-profit' }) => {
    const violation = checkOrderRules(btc, order);
    return violation === undefined ? undefined : explainOrderRuleViolation(violation, btc, order);
  };

  it('names the price in a cost below the minimum: the limit, the trigger of a stop-loss or take-profit, or the last price', () => {
    const quantity = new Decimal('0.002');
    const price = new Decimal('30000.5');
    expect(explain({ quantity, price, type: 'limit' })).toBe('cost: received 0.002 BTC × 30000.5 (the limit price) = 60.001 USD, expected at least 100 USD on BTC/USD');
    expect(explain({ quantity, price })).toBe('cost: received 0.002 BTC × 30000.5 (the limit price) = 60.001 USD, expected at least 100 USD on BTC/USD');
    expect(explain({ quantity, price, type: 'stop-loss' })).toBe('cost: received 0.002 BTC × 30000.5 (the trigger price) = 60.001 USD, expected at least 100 USD on BTC/USD');
    expect(explain({ quantity, price, type: 'take-profit' })).toBe('cost: received 0.002 BTC × 30000.5 (the trigger price) = 60.001 USD, expected at least 100 USD on BTC/USD');
    expect(explain({ quantity, referencePrice: price, type: 'market' })).toBe('cost: received 0.002 BTC × 30000.5 (the last price) = 60.001 USD, expected at least 100 USD on BTC/USD');
  });

  it('names the field of a bad price: triggerPrice for a stop-loss or take-profit, price otherwise', () => {
    const quantity = new Decimal('0.01');
    expect(explain({ quantity, price: new Decimal('-5'), type: 'stop-loss' })).toBe('triggerPrice: received -5, expected more than 0 USD');
    expect(explain({ quantity, price: new Decimal('-5'), type: 'limit' })).toBe('price: received -5, expected more than 0 USD');
    expect(explain({ quantity, price: new Decimal('30000.3'), type: 'take-profit' })).toBe('triggerPrice: received 30000.3, expected a multiple of 0.5 USD (at most 1 decimals)');
    expect(explain({ quantity, price: new Decimal('30000.3'), type: 'limit' })).toBe('price: received 30000.3, expected a multiple of 0.5 USD (at most 1 decimals)');
  });
});
