// Backtest throughput and memory: 1,000,000 one-minute BTC/USD bars through the real engine with
// EmaRsiTrend, against a bare loop doing the same indicator arithmetic (see README.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeJournalPayload, SqliteStore } from '@kbot/core';
import { fileURLToPath } from 'node:url';
import { EMA, RSI } from '@kbot/strategies';
import { bareLoop, barSource, benchConfig, closesOf, engineInput, replaySource, runEngine, STRATEGY_PARAMS } from './backtest-fixture.mjs';
import { runSkeleton } from './backtest-skeleton.mjs';
import { describe, log, measure, row } from './harness.mjs';

export const name = 'backtest';
export const description = '1M 1m bars, EmaRsiTrend, real engine vs a bare Float64Array loop; peak memory at 1M and 2M bars';

const BARS = 1_000_000;
/** The issue's target: the engine at no less than a tenth of the bare loop. */
const ENGINE_TARGET = 0.1;
/** Twice the bars must not take twice the memory: the bars are streamed, not held. */
const MEMORY_TARGET = 2;
/** Issue 5: journaling to SQLite (batched in transactions) costs the engine at most 10%. */
const JOURNAL_TARGET = 0.9;

/**
 * A store that writes each journaled event's compact payload text (the text the SQLite journal
 * stores for it) and keeps nothing: what producing the journal's rows costs the engine's thread,
 * before anything is stored. Counts the characters, so the work cannot be left out.
 */
class PayloadTextOnlyStore {
  characters = 0;

  append(events) {
    for (const event of events) this.characters += encodeJournalPayload(event).length;
  }

  snapshot() {}

  load() {
    return { snapshot: undefined, events: [] };
  }

  close() {}
}

function barsPerSecond(bars, seconds) {
  return bars / seconds;
}

/** Median, min and max of some of a measurement's runs, in `measure`'s shape for `describe`. */
function summarize(seconds, cpuShare) {
  const sorted = [...seconds].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], seconds, cpuShare };
}

/** The bare loop's indicators must equal the library's on the same closes, or the baseline is not the same work. */
function checkBaseline(closes) {
  const fast = new EMA(STRATEGY_PARAMS.fastPeriod);
  const slow = new EMA(STRATEGY_PARAMS.slowPeriod);
  const rsi = new RSI(STRATEGY_PARAMS.rsiPeriod);
  const sample = closes.subarray(0, 50_000);
  let expected;
  for (const close of sample) expected = { fast: fast.add(close), slow: slow.add(close), rsi: rsi.add(close) };
  const actual = bareLoop(sample);
  for (const key of ['fast', 'slow', 'rsi']) {
    if (Math.abs(actual[key] - expected[key]) > 1e-9 * Math.max(1, Math.abs(expected[key]))) {
      throw new Error(`bare loop ${key} after ${sample.length} closes: received ${actual[key]}, expected ${expected[key]} (the library's ${key.toUpperCase()})`);
    }
  }
}

