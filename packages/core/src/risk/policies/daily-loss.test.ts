import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../../backtest/instruments.js';
import { TestClock } from '../../clock/clock.js';
import { Engine } from '../../engine/engine.js';
import { ConfigError } from '../../errors/errors.js';
import { StaticInstrumentProvider } from '../../exchange/static-instrument-provider.js';
import type { JournaledEvent, OrderDenied, TradingStateChanged } from '../../model/events.js';
import type { ClientOrderId } from '../../model/ids.js';
import type { OrderIntent } from '../../model/order.js';
import { DAY_MS, HOUR_MS } from '../../model/time.js';
import { InMemoryStore } from '../../persistence/store.js';
import { FakeExecutionClient } from '../../testing/fake-execution-client.js';
import { bar } from '../../testing/market-data-builders.js';
import { position, submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import type { RiskPolicy } from '../risk-policy.js';
import { dailyLoss } from './daily-loss.js';
import { filledEvent, stateChangedEvent } from './policy-test-events.js';

const DAY = Date.UTC(2024, 0, 1);
const bought = [filledEvent({ side: 'buy', quantity: '0.1', price: '40000', time: DAY + HOUR_MS })];
const holding = { balances: { USD: '6000', BTC: '0.1' }, positions: [position({ quantity: '0.1', averageEntryPrice: 40000 })] };

runRiskPolicyContract('dailyLoss({ limit: 50 })', () => dailyLoss({ limit: '50' }), [
  { name: 'no trades today', order: submitOrder(), view: riskView({ time: DAY + HOUR_MS, lastPrice: 40000 }), expected: { allowed: true } },
  {
    name: 'holding 0.1 BTC bought at 40000, market at 39000 (−100 unrealized), buy',
    order: submitOrder({ quantity: '0.01' }), observe: bought, view: riskView({ time: DAY + 2 * HOUR_MS, lastPrice: 39000, portfolio: holding }),
    expected: { allowed: false, code: 'daily-loss' },
  },
  {
    name: 'the same loss, a sell of half the position (it reduces exposure)',
    order: submitOrder({ side: 'sell', quantity: '0.05' }), observe: bought, view: riskView({ time: DAY + 2 * HOUR_MS, lastPrice: 39000, portfolio: holding }),
    expected: { allowed: true },
  },
  {
    name: 'holding 0.1 BTC, market at 39600 (−40 unrealized, under the limit)',
    order: submitOrder({ quantity: '0.01' }), observe: bought, view: riskView({ time: DAY + 2 * HOUR_MS, lastPrice: 39600, portfolio: holding }),
    expected: { allowed: true },
  },
  {
    name: 'a round trip that realized −60 today',
    order: submitOrder({ quantity: '0.01' }),
    observe: [...bought, filledEvent({ side: 'sell', quantity: '0.1', price: '39400', time: DAY + 2 * HOUR_MS })],
    view: riskView({ time: DAY + 3 * HOUR_MS }),
    expected: { allowed: false, code: 'daily-loss' },
  },
  {
    name: 'price up 10 but 16 USD of fees (−6)',
    order: submitOrder({ quantity: '0.01' }),
    observe: [filledEvent({ side: 'buy', quantity: '0.1', price: '40000', fee: '16', time: DAY + HOUR_MS })],
    view: riskView({ time: DAY + 2 * HOUR_MS, lastPrice: 40100, portfolio: holding }),
    expected: { allowed: true },
  },
  {
    name: 'a fee paid in the base asset (0.002 BTC at 40000 = 80 USD)',
    order: submitOrder({ quantity: '0.01' }),
    observe: [filledEvent({ side: 'buy', quantity: '0.1', price: '40000', fee: '0.002', feeAsset: 'BTC', time: DAY + HOUR_MS })],
    view: riskView({ time: DAY + 2 * HOUR_MS, lastPrice: 40000, portfolio: holding }),
    expected: { allowed: false, code: 'daily-loss' },
  },
  {
    name: 'yesterday’s −60 round trip does not count today',
    order: submitOrder({ quantity: '0.01' }),
    observe: [...bought, filledEvent({ side: 'sell', quantity: '0.1', price: '39400', time: DAY + 2 * HOUR_MS })],
    view: riskView({ time: DAY + DAY_MS + HOUR_MS }),
    expected: { allowed: true },
  },
]);

describe('dailyLoss', () => {
  it('measures a position carried over midnight from the last price seen before midnight', () => {
    const policy = dailyLoss({ limit: '50' });
    for (const event of bought) policy.observe!(event);
    // Yesterday it fell to 39000 (−100, tripped); today it is measured from 39000.
    const view = (time: number, lastPrice: number) => riskView({ time, lastPrice, portfolio: holding });
    expect(policy.check(submitOrder(), view(DAY + 5 * HOUR_MS, 39000))).toMatchObject({ allowed: false, code: 'daily-loss', requestState: { to: 'reducing' } });
    const nextDay = policy.check(submitOrder(), view(DAY + DAY_MS + HOUR_MS, 38600));
    expect(nextDay).toMatchObject({ allowed: true, requestState: { to: 'active' } });
    expect(policy.check(submitOrder(), view(DAY + DAY_MS + 2 * HOUR_MS, 38400))).toMatchObject({ allowed: false, code: 'daily-loss' });
  });

  it('stays tripped for the rest of the day when prices recover, and trips to halted when configured', () => {
    const policy = dailyLoss({ limit: '50', action: 'halted' });
    for (const event of bought) policy.observe!(event);
    const view = (lastPrice: number) => riskView({ time: DAY + 2 * HOUR_MS, lastPrice, portfolio: holding });
    expect(policy.check(submitOrder(), view(39000))).toMatchObject({ allowed: false, requestState: { to: 'halted' } });
    expect(policy.check(submitOrder(), view(41000))).toMatchObject({ allowed: false, code: 'daily-loss' });
  });

  it('trips from a fill (observe returns the request) and counts losses again from an operator resume', () => {
    const policy = dailyLoss({ limit: '50' });
    policy.observe!(bought[0]!);
    const request = policy.observe!(filledEvent({ side: 'sell', quantity: '0.1', price: '39400', time: DAY + 2 * HOUR_MS }));
    expect(request).toMatchObject({ to: 'reducing' });
    expect((request as { reason: string }).reason).toContain('loss of 60 USD');
    policy.observe!(stateChangedEvent('reducing', 'active', DAY + 3 * HOUR_MS));
    const flat = riskView({ time: DAY + 3 * HOUR_MS });
    expect(policy.check(submitOrder(), flat)).toEqual({ allowed: true });
    policy.observe!(filledEvent({ side: 'buy', quantity: '0.1', price: '40000', time: DAY + 4 * HOUR_MS }));
    expect(policy.check(submitOrder(), riskView({ time: DAY + 4 * HOUR_MS, lastPrice: 39600, portfolio: holding }))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), riskView({ time: DAY + 4 * HOUR_MS, lastPrice: 39400, portfolio: holding }))).toMatchObject({ code: 'daily-loss' });
  });

  it('rejects a limit that is not a positive amount and an unknown action, naming the config key', () => {
    expect(() => dailyLoss({ limit: '-5' })).toThrow(ConfigError);
    expect(() => dailyLoss({ limit: 'lots' })).toThrow(/risk\.dailyLossQuote: received "lots", expected a positive decimal amount/);
    expect(() => dailyLoss({ limit: '5', action: 'panic' as never })).toThrow(/risk\.dailyLossAction: received "panic"/);
  });
});

