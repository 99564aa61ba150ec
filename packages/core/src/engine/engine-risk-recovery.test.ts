import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import type { OrderDenied, TradingStateChanged } from '../model/events.js';
import { instrumentId, type ClientOrderId } from '../model/ids.js';
import type { OrderIntent } from '../model/order.js';
import { HOUR_MS } from '../model/time.js';
import { InMemoryStore, type EngineSnapshot } from '../persistence/store.js';
import { dailyLoss } from '../risk/policies/daily-loss.js';
import { maxDrawdown } from '../risk/policies/max-drawdown.js';
import { strategyBudget } from '../risk/policies/strategy-budget.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy } from '../strategy/strategy.js';
import { Engine } from './engine.js';
import { recoverEngineState } from './recovery.js';

// A restart writes a snapshot at once, and the journal replayed at the next start begins after the
// latest snapshot. Risk policies that only relearned from the replayed events forgot everything
// before it: every restart reset the day's loss, each strategy's holdings and the drawdown peak.

const BTC = instrumentId('BTC/USD');
const DAY = Date.UTC(2024, 0, 1);
const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
const idle: Strategy = { subscriptions: () => [] };

let processes = 0;

/** One bot process over a store that outlives it; paper mode on an in-process simulated venue. */
async function botProcess(store: InMemoryStore, clock: TestClock, policies: () => RiskPolicy[]) {
  const loaded = store.load();
  const recovered = loaded.snapshot === undefined && loaded.events.length === 0 ? undefined : recoverEngineState(loaded, { instruments: (id) => instruments.get(id) });
  // Each process's venue numbers its trades afresh: a prefix keeps them apart from the last process's.
  const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, idPrefix: `P${++processes}`, balances: recovered === undefined ? { USD: '10000' } : Object.fromEntries(recovered.portfolio.balances().map((balance) => [balance.asset, balance.total.toFixed()])) });
  const engine = new Engine({
    mode: 'paper', clock, instruments, execution: venue, store, quoteAsset: 'USD', snapshotEvery: 1000,
    strategies: [{ id: 'trend', strategy: idle, params: {} }],
    riskPolicies: policies(),
    ...(recovered === undefined ? { startBalances: { USD: '10000' } } : { recovered }),
  });
  await engine.start();
  /** A one-minute bar at `price` (open = close); market orders sent before it fill at its open. */
  const bar = (price: number) => {
    clock.advanceBy(60_000);
    engine.onBar({ instrumentId: BTC, interval: 60_000, openTime: clock.now() - 60_000, open: price, high: price, low: price, close: price, volume: 100 });
  };
  const submit = (intent: Omit<OrderIntent, 'instrumentId' | 'type'>): ClientOrderId => engine.submit('trend', { instrumentId: BTC, type: 'market', ...intent });
  const denial = (id: ClientOrderId) => store.events().find((event): event is OrderDenied => event.type === 'order-denied' && event.clientOrderId === id);
  return { engine, bar, submit, denial };
}

/** Buys 0.01 BTC at `entry` and sells it at `exit`: a round trip, fees included. */
function roundTrip(bot: Awaited<ReturnType<typeof botProcess>>, entry: number, exit: number): void {
  bot.bar(entry);
  bot.submit({ side: 'buy', quantity: '0.01' });
  bot.bar(entry);
  bot.submit({ side: 'sell', quantity: '0.01' });
  bot.bar(exit);
}

