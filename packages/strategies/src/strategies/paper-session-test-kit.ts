/*
 * Test support for warm-up and restarts: one strategy in the real Engine bound as a paper session
 * (the SimulatedVenue matching the bars fed, no slippage, a TestClock the kit moves to each live
 * bar's close), so a test can hand it history as a session does (`Engine.warmUp`) and then feed
 * live bars, or start it again on the store of an earlier session, recovered as a paper session
 * recovers. The strategy harness of @kbot/core/testing warms a strategy up too, but runs it as a
 * backtest and cannot restart it on a store. Not exported from the package.
 */
import { expect } from 'vitest';
import { FakeExecutionClient } from '@kbot/core/testing';
import {
  Engine, InMemoryStore, NoSlippage, SimulatedVenue, StaticInstrumentProvider, TestClock, hasRecoverableState, isoTime, krakenSpotInstruments, recoverEngineState,
  type Bar, type EpochMs, type Order, type OrderDenied, type Strategy,
} from '@kbot/core';

export interface PaperSession {
  readonly engine: Engine;
  /** The session's journal: hand it to `startPaperSession` again to restart on it. */
  readonly store: InMemoryStore;
  /** History at start, handed to the strategy with `ctx.warmingUp` set, as a session does. */
  warmUp(bars: readonly Bar[]): void;
  /** Live bars, each delivered at its close. */
  feed(bars: readonly Bar[]): void;
  stop(): Promise<void>;
  /** Every order the strategy submitted, in order (denied ones included), as it stands now. */
  orders(): readonly Order[];
  /** Every denial the journal holds. */
  denials(): readonly OrderDenied[];
  /** Total balance of an asset now (`10398.96`), to 8 places. */
  balance(asset: string): string;
}

/**
 * Starts a paper session of `strategy`. With `restartOn` (an earlier session's store, that session
 * abandoned as if killed, or stopped), it recovers as a paper session does after a restart: the
 * snapshot and journal give the engine its orders, portfolio and `ctx.state`, and a new simulated
 * venue starts with the recovered balances (the orders that rested on the old one are cancelled).
 */
export async function startPaperSession<P>(
  strategy: Strategy<P>, params: P, startTime: EpochMs, balances: Readonly<Record<string, string>> = { USD: '10000' }, restartOn?: InMemoryStore,
): Promise<PaperSession> {
  return startSession('paper', strategy, params, startTime, balances, restartOn);
}

/**
 * Starts a live session of `strategy` on a venue that accepts every order and fills none, as a
 * session on Kraken whose orders rest: restarted on an earlier session's store (`restartOn`), the
 * orders that session left open are still open (recovery hands them over), as on the exchange.
 */
export async function startLiveSession<P>(
  strategy: Strategy<P>, params: P, startTime: EpochMs, balances: Readonly<Record<string, string>> = { USD: '10000' }, restartOn?: InMemoryStore,
): Promise<PaperSession> {
  return startSession('live', strategy, params, startTime, balances, restartOn);
}

async function startSession<P>(
  mode: 'paper' | 'live', strategy: Strategy<P>, params: P, startTime: EpochMs, balances: Readonly<Record<string, string>>, restartOn: InMemoryStore | undefined,
): Promise<PaperSession> {
  const clock = new TestClock(startTime);
  const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
  const store = restartOn ?? new InMemoryStore();
  const found = store.load();
  const recovered = hasRecoverableState(found) ? recoverEngineState(found, { instruments: (id) => instruments.get(id), startBalances: balances }) : undefined;
  const venueBalances = recovered === undefined ? balances : Object.fromEntries(recovered.portfolio.balances().map((balance) => [balance.asset, balance.total.toFixed()]));
  const venue = mode === 'live'
    ? new FakeExecutionClient({ clock, autoRespond: true, instruments: (id) => instruments.get(id) })
    : new SimulatedVenue({
      instruments: (id) => instruments.get(id),
      clock,
      balances: venueBalances,
      slippageModel: new NoSlippage(),
      fillModel: { maxVolumeParticipation: 1 },
      // Venue ids must not repeat across restarts, as in a paper session.
      ...(recovered === undefined ? {} : { idPrefix: `R${recovered.lastSequence.toString(36).toUpperCase()}` }),
    });
  const engine = new Engine({
    mode, clock, instruments, execution: venue, store,
    strategies: [{ id: 'under-test', strategy, params }], quoteAsset: 'USD', startBalances: venueBalances,
    ...(recovered === undefined ? {} : { recovered }),
  });
  await engine.start();
  const checked = () => {
    // Paper mode logs a strategy's exception and goes on: a test must not.
    if (engine.strategyErrors > 0) throw new Error(`the strategy threw ${engine.strategyErrors} time(s)`);
  };
  return {
    engine,
    store,
    warmUp(bars) {
      engine.warmUp(bars);
      checked();
    },
    feed(bars) {
      for (const bar of bars) {
        const close = bar.openTime + bar.interval;
        if (close > clock.now()) clock.advanceTo(close);
        engine.onBar(bar);
      }
      checked();
    },
    stop: () => engine.stop('end of test'),
    orders: () => engine.orders.all().filter((order) => order.strategyId === 'under-test'),
    denials: () => store.events().filter((event): event is OrderDenied => event.type === 'order-denied'),
    balance: (asset) => engine.portfolioViewFor().balance(asset).total.toFixed(8),
  };
}

