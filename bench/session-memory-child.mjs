// One paper session in a fresh process (node --expose-gc session-memory-child.mjs <days> [journal|memory]),
// so its heap is not mixed with other runs'. Prints one JSON object to stdout.
//
// runSession against a fake exchange fed one-minute BTC/USD bars for <days> days, with a strategy
// that trades every bar (buys when flat, sells what it holds), journaling to an SqliteStore with
// a snapshot every 1,000 events. The session's clock is the data's time, so a day of data is a day
// for the retention windows. `journal`: the store reads its journal back, so the engine keeps only
// what a snapshot holds; `memory`: a store that cannot, so the engine keeps every order and round
// trip (what every session did before). The heap is measured live, after a full GC, when the last
// bar has closed and before the session stops and builds its report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseStrategy, SqliteStore, createBot, instrumentId, krakenSpotInstruments, runSession, validateConfig } from '@kbot/core';
import { bars, createFakeExchange } from '@kbot/core/testing';

const MINUTE = 60_000;
const MB = 1024 * 1024;
const BTC = instrumentId('BTC/USD');

const days = Number(process.argv[2]);
const history = process.argv[3] ?? 'journal';
if (!(days > 0) || !['journal', 'memory'].includes(history)) {
  process.stderr.write(`session-memory-child: expected <days> above 0 and journal|memory, received ${JSON.stringify(process.argv.slice(2))}\n`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('session-memory-child: run with node --expose-gc\n');
  process.exit(2);
}

/** Buys 0.01 BTC when flat and sells what it holds: one order, and half a round trip, per bar. */
class Churn extends BaseStrategy {
  subscriptions() {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE }];
  }
  onBar(_bar, ctx) {
    const position = ctx.portfolio.position(BTC);
    if (position) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: position.quantity });
    else ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
  }
}

const count = Math.round(days * 24 * 60);
const start = Date.UTC(2025, 0, 1);
// A gentle zigzag, so neither the balance nor the price runs away over weeks.
const closes = Array.from({ length: count }, (_, index) => 40_000 + (index % 20) * 5);
const feed = bars(closes, { instrument: 'BTC/USD', interval: '1m', start, volume: 100 });
let now = start;
const clock = { now: () => now };

const dir = mkdtempSync(join(tmpdir(), 'kbot-session-memory-'));
const sqlite = new SqliteStore(join(dir, 'kbot.sqlite'), { durability: 'normal' });
// A store without `journal`: the engine must keep the history itself.
const store = history === 'journal' ? sqlite : { append: (events) => sqlite.append(events), snapshot: (state) => sqlite.snapshot(state), load: () => sqlite.load(), batch: (fn) => sqlite.batch(fn), close: () => {} };

const exchange = createFakeExchange({ instruments: krakenSpotInstruments() });
const bot = createBot(validateConfig({ name: 'session-memory', strategies: [Churn.with({})], log: { level: 'silent' } }));
let engine;
let liveHeap = 0;
let held = { orders: 0, roundTrips: 0 };
let closed = 0;
const began = process.hrtime.bigint();
const session = runSession({
  bot, exchange, mode: 'paper', kbotVersion: 'bench', paperBalances: { USD: '1000000' }, maxBars: count, store, clock,
  onEngine: (started) => (engine = started),
  onStatus: () => {
    if (++closed !== count) return;
    globalThis.gc();
    liveHeap = process.memoryUsage().heapUsed;
    held = { orders: engine.orders.all().length, roundTrips: engine.portfolio.roundTrips().length };
  },
});
await new Promise((resolve) => setTimeout(resolve, 20));
globalThis.gc();
const startHeap = process.memoryUsage().heapUsed;
for (const bar of feed) {
  now = bar.openTime + bar.interval;
  exchange.data.push(bar);
}
const result = await session;
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
sqlite.close();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(`${JSON.stringify({
  days,
  history,
  bars: result.barsProcessed,
  orders: result.orders.length,
  fills: result.fills.length,
  roundTrips: result.roundTrips.length,
  heldOrders: held.orders,
  heldRoundTrips: held.roundTrips,
  liveHeapGrowthMB: (liveHeap - startHeap) / MB,
  seconds,
})}\n`);
