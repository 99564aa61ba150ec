import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/schema.js';
import { generateBars } from '../data/generate-bars.js';
import { createBot } from '../di/container.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { InMemoryStore } from '../persistence/store.js';
import { SqliteStore } from '../persistence/sqlite-store.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { BACKTEST_GROUP_ITEMS, runBacktest } from './run-backtest.js';

const BTC = instrumentId('BTC/USD');
const BARS = 10_000;

/** Buys on every 50th bar and sells 20 bars later: a journal with orders, fills and positions throughout the run. */
class Every50 extends BaseStrategy<Record<string, never>> {
  private seen = 0;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: 60_000 }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    this.seen++;
    if (this.seen % 50 === 1) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
    if (this.seen % 50 === 21) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.01' });
  }
}

function backtest(store?: InMemoryStore | SqliteStore) {
  const config = validateConfig({ strategies: [Every50.with({}, { id: 'every-50' })], backtest: { balances: { USD: '100000' } } });
  const source = generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: BARS, seed: 7, startPrice: 30_000 });
  return runBacktest({ bot: createBot(config), data: { bars: source, summaries: () => [source.summary()] }, kbotVersion: 'test', store });
}

describe('runBacktest journaling to SQLite', () => {
  it('commits the bars in groups, and the journal equals the one kept in memory', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-backtest-journal-')), 'kbot.sqlite');
    const store = new SqliteStore(file, { durability: 'normal' });
    let batches = 0;
    const batch = store.batch.bind(store);
    store.batch = ((fn: () => unknown) => {
      batches++;
      return batch(fn);
    }) as typeof store.batch;
    const journaled = await backtest(store);
    store.close();

    const memory = new InMemoryStore();
    const kept = await backtest(memory);
    expect(journaled.fills.length).toBe(kept.fills.length);
    expect(journaled.fills.length).toBeGreaterThan(300);

    const reopened = new SqliteStore(file);
    const events = reopened.load().events;
    reopened.close();
    expect(events.length).toBeGreaterThan(1_000);
    expect(JSON.stringify(events)).toBe(JSON.stringify(memory.load().events));
    // The order and position events, nearly all of the journal, are stored in the compact form.
    const raw = new BetterSqlite3(file, { readonly: true });
    const compactRows = raw.prepare("SELECT COUNT(*) FROM journal WHERE substr(payload, 1, 1) = char(2)").pluck().get();
    raw.close();
    expect(compactRows).toBe(events.filter((event) => event.type.startsWith('order-') || event.type.startsWith('position-')).length);
    expect(compactRows).toBeGreaterThan(1_000);
    // One transaction per group of bars, plus the steps of start and stop: not one per bar.
    const groups = Math.ceil(BARS / BACKTEST_GROUP_ITEMS);
    expect(batches).toBeGreaterThanOrEqual(groups);
    expect(batches).toBeLessThanOrEqual(groups + 4);
  });

  it('keeps no journal when given no store, and reports the same run as one journaled in memory', async () => {
    const memory = new InMemoryStore();
    const kept = await backtest(memory);
    const unjournaled = await backtest();
    expect(memory.events().length).toBeGreaterThan(1_000);
    // Wall-clock fields differ between runs; every figure of the run must not.
    const comparable = (result: typeof kept) => ({ ...result, startedAt: undefined, finishedAt: undefined });
    expect(JSON.stringify(comparable(unjournaled))).toBe(JSON.stringify(comparable(kept)));
  });
});
