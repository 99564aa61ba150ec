import {
  bookHealth,
  Engine,
  InMemoryStore,
  LiveClock,
  MINUTE_MS,
  instrumentId,
  type Bar,
  type BookHealth as CoreBookHealth,
  type BookView,
  type KbotEvent,
  type OrderEvent,
  type OrderIntent,
  type RiskPolicy,
  type Strategy,
  type StrategyContext,
  type Subscription,
} from '@kbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BookHealth } from './book/book-keeper.js';
import { FAST_TUNING, KEY, SPEC_SECRET, eventually, simulatorExchange, startScriptedSimulator } from './kraken-test-harness.js';
import type { KrakenExchange } from './plugin.js';
import type { KrakenSettingsInput } from './settings.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import { OTHER_KEY, OTHER_SECRET } from './simulator/simulator-test-fixtures.js';
import { KrakenWsClient } from './ws/kraken-ws-client.js';
import { KrakenRestClient } from './rest/rest-client.js';

/*
 * End to end: the real Engine (live mode, wall clock, in-memory journal) trading through the
 * real Kraken clients against the simulator on loopback. The simulator's clock is manual
 * (`step()` replays one one-minute bar), so every test decides exactly when the market moves.
 */

const BTC = instrumentId('BTC/USD');
const BARS: Subscription = { instrumentId: BTC, kind: 'bars', interval: MINUTE_MS };

/** Runs `onFirstBar` once, and `onFill` on each fill; the test scripts the rest. */
class ScriptedStrategy implements Strategy {
  bars: Bar[] = [];
  books = 0;
  constructor(
    private readonly script: {
      readonly subscriptions?: readonly Subscription[];
      readonly onFirstBar?: (ctx: StrategyContext) => void;
      readonly onOrderEvent?: (event: OrderEvent, ctx: StrategyContext) => void;
      readonly onBookHealth?: (health: CoreBookHealth, ctx: StrategyContext) => void;
    },
  ) {}
  onBookHealth(health: CoreBookHealth, ctx: StrategyContext): void {
    this.script.onBookHealth?.(health, ctx);
  }
  subscriptions(): readonly Subscription[] {
    return this.script.subscriptions ?? [BARS];
  }
  onBar(bar: Bar, ctx: StrategyContext): void {
    this.bars.push(bar);
    if (this.bars.length === 1) this.script.onFirstBar?.(ctx);
  }
  onBook(_book: BookView): void {
    this.books++;
  }
  onOrderEvent(event: OrderEvent, ctx: StrategyContext): void {
    this.script.onOrderEvent?.(event, ctx);
  }
}

