import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/errors.js';
import type { InstrumentId } from '../../model/ids.js';
import { TEST_START_TIME } from '../../testing/market-data-builders.js';
import { submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { orderRate } from './order-rate.js';
import { deniedEvent, submittedEvent } from './policy-test-events.js';

const now = TEST_START_TIME;
const sent = (secondsAgo: number, instrumentId = 'BTC/USD') => submittedEvent(submitOrder({ instrumentId, createdAt: now - secondsAgo * 1000 }));

runRiskPolicyContract('orderRate({ maxOrders: 2 })', () => orderRate({ maxOrders: 2 }), [
  { name: 'no orders yet', order: submitOrder(), view: riskView({ time: now }), expected: { allowed: true } },
  { name: 'two orders in the last 30 s', order: submitOrder(), observe: [sent(30), sent(10)], view: riskView({ time: now }), expected: { allowed: false, code: 'order-rate' } },
  { name: 'two orders, one of them 61 s ago', order: submitOrder(), observe: [sent(61), sent(10)], view: riskView({ time: now }), expected: { allowed: true } },
  { name: 'an order exactly 60 s ago has left the window', order: submitOrder(), observe: [sent(60), sent(10)], view: riskView({ time: now }), expected: { allowed: true } },
  { name: 'two orders on ETH/USD, this one on BTC/USD', order: submitOrder(), observe: [sent(30, 'ETH/USD'), sent(10, 'ETH/USD')], view: riskView({ time: now }), expected: { allowed: true } },
  {
    name: 'denied orders do not count',
    order: submitOrder(),
    observe: [sent(30), deniedEvent(submitOrder({ createdAt: now - 5000 }))],
    view: riskView({ time: now }),
    expected: { allowed: true },
  },
]);

const budget = (id: InstrumentId) => (id === 'ETH/USD' ? 0.5 : id === 'BTC/USD' ? 10 : undefined);
runRiskPolicyContract('orderRate({ budget })', () => orderRate({ budget }), [
  { name: 'BTC/USD with 10 points left', order: submitOrder(), view: riskView(), expected: { allowed: true } },
  { name: 'ETH/USD with 0.5 points left', order: submitOrder({ instrumentId: 'ETH/USD' }), view: riskView(), expected: { allowed: false, code: 'order-rate' } },
  { name: 'SOL/USD with an unknown budget', order: submitOrder({ instrumentId: 'SOL/USD' }), view: riskView(), expected: { allowed: true } },
]);

describe('orderRate', () => {
  it('slides: the window moves with the engine clock', () => {
    const policy = orderRate({ maxOrders: 2, windowMs: 10_000 });
    policy.observe!(sent(0));
    policy.observe!(submittedEvent(submitOrder({ createdAt: now + 4000 })));
    expect(policy.check(submitOrder(), riskView({ time: now + 5000 }))).toMatchObject({ allowed: false, code: 'order-rate' });
    expect(policy.check(submitOrder(), riskView({ time: now + 10_000 }))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), riskView({ time: now + 14_000 }))).toEqual({ allowed: true });
  });

  it('asks the budget for the order’s instrument at the engine time', () => {
    const asked: Array<[string, number]> = [];
    const policy = orderRate({ budget: (id, time) => (asked.push([id, time]), 3), minimumBudget: 4 });
    expect(policy.check(submitOrder({ instrumentId: 'ETH/USD' }), riskView({ time: 123 }))).toMatchObject({ code: 'order-rate' });
    expect(asked).toEqual([['ETH/USD', 123]]);
  });

  it('needs a limit or a budget', () => {
    expect(() => orderRate({})).toThrow(ConfigError);
    expect(() => orderRate({ maxOrders: 0 })).toThrow(/risk\.maxOrdersPerMinute: received 0, expected an integer ≥ 1/);
  });
});
