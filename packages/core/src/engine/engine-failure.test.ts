import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import type { ExecutionClient, ExecutionReportSink } from '../exchange/exchange.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { Decimal } from '../model/decimal.js';
import { instrumentId, tradeId, venueOrderId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import type { SubmitOrder } from '../model/order.js';
import { SqliteStore, storeFilePath } from '../persistence/sqlite-store.js';
import { StoreError } from '../persistence/store-error.js';
import type { Store } from '../persistence/store.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { Engine, type EngineMode } from './engine.js';

// What happens when a step cannot be journaled, and when a strategy throws. The step's store
// transaction rolls back, but the engine's memory cannot: it must never carry on with state the
// journal lacks (the journal would get a gap, and a live bot would trade on fills it could lose).

const BTC = instrumentId('BTC/USD');
const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'kbot-engine-failure-'));
let files = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bar(index: number, close = 100): Bar {
  return { instrumentId: BTC, interval: HOUR, openTime: index * HOUR, open: close, high: close + 1, low: close - 1, close, volume: 10 };
}

/** The store of a real SQLite file whose next batch can be made to fail as a full disk fails it. */
class FailingStore implements Store {
  failNext = false;
  constructor(readonly inner: SqliteStore) {}
  append(events: Parameters<Store['append']>[0]) { this.inner.append(events); }
  snapshot(state: Parameters<Store['snapshot']>[0]) { this.inner.snapshot(state); }
  load() { return this.inner.load(); }
  close() { this.inner.close(); }
  flush() { this.inner.flush(); }
  batch<T>(fn: () => T): T {
    return this.inner.batch(() => {
      const result = fn();
      if (this.failNext) {
        this.failNext = false;
        throw new StoreError('store-write-failed', this.inner.file, 'could not write the batch: database or disk is full');
      }
      return result;
    });
  }
}

class Venue implements ExecutionClient {
  sink!: ExecutionReportSink;
  readonly submitted: SubmitOrder[] = [];
  async connect(sink: ExecutionReportSink) { this.sink = sink; }
  submit(order: SubmitOrder) { this.submitted.push(order); }
  cancel() {}
  async reconcile() { return { orders: [], fills: [], balances: [] }; }
  async fetchBalances() { return []; }
  async close() {}
  fill(order: SubmitOrder, trade: string, time: number): void {
    this.sink.onFilled({
      tradeId: tradeId(trade), clientOrderId: order.clientOrderId, venueOrderId: venueOrderId(`V-${order.clientOrderId}`), instrumentId: order.instrumentId, side: order.side,
      quantity: order.quantity, price: new Decimal(100), fee: new Decimal('0.04'), feeAsset: 'USD', liquidity: 'taker', time,
    });
  }
}

/** Buys 0.01 on every bar; can be told to throw in its handlers. */
/** Buys on every BTC/USD bar, on `pair` (strategies of one bot trade different pairs). */
class Buyer implements Strategy<Record<string, never>> {
  constructor(private readonly pair = BTC) {}
  throwOnBar = new Set<number>();
  throwOnFill = false;
  bars = 0;
  subscriptions() { return [{ instrumentId: BTC, kind: 'bars' as const, interval: HOUR }]; }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>) {
    const index = this.bars++;
    ctx.orders.submit({ instrumentId: this.pair, side: 'buy', type: 'market', quantity: '0.01' });
    if (this.throwOnBar.has(index)) throw new Error(`strategy bug on bar ${index}`);
  }
  onOrderEvent(event: { type: string }) {
    if (this.throwOnFill && event.type === 'order-filled') throw new Error('strategy bug on a fill');
  }
}

function setup(mode: EngineMode, strategies: { id: string; strategy: Strategy<Record<string, never>> }[]) {
  const file = storeFilePath(join(root, `data-${++files}`));
  const store = new FailingStore(new SqliteStore(file));
  const venue = new Venue();
  const engine = new Engine({
    mode, clock: new TestClock(), instruments: new StaticInstrumentProvider(krakenSpotInstruments()), execution: venue, store,
    strategies: strategies.map((entry) => ({ ...entry, params: {} })), quoteAsset: 'USD', startBalances: { USD: '10000' },
  });
  return { file, store, venue, engine };
}

