import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import type { ExecutionClient, ExecutionReportSink, ReconcileReport, VenueFill } from '../exchange/exchange.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { Decimal, ZERO } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';
import { instrumentId, tradeId, venueOrderId, type ClientOrderId, type TradeId } from '../model/ids.js';
import type { CancelOrder, Order, OrderStatus, SubmitOrder } from '../model/order.js';
import type { Balance } from '../model/position.js';
import { SqliteStore } from '../persistence/sqlite-store.js';
import { InMemoryStore, type EngineSnapshot, type Recovered, type Store } from '../persistence/store.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Advice, Learner, TradeOutcome } from '../learning/learner.js';
import { Engine, SIMULATED_VENUE_RESTART_REASON } from './engine.js';
import { recentOrderEntry, recoverEngineState, type OrderAdoptingClient, type OrderEntryActivity } from './recovery.js';

const BTC = instrumentId('BTC/USD');
const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
const idle: Strategy = { subscriptions: () => [] };

interface VenueOrder {
  readonly command: SubmitOrder;
  readonly venueOrderId: string;
  status: OrderStatus;
  filled: Decimal;
  readonly fills: VenueFill[];
}

/**
 * A venue that outlives the bot, as Kraken does: orders keep resting and filling while no bot is
 * connected. Each bot process gets its own `client()`; like Kraken's adapter, a client reports
 * on adopted orders when it connects: it re-reports every fill (the engine must drop the ones it
 * counted) and the cancel if the venue canceled the order.
 */
class PersistentVenue {
  readonly orders = new Map<string, VenueOrder>();
  /** Every client order id that reached the venue, in order (a duplicate would show twice). */
  readonly received: string[] = [];
  private trades = 0;
  private current: ExecutionReportSink | undefined;
  balances: Record<string, Decimal> = { USD: new Decimal('10000') };

  client(): ExecutionClient & OrderAdoptingClient & { adopted: { id: ClientOrderId; tradeIds: readonly TradeId[] }[]; cancels: CancelOrder[] } {
    const venue = this;
    const adopted: { id: ClientOrderId; tradeIds: readonly TradeId[] }[] = [];
    const cancels: CancelOrder[] = [];
    return {
      adopted,
      cancels,
      adopt(order: Order, known: { readonly tradeIds: readonly TradeId[] }) {
        adopted.push({ id: order.clientOrderId, tradeIds: known.tradeIds });
      },
      async connect(sink: ExecutionReportSink) {
        venue.current = sink;
        for (const { id } of adopted) {
          const order = venue.orders.get(id);
          if (order === undefined) continue;
          sink.onAccepted({ clientOrderId: id, venueOrderId: venueOrderId(order.venueOrderId), time: 1 });
          for (const fill of order.fills) sink.onFilled(fill);
          if (order.status === 'canceled') sink.onCanceled({ clientOrderId: id, time: 2, reason: 'canceled at the venue' });
        }
      },
      submit(command: SubmitOrder) {
        venue.received.push(command.clientOrderId);
        const order: VenueOrder = { command, venueOrderId: `V-${venue.orders.size + 1}`, status: 'accepted', filled: ZERO, fills: [] };
        venue.orders.set(command.clientOrderId, order);
        venue.current?.onAccepted({ clientOrderId: command.clientOrderId, venueOrderId: venueOrderId(order.venueOrderId), time: 1 });
      },
      cancel(command: CancelOrder) {
        cancels.push(command);
      },
      async reconcile(): Promise<ReconcileReport> {
        return { orders: [], fills: [], balances: await this.fetchBalances() };
      },
      async fetchBalances(): Promise<readonly Balance[]> {
        return Object.entries(venue.balances).map(([asset, total]) => ({ asset, total, available: total }));
      },
      async close() {
        venue.current = undefined;
      },
    };
  }

  /** The venue fills `quantity` of an order at its limit price, fee 0.25%; reported only if a bot is connected. */
  fill(id: ClientOrderId, quantity: string): VenueFill {
    const order = this.orders.get(id)!;
    const amount = new Decimal(quantity);
    const price = order.command.price!;
    const fee = amount.times(price).times('0.0025').toDecimalPlaces(4);
    order.filled = order.filled.plus(amount);
    order.status = order.filled.equals(order.command.quantity) ? 'filled' : 'partially-filled';
    const fill: VenueFill = Object.freeze({
      tradeId: tradeId(`T-${++this.trades}`), clientOrderId: id, venueOrderId: venueOrderId(order.venueOrderId), instrumentId: BTC,
      side: order.command.side, quantity: amount, price, fee, feeAsset: 'USD', liquidity: 'maker' as const, time: 10 + this.trades,
    });
    order.fills.push(fill);
    const sign = order.command.side === 'buy' ? 1 : -1;
    this.balances = {
      USD: this.balances.USD!.minus(amount.times(price).times(sign)).minus(fee),
      BTC: (this.balances.BTC ?? ZERO).plus(amount.times(sign)),
    };
    this.current?.onFilled(fill);
    return fill;
  }

