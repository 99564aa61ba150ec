import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../persistence/sqlite-store.js';
import { validateConfig } from '../config/schema.js';
import { createBot } from '../di/container.js';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import type { ClientOrderId } from '../model/ids.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { bars, quote } from '../testing/market-data-builders.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import type { FakeMarketDataClientOptions } from '../testing/fake-market-data-client.js';
import { InMemoryStore, type EngineSnapshot, type Recovered, type SessionLogEntry, type Store } from '../persistence/store.js';
import type { JournaledEvent } from '../model/events.js';
import { TestClock } from '../clock/clock.js';
import type { Engine } from '../engine/engine.js';
import type { BacktestResult } from '../backtest/result.js';
import { createFileLogger } from '../log/file-logger.js';
import { runSession, type SessionStartup } from './run-session.js';
import { BuyThenSell } from './buy-then-sell.fixture.js';

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;


/** Buys on its 2nd bar and keeps the position; a resting bid far below stays open. */
class BuyAndHold extends BaseStrategy<Record<string, never>> {
  private seen = 0;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.seen++;
    if (this.seen === 2 && !ctx.portfolio.position(BTC)) {
      ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
      ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', price: '20000', quantity: '0.01' });
    }
  }
}

/** Buys when flat and sells what it holds (a market order fills on the next bar): one order and half a round trip a bar. */
class Churn extends BaseStrategy<Record<string, never>> {
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    const position = ctx.portfolio.position(BTC);
    if (position) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: position.quantity });
    else ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
  }
}

/** An in-memory store that cannot read its journal back: the engine must keep the history itself. */
class StoreWithoutJournal implements Store {
  readonly inner = new InMemoryStore();
  append(events: readonly JournaledEvent[]): void {
    this.inner.append(events);
  }
  snapshot(state: EngineSnapshot): void {
    this.inner.snapshot(state);
  }
  load(): Recovered {
    return this.inner.load();
  }
  appendSessionLog(entry: SessionLogEntry): void {
    this.inner.appendSessionLog(entry);
  }
  close(): void {}
}

/** A report list as JSON text, with the session's order-id prefix and venue-id stem replaced. */
function withoutSessionIds(result: BacktestResult, list: 'fills' | 'roundTrips' | 'orders' | 'metrics' | 'endBalances'): string {
  const orderPrefix = result.orders[0]!.clientOrderId.replace(/-\d+$/, '-');
  const venueStem = result.fills[0]!.tradeId.replace(/^T/, '').replace(/-\d+$/, '-');
  return JSON.stringify(result[list]).replaceAll(orderPrefix, '<session>-').replaceAll(venueStem, '<venue>-');
}

