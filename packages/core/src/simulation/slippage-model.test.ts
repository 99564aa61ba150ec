import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import { defineInstrument } from '../model/instrument.js';
import type { OrderType } from '../model/order.js';
import { FixedBpsSlippage, NoSlippage } from './slippage-model.js';

const BTC_USD = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8 });
const context = (orderType: OrderType) => ({ instrument: BTC_USD, side: 'buy' as const, orderType, quantity: new Decimal(1), price: new Decimal(100) });

describe('slippage models', () => {
  it('FixedBpsSlippage slips market and trigger fills by its bps and limit orders by limitBps', () => {
    const model = new FixedBpsSlippage(5);
    expect(['market', 'stop-loss', 'take-profit', 'limit'].map((type) => model.fraction(context(type as OrderType)).toFixed())).toEqual(['0.0005', '0.0005', '0.0005', '0']);
    expect(new FixedBpsSlippage('2.5', 1).fraction(context('limit')).toFixed()).toBe('0.0001');
    expect(new FixedBpsSlippage('2.5', 1).fraction(context('market')).toFixed()).toBe('0.00025');
  });

  it('NoSlippage never slips', () => {
    expect(new NoSlippage().fraction().isZero()).toBe(true);
  });

  it('refuses negative or absurd basis points, naming the argument', () => {
    expect(() => new FixedBpsSlippage(-1)).toThrow(/FixedBpsSlippage bps: received -1/);
    expect(() => new FixedBpsSlippage(5, 10_000)).toThrow(/FixedBpsSlippage limitBps: received 10000/);
  });
});
