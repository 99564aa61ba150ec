import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/errors.js';
import { instrumentId } from '../../model/ids.js';
import type { BookHealth } from '../../model/market-data.js';
import { MINUTE_MS } from '../../model/time.js';
import { TEST_START_TIME } from '../../testing/market-data-builders.js';
import { position, submitOrder } from '../../testing/order-builders.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { RiskEngine } from '../risk-engine.js';
import { bookHealth } from './book-health.js';
import { stateChangedEvent, submittedEvent } from './policy-test-events.js';

const now = TEST_START_TIME;
const report = (status: BookHealth['status'], instrument = 'BTC/USD', resyncs = 1): BookHealth => ({
  instrumentId: instrumentId(instrument),
  time: 1_700_000_000_000,
  status,
  mismatches: resyncs,
  resyncs,
  ageMs: 30_000,
  ...(status === 'resync' ? { reason: 'checksum' } : {}),
});
const holdingBtc = { balances: { USD: '5000', BTC: '0.1' }, positions: [position({ quantity: '0.1' })] };

describe('bookHealth: orders wait for a verified book', () => {
  it('denies orders that add exposure on an instrument whose book is resyncing, until it is synced', () => {
    const policy = bookHealth();
    expect(policy.check(submitOrder(), riskView({ time: now }))).toEqual({ allowed: true });
    policy.observeBookHealth!(report('resync'), now);
    const denied = policy.check(submitOrder(), riskView({ time: now }));
    expect(denied).toMatchObject({ allowed: false, code: 'book-health' });
    expect(denied.allowed === false && denied.reason).toBe('the BTC/USD book is being resynchronised (checksum): orders that add exposure wait for a verified snapshot');
    // Another instrument's book is fine.
    expect(policy.check(submitOrder({ instrumentId: 'ETH/USD' }), riskView({ time: now }))).toEqual({ allowed: true });
    policy.observeBookHealth!(report('synced'), now + 1_000);
    expect(policy.check(submitOrder(), riskView({ time: now + 1_000 }))).toEqual({ allowed: true });
  });

  it('holds the instrument until every one of its books (price levels and level3) is verified again', () => {
    const policy = bookHealth();
    policy.observeBookHealth!({ ...report('resync'), book: 'l2' }, now);
    policy.observeBookHealth!({ ...report('resync'), book: 'l3' }, now);
    policy.observeBookHealth!({ ...report('synced'), book: 'l2' }, now + 1_000);
    const denied = policy.check(submitOrder(), riskView({ time: now + 1_000 }));
    expect(denied.allowed === false && denied.reason).toBe('the BTC/USD level3 book is being resynchronised (checksum): orders that add exposure wait for a verified snapshot');
    policy.observeBookHealth!({ ...report('synced'), book: 'l3' }, now + 2_000);
    expect(policy.check(submitOrder(), riskView({ time: now + 2_000 }))).toEqual({ allowed: true });
  });

  it('lets orders that only reduce a position through while the book resyncs', () => {
    const policy = bookHealth();
    policy.observeBookHealth!(report('resync'), now);
    expect(policy.check(submitOrder({ side: 'sell', quantity: '0.1' }), riskView({ portfolio: holdingBtc }))).toEqual({ allowed: true });
    expect(policy.check(submitOrder({ side: 'sell', quantity: '0.2' }), riskView({ portfolio: holdingBtc }))).toMatchObject({ allowed: false, code: 'book-health' });
  });

  it('holds nothing with holdWhileResyncing: false', () => {
    const policy = bookHealth({ holdWhileResyncing: false });
    policy.observeBookHealth!(report('resync'), now);
    expect(policy.check(submitOrder(), riskView())).toEqual({ allowed: true });
  });
});

