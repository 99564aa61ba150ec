import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkspace } from '../../../../scripts/test-support/bundle-workspace.js';
import type { KrakenSimulator } from '../simulator/kraken-simulator.js';
import { OTHER_KEY, OTHER_SECRET, startTestSimulator } from '../simulator/simulator-test-fixtures.js';

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

interface CallerLine {
  readonly label: string;
  readonly event: 'started' | 'done';
  readonly at: number;
  readonly ok?: number;
  readonly errors?: readonly string[];
}

const CALLS = 9;
/** Between one process's calls, so its run lasts long enough for the other to start in the middle of it. */
const PAUSE_MS = 250;

let work: string;
let sim: KrakenSimulator;

function runCaller(label: string, nonceDirectory: string, options: { aheadMs?: number; onStarted?: () => void } = {}): Promise<{ lines: CallerLine[]; exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(work, 'bundle', 'private-caller.js'), sim.restUrl, nonceDirectory, String(CALLS), label, String(PAUSE_MS), String(options.aheadMs ?? 0)], {
    env: { ...process.env, E2E_KRAKEN_KEY: OTHER_KEY, E2E_KRAKEN_SECRET: OTHER_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: CallerLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as CallerLine;
    lines.push(line);
    if (line.event === 'started') options.onStarted?.();
  });
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ lines, exitCode, stderr })));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kbot-nonce-e2e-'));
  await bundleWorkspace({ work, entries: { 'private-caller': join(import.meta.dirname, 'nonce-e2e', 'private-caller.ts') } });
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
    let second: ReturnType<typeof runCaller> | undefined;
    const first = runCaller('first', nonceDirectory, {
      aheadMs: 5 * 60_000,
      onStarted: () => (second = runCaller('second', nonceDirectory)),
    });
    const firstResult = await first;
    const secondResult = await second!;
    const started = (result: typeof firstResult) => result.lines.find((line) => line.event === 'started')!.at;
    const finished = (result: typeof firstResult) => result.lines.find((line) => line.event === 'done')!.at;
    // They really overlapped: the second began before the first had finished its calls.
    expect(started(secondResult)).toBeLessThan(finished(firstResult));
    for (const result of [firstResult, secondResult]) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const done = result.lines.find((line) => line.event === 'done');
      expect(done).toMatchObject({ ok: CALLS, errors: [] });
    }
  }, 60_000);
});
