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
 * The REST counter proof: two processes on one API key and one storage folder (a bot and the
 * operator's commands beside it, or a bot and its restart) make more private calls together than
 * Kraken's counter holds. The simulator keeps one counter per key, as Kraken does, and refuses a
 * call past it with `EAPI:Rate limit exceeded`; the callers make one attempt per call, so a
 * refusal is an error. With the counter shared through the folder, the processes wait their turn
 * and Kraken refuses nothing. Checked the other way by running it with E2E_OWN_REST_COUNTER=1
 * (each process counts only its own calls): the simulator then refuses several calls.
 */

interface CallerLine {
  readonly label: string;
  readonly event: 'started' | 'done';
  readonly at: number;
  readonly ok?: number;
  readonly errors?: readonly string[];
}

/** Per process: together 26 Balance calls against the pro tier's 20 (decaying 1 a second). */
const CALLS = 13;
const PAUSE_MS = 40;

let work: string;
let sim: KrakenSimulator;

function runCaller(label: string, folder: string): Promise<{ lines: CallerLine[]; exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(work, 'bundle', 'private-caller.js'), sim.restUrl, folder, String(CALLS), label, String(PAUSE_MS), '0', '1'], {
    env: { ...process.env, E2E_KRAKEN_KEY: OTHER_KEY, E2E_KRAKEN_SECRET: OTHER_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: CallerLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => lines.push(JSON.parse(text) as CallerLine));
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ lines, exitCode, stderr })));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kbot-rest-counter-e2e-'));
  await bundleWorkspace({ work, entries: { 'private-caller': join(import.meta.dirname, 'nonce-e2e', 'private-caller.ts') } });
  // A simulator of its own: its counter for the key starts at zero, as the callers' file does.
  sim = await startTestSimulator();
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('two processes on one API key', () => {
  it('share the REST counter through the storage folder: together past the maximum, they wait and Kraken refuses none of their calls', async () => {
    const folder = join(work, 'key-files');
    const [first, second] = await Promise.all([runCaller('first', folder), runCaller('second', folder)]);
    for (const result of [first, second]) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.lines.find((line) => line.event === 'done')).toMatchObject({ ok: CALLS, errors: [] });
    }
    // 26 points against 20 decaying 1 a second: together they must have waited about 6 s.
    const at = (result: typeof first, event: CallerLine['event']) => result.lines.find((line) => line.event === event)!.at;
    const span = Math.max(at(first, 'done'), at(second, 'done')) - Math.min(at(first, 'started'), at(second, 'started'));
    expect(span).toBeGreaterThan(4_000);
  }, 60_000);
});