/** A real engine over a fake venue that accepts every order; the test reports the fills. */
async function engineWith(policies: RiskPolicy[]) {
  const clock = new TestClock(DAY);
  const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
  const venue = new FakeExecutionClient({ clock, autoRespond: true, instruments: (id) => instruments.get(id) });
  const store = new InMemoryStore();
  const engine = new Engine({ mode: 'backtest', clock, instruments, execution: venue, store, strategies: [], quoteAsset: 'USD', startBalances: { USD: '10000' }, riskPolicies: policies });
  // What the engine should do itself (see the report): breaker requests become journaled state changes.
  engine.risk.onStateRequest((to, reason) => engine.setTradingState(to, reason));
  await engine.start();
  const price = (openTime: number, close: number) => engine.onBar(bar({ instrumentId: 'BTC/USD', interval: '1h', openTime, close }));
  const submit = (intent: Omit<OrderIntent, 'instrumentId'>): ClientOrderId => engine.submit('trend', { instrumentId: 'BTC/USD', ...intent });
  const lastEvents = (count: number) => store.events().slice(-count);
  return { engine, venue, store, price, submit, lastEvents };
}

const types = (events: readonly JournaledEvent[]) => events.map((event) => event.type);

describe('dailyLoss in the engine', () => {
  it('a breach moves the engine to reducing: a later buy is denied reducing-only, a sell passes, and a new UTC day resets it', async () => {
    const { engine, venue, store, price, submit, lastEvents } = await engineWith([dailyLoss({ limit: '50' })]);
    price(DAY, 40000);
    const entry = submit({ side: 'buy', type: 'market', quantity: '0.1' });
    venue.fill(entry, '0.1', '40000');
    expect(engine.portfolio.balanceTotal('BTC').toFixed()).toBe('0.1');

    price(DAY + HOUR_MS, 39000);
    submit({ side: 'buy', type: 'market', quantity: '0.01' });
    expect(types(lastEvents(2))).toEqual(['order-denied', 'trading-state-changed']);
    const [denied, changed] = lastEvents(2) as [OrderDenied, TradingStateChanged];
    expect(denied).toMatchObject({ code: 'daily-loss', policy: 'daily-loss' });
    expect(changed).toMatchObject({ from: 'active', to: 'reducing' });
    expect(changed.reason).toMatch(/^daily-loss: loss of 100 USD since 2024-01-01T00:00:00.000Z reached the daily limit of 50$/);
    expect(engine.risk.state).toBe('reducing');

    const later = submit({ side: 'buy', type: 'market', quantity: '0.01' });
    expect(engine.orders.get(later)?.status).toBe('denied');
    expect(lastEvents(1)[0]).toMatchObject({ type: 'order-denied', code: 'reducing-only', policy: 'trading-state' });

    const exit = submit({ side: 'sell', type: 'market', quantity: '0.05' });
    expect(engine.orders.get(exit)?.status).toBe('accepted');
    expect(venue.submitted.map((order) => order.clientOrderId)).toEqual([entry, exit]);
    venue.fill(exit, '0.05', '39000');

    // Next UTC day, same price: today's P&L starts at zero, so the breaker releases on the next order.
    price(DAY + DAY_MS, 39000);
    const fresh = submit({ side: 'buy', type: 'market', quantity: '0.01' });
    expect(engine.orders.get(fresh)?.status).toBe('accepted');
    const release = store.events().find((event) => event.type === 'trading-state-changed' && event.to === 'active') as TradingStateChanged;
    expect(release).toMatchObject({ from: 'reducing', to: 'active', time: DAY + DAY_MS + HOUR_MS });
    expect(release.reason).toBe('daily-loss: a new UTC day began at 2024-01-02T00:00:00.000Z');
    expect(engine.risk.state).toBe('active');
    expect(engine.denials().get('daily-loss')).toBe(1);
    expect(engine.denials().get('reducing-only')).toBe(1);
  });
});
