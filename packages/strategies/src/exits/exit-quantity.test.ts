import { Decimal, defineInstrument } from '@kbot/core';
import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { exitQuantity } from './exit-quantity.js';

const d = (value: string) => new Decimal(value);
// Lot 0.01, at least 0.05 and 10 USD per order.
const coarse = defineInstrument({ id: 'SOL/USD', pricePrecision: 2, quantityPrecision: 2, quantityIncrement: '0.01', minQuantity: '0.05', minCost: '10' });

describe('exitQuantity', () => {
  it('rounds down to whole lots', () => {
    expect(exitQuantity(coarse, d('1'), d('0.333'), d('100'))?.toFixed()).toBe('0.33');
  });

  it('raises an order under the minimum quantity or cost to the smallest tradable one', () => {
    // 0.05 SOL at 100 = 5 USD < 10 USD, so 0.1 SOL.
    expect(exitQuantity(coarse, d('1'), d('0.02'), d('100'))?.toFixed()).toBe('0.1');
    // At 1,000 the quantity minimum (0.05) binds.
    expect(exitQuantity(coarse, d('1'), d('0.02'), d('1000'))?.toFixed()).toBe('0.05');
  });

  it('sells everything instead of leaving a remainder under the minimum', () => {
    // 0.14 − 0.1 = 0.04 SOL would be left: under 0.05.
    expect(exitQuantity(coarse, d('0.14'), d('0.1'), d('1000'))?.toFixed()).toBe('0.14');
    // At 100, 0.15 − 0.1 = 0.05 SOL is 5 USD: under the 10 USD cost minimum.
    expect(exitQuantity(coarse, d('0.15'), d('0.1'), d('100'))?.toFixed()).toBe('0.15');
    expect(exitQuantity(coarse, d('0.3'), d('0.1'), d('100'))?.toFixed()).toBe('0.1');
  });

  it('asking for at least the holding sells the holding, in whole lots', () => {
    expect(exitQuantity(coarse, d('0.567'), d('0.567'), d('100'))?.toFixed()).toBe('0.56');
    expect(exitQuantity(btcUsd(), d('0.12345678'), d('5'), d('20000'))?.toFixed()).toBe('0.12345678');
  });

  it('gives undefined for dust that no order can sell', () => {
    expect(exitQuantity(btcUsd(), d('0.00005'), d('0.00005'), d('20000'))).toBeUndefined();
  });
});
