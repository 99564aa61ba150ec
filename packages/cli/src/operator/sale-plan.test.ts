import { Decimal, defineInstrument } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { planMarketSale } from './sale-plan.js';

const BTC = defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, priceIncrement: '0.1', minQuantity: '0.0001', minCost: '0.5' });
const BONK = defineInstrument({ id: 'BONK/USD', pricePrecision: 9, quantityPrecision: 5, quantityIncrement: '0.00001', minQuantity: '400000', minCost: '0.5' });
const d = (value: string) => new Decimal(value);

describe('planMarketSale', () => {
  it('rounds down to the lot size and says so', () => {
    const plan = planMarketSale(BTC, d('0.123456789'), d('40000'));
    expect(plan).toMatchObject({ ok: true, rounded: true });
    expect(plan.ok && plan.quantity.toFixed()).toBe('0.12345678');
  });

  it('refuses below the minimum quantity, naming it', () => {
    expect(planMarketSale(BTC, d('0.00005'), d('40000'))).toMatchObject({ ok: false, code: 'below-minimum-quantity', reason: '0.00005 BTC is below the minimum order on BTC/USD (0.0001 BTC)' });
  });

  it('refuses below the minimum value at the bid', () => {
    expect(planMarketSale(BONK, d('400000'), d('0.000001'))).toMatchObject({
      ok: false,
      code: 'below-minimum-cost',
      reason: '400000 BONK is worth about 0.4 USD, below the minimum order value on BONK/USD (0.5 USD)',
    });
  });

  it('refuses an amount that rounds to nothing, a missing price, and a market that takes no market orders', () => {
    expect(planMarketSale(BTC, d('0.000000001'), d('40000'))).toMatchObject({ ok: false, code: 'below-lot' });
    expect(planMarketSale(BTC, d('0.5'), undefined)).toMatchObject({ ok: false, code: 'no-price' });
    expect(planMarketSale({ ...BTC, status: 'post-only' }, d('0.5'), d('40000'))).toMatchObject({ ok: false, code: 'market-closed', reason: 'BTC/USD is in post-only mode at the venue: it takes no market orders now' });
    expect(planMarketSale(BTC, d('0'), d('40000'))).toMatchObject({ ok: false, code: 'nothing-to-sell' });
  });
});
