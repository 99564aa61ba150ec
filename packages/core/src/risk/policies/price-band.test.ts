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
      reason: 'limit price 42500 is 6.25% above the market price 40000, more than the 5% band',
    });
  });

  it('rejects a band that is not a positive number', () => {
    expect(() => priceBand({ percent: -1 })).toThrow(/risk\.priceBandPercent: received -1, expected a number above 0/);
  });
});
