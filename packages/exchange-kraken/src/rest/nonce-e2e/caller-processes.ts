import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bundleWorkspace } from '../../../../../scripts/test-support/bundle-workspace.js';
import { OTHER_KEY, OTHER_SECRET } from '../../simulator/simulator-test-fixtures.js';

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
  readonly restUrl: string;
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

/** Bundles the caller into `work`/bundle (once per test file). */
export function bundleCaller(work: string): Promise<void> {
  return bundleWorkspace({ work, entries: { 'private-caller': join(import.meta.dirname, 'private-caller.ts') } });
}

/** One caller process; resolves when it has exited. */
export function runCaller(work: string, run: CallerRun): Promise<CallerResult> {
  const args = [join(work, 'bundle', 'private-caller.js'), run.restUrl, run.folder, String(run.calls), run.label, String(run.pauseMs), String(run.aheadMs ?? 0)];
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