/** The journal as another connection reads it from the file. */
function journalTypes(file: string): string[] {
  const reader = new BetterSqlite3(file, { readonly: true });
  try {
    return (reader.prepare('SELECT type FROM journal ORDER BY sequence').all() as { type: string }[]).map((row) => row.type);
  } finally {
    reader.close();
  }
}

describe('Engine after a step that could not be journaled', () => {
  it('halts, ignores what comes after, refuses commands, and leaves the journal ending at the last good step', async () => {
    const buyer = new Buyer();
    const { file, store, venue, engine } = setup('paper', [{ id: 'buyer', strategy: buyer }]);
    const failures: unknown[] = [];
    engine.onFailure((error) => failures.push(error));
    await engine.start();
    engine.onBar(bar(0));
    expect(venue.submitted).toHaveLength(1);
    const before = store.inner.load().events.map((event) => event.type);
    expect(before).toEqual(['engine-started', 'order-submitted']);

    store.failNext = true;
    expect(() => venue.fill(venue.submitted[0]!, 'T1', 2)).toThrow(/database or disk is full/);
    expect(failures).toHaveLength(1);
    expect(engine.failed).toBe(failures[0]);
    expect(engine.risk.state).toBe('halted');

    // Later data and reports are ignored, not journaled with a gap and not thrown at the feed.
    expect(() => engine.onBar(bar(1))).not.toThrow();
    expect(() => venue.fill(venue.submitted[0]!, 'T2', 3)).not.toThrow();
    expect(buyer.bars).toBe(1);
    expect(() => engine.submit('operator', { instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.01' })).toThrow(/submit: the engine halted after a failed step \(.*database or disk is full\); restart the bot/);
    expect(() => engine.cancelAll()).toThrow(/halted after a failed step/);
    await expect(engine.stop('end')).resolves.toBeUndefined();
    store.close();
    // Nothing of the failed step or after it: a restart recovers from here and reconciles the fill.
    expect(journalTypes(file)).toEqual(['engine-started', 'order-submitted']);
  });
});

describe('Engine with a strategy that throws', () => {
  it('in paper and live: logs it, skips it for that event, and still journals the step and runs the other strategies', async () => {
    const faulty = new Buyer();
    faulty.throwOnBar.add(1);
    faulty.throwOnFill = true;
    const steady = new Buyer(instrumentId('ETH/USD'));
    const { file, store, venue, engine } = setup('live', [{ id: 'faulty', strategy: faulty }, { id: 'steady', strategy: steady }]);
    await engine.start();
    for (let index = 0; index < 3; index++) {
      engine.onBar(bar(index));
      for (const order of venue.submitted.splice(0)) venue.fill(order, `T-${order.clientOrderId}`, index * HOUR + 1);
    }
    expect(engine.failed).toBeUndefined();
    expect(engine.risk.state).toBe('active');
    expect([faulty.bars, steady.bars]).toEqual([3, 3]);
    // One onBar and three onOrderEvent(order-filled) exceptions.
    expect(engine.strategyErrors).toBe(4);
    await engine.stop('end');
    store.close();
    const types = journalTypes(file);
    expect(types.filter((type) => type === 'order-filled')).toHaveLength(6);
    expect(types.at(-1)).toBe('engine-stopped');
  });

  it('in a backtest: the exception fails the run at once', async () => {
    const faulty = new Buyer();
    faulty.throwOnBar.add(0);
    const { engine, store } = setup('backtest', [{ id: 'faulty', strategy: faulty }]);
    await engine.start();
    expect(() => engine.onBar(bar(0))).toThrow('strategy bug on bar 0');
    expect(engine.failed).toBeInstanceOf(Error);
    store.close();
  });
});