/** Runs the memory child in a fresh process and returns what it printed. */
function memoryRun(bars) {
  const child = fileURLToPath(new URL('./backtest-memory-child.mjs', import.meta.url));
  const outcome = spawnSync(process.execPath, ['--expose-gc', child, String(bars)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (outcome.status !== 0) throw new Error(`memory run of ${bars} bars: exit code ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`);
  return JSON.parse(outcome.stdout.trim().split('\n').pop());
}

export async function run({ warmup = 1, runs = 5 } = {}) {
  log(`backtest: generating ${BARS.toLocaleString('en-US')} closes for the bare loop (untimed)`);
  const closes = closesOf(BARS);
  checkBaseline(closes);

  log('backtest: bare loop');
  const bare = await measure(() => bareLoop(closes), { warmup: Math.max(warmup, 3), runs: Math.max(runs, 9) });
  const bareRate = barsPerSecond(BARS, bare.median);
  log(describe('backtest: bare loop', bare));

  log('backtest: generator alone');
  const generator = await measure((source) => {
    let sum = 0;
    for (const bar of source) sum += bar.close;
    return sum;
  }, { warmup, runs, setup: () => barSource(BARS) });
  const generatorRate = barsPerSecond(BARS, generator.median);
  log(describe('backtest: generator', generator));

  // The issue's reference design, in the same run: what the thinnest engine reaches here.
  log('backtest: skeleton (eventemitter3 bus, number indicators, no orders)');
  const skeleton = await measure((bars) => runSkeleton(bars), { warmup, runs, setup: () => replaySource(BARS) });
  log(describe('backtest: skeleton', skeleton));
  log('backtest: skeleton trading with Decimal money at its fills');
  const skeletonTrading = await measure((bars) => runSkeleton(bars, { trade: true }), { warmup, runs, setup: () => replaySource(BARS) });
  log(describe('backtest: skeleton trading', skeletonTrading));
  log(`backtest: the trading skeleton made ${skeletonTrading.result.orders} orders (fees ${skeletonTrading.result.fees}, realized ${skeletonTrading.result.realized} USD)`);

  const config = benchConfig();
  log(`backtest: engine over bars replayed from memory, ${warmup} warm-up + ${runs} timed runs`);
  const engine = await measure((input) => runEngine(input), { warmup, runs, setup: () => engineInput(BARS, config, 'replay') });
  if (engine.result.barsProcessed !== BARS) throw new Error(`engine run processed ${engine.result.barsProcessed} bars, expected ${BARS}`);
  const engineRate = barsPerSecond(BARS, engine.median);
  log(describe('backtest: engine', engine));
  log(`backtest: engine run made ${engine.result.orders.length} orders, ${engine.result.fills.length} fills, ${engine.result.roundTrips.length} round trips`);

  // Same strategy with entries switched off (RSI never falls below 1): the per-bar cost of the
  // engine without any order, fill or Decimal work.
  const quietConfig = benchConfig({ entryRsiBelow: 1 });
  log('backtest: engine with entries switched off');
  const quiet = await measure((input) => runEngine(input), { warmup, runs, setup: () => engineInput(BARS, quietConfig, 'replay') });

  log('backtest: engine fed by the streaming generator (what a generated-market backtest costs end to end)');
  const streamed = await measure((input) => runEngine(input), { warmup, runs, setup: () => engineInput(BARS, config) });
  log(describe('backtest: engine, no orders', quiet));
  if (quiet.result.orders.length !== 0) throw new Error(`the no-orders run made ${quiet.result.orders.length} orders, expected none`);

  // The same run journaling every state-changing event to SQLite (WAL, synchronous=NORMAL, one
  // transaction per group of bars as runBacktest commits), with the journal writer thread a
  // journaled backtest should use: the engine's thread checks and flattens each event, a worker
  // formats, inserts and checkpoints. The timing includes close(), which waits for the worker.
  // Runs alternate with plain engine runs and the row compares the two medians: one run of this
  // engine varies by a third within a process, so runs minutes apart compare the moments more
  // than the journal. A third run in each round writes every event's payload text on the
  // engine's thread and stores nothing (PayloadTextOnlyStore): the part of a journal no design
  // can skip if it writes the rows on that thread.
  log('backtest: engine journaling to SQLite, alternating with the engine alone and with the payload texts alone');
  const folder = mkdtempSync(join(tmpdir(), 'kbot-bench-journal-'));
  const rounds = Math.max(3, Math.min(runs, 5));
  const MODES = 3;
  let journals = 0;
  const textStores = [];
  const alternating = await measure((input) => (input.store === undefined ? runEngine(input.engine) : runEngine(input.engine, { store: input.store }).finally(() => input.store.close())), {
    warmup: 0,
    runs: MODES * rounds,
    setup: (index) => ({
      engine: engineInput(BARS, config, 'replay'),
      store:
        index % MODES === 1
          ? new SqliteStore(join(folder, `journal-${journals++}.sqlite`), { durability: 'normal', journalWriter: 'thread', checkOnOpen: false })
          : index % MODES === 2
            ? textStores[textStores.push(new PayloadTextOnlyStore()) - 1]
            : undefined,
    }),
  });
  rmSync(folder, { recursive: true, force: true });
  if (alternating.result.orders.length !== engine.result.orders.length) throw new Error(`the alternating runs made ${alternating.result.orders.length} orders, expected ${engine.result.orders.length} as the engine alone`);
  if (textStores.some((store) => store.characters === 0)) throw new Error('a payload-texts-only run wrote no payload text');
  log(`backtest: the payload texts of one run: ${textStores[0].characters.toLocaleString('en-US')} characters`);
  const ofMode = (mode) => summarize(alternating.seconds.filter((_, index) => index % MODES === mode), alternating.cpuShare);
  const pairedPlain = ofMode(0);
  const journaled = ofMode(1);
  const payloadTexts = ofMode(2);
  log(describe('backtest: engine alone, between the journaled runs', pairedPlain));
  log(describe('backtest: engine journaling to SQLite', journaled));
  log(describe('backtest: engine writing the payload texts only', payloadTexts));

  log('backtest: memory, 1M and 2M bars, each in a fresh process');
  const memory1 = memoryRun(BARS);
  const memory2 = memoryRun(2 * BARS);
  for (const memory of [memory1, memory2]) {
    log(`backtest: memory run of ${memory.bars} bars: ${memory.orders} orders, ${memory.fills} fills, peak heap +${memory.peakHeapGrowthMB.toFixed(1)} MB, retained +${memory.retainedHeapMB.toFixed(1)} MB, max RSS ${memory.maxRssMB.toFixed(0)} MB, ${memory.seconds.toFixed(1)} s`);
  }

  const bareName = 'backtest.bare-loop';
  const heapName = 'backtest.peak-heap-1m';
  const rssName = 'backtest.peak-rss-1m';
  const retainedName = 'backtest.retained-heap-1m';

  return [
    row({ name: bareName, value: bareRate, unit: 'bars/s' }),
    row({ name: 'backtest.generator', value: generatorRate, unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.engine', value: engineRate, unit: 'bars/s', baseline: bareName, baselineValue: bareRate, target: ENGINE_TARGET }),
    row({ name: 'backtest.engine-with-generator', value: barsPerSecond(BARS, streamed.median), unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.skeleton', value: barsPerSecond(BARS, skeleton.median), unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.skeleton-trading', value: barsPerSecond(BARS, skeletonTrading.median), unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.engine-no-orders', value: barsPerSecond(BARS, quiet.median), unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.engine-paired', value: barsPerSecond(BARS, pairedPlain.median), unit: 'bars/s', baseline: bareName, baselineValue: bareRate }),
    row({ name: 'backtest.engine-sqlite-journal', value: barsPerSecond(BARS, journaled.median), unit: 'bars/s', baseline: 'backtest.engine-paired', baselineValue: barsPerSecond(BARS, pairedPlain.median), target: JOURNAL_TARGET }),
    row({ name: 'backtest.engine-payload-texts-only', value: barsPerSecond(BARS, payloadTexts.median), unit: 'bars/s', baseline: 'backtest.engine-paired', baselineValue: barsPerSecond(BARS, pairedPlain.median) }),
    row({ name: heapName, value: memory1.peakHeapGrowthMB, unit: 'MB' }),
    row({ name: 'backtest.peak-heap-2m', value: memory2.peakHeapGrowthMB, unit: 'MB', baseline: heapName, baselineValue: memory1.peakHeapGrowthMB, target: MEMORY_TARGET, better: 'lower' }),
    row({ name: rssName, value: memory1.peakRssGrowthMB, unit: 'MB' }),
    row({ name: 'backtest.peak-rss-2m', value: memory2.peakRssGrowthMB, unit: 'MB', baseline: rssName, baselineValue: memory1.peakRssGrowthMB, target: MEMORY_TARGET, better: 'lower' }),
    row({ name: retainedName, value: memory1.retainedHeapMB, unit: 'MB' }),
    row({ name: 'backtest.retained-heap-2m', value: memory2.retainedHeapMB, unit: 'MB', baseline: retainedName, baselineValue: memory1.retainedHeapMB }),
  ];
}