describe('runSession (paper)', () => {
  it('holds in memory only what a snapshot holds, however long it runs, and still reports every fill, round trip and order (read back from the journal)', async () => {
    const BARS = 240;
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const run = async (store: Store) => {
      const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
      const bot = createBot(validateConfig({ name: 'long-run', strategies: [Churn.with({})] }));
      let engine: Engine | undefined;
      const held = { orders: 0, roundTrips: 0 };
      const session = runSession({
        bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '10000' }, maxBars: BARS, store, snapshotEvery: 40,
        // Two days after the data: every finished order is past the 24-hour retention.
        clock: new TestClock(start + BARS * MINUTE + 2 * 86_400_000),
        onEngine: (started) => (engine = started),
        onStatus: () => {
          held.orders = Math.max(held.orders, engine!.orders.all().length);
          held.roundTrips = Math.max(held.roundTrips, engine!.portfolio.roundTrips().length);
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      exchange.data.push(bars(Array.from({ length: BARS }, (_, index) => 40_000 + (index % 7) * 10), { instrument: 'BTC/USD', interval: '1m', start, volume: 100 }));
      return { result: await session, held, engine: engine! };
    };
    const dir = mkdtempSync(join(tmpdir(), 'kbot-long-session-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SqliteStore(join(dir, 'kbot.sqlite'), { durability: 'normal' });
    const bounded = await run(store);
    store.close();
    const kept = await run(new StoreWithoutJournal());

    // The store that cannot be read back makes the engine keep everything, as before.
    expect(kept.held.orders).toBeGreaterThanOrEqual(BARS - 2);
    expect(kept.held.roundTrips).toBeGreaterThanOrEqual(BARS / 2 - 2);
    // With the journal as the history, memory stays at about one snapshot interval's worth.
    expect(bounded.held.orders).toBeLessThanOrEqual(20);
    expect(bounded.held.roundTrips).toBeLessThanOrEqual(10);
    expect(bounded.engine.orders.all().length).toBeLessThanOrEqual(2);

    // The reports are the same, but for the ids each session derives from its start time.
    expect(bounded.result.fills.length).toBeGreaterThanOrEqual(BARS - 2);
    for (const list of ['fills', 'roundTrips', 'orders', 'metrics', 'endBalances'] as const) {
      expect(withoutSessionIds(bounded.result, list)).toEqual(withoutSessionIds(kept.result, list));
    }
  });

  it('resumes from its store: the balances and position carry over, the resting order of the lost simulated venue is canceled, and the session log says so', async () => {
    const store = new InMemoryStore();
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const run = async (from: number) => {
      const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
      const bot = createBot(validateConfig({ name: 'resume-test', strategies: [BuyAndHold.with({})] }));
      const startups: SessionStartup[] = [];
      const session = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '10000' }, maxBars: 3, store, onStarted: (startup) => startups.push(startup) });
      await new Promise((resolve) => setTimeout(resolve, 20));
      exchange.data.push(bars([40_000, 40_100, 40_200], { instrument: 'BTC/USD', interval: '1m', start: from, volume: 100 }));
      return { result: await session, startup: startups[0]! };
    };
    const first = await run(start);
    expect(first.startup.recovery).toBeUndefined();
    expect(first.result.openPositions.map((position) => position.quantity.toFixed())).toEqual(['0.01']);
    const resting = first.result.orders.find((order) => order.status === 'accepted')!;

    const second = await run(start + 3 * MINUTE);
    expect(second.startup.recovery).toMatchObject({ openOrders: 1, openPositions: 1 });
    expect(second.startup.reconciled).toEqual({ 'order-canceled': 1 });
    expect(second.result.startBalances).toEqual(first.result.endBalances);
    expect(second.result.openPositions).toEqual(first.result.openPositions);
    expect(second.result.orders.find((order) => order.clientOrderId === resting.clientOrderId)).toMatchObject({ status: 'canceled' });
    // The strategy starts fresh but sees the position it holds, so it does not buy again.
    expect(second.result.fills).toEqual([]);
    // The session's own figures: the BTC it starts with is valued at its first bar's open (40000),
    // not left out; the fees are its own fills' (none), not every session's since the first.
    expect(first.result.metrics.feesPaid.isZero()).toBe(false);
    expect(second.result.metrics.feesPaid.toFixed()).toBe('0');
    const held = second.result.startBalances.BTC!;
    expect(held.toFixed()).toBe('0.01');
    expect(second.result.startEquity.toFixed()).toBe(second.result.startBalances.USD!.plus(held.times(40_000)).toFixed());
    // Holding 0.01 BTC from 40000 to 40200 (the last close), and nothing else
    expect(second.result.metrics.netPnl.toFixed()).toBe('2');
    expect(store.readSessionLog().map((entry) => entry.kind)).toEqual(['session-started', 'session-stopped', 'recovered', 'session-started', 'reconciled', 'session-stopped']);
  });

  it('resumed, charges the fee tier of the account\'s last 30 days, not the first tier again (the new venue counts the journal\'s fills)', async () => {
    /** Buys `quantity` on its 2nd bar and sells it on its 3rd (market orders fill at the next open). */
    class RoundTrip extends BaseStrategy<{ quantity: string }> {
      private seen = 0;
      subscriptions(): Subscription[] {
        return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
      }
      onBar(_bar: Bar, ctx: StrategyContext<{ quantity: string }>): void {
        this.seen++;
        const position = ctx.portfolio.position(BTC);
        if (this.seen === 1) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: ctx.params.quantity });
        if (this.seen === 2 && position) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: position.quantity });
      }
    }
    const store = new InMemoryStore();
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const run = async (from: number, quantity: string) => {
      const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
      const bot = createBot(validateConfig({ name: 'fee-tier-test', strategies: [RoundTrip.with({ quantity })] }));
      const session = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '20000' }, maxBars: 3, store });
      await new Promise((resolve) => setTimeout(resolve, 20));
      exchange.data.push(bars([40_000, 40_000, 40_000], { instrument: 'BTC/USD', interval: '1m', start: from, volume: 100 }));
      return session;
    };
    // 0.3 BTC bought and sold at about 40,000: the buy (about 12,000 USD) moves the account past the
    // 10,000 USD tier, so the sell already pays its 0.35%.
    const first = await run(start, '0.3');
    expect(first.fills.map((fill) => fill.fee.dividedBy(fill.quantity.times(fill.price)).toDecimalPlaces(4).toFixed())).toEqual(['0.004', '0.0035']);
    const second = await run(start + 3 * MINUTE, '0.01');
    expect(second.fills).toHaveLength(2);
    // The taker rate of the 10,000–50,000 USD tier, 0.35%, on both of the resumed session's fills.
    expect(second.fills.map((fill) => fill.fee.dividedBy(fill.quantity.times(fill.price)).toDecimalPlaces(4).toFixed())).toEqual(['0.0035', '0.0035']);
  });

  it('hands a strategy what start-up reconciled only after its onStart, where it sets up its state', async () => {
    const heard: string[] = [];
    class Recording extends BuyAndHold {
      private ready = false;
      onStart(): void {
        this.ready = true;
        heard.push('start');
      }
      onOrderEvent(event: { type: string }): void {
        heard.push(`${this.ready ? '' : 'BEFORE START: '}${event.type}`);
      }
    }
    const store = new InMemoryStore();
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const run = async (from: number) => {
      const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
      const bot = createBot(validateConfig({ name: 'resume-order', strategies: [Recording.with({})] }));
      const session = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '10000' }, maxBars: 3, store });
      await new Promise((resolve) => setTimeout(resolve, 20));
      exchange.data.push(bars([40_000, 40_100, 40_200], { instrument: 'BTC/USD', interval: '1m', start: from, volume: 100 }));
      return session;
    };
    await run(start);
    heard.length = 0;
    await run(start + 3 * MINUTE);
    // The resting bid of the first run is canceled at start-up (the simulated venue restarted).
    expect(heard).toEqual(['start', 'order-canceled']);
  });

  it('runs the engine on pushed market data with the simulated venue and reports like a backtest', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
    const bot = createBot(validateConfig({ name: 'paper-test', strategies: [BuyThenSell.with({})] }));
    // Bars from the next whole minute on: a paper venue fills only on data after the order.
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const feed = bars([40_000, 40_100, 40_200, 40_300, 40_400, 40_500], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
    const statuses: number[] = [];
    const session = runSession({
      bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '10000' }, maxBars: 6,
      onStatus: (status) => statuses.push(status.bars),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.data.push(feed);
    const result = await session;
    expect(result.mode).toBe('paper');
    expect(result.barsProcessed).toBe(6);
    expect(statuses).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.fills.map((fill) => [fill.side, fill.quantity.toFixed()])).toEqual([['buy', '0.01'], ['sell', '0.01']]);
    // The buy on bar 2's close fills at bar 3's open (40,100 + 5 bps slippage, rounded up to the tick).
    expect(result.fills[0]!.price.toFixed()).toBe('40120.1');
    expect(result.roundTrips).toHaveLength(1);
    expect(result.endEquity.equals(result.endBalances.USD!)).toBe(true);
    expect(exchange.data.unsubscribeCalls).toHaveLength(1);
  });

  it('keeps running when a pair\'s bar closes after other pairs\' later bars (a live pair with no trade in an interval)', async () => {
    const ETH = instrumentId('ETH/USD');
    class TwoPairs extends BaseStrategy<Record<string, never>> {
      subscriptions(): Subscription[] {
        return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }, { instrumentId: ETH, kind: 'bars', interval: MINUTE }];
      }
      onBar(): void {}
    }
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
    const bot = createBot(validateConfig({ name: 'late-bar', strategies: [TwoPairs.with({})] }));
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const btc = bars([40_000, 40_100, 40_200], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
    const eth = bars([2_000, 2_010], { instrument: 'ETH/USD', interval: '1m', start, volume: 100 });
    const session = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', paperBalances: { USD: '10000' }, maxBars: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // ETH's first bar comes in after BTC's second and third: its close time is earlier.
    exchange.data.push([btc[0]!, btc[1]!, btc[2]!, eth[0]!, eth[1]!]);
    const result = await session;
    expect(result.barsProcessed).toBe(5);
    const times = result.equityCurve.map((point) => point.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('values a held asset no strategy trades at its pair\'s quotes, and says so when the venue lists no such pair', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
    const bot = createBot(validateConfig({ name: 'held-sol', strategies: [BuyAndHold.with({})] }));
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    const feed = bars([40_000, 40_100], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
    const store = new InMemoryStore();
    const session = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', store, paperBalances: { USD: '1000', SOL: '10', ZZZ: '5' }, maxBars: 2 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exchange.data.subscribeCalls.at(-1)).toEqual([{ instrumentId: BTC, kind: 'bars', interval: MINUTE }, { instrumentId: 'SOL/USD', kind: 'quotes' }]);
    exchange.data.push([quote({ instrumentId: 'SOL/USD', time: start + 1, bid: 20, ask: 20.2 }), ...feed]);
    const result = await session;
    expect(result.markPrices['SOL/USD']?.toFixed()).toBe('20.1');
    // 1000 USD (less what the BTC buy spent, plus its value) + 10 SOL at 20.1; ZZZ has no price.
    expect(result.endEquity.greaterThan(1000 + 201 - 10)).toBe(true);
    expect(store.readSessionLog?.().some((entry) => entry.kind === 'asset-unvalued' && entry.message.startsWith('ZZZ is held but no strategy trades it'))).toBe(true);
  });

  it("logs 'session started' with each key once, under a logger bound with bot and mode as kbot run's is", async () => {
    let written = '';
    const logger = createFileLogger({ level: 'info', console: { write: (text) => (written += text) }, bindings: { bot: 'paper-test', mode: 'paper' } });
    const controller = new AbortController();
    const session = runSession({ bot: createBot(validateConfig({ strategies: [BuyThenSell.with({})] })), exchange: createFakeExchange({ instruments: krakenSpotInstruments() }), mode: 'paper', kbotVersion: 'test', logger, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await session;
    await logger.close();
    const line = written.split('\n').find((text) => text.includes('"session started"'));
    expect(line).toBeDefined();
    expect(line!.match(/"mode":/g)).toHaveLength(1);
    expect(JSON.parse(line!)).toMatchObject({ bot: 'paper-test', mode: 'paper', subscriptions: 1, message: 'session started' });
  });

  it('stops on its signal and refuses a strategy whose pair the venue does not list', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments().filter((instrument) => instrument.id !== 'BTC/USD') });
    const bot = createBot(validateConfig({ strategies: [BuyThenSell.with({})] }));
    await expect(runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test' })).rejects.toThrow(/strategies: received a subscription to BTC\/USD, expected an instrument the fake venue lists/);

    const listed = createFakeExchange({ instruments: krakenSpotInstruments() });
    const controller = new AbortController();
    const session = runSession({ bot: createBot(validateConfig({ strategies: [BuyThenSell.with({})] })), exchange: listed, mode: 'paper', kbotVersion: 'test', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const result = await session;
    expect(result.barsProcessed).toBe(0);
  });

  it('beats its heartbeat with the trading state while it runs, hands the engine to onEngine, and stops beating when it stops', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
    const beats: string[] = [];
    let engineSeen = false;
    const controller = new AbortController();
    const session = runSession({
      bot: createBot(validateConfig({ strategies: [BuyThenSell.with({})] })), exchange, mode: 'paper', kbotVersion: 'test', signal: controller.signal,
      onEngine: (engine, facts) => {
        engineSeen = facts.startedAt > 0 && engine.openingEquity().toFixed() === '10000';
        // An operator halts the bot half-way: the beats after it carry the new state.
        setTimeout(() => engine.setTradingState('halted', 'test'), 60);
      },
      heartbeat: { intervalMs: 10, beat: (state) => beats.push(state) },
    });
    setTimeout(() => controller.abort(), 150);
    await session;
    expect(engineSeen).toBe(true);
    expect(beats[0]).toBe('active');
    expect(beats.at(-1)).toBe('halted');
    const count = beats.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(beats.length).toBe(count);
  });
});

/** Rests a limit buy far below the market on its 1st bar and cancels it on its 2nd. */
class QuoteThenCancel extends BaseStrategy<Record<string, never>> {
  private seen = 0;
  private order: ClientOrderId | undefined;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.seen++;
    if (this.seen === 1) this.order = ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', price: '20000', quantity: '0.01' });
    if (this.seen === 2 && this.order !== undefined) ctx.orders.cancel(this.order);
  }
}