interface Session {
  readonly sim: KrakenSimulator;
  readonly exchange: KrakenExchange;
  readonly engine: Engine;
  readonly events: KbotEvent[];
  readonly strategy: ScriptedStrategy;
  of<T extends KbotEvent['type']>(type: T): Extract<KbotEvent, { type: T }>[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startSession(
  strategy: ScriptedStrategy,
  options: { settings?: KrakenSettingsInput; tier?: 'starter' | 'pro'; onBookHealth?: (health: BookHealth) => void; riskPolicies?: readonly RiskPolicy[] } = {},
): Promise<Session> {
  const sim = await startScriptedSimulator({
    accounts: [
      { key: KEY, secret: SPEC_SECRET, balances: { USD: '100000' }, tier: options.tier ?? 'starter' },
      { key: OTHER_KEY, secret: OTHER_SECRET, balances: { USD: '100000' }, tier: options.tier ?? 'starter' },
    ],
  });
  cleanups.push(() => sim.stop());
  const exchange = simulatorExchange(sim, { tier: options.tier ?? 'starter', ...options.settings }, {
    mode: 'live',
    tuning: { ...FAST_TUNING, marketData: { ...FAST_TUNING.marketData, ...(options.onBookHealth === undefined ? {} : { onBookHealth: options.onBookHealth }) } },
  });
  cleanups.push(() => exchange.close());
  await exchange.instruments.load();
  const store = new InMemoryStore();
  const engine = new Engine({
    mode: 'live',
    clock: new LiveClock(),
    instruments: exchange.instruments,
    execution: exchange.execution,
    store,
    strategies: [{ id: 'scripted', strategy, params: {} }],
    ...(options.riskPolicies === undefined ? {} : { riskPolicies: options.riskPolicies }),
    quoteAsset: 'USD',
    startBalances: { USD: '100000' },
    orderIdPrefix: `L${Date.now().toString(36)}-`,
  });
  const events: KbotEvent[] = [];
  engine.bus.onAny((event) => events.push(event));
  await engine.start();
  cleanups.push(() => engine.stop());
  await exchange.data.subscribe(engine.subscriptions(), engine);
  return { sim, exchange, engine, events, strategy, of: (type) => events.filter((event) => event.type === type) as never };
}

describe('a live bot on Kraken (simulator), end to end', () => {
  it('buys over the WebSocket, gets the fill from executions, sells, and survives a disconnect without losing or double-counting a fill', async () => {
    const strategy = new ScriptedStrategy({
      onFirstBar: (ctx) => void ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01', tag: 'entry' }),
      onOrderEvent: (event, ctx) => {
        // The exit rests above the market: it fills on the rally of bar 16, while the bot is offline.
        if (event.type === 'order-filled' && event.order.side === 'buy' && event.order.status === 'filled') {
          ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'limit', quantity: '0.01', price: '40400', tag: 'exit' } satisfies OrderIntent);
        }
      },
    });
    const { sim, engine, of } = await startSession(strategy);
    sim.step(); // bar 10 begins: bar 9 closes, the strategy buys at market
    await eventually(() => of('order-accepted').length === 2, 'the buy filled and the sell accepted');
    const buyFill = of('order-filled')[0]!.fill;
    expect(buyFill).toMatchObject({ instrumentId: BTC, side: 'buy', feeAsset: 'USD' });
    expect(engine.portfolio.balanceTotal('BTC').toFixed()).toBe('0.01');

    sim.dropConnections();
    for (let step = 0; step < 6; step++) sim.step(); // bars 11–16: the sell fills while nobody listens
    expect(sim.account(KEY).trades()).toHaveLength(2);
    await eventually(() => of('order-filled').length === 2, 'the sell fill after reconnecting');
    sim.step();
    await eventually(() => strategy.bars.length >= 8, 'bars after the reconnect');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const venueTrades = sim.account(KEY).trades();
    expect(of('order-filled').map((event) => event.fill.tradeId)).toEqual(venueTrades.map((trade) => trade.txid));
    expect(engine.portfolio.balanceTotal('BTC').isZero()).toBe(true);
    const venueUsd = sim.account(KEY).balances().find((balance) => balance.asset === 'USD')!.total;
    expect(engine.portfolio.balanceTotal('USD').toFixed()).toBe(venueUsd.toFixed());
    expect(of('position-closed')).toHaveLength(1);
    expect(strategy.bars.map((bar) => (bar.openTime - strategy.bars[0]!.openTime) / MINUTE_MS)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("surfaces refusals with Kraken's text: below the minimum (denied before sending) and insufficient funds (rejected by Kraken)", async () => {
    const strategy = new ScriptedStrategy({
      onFirstBar: (ctx) => {
        ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.00005', price: '39000' });
        ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '5', price: '39000' });
      },
    });
    const { sim, of } = await startSession(strategy);
    sim.step();
    await eventually(() => of('order-denied').length + of('order-rejected').length === 2, 'both refusals');
    expect(of('order-denied')[0]).toMatchObject({ code: 'invalid-order', reason: expect.stringContaining('EOrder:Order minimum not met') });
    expect(of('order-rejected')[0]).toMatchObject({ reason: 'EOrder:Insufficient funds' });
    expect(sim.account(KEY).orders()).toHaveLength(0);
  });

  it('resynchronises a book that fails its checksum and keeps running', async () => {
    const health: BookHealth[] = [];
    const strategy = new ScriptedStrategy({ subscriptions: [BARS, { instrumentId: BTC, kind: 'book', depth: 10 }] });
    const { sim, engine } = await startSession(strategy, { onBookHealth: (event) => health.push(event) });
    await eventually(() => strategy.books > 0, 'the first book');
    sim.corruptNextBookChecksum();
    sim.step();
    await eventually(() => health.some((event) => event.status === 'resync' && event.reason === 'checksum'), 'the checksum resync');
    await eventually(() => health.filter((event) => event.status === 'synced').length >= 2, 'a fresh snapshot');
    const books = strategy.books;
    sim.step();
    sim.step();
    await eventually(() => strategy.books > books && strategy.bars.length >= 2, 'books and bars after the resync');
    expect(engine.market.book(BTC)?.bestBid()?.price).toBeLessThan(engine.market.book(BTC)!.bestAsk()!.price);
  });

  it("hands book health to the engine: the bookHealth policy denies buys while the book resyncs, and the strategy hears of it", async () => {
    const heard: string[] = [];
    const decisions: string[] = [];
    const strategy = new ScriptedStrategy({
      subscriptions: [BARS, { instrumentId: BTC, kind: 'book', depth: 10 }],
      // On each report, a small buy far below the market: what the policy decides is the point.
      onBookHealth: (health, ctx) => {
        heard.push(`${health.status} ${health.book ?? ''} ${health.reason ?? ''}`.trim());
        ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price: '20000', tag: health.status });
      },
      onOrderEvent: (event) => {
        if (event.type === 'order-denied') decisions.push(`${event.order.tag} denied ${event.code}`);
        if (event.type === 'order-accepted') decisions.push(`${event.order.tag} accepted`);
      },
    });
    const { sim, of } = await startSession(strategy, { riskPolicies: [bookHealth()] });
    await eventually(() => heard.includes('synced l2'), 'the first snapshot reported');
    await eventually(() => decisions.includes('synced accepted'), 'the buy after the first snapshot accepted');
    sim.corruptNextBookChecksum();
    sim.step();
    await eventually(() => heard.includes('resync l2 checksum'), 'the resync reported to the strategy');
    await eventually(() => heard.filter((entry) => entry === 'synced l2').length >= 2, 'a fresh snapshot reported');
    await eventually(() => decisions.filter((entry) => entry === 'synced accepted').length >= 2, 'the buy after the fresh snapshot accepted');
    expect(decisions).toContain('resync denied book-health');
    expect(decisions.filter((entry) => entry.startsWith('resync'))).toEqual(['resync denied book-health']);
    // The bus carries every report, in order, for operators' tools.
    expect(of('book-health-reported').map((event) => event.health.status)).toEqual(['synced', 'resync', 'synced']);
  });