describe('bookHealth: the resync breaker', () => {
  it('trips when one book is resynced maxResyncs times within the window, and releases when they leave it', () => {
    const engine = new RiskEngine([bookHealth({ maxResyncs: 3, windowMs: 10 * MINUTE_MS, holdWhileResyncing: false })]);
    engine.observeBookHealth(report('resync', 'BTC/USD', 1), now);
    engine.observeBookHealth(report('resync', 'ETH/USD', 1), now + MINUTE_MS);
    engine.observeBookHealth(report('resync', 'BTC/USD', 2), now + 2 * MINUTE_MS);
    expect(engine.effectiveState).toBe('active');
    engine.observeBookHealth(report('resync', 'BTC/USD', 3), now + 3 * MINUTE_MS);
    expect(engine.effectiveState).toBe('reducing');
    expect(engine.stateHolders()).toEqual([{ source: 'book-health', state: 'reducing', reason: 'the BTC/USD book was resynchronised 3 times in 10 min, the limit is 3' }]);
    // Reducing: a buy is denied by the state, a sell of what is held goes.
    expect(engine.check(submitOrder(), riskView({ time: now + 4 * MINUTE_MS }))).toMatchObject({ allowed: false, code: 'reducing-only' });
    expect(engine.check(submitOrder({ side: 'sell', quantity: '0.1' }), riskView({ time: now + 4 * MINUTE_MS, portfolio: holdingBtc }))).toMatchObject({ allowed: true });
    // The first resync leaves the window at now + 10 min: two are left, under the limit.
    expect(engine.check(submitOrder(), riskView({ time: now + 10 * MINUTE_MS }))).toMatchObject({ allowed: true });
    expect(engine.effectiveState).toBe('active');
  });

  it('also releases on a journaled event after the window, and trips to halted when asked', () => {
    const engine = new RiskEngine([bookHealth({ maxResyncs: 2, windowMs: MINUTE_MS, action: 'halted' })]);
    engine.observeBookHealth(report('resync'), now);
    engine.observeBookHealth(report('resync'), now + 1_000);
    expect(engine.effectiveState).toBe('halted');
    engine.observe(submittedEvent(submitOrder({ instrumentId: 'ETH/USD', createdAt: now + 30_000 })));
    expect(engine.effectiveState).toBe('halted');
    engine.observe(submittedEvent(submitOrder({ instrumentId: 'ETH/USD', createdAt: now + MINUTE_MS + 1_000 })));
    expect(engine.effectiveState).toBe('active');
  });

  it('forgives the resyncs before an operator resume', () => {
    const policy = bookHealth({ maxResyncs: 2, holdWhileResyncing: false });
    const engine = new RiskEngine([policy]);
    engine.observeBookHealth(report('resync'), now);
    engine.observeBookHealth(report('resync'), now + 1_000);
    expect(engine.effectiveState).toBe('reducing');
    // The operator resumes: the engine applies it from outside and journals the change.
    engine.setState('active', 'operator: checked the feed');
    engine.observe(stateChangedEvent('reducing', 'active', now + 2_000));
    expect(engine.check(submitOrder(), riskView({ time: now + 3_000 }))).toEqual({ allowed: true });
    expect(engine.effectiveState).toBe('active');
    // New resyncs count from here: one is not enough to trip again.
    engine.observeBookHealth(report('resync'), now + 4_000);
    expect(engine.effectiveState).toBe('active');
  });

  it('keeps its resync times over a restart', () => {
    const before = bookHealth({ maxResyncs: 2 });
    before.observeBookHealth!(report('resync'), now);
    const state = JSON.parse(JSON.stringify(before.snapshot!()));
    const after = bookHealth({ maxResyncs: 2 });
    after.restore!(state, 'snapshot');
    expect(after.observeBookHealth!(report('resync'), now + 1_000)).toMatchObject({ to: 'reducing' });
    expect(() => after.restore!({ resyncs: { 'BTC/USD': ['soon'] } }, 'snapshot')).toThrow('snapshot.resyncs.BTC/USD[0]');
  });

  it('refuses options it cannot use, naming the key', () => {
    expect(() => bookHealth({ maxResyncs: 0 })).toThrow(ConfigError);
    expect(() => bookHealth({ maxResyncs: 0 })).toThrow('risk.bookHealth.maxResyncs');
    expect(() => bookHealth({ windowMs: -1 })).toThrow('risk.bookHealth.windowMs');
    expect(() => bookHealth({ action: 'active' as never })).toThrow('risk.bookHealth.action');
  });
});