describe('risk policies across restarts', () => {
  it('a day\'s loss before a restart still counts after it: the daily-loss limit is not reset by restarting', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [dailyLoss({ limit: '30' })];
    const first = await botProcess(store, clock, policies);
    roundTrip(first, 40_000, 38_500); // −15 USD and two taker fees
    await first.engine.stop();

    const second = await botProcess(store, clock, policies);
    roundTrip(second, 40_000, 38_500); // another −15 and fees: past 30 for the day
    const trip = store.events().find((event): event is TradingStateChanged => event.type === 'trading-state-changed');
    // Both round trips count: 2 × (15 + about 3.1 of fees), not the second one's 18.53 alone.
    expect(trip).toMatchObject({ to: 'reducing' });
    expect(trip?.reason).toMatch(/^daily-loss: loss of 37\.\d+ USD since 2024-01-01T00:00:00\.000Z reached the daily limit of 30/);
    second.bar(38_500);
    expect(second.denial(second.submit({ side: 'buy', quantity: '0.01' }))).toMatchObject({ code: 'reducing-only' });
    await second.engine.stop();

    // A third process, after two more snapshots: the trip is still known, and it is the daily-loss
    // breaker's own (it releases on the next UTC day), not only a state read back from the journal.
    const third = await botProcess(store, clock, policies);
    third.bar(38_500);
    expect(third.denial(third.submit({ side: 'buy', quantity: '0.01' }))).toMatchObject({ code: 'reducing-only' });
    const snapshot = store.load().snapshot!.state as { risk: { policies: { state: { trippedDay: number | null } }[] } };
    expect(snapshot.risk.policies[0]!.state.trippedDay).toBe(Math.floor(DAY / (24 * HOUR_MS)));
  });

  it('a daily-loss trip carried over a restart still releases on the next UTC day, as it would without the restart', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [dailyLoss({ limit: '10' })];
    const first = await botProcess(store, clock, policies);
    roundTrip(first, 40_000, 38_500);
    expect(first.engine.risk.state).toBe('reducing');
    await first.engine.stop();

    const second = await botProcess(store, clock, policies);
    expect(second.engine.risk.state).toBe('reducing');
    // What kbot status shows: the breaker holds it, not an operator.
    expect(second.engine.risk.stateHolders()).toEqual([{ source: 'daily-loss', state: 'reducing', reason: expect.stringMatching(/^loss of \d+\.\d+ USD since 2024-01-01/) }]);
    clock.advanceTo(DAY + 24 * HOUR_MS + HOUR_MS);
    second.bar(38_500);
    const next = second.submit({ side: 'buy', quantity: '0.01' });
    expect(second.denial(next)).toBeUndefined();
    expect(second.engine.risk.state).toBe('active');
    const changes = store.events().filter((event): event is TradingStateChanged => event.type === 'trading-state-changed');
    expect(changes.map((change) => change.to)).toEqual(['reducing', 'active']);
    expect(changes[1]!.reason).toMatch(/^daily-loss: a new UTC day began at 2024-01-02T00:00:00\.000Z/);
  });

  it('an operator\'s halt carried over a restart stays until an operator resumes, whatever the breakers say', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [dailyLoss({ limit: '10' })];
    const first = await botProcess(store, clock, policies);
    first.engine.setTradingState('halted', 'operator: kbot panic');
    await first.engine.stop();

    const second = await botProcess(store, clock, policies);
    clock.advanceTo(DAY + 24 * HOUR_MS + HOUR_MS);
    second.bar(38_500);
    expect(second.denial(second.submit({ side: 'buy', quantity: '0.01' }))).toMatchObject({ code: 'trading-halted' });
    expect(second.engine.risk.state).toBe('halted');
    expect(second.engine.risk.stateHolders()).toEqual([{ source: 'operator', state: 'halted', reason: 'operator: kbot panic' }]);
  });

  it('a strategy\'s holdings before a restart count against its budget after it', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [strategyBudget({ trend: '500' })];
    const first = await botProcess(store, clock, policies);
    first.bar(40_000);
    first.submit({ side: 'buy', quantity: '0.01' }); // 400 USD of the 500 budget
    first.bar(40_000);
    await first.engine.stop();

    const second = await botProcess(store, clock, policies);
    second.bar(40_000);
    const refused = second.submit({ side: 'buy', quantity: '0.01' });
    expect(second.denial(refused)).toMatchObject({ code: 'strategy-budget' });
    expect(second.denial(refused)?.reason).toContain('800');
  });

  it('the equity peak before a restart is the one a drawdown is measured from after it', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [maxDrawdown({ percent: 1 })];
    const first = await botProcess(store, clock, policies);
    first.bar(40_000);
    first.submit({ side: 'buy', quantity: '0.2' }); // a check at equity 10,000: the peak
    first.bar(40_000);
    await first.engine.stop();

    // The price fell 1,000 while the bot was down: equity 9,763.98 (after fees), 2.36% under the peak. The
    // breaker trips at the first bar close after the restart.
    const second = await botProcess(store, clock, policies);
    second.bar(39_000);
    expect(store.events().filter((event): event is TradingStateChanged => event.type === 'trading-state-changed').map((event) => [event.to, event.reason.slice(0, 40)])).toEqual([
      ['halted', 'max-drawdown: equity 9763.98 is 2.36% be'],
    ]);
    expect(second.denial(second.submit({ side: 'sell', quantity: '0.01' }))).toMatchObject({ code: 'trading-halted' });
  });

  it('an equity peak reached while holding, with nothing journaled after it, survives a crash (kill -9, no clean stop)', async () => {
    const store = new InMemoryStore();
    const written: number[] = [];
    const snapshot = store.snapshot.bind(store);
    store.snapshot = (state: EngineSnapshot) => {
      written.push(state.sequence);
      snapshot(state);
    };
    const clock = new TestClock(DAY + HOUR_MS);
    const policies = () => [maxDrawdown({ percent: 1 })];
    const first = await botProcess(store, clock, policies);
    first.bar(40_000);
    first.submit({ side: 'buy', quantity: '0.2' });
    first.bar(40_000); // filled: 0.2 BTC held, equity about 9,964 after the fee and slippage
    const beforeRally = written.length;
    // A rally while holding journals nothing, but each new peak is snapshotted (at most once a minute).
    for (const price of [41_000, 42_000, 43_000]) first.bar(price);
    expect(written.length - beforeRally).toBe(3);
    // Flat bars teach the policy nothing: no more snapshots.
    for (let index = 0; index < 3; index++) first.bar(42_900);
    expect(written.length - beforeRally).toBe(3);
    expect(written.at(-1)).toBe(store.events().at(-1)!.sequence);
    // Killed: no stop, no snapshot of its own. The price has come back to 42,000: 1.9% under the
    // peak of about 10,564, past the 1% limit, so the breaker trips at the first close after the restart.
    const second = await botProcess(store, clock, policies);
    second.bar(42_000);
    const trips = store.events().filter((event): event is TradingStateChanged => event.type === 'trading-state-changed');
    expect(trips.map((event) => [event.to, event.reason.slice(0, 40)])).toEqual([['halted', 'max-drawdown: equity 10363.98 is 1.89% b']]);
  });

  /** A process that lost 15 USD and fees with a 30 USD daily limit, stopped, and the snapshot its stop wrote. */
  async function afterOneLosingRun() {
    const store = new InMemoryStore();
    const clock = new TestClock(DAY + HOUR_MS);
    const first = await botProcess(store, clock, () => [dailyLoss({ limit: '30' })]);
    roundTrip(first, 40_000, 38_500);
    await first.engine.stop();
    return { store, clock, latest: store.load().snapshot! };
  }

  it('snapshots written before policies were kept (no `risk` field) still recover, the policies starting afresh', async () => {
    const { store, clock, latest } = await afterOneLosingRun();
    const { risk: _risk, ...older } = latest.state as Record<string, unknown>;
    store.snapshot({ ...latest, state: older } as EngineSnapshot);

    const second = await botProcess(store, clock, () => [dailyLoss({ limit: '30' })]);
    second.bar(40_000);
    expect(second.denial(second.submit({ side: 'buy', quantity: '0.01' }))).toBeUndefined();
  });

  it('refuses a snapshot whose policy state is corrupt, naming the snapshot, the policy and the field', async () => {
    const { store, clock, latest } = await afterOneLosingRun();
    const state = latest.state as { risk: { policies: { state: Record<string, unknown> }[] } };
    state.risk.policies[0]!.state['realized'] = 'lots';
    store.snapshot({ ...latest, state } as EngineSnapshot);

    await expect(botProcess(store, clock, () => [dailyLoss({ limit: '30' })])).rejects.toThrow(
      /snapshot at sequence \d+\.risk\.policies\[0\]\.state \(policy daily-loss\)\.realized: received "lots", expected a decimal string/,
    );
  });
});
