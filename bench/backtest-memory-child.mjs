// One backtest in a fresh process (node --expose-gc backtest-memory-child.mjs <bars>), so its
// memory figures are not mixed with other runs' heap and RSS. Prints one JSON object to stdout.
import { benchConfig, engineInput, runEngine } from './backtest-fixture.mjs';

const SAMPLE_EVERY = 10_000;
const MB = 1024 * 1024;

const count = Number(process.argv[2]);
if (!Number.isSafeInteger(count) || count <= 0) {
  process.stderr.write(`backtest-memory-child: bars argument: received ${JSON.stringify(process.argv[2])}, expected a whole number above 0\n`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('backtest-memory-child: run with node --expose-gc, or the starting heap includes garbage\n');
  process.exit(2);
}

const input = engineInput(count, benchConfig());
globalThis.gc();
const start = process.memoryUsage();
let peakHeap = start.heapUsed;
let peakRss = start.rss;
const sample = () => {
  const usage = process.memoryUsage();
  if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed;
  if (usage.rss > peakRss) peakRss = usage.rss;
};
const began = process.hrtime.bigint();
const result = await runEngine(input, { onProgress: sample, progressEvery: SAMPLE_EVERY });
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
sample();
globalThis.gc();
// What stays reachable once the run is over: the result (orders, fills, round trips) and the bot.
const retainedHeap = process.memoryUsage().heapUsed - start.heapUsed;

process.stdout.write(`${JSON.stringify({
  bars: result.barsProcessed,
  seconds,
  orders: result.orders.length,
  fills: result.fills.length,
  startHeapMB: start.heapUsed / MB,
  peakHeapGrowthMB: (peakHeap - start.heapUsed) / MB,
  retainedHeapMB: retainedHeap / MB,
  startRssMB: start.rss / MB,
  peakRssGrowthMB: (peakRss - start.rss) / MB,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
})}\n`);
