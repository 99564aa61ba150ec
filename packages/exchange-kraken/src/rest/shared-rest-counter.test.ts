import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RestRateLimiter } from './rate-limiter.js';
import { restCounterFileName, SharedRestCounterFile } from './shared-rest-counter.js';

const API_KEY = 'test-key';
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'kbot-rest-counter-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** A limiter as one process makes it: the key's counter file in the shared folder. */
function processLimiter(tier: 'starter' | 'intermediate' | 'pro' = 'starter'): RestRateLimiter {
  return new RestRateLimiter(tier, new SharedRestCounterFile({ apiKey: API_KEY, directory }));
}

/** Reserves `calls` calls of cost 1 at `now`; the waits of those that did not fit. */
function spendCalls(limiter: RestRateLimiter, calls: number, now: number): number[] {
  const waits: number[] = [];
  for (let call = 0; call < calls; call++) {
    const wait = limiter.reserve(1, now);
    if (wait > 0) waits.push(wait);
  }
  return waits;
}

describe('REST counter shared through a file', () => {
  it('is one counter for every process using the key: what one spends, the other waits for', () => {
    const bot = processLimiter();
    const cli = processLimiter();
    expect(spendCalls(bot, 10, 1_000_000)).toEqual([]);
    // Starter: 15 at most, the last point after half a second's margin. The CLI, in another
    // process, has 4 left at once, not 14.
    expect(spendCalls(cli, 4, 1_000_000)).toEqual([]);
    expect(cli.reserve(1, 1_000_000)).toBe(500);
    expect(bot.reserve(1, 1_000_000)).toBe(500);
    expect(cli.remaining(1_000_000)).toBe(1);
    // Once the wait is over, exactly one of them gets the point; the other waits 1 / 0.33 s.
    expect(bot.reserve(1, 1_000_500)).toBe(0);
    expect(cli.reserve(1, 1_000_500)).toBe(3031);
  });

  it('starts a restarted process where the counter was left, decayed by the time it was down', () => {
    const before = processLimiter('intermediate');
    expect(spendCalls(before, 18, 5_000_000)).toEqual([]);
    // The process is killed; the next one starts 4 s later: 18 - 4 × 0.5 = 16 of 20, so three
    // calls fit, and a fourth after the margin.
    const after = processLimiter('intermediate');
    expect(spendCalls(after, 3, 5_004_000)).toEqual([]);
    expect(after.reserve(1, 5_004_000)).toBe(500);
    // Without the file (a process of its own), the same calls would not have waited.
    const alone = new RestRateLimiter('intermediate');
    expect(spendCalls(alone, 5, 5_004_000)).toEqual([]);
  });

  it('keeps a stamp from ahead of this clock undecayed, and a full counter marked by Kraken for everyone', () => {
    const file = join(directory, restCounterFileName(API_KEY));
    writeFileSync(file, JSON.stringify({ level: 12, at: 9_000_000 }));
    const limiter = processLimiter('pro');
    // 10 s before the stamp: no decay backwards, 8 of 20 left (the last after the margin).
    expect(spendCalls(limiter, 7, 8_990_000)).toEqual([]);
    expect(limiter.reserve(1, 8_990_000)).toBe(500);
    const other = processLimiter('pro');
    other.markFull(9_100_000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ level: 20, at: 9_100_000 });
    expect(limiter.reserve(1, 9_100_000)).toBe(1500);
  });

  it('takes a file that is not a counter as a full counter, and writes a good one at the next change', () => {
    const file = join(directory, restCounterFileName(API_KEY));
    for (const content of ['garbage', '{"level":-1,"at":0}', '{"level":"3","at":0}', 'null']) {
      writeFileSync(file, content);
      const limiter = processLimiter('starter');
      expect(limiter.reserve(1, 2_000_000), content).toBe(3531); // (1 + the margin's 0.165) / 0.33 s
      expect(JSON.parse(readFileSync(file, 'utf8')), content).toEqual({ level: 15, at: 2_000_000 });
    }
  });

  it('names the file after a hash of the key, never the key', () => {
    const name = restCounterFileName('my-secret-api-key');
    expect(name).toMatch(/^kraken-rest-counter-[0-9a-f]{32}$/);
    expect(name).not.toContain('my-secret-api-key');
    expect(restCounterFileName('another-key')).not.toBe(name);
  });
});
