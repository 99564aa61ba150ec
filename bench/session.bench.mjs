// Memory of a long paper session: does a bot that trades every minute for days hold a day of its
// history, or all of it? Each run is a fresh process (session-memory-child.mjs; see README.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { log, row } from './harness.mjs';

export const name = 'session';
export const description = 'live heap of a paper session trading every 1m bar, after 5 and 10 days of data; and with the history kept in memory';

const SHORT_DAYS = 5;
const LONG_DAYS = 10;
/** Twice the days must not take much more memory: the engine keeps what a snapshot holds. */
const BOUNDED_TARGET = 1.5;

/** Runs the session child in a fresh process and returns what it printed. */
function sessionRun(days, history) {
  const child = fileURLToPath(new URL('./session-memory-child.mjs', import.meta.url));
  const outcome = spawnSync(process.execPath, ['--expose-gc', child, String(days), history], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (outcome.status !== 0) throw new Error(`session run of ${days} days (${history}): exit code ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`);
  const result = JSON.parse(outcome.stdout);
  const expected = Math.round(days * 24 * 60);
  if (result.bars !== expected || result.orders !== expected) {
    throw new Error(`session run of ${days} days (${history}): ${result.bars} bars and ${result.orders} orders in the report, expected ${expected} of each`);
  }
  log(`session: ${days} days, history ${history === "journal" ? "in the journal" : "kept in memory"}: ${result.orders} orders, ${result.fills} fills, ${result.roundTrips} round trips in the report; the engine held ${result.heldOrders} orders and ${result.heldRoundTrips} round trips; live heap +${result.liveHeapGrowthMB.toFixed(1)} MB; ${result.seconds.toFixed(1)} s`);
  return result;
}

export async function run() {
  log(`session: paper sessions of ${SHORT_DAYS} and ${LONG_DAYS} days of 1m bars, each in a fresh process`);
  const short = sessionRun(SHORT_DAYS, 'journal');
  const long = sessionRun(LONG_DAYS, 'journal');
  const kept = sessionRun(LONG_DAYS, 'memory');
  const shortName = `session.live-heap-${SHORT_DAYS}d`;
  const longName = `session.live-heap-${LONG_DAYS}d`;
  return [
    row({ name: shortName, value: short.liveHeapGrowthMB, unit: 'MB' }),
    row({ name: longName, value: long.liveHeapGrowthMB, unit: 'MB', baseline: shortName, baselineValue: short.liveHeapGrowthMB, target: BOUNDED_TARGET, better: 'lower' }),
    row({ name: `${longName}-history-in-memory`, value: kept.liveHeapGrowthMB, unit: 'MB', baseline: longName, baselineValue: long.liveHeapGrowthMB }),
  ];
}
