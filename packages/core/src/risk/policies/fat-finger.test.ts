import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/errors.js';
import { position, submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { fatFinger } from './fat-finger.js';
import { deniedEvent, submittedEvent } from './policy-test-events.js';

const sentBy = (strategyId: string, count: number) => Array.from({ length: count }, () => submittedEvent(submitOrder({ strategyId, quantity: '0.01', price: '40000' })));
const create = () => fatFinger({ maxOrderQuote: '10000', maxOrderMultipleOfAverage: 5, minimumSamples: 3 });

runRiskPolicyContract('fatFinger({ maxOrderQuote: 10000, maxOrderMultipleOfAverage: 5, minimumSamples: 3 })', create, [
  { name: 'an order worth 4000', order: submitOrder({ quantity: '0.1', price: '40000' }), view: riskView(), expected: { allowed: true } },
  { name: 'an order worth 12000', order: submitOrder({ quantity: '0.3', price: '40000' }), view: riskView(), expected: { allowed: false, code: 'fat-finger' } },
  { name: 'a market order worth 12000 at the last price', order: submitOrder({ quantity: '0.3' }), view: riskView({ lastPrice: 40000 }), expected: { allowed: false, code: 'fat-finger' } },
  { name: 'after three orders of 400, one of 2400 (6×)', order: submitOrder({ quantity: '0.06', price: '40000' }), observe: sentBy('test-strategy', 3), view: riskView(), expected: { allowed: false, code: 'fat-finger' } },
  { name: 'after three orders of 400, one of 2000 (5×)', order: submitOrder({ quantity: '0.05', price: '40000' }), observe: sentBy('test-strategy', 3), view: riskView(), expected: { allowed: true } },
  { name: 'after two orders of 400 (too few to judge), one of 2400', order: submitOrder({ quantity: '0.06', price: '40000' }), observe: sentBy('test-strategy', 2), view: riskView(), expected: { allowed: true } },
  { name: 'another strategy’s orders do not count', order: submitOrder({ quantity: '0.06', price: '40000' }), observe: sentBy('scalper', 3), view: riskView(), expected: { allowed: true } },
  {
    name: 'a sell of 2400 that closes part of a position',
    order: submitOrder({ side: 'sell', quantity: '0.06', price: '40000' }),
    observe: sentBy('test-strategy', 3),
    view: riskView({ portfolio: { balances: { BTC: '0.1' }, positions: [position({ quantity: '0.1' })] } }),
    expected: { allowed: true },
  },
]);

describe('fatFinger', () => {
  it('learns the value of market orders from the price at their check, and forgets denied ones', () => {
    const policy = fatFinger({ maxOrderMultipleOfAverage: 2, minimumSamples: 2 });
    const atMarket = riskView({ lastPrice: 40000 });
    for (const quantity of ['0.01', '0.01']) {
      const market = submitOrder({ quantity });
      expect(policy.check(market, atMarket)).toEqual({ allowed: true });
      policy.observe!(submittedEvent(market));
    }
    const big = submitOrder({ quantity: '0.5' });
    expect(policy.check(big, atMarket)).toMatchObject({ code: 'fat-finger' });
    policy.observe!(deniedEvent(big));
    // Average 400: 800 passes, 801 does not; the denied 20000 never joined the average.
    expect(policy.check(submitOrder({ quantity: '0.02' }), atMarket)).toEqual({ allowed: true });
    expect(policy.check(submitOrder({ quantity: '0.020025' }), atMarket)).toMatchObject({ code: 'fat-finger' });
  });

  it('averages only the last sampleSize orders', () => {
    const policy = fatFinger({ maxOrderMultipleOfAverage: 2, sampleSize: 2, minimumSamples: 2 });
    policy.observe!(submittedEvent(submitOrder({ quantity: '1', price: '40000' })));
    policy.observe!(submittedEvent(submitOrder({ quantity: '0.01', price: '40000' })));
    policy.observe!(submittedEvent(submitOrder({ quantity: '0.01', price: '40000' })));
    expect(policy.check(submitOrder({ quantity: '0.03', price: '40000' }), riskView())).toMatchObject({ code: 'fat-finger' });
  });

  it('needs at least one limit and a sensible sample', () => {
    expect(() => fatFinger({})).toThrow(ConfigError);
    expect(() => fatFinger({ maxOrderMultipleOfAverage: 3, sampleSize: 2, minimumSamples: 5 })).toThrow(/risk\.fatFinger\.minimumSamples: received 5, expected at most sampleSize \(2\)/);
  });
});