  cancelAtVenue(id: ClientOrderId): void {
    this.orders.get(id)!.status = 'canceled';
    this.current?.onCanceled({ clientOrderId: id, time: 3, reason: 'canceled at the venue' });
  }

  disconnect(): void {
    this.current = undefined;
  }
}

/** Keeps every snapshot, not only the latest (to recover from each of them). */
class RecordingStore extends InMemoryStore {
  readonly snapshots: EngineSnapshot[] = [];
  override snapshot(state: EngineSnapshot): void {
    super.snapshot(state);
    this.snapshots.push(state);
  }
}

function liveEngine(store: Store, execution: ExecutionClient, options: { recovered?: Recovered; snapshotEvery?: number; prefix?: string } = {}): Engine {
  return new Engine({
    mode: 'live',
    clock: new TestClock(1_700_000_000_000),
    instruments,
    execution,
    store,
    strategies: [{ id: 's', strategy: idle, params: {} }],
    quoteAsset: 'USD',
    startBalances: { USD: '10000' },
    orderIdPrefix: options.prefix ?? 'L1-',
    snapshotEvery: options.snapshotEvery ?? 1000,
    ...(options.recovered === undefined ? {} : { recovered: recoverEngineState(options.recovered, { instruments: (id) => instruments.get(id) }) }),
  });
}

function buy(engine: Engine, price: string, quantity = '0.01'): ClientOrderId {
  return engine.submit('s', { instrumentId: BTC, side: 'buy', type: 'limit', price, quantity });
}

