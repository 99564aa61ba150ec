import { describe, expect, it } from 'vitest';
import { submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { priceBand } from './price-band.js';

const market = riskView({ lastPrice: 40000 });

runRiskPolicyContract('priceBand({ percent: 5 })', () => priceBand({ percent: 5 }), [
  { name: 'limit buy 0.25% above the market', order: submitOrder({ price: '40100' }), view: market, expected: { allowed: true } },
  { name: 'limit buy exactly 5% above the market', order: submitOrder({ price: '42000' }), view: market, expected: { allowed: true } },
  { name: 'limit buy 6.25% above the market', order: submitOrder({ price: '42500' }), view: market, expected: { allowed: false, code: 'price-band' } },
  { name: 'limit sell 7.5% below the market', order: submitOrder({ side: 'sell', price: '37000' }), view: market, expected: { allowed: false, code: 'price-band' } },
  { name: 'market order', order: submitOrder({ quantity: '1' }), view: market, expected: { allowed: true } },
  { name: 'stop-loss trigger 20% away', order: submitOrder({ side: 'sell', triggerPrice: '32000' }), view: market, expected: { allowed: true } },
  { name: 'limit order with no known market price', order: submitOrder({ price: '1' }), view: riskView(), expected: { allowed: true } },
]);

runRiskPolicyContract('priceBand({ percent: 5, requireMarketPrice: true })', () => priceBand({ percent: 5, requireMarketPrice: true }), [
  { name: 'market order with a market price', order: submitOrder(), view: market, expected: { allowed: true } },
  { name: 'market order with no market price', order: submitOrder(), view: riskView(), expected: { allowed: false, code: 'price-band' } },
]);

describe('priceBand', () => {
  it('says how far and which way the price is off', () => {
    expect(priceBand({ percent: 5 }).check(submitOrder({ price: '42500' }), market)).toMatchObject({
      reason: 'limit price 42500 is 6.25% above the market price 40000, more than the 5% band (at most 42000)',
    });
  });

  it('shows enough digits to be over the band one tick past it, and the price the band allows', () => {
    const at20000 = riskView({ lastPrice: 20000 });
    expect(priceBand({ percent: 5 }).check(submitOrder({ price: '21000' }), at20000)).toEqual({ allowed: true });
    expect(priceBand({ percent: 5 }).check(submitOrder({ price: '21000.1' }), at20000)).toMatchObject({
      reason: 'limit price 21000.1 is 5.0005% above the market price 20000, more than the 5% band (at most 21000)',
    });
    expect(priceBand({ percent: 5 }).check(submitOrder({ side: 'sell', price: '18999.9' }), at20000)).toMatchObject({
      reason: 'limit price 18999.9 is 5.0005% below the market price 20000, more than the 5% band (at least 19000)',
    });
  });

  it('rejects a band that is not a positive number', () => {
    expect(() => priceBand({ percent: -1 })).toThrow(/risk\.priceBandPercent: received -1, expected a number above 0/);
  });
});
