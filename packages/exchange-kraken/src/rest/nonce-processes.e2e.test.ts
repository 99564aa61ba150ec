import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventTime, setUpCallers, type CallerResult } from './nonce-e2e/caller-processes.js';

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

// The second account is on the `pro` tier (REST counter 20): 2 × 9 Balance calls stay within it.
const callers = setUpCallers('kbot-nonce-e2e-');

function caller(label: string, folder: string, options: { aheadMs?: number; onStarted?: () => void } = {}): Promise<CallerResult> {
  return callers.run({ folder, label, calls: CALLS, pauseMs: PAUSE_MS, ...options });
}

describe('two processes on one API key', () => {
  it('never send a nonce Kraken refuses: the second starts while the first is calling, continues above its nonces, and every call of both succeeds', async () => {
    const nonceDirectory = join(callers.work, 'nonces');
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
