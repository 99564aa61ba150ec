import { describe, expect, it } from 'vitest';
import {
  RestRateLimiter,
  TradingRateLimiter,
  amendOrderCost,
  cancelOrderCost,
  editOrderCost,
  restCallCost,
  REST_COUNTER_LIMITS,
  TRADING_COUNTER_LIMITS,
} from './rate-limiter.js';

describe('REST call counter', () => {
  it('has the tier table of §7.1', () => {
    expect(REST_COUNTER_LIMITS).toEqual({
      starter: { max: 15, decayPerSecond: 0.33 },
      intermediate: { max: 20, decayPerSecond: 0.5 },
      pro: { max: 20, decayPerSecond: 1 },
    });
  });

  it('charges 2 for history, 1 for other private calls, 0 for order entry and public data', () => {
    expect(restCallCost('TradesHistory')).toBe(2);
    expect(restCallCost('Ledgers')).toBe(2);
    expect(restCallCost('ClosedOrders')).toBe(2);
    expect(restCallCost('/0/private/TradesHistory')).toBe(2);
    expect(restCallCost('Balance')).toBe(1);
    expect(restCallCost('OpenOrders')).toBe(1);
    expect(restCallCost('QueryOrders')).toBe(1);
    expect(restCallCost('QueryLedgers')).toBe(1);
    expect(restCallCost('GetWebSocketsToken')).toBe(1);
    for (const name of ['AddOrder', 'AddOrderBatch', 'AmendOrder', 'EditOrder', 'CancelOrder', 'CancelAll', 'CancelAllOrdersAfter']) {
      expect(restCallCost(name)).toBe(0);
    }
    expect(restCallCost('Ticker')).toBe(0);
    expect(restCallCost('/0/public/OHLC')).toBe(0);
    expect(new RestRateLimiter('pro').cost('TradesHistory')).toBe(2);
  });

  it('starter: 15 calls fill it, the 16th waits 1 / 0.33 s', () => {
    const limiter = new RestRateLimiter('starter');
    for (let i = 0; i < 15; i += 1) {
      expect(limiter.canSpend(1, 0)).toBe(true);
      limiter.spend(1, 0);
    }
    expect(limiter.remaining(0)).toBe(0);
    expect(limiter.canSpend(1, 0)).toBe(false);
    expect(limiter.waitTimeMs(1, 0)).toBe(3031); // 1 / 0.33 s = 3030.3 ms
    expect(limiter.canSpend(1, 3030)).toBe(false);
    expect(limiter.canSpend(1, 3031)).toBe(true);
    expect(limiter.remaining(1_000)).toBeCloseTo(0.33, 10);
    expect(limiter.waitTimeMs(2, 1_000)).toBe(5061); // (2 - 0.33) / 0.33 s = 5060.6 ms
  });

  it('intermediate: max 20, drains 0.5 per second', () => {
    const limiter = new RestRateLimiter('intermediate');
    limiter.spend(20, 10_000);
    expect(limiter.waitTimeMs(2, 10_000)).toBe(4_000);
    expect(limiter.remaining(14_000)).toBe(2);
    expect(limiter.remaining(50_000)).toBe(20);
  });

  it('pro: max 20, drains 1 per second, never below zero', () => {
    const limiter = new RestRateLimiter('pro');
    limiter.spend(18, 0);
    expect(limiter.canSpend(2, 0)).toBe(true);
    expect(limiter.canSpend(3, 0)).toBe(false);
    expect(limiter.waitTimeMs(3, 0)).toBe(1_000);
    expect(limiter.remaining(100_000)).toBe(20);
    limiter.spend(1, 100_000);
    expect(limiter.remaining(100_000)).toBe(19);
  });

  it('does not decay when the clock steps backwards', () => {
    const limiter = new RestRateLimiter('pro');
    limiter.spend(10, 5_000);
    expect(limiter.remaining(1_000)).toBe(10);
  });
});