describe('runSession (live)', () => {
  it('on a clean stop, waits for the venue to answer a cancel in flight, so the journal ends with the order canceled', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments(), balances: { USD: '10000' } });
    const store = new InMemoryStore();
    const controller = new AbortController();
    const session = runSession({ bot: createBot(validateConfig({ strategies: [QuoteThenCancel.with({})] })), exchange, mode: 'live', kbotVersion: 'test', store, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const [first, second] = bars([40_000, 40_100], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
    exchange.data.push(first!);
    const [order] = exchange.execution.acceptAll();
    exchange.data.push(second!);
    // The cancel is sent; the stop comes before the venue's answer, which arrives 100 ms later.
    controller.abort();
    setTimeout(() => exchange.execution.confirmCancel(order!), 100);
    const result = await session;
    expect(result.orders.map((entry) => entry.status)).toEqual(['canceled']);
    const journaled = store.events().filter((event) => event.type.startsWith('order-')).map((event) => event.type);
    expect(journaled.at(-1)).toBe('order-canceled');
  });
});

/** Rests a limit buy far below the market on its 1st bar and cancels it as it stops. */
class CancelOnStop extends BaseStrategy<Record<string, never>> {
  private order: ClientOrderId | undefined;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.order ??= ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', price: '20000', quantity: '0.01' });
  }
  onStop(ctx: StrategyContext<Record<string, never>>): void {
    if (this.order !== undefined) ctx.orders.cancel(this.order);
  }
}