/** `2024-01-08T12:00:00.000Z buy market 0.0775 (entry: …) → filled at 44000.1`: one line per order, for comparing runs. */
export function describeOrders(orders: readonly Order[]): string[] {
  return orders.map((order) => {
    const price = order.averageFillPrice === undefined ? '' : ` at ${order.averageFillPrice.toFixed()}`;
    return `${isoTime(order.createdAt)} ${order.side} ${order.type} ${order.quantity.toFixed()} (${order.tag}) → ${order.status}${price}`;
  });
}

/** Two sessions over the same bars: one saw `history` live, the other was warmed up on it. */
export interface WarmUpComparison {
  readonly history: readonly Bar[];
  readonly live: readonly Bar[];
  /** Close of the first live bar: when an order decided on it is created. */
  readonly firstLiveClose: string;
  /** Orders (`describeOrders`) of the session that saw the history live, then the live bars. */
  readonly seenLive: readonly string[];
  /** How many of those it submitted on the history. */
  readonly seenLiveOnHistory: number;
  /** Orders of the session warmed up on the history, then fed the same live bars. */
  readonly warmedUp: readonly string[];
  /** Orders the warmed-up session submitted while warming up (denied ones included). */
  readonly warmedUpOnHistory: number;
  readonly warmedUpDenials: readonly OrderDenied[];
  /** Quote (USD) and base balances at the end: [seen live, warmed up]. */
  readonly balances: { readonly USD: readonly [string, string]; readonly base: readonly [string, string] };
}

/**
 * Runs `make()` twice over `bars[start ..]`: once fed `historyBars` bars and then `liveBars` bars
 * live, once warmed up on the same `historyBars` bars and then fed the same live bars.
 */
export async function compareWarmUpWithLiveRun<P>(
  make: () => Strategy<P>, params: P, bars: readonly Bar[], options: { start: number; historyBars: number; liveBars: number; base: string },
): Promise<WarmUpComparison> {
  const history = bars.slice(options.start, options.start + options.historyBars);
  const live = bars.slice(options.start + options.historyBars, options.start + options.historyBars + options.liveBars);
  if (history.length !== options.historyBars || live.length !== options.liveBars) throw new Error(`bars ${options.start}..: too few for ${options.historyBars} + ${options.liveBars}`);

  const seen = await startPaperSession(make(), params, history[0]!.openTime);
  seen.feed(history);
  const seenLiveOnHistory = seen.orders().length;
  seen.feed(live);
  await seen.stop();

  // A session starts when its history has closed: at the first live bar's open.
  const warmed = await startPaperSession(make(), params, live[0]!.openTime);
  warmed.warmUp(history);
  const warmedUpOnHistory = warmed.orders().length;
  warmed.feed(live);
  await warmed.stop();

  return {
    history,
    live,
    firstLiveClose: isoTime(live[0]!.openTime + live[0]!.interval),
    seenLive: describeOrders(seen.orders()),
    seenLiveOnHistory,
    warmedUp: describeOrders(warmed.orders()),
    warmedUpOnHistory,
    warmedUpDenials: warmed.denials(),
    balances: { USD: [seen.balance('USD'), warmed.balance('USD')], base: [seen.balance(options.base), warmed.balance(options.base)] },
  };
}

/**
 * The warm-up's promise, checked on a comparison whose first live bar is where the session that
 * saw everything live first trades: nothing traded on the history, the first order on the first
 * live bar (`entryTag` is its tag), at least `minOrders` orders, and then the warmed-up session
 * makes the very same orders and ends with the same balances, with no order denied for warming up.
 */
export function expectWarmedUpLikeLive(run: WarmUpComparison, entryTag: string, minOrders: number): void {
  expect(run.seenLiveOnHistory).toBe(0);
  expect(run.seenLive[0]).toMatch(new RegExp(`^${run.firstLiveClose} buy market .* \\(${entryTag}\\) → filled`));
  expect(run.seenLive.length).toBeGreaterThanOrEqual(minOrders);
  expect(run.warmedUp).toEqual(run.seenLive);
  expect(run.balances.USD[1]).toBe(run.balances.USD[0]);
  expect(run.balances.base[1]).toBe(run.balances.base[0]);
  expect(run.warmedUpDenials).toEqual([]);
}