describe('per-pair trading counter', () => {
  it('has the tier table of §7.2', () => {
    expect(TRADING_COUNTER_LIMITS).toEqual({
      starter: { threshold: 60, decayPerSecond: 1, maxOpenOrdersPerPair: 60 },
      intermediate: { threshold: 125, decayPerSecond: 2.34, maxOpenOrdersPerPair: 80 },
      pro: { threshold: 180, decayPerSecond: 3.75, maxOpenOrdersPerPair: 225 },
    });
  });

  it.each([
    [0, 8, 4, 7],
    [4_999, 8, 4, 7],
    [5_000, 6, 3, 6],
    [9_999, 6, 3, 6],
    [10_000, 5, 2, 5],
    [14_999, 5, 2, 5],
    [15_000, 4, 1, 3],
    [44_999, 4, 1, 3],
    [45_000, 2, 1, 2],
    [89_999, 2, 1, 2],
    [90_000, 1, 1, 1],
    [299_999, 1, 1, 1],
    [300_000, 0, 1, 1],
    [3_600_000, 0, 1, 1],
  ])('an order aged %i ms costs cancel %i, amend %i, edit %i', (age, cancel, amend, edit) => {
    expect(cancelOrderCost(age)).toBe(cancel);
    expect(amendOrderCost(age)).toBe(amend);
    expect(editOrderCost(age)).toBe(edit);
  });

  it('adds +1 per order and the age penalty per cancel, per pair', () => {
    const limiter = new TradingRateLimiter('starter');
    limiter.onOrderPlaced('XBTUSD', 0);
    limiter.onOrderPlaced('XBTUSD', 0);
    limiter.onCancel('XBTUSD', 1_000, 0); // +8
    limiter.onAmend('XBTUSD', 6_000, 0); // +1 +2
    expect(limiter.remaining('XBTUSD', 0)).toBe(60 - 13);
    expect(limiter.remaining('ETHUSD', 0)).toBe(60);
    limiter.onCancel('ETHUSD', 300_000, 0); // free
    expect(limiter.remaining('ETHUSD', 0)).toBe(60);
    expect(limiter.remaining('XBTUSD', 3_000)).toBe(60 - 10);
  });

  it('starter: after 60 orders the next waits one second; a young cancel waits eight', () => {
    const limiter = new TradingRateLimiter('starter');
    for (let i = 0; i < 60; i += 1) limiter.onOrderPlaced('XBTUSD', 0);
    expect(limiter.canSpend('XBTUSD', 1, 0)).toBe(false);
    expect(limiter.waitTimeMs('XBTUSD', 1, 0)).toBe(1_000);
    expect(limiter.waitTimeMs('XBTUSD', cancelOrderCost(2_000), 0)).toBe(8_000);
    expect(limiter.waitTimeMs('ETHUSD', 1, 0)).toBe(0);
  });

  it('intermediate drains 2.34 per second, pro 3.75', () => {
    const intermediate = new TradingRateLimiter('intermediate');
    for (let i = 0; i < 125; i += 1) intermediate.onOrderPlaced('XBTUSD', 0);
    expect(intermediate.remaining('XBTUSD', 1_000)).toBeCloseTo(2.34, 10);
    expect(intermediate.waitTimeMs('XBTUSD', 1, 0)).toBe(428); // 1 / 2.34 s = 427.4 ms
    expect(intermediate.waitTimeMs('XBTUSD', 8, 0)).toBe(3_419); // 8 / 2.34 s = 3418.8 ms

    const pro = new TradingRateLimiter('pro');
    for (let i = 0; i < 180; i += 1) pro.onOrderPlaced('XBTUSD', 0);
    expect(pro.waitTimeMs('XBTUSD', 15, 0)).toBe(4_000);
    expect(pro.remaining('XBTUSD', 2_000)).toBe(7.5);
  });

  it('counts a batch of n orders as n/2 and an edit by age', () => {
    const limiter = new TradingRateLimiter('starter');
    limiter.onBatchPlaced('XBTUSD', 15, 0);
    limiter.onEdit('XBTUSD', 20_000, 0); // 1 + 2
    expect(limiter.remaining('XBTUSD', 0)).toBe(60 - 7.5 - 3);
  });
});
