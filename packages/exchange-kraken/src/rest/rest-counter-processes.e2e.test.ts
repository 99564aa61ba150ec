import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventTime, setUpCallers, type CallerResult } from './nonce-e2e/caller-processes.js';

/*
 * The REST counter proof: two processes on one API key and one storage folder (a bot and the
 * operator's commands beside it, or a bot and its restart) make more private calls together than
 * Kraken's counter holds. The simulator keeps one counter per key, as Kraken does, and refuses a
 * call past it with `EAPI:Rate limit exceeded`; the callers make one attempt per call, so a
 * refusal is an error. With the counter shared through the folder, the processes wait their turn
 * and Kraken refuses nothing. Checked the other way by running it with E2E_OWN_REST_COUNTER=1
 * (each process counts only its own calls): the simulator then refuses several calls.
 */

/** Per process: together 26 Balance calls against the pro tier's 20 (decaying 1 a second). */
const CALLS = 13;
const PAUSE_MS = 40;

// A simulator of the file's own: its counter for the key starts at zero, as the callers' file does.
const callers = setUpCallers('kbot-rest-counter-e2e-');

function caller(label: string, folder: string): Promise<CallerResult> {
  // One attempt per call: a refusal is an error.
  return callers.run({ folder, label, calls: CALLS, pauseMs: PAUSE_MS, maxAttempts: 1 });
}

describe('two processes on one API key', () => {
  it('share the REST counter through the storage folder: together past the maximum, they wait and Kraken refuses none of their calls', async () => {
    const folder = join(callers.work, 'key-files');
    const [first, second] = await Promise.all([caller('first', folder), caller('second', folder)]);
    for (const result of [first, second]) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.lines.find((line) => line.event === 'done')).toMatchObject({ ok: CALLS, errors: [] });
    }
    // 26 points against 20 decaying 1 a second: together they must have waited about 6 s.
    const span = Math.max(eventTime(first, 'done'), eventTime(second, 'done')) - Math.min(eventTime(first, 'started'), eventTime(second, 'started'));
    expect(span).toBeGreaterThan(4_000);
  }, 60_000);
});
