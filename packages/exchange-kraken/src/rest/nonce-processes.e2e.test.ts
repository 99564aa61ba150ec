import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KrakenSimulator } from '../simulator/kraken-simulator.js';
import { startTestSimulator } from '../simulator/simulator-test-fixtures.js';
import { bundleCaller, eventTime, runCaller, type CallerResult } from './nonce-e2e/caller-processes.js';

/*
 * The nonce proof of issue 5: two processes sharing one API key and one nonce folder, the second
 * started while the first is making private calls. The simulator refuses any nonce not larger
 * than the last one it accepted for the key (Kraken's rule without a nonce window).
 *
 * The first process holds nonces five minutes ahead of the clock (as a key that once saw larger
 * nonces must), so a second process that took its nonces from its own clock would be refused
 * even after the client's one retry: without the shared high-water mark this test fails (checked
 * by giving the second process its own nonce folder).
 */

const CALLS = 9;
/** Between one process's calls, so its run lasts long enough for the other to start in the middle of it. */
const PAUSE_MS = 250;

let work: string;
let sim: KrakenSimulator;

function caller(label: string, folder: string, options: { aheadMs?: number; onStarted?: () => void } = {}): Promise<CallerResult> {
  return runCaller(work, { restUrl: sim.restUrl, folder, label, calls: CALLS, pauseMs: PAUSE_MS, ...options });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kbot-nonce-e2e-'));
  await bundleCaller(work);
  // The second account is on the `pro` tier (REST counter 20): 2 × 9 Balance calls stay within it.
  sim = await startTestSimulator();
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('two processes on one API key', () => {
  it('never send a nonce Kraken refuses: the second starts while the first is calling, continues above its nonces, and every call of both succeeds', async () => {
    const nonceDirectory = join(work, 'nonces');
    let second: Promise<CallerResult> | undefined;
    const first = caller('first', nonceDirectory, {
      aheadMs: 5 * 60_000,
      onStarted: () => (second = caller('second', nonceDirectory)),
    });
    const firstResult = await first;
    const secondResult = await second!;
    // They really overlapped: the second began before the first had finished its calls.
    expect(eventTime(secondResult, 'started')).toBeLessThan(eventTime(firstResult, 'done'));
    for (const result of [firstResult, secondResult]) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const done = result.lines.find((line) => line.event === 'done');
      expect(done).toMatchObject({ ok: CALLS, errors: [] });
    }
  }, 60_000);
});
