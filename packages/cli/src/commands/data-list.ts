import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { formatInterval, isKbotError, isoTime, openBarFile, type DataSourceSummary } from '@kbot/core';
import { EXIT, UsageError } from '../exit-codes.js';
import { PART_SUFFIX, STATE_SUFFIX, resolveDataDir } from './data-files.js';

export interface DataListFlags {
  readonly config?: string;
  readonly dir?: string;
  readonly json?: boolean;
  /** `--gaps [count]`: list the longest gaps of each file (default 10). */
  readonly gaps?: boolean | string;
}

/** A stretch of missing intervals between two bars. */
export interface DataGap {
  /** First missing interval, epoch ms. */
  readonly from: number;
  /** Open time of the next bar, epoch ms. */
  readonly to: number;
  readonly missing: number;
}

export interface ListedFile {
  readonly file: string;
  /** `complete`: a readable data file; `downloading`: a download in progress; `unreadable`: see `error`. */
  readonly status: 'complete' | 'downloading' | 'unreadable';
  readonly summary?: DataSourceSummary;
  /** The longest gaps, longest first (with `--gaps`). */
  readonly longestGaps?: readonly DataGap[];
  /** A download in progress: bars so far and the time of the last trade read. */
  readonly download?: { readonly bars: number; readonly through: number | null };
  readonly error?: string;
}

const DEFAULT_GAPS = 10;

/**
 * `kbot data list`: every data file of the data folder with its pair, interval, first and last
 * bar, rows and gaps (each file is read in full), and downloads in progress. A file that cannot
 * be read is listed with its error and makes the exit code 3.
 */
export async function dataListCommand(flags: DataListFlags, context: { readonly cwd: string }): Promise<{ output: string; exitCode: number; files: ListedFile[] }> {
  const gapCount = gapsFlag(flags.gaps);
  const dir = await resolveDataDir('--dir', flags.dir, context.cwd, flags.config);
  if (!existsSync(dir)) {
    return { output: flags.json ? '[]' : `no data in ${dir} yet: kbot data download and kbot data import put files there`, exitCode: EXIT.ok, files: [] };
  }
  const names = readdirSync(dir).filter((name) => !name.includes('.tmp-')).sort();
  const files: ListedFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith(STATE_SUFFIX)) files.push(downloadInProgress(name, path));
    else if (/\.(csv|json)$/i.test(name)) files.push(listFile(name, path, gapCount));
  }
  const exitCode = files.some((file) => file.status === 'unreadable') ? EXIT.data : EXIT.ok;
  if (flags.json) {
    return { output: JSON.stringify(files.map((file) => (file.summary ? { ...file, summary: { ...file.summary, interval: formatInterval(file.summary.interval) } } : file))), exitCode, files };
  }
  if (files.length === 0) return { output: `no data files in ${dir}`, exitCode, files };
  return { output: [`${dir}:`, table(files), ...otherLines(files), ...gapLines(files)].filter((line) => line !== '').join('\n'), exitCode, files };
}

function gapsFlag(value: boolean | string | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return DEFAULT_GAPS;
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count < 1) throw new UsageError(`--gaps: received ${JSON.stringify(value)}, expected how many gaps to show per file, a whole number ≥ 1`);
  return count;
}

/** Reads a file in full: its summary, and the `keep` longest gaps. */
function listFile(name: string, path: string, keep: number): ListedFile {
  try {
    const source = openBarFile(path);
    let longest: DataGap[] = [];
    let previous: number | undefined;
    for (const bar of source) {
      if (keep > 0 && previous !== undefined && bar.openTime - previous > source.interval) {
        longest.push({ from: previous + source.interval, to: bar.openTime, missing: (bar.openTime - previous) / source.interval - 1 });
        // Trimmed now and then, so memory stays bounded on files with many gaps.
        if (longest.length > 4 * keep) longest = longestFirst(longest).slice(0, keep);
      }
      previous = bar.openTime;
    }
    // The pass above ran to the end, so the summary needs no second pass.
    const summary = source.summary();
    return { file: name, status: 'complete', summary, ...(keep > 0 ? { longestGaps: longestFirst(longest).slice(0, keep) } : {}) };
  } catch (error) {
    if (!isKbotError(error)) throw error;
    return { file: name, status: 'unreadable', error: error.message };
  }
}

function longestFirst(gaps: readonly DataGap[]): DataGap[] {
  return [...gaps].sort((a, b) => b.missing - a.missing || a.from - b.from);
}

function downloadInProgress(name: string, path: string): ListedFile {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { bars?: unknown; lastTradeTime?: unknown; kind?: unknown };
    if (state.kind !== 'kbot-data-download' || typeof state.bars !== 'number') throw new Error('not a kbot download state');
    return { file: `${name.slice(0, -STATE_SUFFIX.length)}${PART_SUFFIX}`, status: 'downloading', download: { bars: state.bars, through: typeof state.lastTradeTime === 'number' ? state.lastTradeTime : null } };
  } catch (error) {
    return { file: name, status: 'unreadable', error: `${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function table(files: readonly ListedFile[]): string {
  const rows = new Table({ head: ['file', 'pair', 'interval', 'first', 'last', 'rows', 'gaps', 'longest gap'], style: { head: [], border: [] } });
  for (const file of files) {
    const summary = file.summary;
    if (file.status !== 'complete' || summary === undefined) continue;
    rows.push([file.file, summary.instrumentId, formatInterval(summary.interval), minute(summary.first), minute(summary.last), String(summary.bars), String(summary.gaps), summary.largestGapMs === 0 ? '-' : formatInterval(summary.largestGapMs)]);
  }
  return rows.length === 0 ? '' : rows.toString();
}

/** Downloads in progress and unreadable files, one line each. */
function otherLines(files: readonly ListedFile[]): string[] {
  return files.flatMap((file) => {
    if (file.status === 'downloading') return [`${file.file}: downloading, ${file.download!.bars} bars so far, trades read through ${minute(file.download!.through)} (run the same kbot data download to continue)`];
    if (file.status === 'unreadable') return [`${file.file}: unreadable: ${file.error}`];
    return [];
  });
}

function minute(time: number | undefined | null): string {
  return time === undefined || time === null ? '-' : isoTime(time).slice(0, 16);
}

function gapLines(files: readonly ListedFile[]): string[] {
  const lines: string[] = [];
  for (const file of files) {
    if (file.longestGaps === undefined) continue;
    if (file.longestGaps.length === 0) {
      lines.push(`${file.file}: no gaps`);
      continue;
    }
    lines.push(`${file.file}: longest gaps (intervals without a bar)`);
    for (const gap of file.longestGaps) {
      lines.push(`  ${isoTime(gap.from).slice(0, 16)} .. ${isoTime(gap.to).slice(0, 16)}  ${gap.missing} missing`);
    }
  }
  return lines;
}