  it('gives a strategy every resting order of the book when it subscribes with orders: true (level3)', async () => {
    const seen: { levels: number; orders: number; queued: boolean }[] = [];
    class OrderBookReader extends ScriptedStrategy {
      override onBook(book: BookView): void {
        super.onBook(book);
        const orders = book.orders?.('bid', 10) ?? [];
        const levels = book.bids(10).length;
        seen.push({ levels, orders: orders.length, queued: orders.length >= levels && orders.every((order, index) => index === 0 || order.price <= orders[index - 1]!.price) });
      }
    }
    const strategy = new OrderBookReader({ subscriptions: [BARS, { instrumentId: BTC, kind: 'book', depth: 10, orders: true }] });
    const { sim, engine } = await startSession(strategy);
    await eventually(() => strategy.books > 0, 'the first order book');
    sim.step();
    sim.step();
    await eventually(() => strategy.books > 2, 'order book updates');
    expect(seen.every((entry) => entry.levels > 0 && entry.queued)).toBe(true);
    // The engine's market view keeps the same book for the strategies' context.
    expect(engine.market.book(BTC)?.orders?.('ask').length).toBeGreaterThan(0);
  });

  it('keeps a burst of orders under the pair trading counter: none refused with EOrder:Rate limit exceeded', async () => {
    // Control: the same burst straight over the socket, without kbot's limiter, is refused by Kraken.
    const sim0 = await startScriptedSimulator({ accounts: [{ key: OTHER_KEY, secret: OTHER_SECRET, balances: { USD: '100000' }, tier: 'pro' }] });
    cleanups.push(() => sim0.stop());
    const rest = new KrakenRestClient({ baseUrl: sim0.restUrl, credentials: { apiKey: OTHER_KEY, apiSecret: OTHER_SECRET } });
    const raw = new KrakenWsClient({ access: 'private', url: sim0.wsAuthUrl, getToken: async () => (await rest.getWebSocketsToken()).token });
    cleanups.push(() => raw.close());
    await raw.connect();
    const outcomes = await Promise.allSettled(Array.from({ length: 190 }, (_, index) => raw.addOrder({ symbol: 'BTC/USD', side: 'buy', order_type: 'limit', order_qty: '0.0001', limit_price: '30000', cl_ord_id: `raw-${index}` })));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason.venueMessage);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['EOrder:Rate limit exceeded']));

    const strategy = new ScriptedStrategy({
      onFirstBar: (ctx) => {
        for (let index = 0; index < 190; index++) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.0001', price: String(30_000 + index) });
      },
    });
    const { sim, of } = await startSession(strategy, { tier: 'pro' });
    sim.step();
    await eventually(() => of('order-accepted').length + of('order-rejected').length === 190, 'an answer for every order', 15_000);
    expect(of('order-rejected').map((event) => event.reason)).toEqual([]);
    expect(sim.account(KEY).openOrders()).toHaveLength(190);
  });

  it("cancels the bot's orders through Kraken's dead man's switch once the heartbeat stops", async () => {
    const strategy = new ScriptedStrategy({
      onFirstBar: (ctx) => void ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.001', price: '38000' }),
    });
    const { sim, exchange, of } = await startSession(strategy, { settings: { deadMansSwitch: { timeoutSeconds: 1, refreshSeconds: 0.2 } } });
    const deadMansSwitch = exchange.deadMansSwitch!;
    deadMansSwitch.heartbeat();
    sim.step();
    await eventually(() => of('order-accepted').length === 1, 'the resting order');
    // Healthy for 1.5 s (longer than the timeout): the switch is refreshed and the order stays.
    for (let beat = 0; beat < 6; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      deadMansSwitch.heartbeat();
    }
    expect(sim.account(KEY).openOrders()).toHaveLength(1);
    deadMansSwitch.halt('test: the bot hangs');
    await eventually(() => of('order-canceled').length === 1, "the dead man's switch cancel", 4_000);
    expect(sim.account(KEY).openOrders()).toHaveLength(0);
    expect(of('order-canceled')[0]!.order.reason).toBe('Dead man switch');
  });
});