describe('runSession (live) stopping with requests in flight', () => {
  /** A live session whose strategy rests one order; stopped once it rests. */
  async function restingOrderThenStop(strategy: typeof QuoteThenCancel | typeof CancelOnStop, exchange = createFakeExchange({ instruments: krakenSpotInstruments(), balances: { USD: '10000' } }), settleTimeoutMs?: number) {
    const store = new InMemoryStore();
    const controller = new AbortController();
    const session = runSession({
      bot: createBot(validateConfig({ strategies: [strategy.with({})] })), exchange, mode: 'live', kbotVersion: 'test', store, signal: controller.signal,
      ...(settleTimeoutMs === undefined ? {} : { settleTimeoutMs }),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE;
    const [first, second] = bars([40_000, 40_100], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
    exchange.data.push(first!);
    const [order] = exchange.execution.acceptAll();
    return { exchange, store, session, order: order!, second: second!, stop: () => controller.abort() };
  }

  const orderEvents = (store: InMemoryStore) => store.events().filter((event) => event.type.startsWith('order-'));

  it("waits for the venue's answer to a cancel the strategy sends in onStop, so the journal ends with the order canceled", async () => {
    const { exchange, store, session, order, stop } = await restingOrderThenStop(CancelOnStop);
    stop();
    // The venue answers the cancel 100 ms after it arrives.
    const answered = (async () => {
      while (exchange.execution.cancels.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 100));
      exchange.execution.confirmCancel(order);
    })();
    const result = await session;
    await answered;
    expect(result.orders.map((entry) => entry.status)).toEqual(['canceled']);
    expect(orderEvents(store).at(-1)?.type).toBe('order-canceled');
    expect(store.events().at(-1)?.type).toBe('engine-stopped');
  });

  it('has a client report what still waits its turn as not sent, before the engine stops, when the venue has not answered in time', async () => {
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments(), balances: { USD: '10000' } });
    const withdrawn: string[] = [];
    // A client whose cancel waits its turn (a trading counter) past the stop's wait.
    Object.assign(exchange.execution, {
      stopOrderEntry: (reason: string) => {
        for (const cancel of exchange.execution.cancels) {
          withdrawn.push(reason);
          exchange.execution.sink.onCancelRejected({ clientOrderId: cancel.clientOrderId, reason: `not sent: ${reason}`, time: Date.now() });
        }
      },
    });
    const { store, session, second, stop } = await restingOrderThenStop(QuoteThenCancel, exchange, 150);
    exchange.data.push(second);
    stop();
    const result = await session;
    expect(withdrawn).toEqual(['the session stopped before it was its turn to be sent']);
    // The order rests again, as it does at the venue, and the journal says the cancel never left.
    expect(result.orders.map((entry) => entry.status)).toEqual(['accepted']);
    expect(orderEvents(store).at(-1)).toMatchObject({ type: 'order-cancel-rejected', reason: 'not sent: the session stopped before it was its turn to be sent' });
    expect(store.readSessionLog().map((entry) => entry.kind)).not.toContain('requests-unanswered');
  });

  it('says which requests the venue left unanswered when it stops, for the next start to reconcile', async () => {
    const { store, session, second, stop, exchange } = await restingOrderThenStop(QuoteThenCancel, undefined, 150);
    exchange.data.push(second);
    stop();
    const result = await session;
    expect(result.orders.map((entry) => entry.status)).toEqual(['pending-cancel']);
    const entry = store.readSessionLog().find((candidate) => candidate.kind === 'requests-unanswered');
    expect(entry?.message).toMatch(/^stopped with 1 request\(s\) the venue had not answered after 150 ms: L\S+ \(pending-cancel\); the next start reconciles them$/);
  });
});