describe('Engine start-up recovery', () => {
  it('after a crash, resumes from the SQLite journal and takes in what the venue did meanwhile, counting each fill once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-recovery-')), 'kbot.sqlite');
    const venue = new PersistentVenue();
    let store = new SqliteStore(file);
    const first = liveEngine(store, venue.client());
    const published: JournaledEvent[] = [];
    first.bus.onAny((event) => void (event.sequence > 0 && published.push(event as JournaledEvent)));
    await first.start();
    const a = buy(first, '40000', '0.03');
    const b = buy(first, '39900');
    const c = buy(first, '39800');
    venue.fill(a, '0.01');
    venue.fill(b, '0.01');
    // The process dies: no stop(), no final snapshot. The venue goes on without it.
    venue.disconnect();
    store.close();
    venue.fill(a, '0.005');
    venue.cancelAtVenue(c);

    store = new SqliteStore(file);
    const client = venue.client();
    const second = liveEngine(store, client, { recovered: store.load(), prefix: 'L2-' });
    expect(second.recovery).toMatchObject({ snapshotSequence: 0, openOrders: 2, openPositions: 1, fillsReplayed: 2 });
    second.bus.onAny((event) => void (event.sequence > 0 && published.push(event as JournaledEvent)));
    await second.start();

    // Open orders were handed to the client with the trade ids already counted.
    expect(client.adopted).toEqual([
      { id: a, tradeIds: [tradeId('T-1')] },
      { id: c, tradeIds: [] },
    ]);
    expect(second.orders.get(a)).toMatchObject({ status: 'partially-filled' });
    expect(second.orders.get(a)!.filledQuantity.toFixed()).toBe('0.015');
    expect(second.orders.get(b)!.status).toBe('filled');
    expect(second.orders.get(c)!.status).toBe('canceled');
    expect(second.balanceDifferences(await client.fetchBalances())).toEqual([]);
    expect(second.portfolio.position(BTC)!.quantity.toFixed()).toBe('0.025');
    // A new order gets an id never used before, and the venue never saw an order twice.
    const d = buy(second, '39700');
    expect(d).toBe('L2-4');
    expect(venue.received).toEqual([a, b, c, d]);
    await second.stop('done');
    store.close();

    // One journal across both processes: numbered without a gap, each trade once.
    expect(published.map((event) => event.sequence)).toEqual(published.map((_, index) => index + 1));
    const fills = published.flatMap((event) => (event.type === 'order-filled' ? [event.fill.tradeId] : []));
    expect(fills).toEqual(['T-1', 'T-2', 'T-3']);
    const reopened = new SqliteStore(file);
    expect(reopened.load()).toMatchObject({ snapshot: { sequence: published.at(-1)!.sequence }, events: [] });
    reopened.close();
  });

  it('rebuilds the same state from every snapshot plus the journal after it', async () => {
    const venue = new PersistentVenue();
    const store = new RecordingStore();
    const engine = liveEngine(store, venue.client(), { snapshotEvery: 3 });
    await engine.start();
    const ids = [buy(engine, '40000', '0.02'), buy(engine, '39950'), buy(engine, '39900', '0.03')];
    venue.fill(ids[0]!, '0.01');
    engine.cancel(ids[1]!);
    venue.fill(ids[2]!, '0.01');
    venue.fill(ids[0]!, '0.01');
    engine.setTradingState('reducing', 'test');
    venue.fill(ids[2]!, '0.02');
    engine.submit('s', { instrumentId: BTC, side: 'sell', type: 'limit', price: '41000', quantity: '0.04' });
    expect(store.snapshots.length).toBeGreaterThan(3);

    const expected = engine.snapshotState();
    const events = store.events();
    for (const snapshot of store.snapshots) {
      const recovered = recoverEngineState({ snapshot, events: events.filter((event) => event.sequence > snapshot.sequence) });
      const resumed = liveEngine(new InMemoryStore(), venue.client(), { recovered: { snapshot, events: events.filter((event) => event.sequence > snapshot.sequence) } });
      expect(recovered.lastSequence).toBe(events.at(-1)!.sequence);
      expect(resumed.snapshotState()).toEqual(expected);
      expect(resumed.risk.state).toBe('reducing');
    }
  });

  it('hands a venue that counts order entry over time (Kraken) the last minutes of orders and cancels the journal holds', async () => {
    const venue = new PersistentVenue();
    const store = new InMemoryStore();
    const first = liveEngine(store, venue.client());
    await first.start();
    buy(first, '39000');
    const canceled = buy(first, '39500');
    first.cancel(canceled);
    await first.stop();
    const primed: OrderEntryActivity[][] = [];
    const client = Object.assign(venue.client(), { primeOrderEntry: (activity: readonly OrderEntryActivity[]) => void primed.push([...activity]) });
    const second = liveEngine(store, client, { recovered: store.load() });
    await second.start();
    const time = 1_700_000_000_000;
    expect(primed).toEqual([[
      { time, instrumentId: BTC, kind: 'placed', orderCreatedAt: time },
      { time, instrumentId: BTC, kind: 'placed', orderCreatedAt: time },
      { time, instrumentId: BTC, kind: 'cancel-requested', orderCreatedAt: time },
    ]]);
    // Older than the window (five minutes), nothing is handed over.
    const later = recentOrderEntry(store.journal.bind(store), store.events().at(-1)!.sequence, time + 5 * 60_000 + 1);
    expect(later).toEqual([]);
  });

  it('sends a cancel again when the journal has it requested but the venue may never have received it', async () => {
    const venue = new PersistentVenue();
    const store = new InMemoryStore();
    const first = liveEngine(store, venue.client());
    await first.start();
    const id = buy(first, '40000');
    first.cancel(id);
    expect(first.orders.get(id)!.status).toBe('pending-cancel');
    venue.disconnect();

    const client = venue.client();
    const second = liveEngine(store, client, { recovered: store.load(), prefix: 'L2-' });
    await second.start();
    expect(client.cancels.map((cancel) => cancel.clientOrderId)).toEqual([id]);
    expect(second.orders.get(id)!.status).toBe('pending-cancel');
    // The venue's answer lands on the restored order as it would have before the restart.
    second.onCancelRejected({ clientOrderId: id, reason: 'EOrder:Unknown order', time: 5 });
    expect(second.orders.get(id)!.status).toBe('accepted');
  });

  it('with an in-process simulated venue (paper), keeps balances and positions and cancels the orders that rested on the lost venue', async () => {
    const clock = new TestClock(1_700_000_000_000);
    const store = new InMemoryStore();
    const options = { mode: 'paper' as const, clock, instruments, store, strategies: [{ id: 's', strategy: idle, params: {} }], quoteAsset: 'USD', snapshotEvery: 100 };
    const firstVenue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
    const first = new Engine({ ...options, execution: firstVenue, startBalances: { USD: '10000' } });
    await first.start();
    const bar = () => {
      clock.advanceBy(60_000);
      first.onBar({ instrumentId: BTC, interval: 60_000, openTime: clock.now(), open: 40_000, high: 40_100, low: 39_900, close: 40_000, volume: 100 });
    };
    bar();
    first.submit('s', { instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
    bar();
    const resting = first.submit('s', { instrumentId: BTC, side: 'buy', type: 'limit', price: '30000', quantity: '0.01' });
    bar();
    expect(first.orders.get(resting)!.status).toBe('accepted');
    const balances = first.portfolio.balances();

    const recovered = recoverEngineState(store.load(), { instruments: (id) => instruments.get(id) });
    const secondVenue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: Object.fromEntries(recovered.portfolio.balances().map((balance) => [balance.asset, balance.total])) });
    const second = new Engine({ ...options, execution: secondVenue, recovered, orderIdPrefix: 'P2-' });
    await second.start();
    expect(second.orders.get(resting)).toMatchObject({ status: 'canceled', reason: SIMULATED_VENUE_RESTART_REASON });
    expect(second.portfolio.balances()).toEqual(balances);
    expect(second.portfolio.position(BTC)!.quantity.toFixed()).toBe('0.01');
    expect(store.events().at(-2)).toMatchObject({ type: 'order-canceled', clientOrderId: resting });
  });

  it('keeps what the learners learned: their state is snapshotted with each trade outcome and restored on start-up', async () => {
    /** Counts outcomes per strategy: enough to see that nothing learned is lost. */
    class CountingLearner implements Learner<Record<string, number>> {
      readonly id = 'counting';
      counts: Record<string, number> = {};
      observe(outcome: TradeOutcome): void {
        this.counts[outcome.strategyId] = (this.counts[outcome.strategyId] ?? 0) + 1;
      }
      advise(): Advice {
        return { allow: true };
      }
      snapshot(): Record<string, number> {
        return { ...this.counts };
      }
      restore(state: Record<string, number>): void {
        this.counts = { ...state };
      }
    }
    const clock = new TestClock(1_700_000_000_000);
    const store = new InMemoryStore();
    // Far more events than one snapshot period, so only the snapshot taken with the outcome can hold it.
    const options = { mode: 'paper' as const, clock, instruments, store, strategies: [{ id: 's', strategy: idle, params: {} }], quoteAsset: 'USD', snapshotEvery: 1000 };
    const learner = new CountingLearner();
    const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
    const first = new Engine({ ...options, execution: venue, startBalances: { USD: '10000' }, learners: [learner] });
    await first.start();
    const bar = () => {
      clock.advanceBy(60_000);
      first.onBar({ instrumentId: BTC, interval: 60_000, openTime: clock.now(), open: 40_000, high: 40_100, low: 39_900, close: 40_000, volume: 100 });
    };
    bar();
    for (let trip = 0; trip < 2; trip++) {
      first.submit('s', { instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
      bar();
      first.submit('s', { instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.01' });
      bar();
    }
    expect(learner.counts).toEqual({ s: 2 });

    const restored = new CountingLearner();
    const recovered = recoverEngineState(store.load(), { instruments: (id) => instruments.get(id) });
    const second = new Engine({ ...options, execution: new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } }), recovered, learners: [restored] });
    await second.start();
    expect(restored.counts).toEqual({ s: 2 });
  });

  it('takes the venue\'s balances when they differ from what the journal explains, and snapshots them', async () => {
    const venue = new PersistentVenue();
    const store = new InMemoryStore();
    const engine = liveEngine(store, venue.client());
    await engine.start();
    venue.balances = { USD: new Decimal('10500'), ETH: new Decimal('1') };
    const venueBalances = await venue.client().fetchBalances();
    expect(engine.balanceDifferences(venueBalances).map((difference) => [difference.asset, difference.engine.toFixed(), difference.venue.toFixed()])).toEqual([
      ['ETH', '0', '1'],
      ['USD', '10000', '10500'],
    ]);
    // Below the venue's reporting precision a difference is its rounding, not money.
    const rounded = [{ asset: 'USD', total: new Decimal('9999.99995'), available: new Decimal('9999.99995') }];
    expect(engine.balanceDifferences(rounded, { decimals: () => 4 })).toEqual([]);
    expect(engine.balanceDifferences(rounded)).toHaveLength(1);
    engine.adoptVenueBalances(venueBalances);
    expect(engine.balanceDifferences(venueBalances)).toEqual([]);
    const recovered = recoverEngineState(store.load());
    expect(recovered.portfolio.balanceTotal('USD').toFixed()).toBe('10500');
  });
});
