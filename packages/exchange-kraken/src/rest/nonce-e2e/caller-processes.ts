import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { bundleWorkspace } from '../../../../../scripts/test-support/bundle-workspace.js';
import type { KrakenSimulator } from '../../simulator/kraken-simulator.js';
import { OTHER_KEY, OTHER_SECRET, startTestSimulator } from '../../simulator/simulator-test-fixtures.js';

/*
 * Runs private-caller.ts as separate processes for the two-process proofs
 * (nonce-processes.e2e.test.ts, rest-counter-processes.e2e.test.ts), on the simulator's second
 * account (`pro` tier), and collects what each printed.
 */

export interface CallerLine {
  readonly label: string;
  readonly event: 'started' | 'done';
  readonly at: number;
  readonly ok?: number;
  readonly errors?: readonly string[];
}

export interface CallerResult {
  readonly lines: CallerLine[];
  readonly exitCode: number | null;
  readonly stderr: string;
}

export interface CallerRun {
  /** The key folder (nonce and REST counter files) the processes share. */
  readonly folder: string;
  readonly label: string;
  readonly calls: number;
  readonly pauseMs: number;
  readonly aheadMs?: number;
  /** 1: a refusal by the exchange is an error, not retried. */
  readonly maxAttempts?: number;
  readonly onStarted?: () => void;
}

export interface Callers {
  /** The test file's own folder (set before its tests run). */
  work: string;
  /** Starts one caller process against the file's simulator; resolves when it has exited. */
  run(run: CallerRun): Promise<CallerResult>;
}

/**
 * Registers a test file's set-up: a folder with the caller bundled in it, and a simulator of the
 * file's own (its REST counter for the key starts at zero), both removed after the file's tests.
 */
export function setUpCallers(prefix: string): Callers {
  let sim: KrakenSimulator | undefined;
  const callers: Callers = { work: '', run: (run) => runCaller(callers.work, sim!.restUrl, run) };
  beforeAll(async () => {
    callers.work = mkdtempSync(join(tmpdir(), prefix));
    await bundleWorkspace({ work: callers.work, entries: { 'private-caller': join(import.meta.dirname, 'private-caller.ts') } });
    sim = await startTestSimulator();
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    if (callers.work) rmSync(callers.work, { recursive: true, force: true });
  });
  return callers;
}

function runCaller(work: string, restUrl: string, run: CallerRun): Promise<CallerResult> {
  const args = [join(work, 'bundle', 'private-caller.js'), restUrl, run.folder, String(run.calls), run.label, String(run.pauseMs), String(run.aheadMs ?? 0)];
  if (run.maxAttempts !== undefined) args.push(String(run.maxAttempts));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, E2E_KRAKEN_KEY: OTHER_KEY, E2E_KRAKEN_SECRET: OTHER_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: CallerLine[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as CallerLine;
    lines.push(line);
    if (line.event === 'started') run.onStarted?.();
  });
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ lines, exitCode, stderr })));
}

/** When a caller printed `event`. */
export function eventTime(result: CallerResult, event: CallerLine['event']): number {
  return result.lines.find((line) => line.event === event)!.at;
}