/** Remembers each bar it is handed and whether it came while warming up. */
class WarmUpRecorder extends BaseStrategy<{ warmUpBars: number }> {
  static readonly seen: [number, boolean][] = [];
  subscriptions(params: { warmUpBars: number }): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE, warmUpBars: params.warmUpBars }];
  }
  onBar(bar: Bar, ctx: StrategyContext<{ warmUpBars: number }>): void {
    WarmUpRecorder.seen.push([bar.openTime, ctx.warmingUp]);
  }
}

describe('runSession warm-up', () => {
  const start = () => Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;

  async function session(history: FakeMarketDataClientOptions['history'], live: Bar[], warmUpBars = 3) {
    WarmUpRecorder.seen.length = 0;
    const exchange = createFakeExchange({ instruments: krakenSpotInstruments(), ...(history === undefined ? {} : { history }) });
    const bot = createBot(validateConfig({ name: 'warm', strategies: [WarmUpRecorder.with({ warmUpBars })] }));
    const store = new InMemoryStore();
    const told: string[] = [];
    const running = runSession({ bot, exchange, mode: 'paper', kbotVersion: 'test', store, paperBalances: { USD: '1000' }, maxBars: live.length - 1, onWarmedUp: (lines) => told.push(...lines) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.data.push(live);
    const result = await running;
    const log = store.readSessionLog().filter((entry) => entry.kind === 'warm-up').map((entry) => entry.message);
    return { exchange, result, log, told };
  }

  it('hands the strategies the history they ask for before live bars, and skips a live bar the history held', async () => {
    const first = start();
    const history = bars([100, 101, 102, 103, 104], { instrument: 'BTC/USD', interval: '1m', start: first - 5 * MINUTE, volume: 10 });
    // The feed starts with the last bar of the history (it closed between the fetch and the subscription).
    const live = [history.at(-1)!, ...bars([105, 106], { instrument: 'BTC/USD', interval: '1m', start: first, volume: 10 })];
    const { exchange, result, log, told } = await session(history, live);
    expect(exchange.data.recentBarsCalls).toEqual([{ instrumentId: BTC, interval: MINUTE, count: 3 }]);
    expect(WarmUpRecorder.seen).toEqual([
      [first - 3 * MINUTE, true],
      [first - 2 * MINUTE, true],
      [first - MINUTE, true],
      [first, false],
      [first + MINUTE, false],
    ]);
    // Only live bars count as the session's.
    expect(result.barsProcessed).toBe(2);
    expect(log).toEqual([`warmed up on 3 bars of history: BTC/USD 1m: 3 bars (${new Date(first - 3 * MINUTE).toISOString()} to ${new Date(first - MINUTE).toISOString()})`]);
    // What kbot run prints, one line per series.
    expect(told).toEqual([`BTC/USD 1m: 3 bars (${new Date(first - 3 * MINUTE).toISOString()} to ${new Date(first - MINUTE).toISOString()})`]);
  });

  it('says so when the venue has less history than asked for', async () => {
    const first = start();
    const history = bars([100, 101], { instrument: 'BTC/USD', interval: '1m', start: first - 2 * MINUTE, volume: 10 });
    const { log } = await session(history, bars([105, 106], { instrument: 'BTC/USD', interval: '1m', start: first, volume: 10 }), 5);
    expect(WarmUpRecorder.seen.filter(([, warming]) => warming)).toHaveLength(2);
    expect(log[0]).toContain('BTC/USD 1m: 2 of the 5 bars wanted');
    expect(log[0]).toContain('indicators finish warming up on live bars');
  });

  it('starts cold, and says why, when the venue keeps no history or cannot give it', async () => {
    const first = start();
    const live = bars([105, 106], { instrument: 'BTC/USD', interval: '1m', start: first, volume: 10 });
    const without = await session(undefined, live);
    expect(WarmUpRecorder.seen[0]).toEqual([first, false]);
    expect(WarmUpRecorder.seen.every(([, warming]) => !warming)).toBe(true);
    expect(without.log).toEqual(['fake gives no history: the strategies warm up on live bars (BTC/USD 1m: 3 bars)']);

    const failing = await session(async () => {
      throw new Error('EService:Unavailable');
    }, live);
    expect(WarmUpRecorder.seen[0]).toEqual([first, false]);
    expect(WarmUpRecorder.seen.every(([, warming]) => !warming)).toBe(true);
    expect(failing.log).toEqual(['warmed up on 0 bars of history: BTC/USD 1m: no history (EService:Unavailable); its strategies warm up on live bars']);
  });

  it('refuses history that breaks the contract (out of order) rather than feed it to indicators', async () => {
    const first = start();
    const history = bars([100, 101, 102], { instrument: 'BTC/USD', interval: '1m', start: first - 3 * MINUTE, volume: 10 });
    const { log } = await session(async () => [history[1]!, history[0]!, history[2]!], bars([105, 106], { instrument: 'BTC/USD', interval: '1m', start: first, volume: 10 }));
    expect(WarmUpRecorder.seen.filter(([, warming]) => warming)).toHaveLength(0);
    expect(log[0]).toContain(`BTC/USD 1m history: bar 1 opens at ${new Date(first - 3 * MINUTE).toISOString()}, expected after the bar before it`);
  });
});
