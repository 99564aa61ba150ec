import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DataError, detectDataFormat, formatInterval, isoTime, openBarFile,
  type BarFileSource, type DataFormat, type DataSourceSummary,
} from '@kbot/core';
import { UsageError } from '../exit-codes.js';
import { DATA_FILE_MINUTES, dataFileName, intervalFlag, ohlcvtRow, pairFlag, resolveDataDir } from './data-files.js';

/** Kraken's layouts: the data folder holds Kraken data only, named the way Kraken names its files. */
const IMPORTABLE: readonly DataFormat[] = ['kraken-ohlcvt', 'kraken-rest-ohlc', 'kraken-trades'];

export interface DataImportFlags {
  readonly config?: string;
  readonly pair?: string;
  readonly interval?: string;
  readonly out?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

export interface ImportedFile {
  /** The file imported. */
  readonly source: string;
  /** Where it went. */
  readonly file: string;
  readonly format: DataFormat;
  /** Copied byte for byte (Kraken OHLCVT) or converted to Kraken OHLCVT. */
  readonly converted: boolean;
  readonly summary: DataSourceSummary;
}

/**
 * `kbot data import <file...>`: checks every row of every file (a bad row is `file:line: problem`,
 * exit 3) before writing anything, then puts each into the data folder as `<PAIR>_<minutes>.csv`:
 * Kraken OHLCVT files byte for byte, Kraken REST OHLC CSV and trade CSV (aggregated into bars of
 * `--interval`) converted to Kraken OHLCVT. Each file is written to a temporary name and renamed.
 */
export async function dataImportCommand(files: readonly string[], flags: DataImportFlags, context: { readonly cwd: string }): Promise<{ output: string; imported: ImportedFile[] }> {
  const instrumentId = flags.pair === undefined ? undefined : pairFlag('--pair', flags.pair);
  const interval = flags.interval === undefined ? undefined : intervalFlag('--interval', flags.interval);
  if (files.length === 0) throw new UsageError('<file...>: received nothing, expected one or more Kraken OHLCVT or trade CSV files');
  const dir = await resolveDataDir('--out', flags.out, context.cwd, flags.config);

  // First every file is read in full: nothing is written unless all are good.
  const plans: { source: BarFileSource; target: string; summary: DataSourceSummary }[] = [];
  for (const name of files) {
    const path = resolve(context.cwd, name);
    if (!existsSync(path)) throw new DataError(path, undefined, 'file not found');
    const format = detectDataFormat(path);
    if (!IMPORTABLE.includes(format)) {
      throw new DataError(path, undefined, `${format} data is not Kraken's: import takes Kraken OHLCVT CSV, Kraken REST OHLC CSV and Kraken trade CSV (other files can be replayed with kbot backtest --data)`);
    }
    const source = openBarFile(path, {
      format,
      ...(instrumentId === undefined ? {} : { instrumentId }),
      ...(interval === undefined ? {} : { interval }),
    });
    if (!DATA_FILE_MINUTES.includes(source.interval / 60_000)) {
      throw new DataError(path, undefined, `${formatInterval(source.interval)} bars cannot be named as a Kraken OHLCVT file: expected one of ${DATA_FILE_MINUTES.map((minutes) => formatInterval(minutes * 60_000)).join(', ')} (pass --interval)`);
    }
    const summary = source.summary();
    const target = join(dir, dataFileName(source.instrumentId, source.interval));
    if (target === path) throw new UsageError(`${path} is already in the data folder`);
    const clash = plans.find((plan) => plan.target === target);
    if (clash !== undefined) throw new UsageError(`${clash.source.file} and ${path} would both become ${target}: import them one at a time (--force replaces)`);
    if (existsSync(target) && flags.force !== true) throw new UsageError(`${target} exists: pass --force to replace it`);
    plans.push({ source, target, summary });
  }

  mkdirSync(dir, { recursive: true });
  const imported: ImportedFile[] = plans.map(({ source, target, summary }) => {
    const converted = source.format !== 'kraken-ohlcvt';
    const temporary = `${target}.tmp-${process.pid}`;
    try {
      if (converted) writeBars(source, temporary);
      else copyFileSync(source.file, temporary);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
    return { source: source.file, file: target, format: source.format, converted, summary };
  });
  if (flags.json) {
    return { output: JSON.stringify(imported.map((entry) => ({ ...entry, summary: { ...entry.summary, interval: formatInterval(entry.summary.interval) } }))), imported };
  }
  const lines = imported.map(({ source, file, converted, summary }) => {
    const range = summary.first === undefined ? '' : `, ${isoTime(summary.first).slice(0, 16)} .. ${isoTime(summary.last!).slice(0, 16)}`;
    const gaps = summary.gaps === 0 ? 'no empty intervals' : `${summary.gaps} empty interval${summary.gaps === 1 ? '' : 's'}`;
    return `imported ${source} -> ${file} (${summary.instrumentId} ${formatInterval(summary.interval)}, ${summary.bars} bars${range}, ${gaps}${converted ? ', converted to Kraken OHLCVT' : ''})`;
  });
  return { output: lines.join('\n'), imported };
}

/** Writes the bars of a source as Kraken OHLCVT rows, in chunks. */
function writeBars(source: BarFileSource, file: string): void {
  const descriptor = openSync(file, 'w');
  try {
    let chunk = '';
    for (const bar of source) {
      chunk += ohlcvtRow(bar);
      if (chunk.length > 1 << 16) {
        writeSync(descriptor, chunk);
        chunk = '';
      }
    }
    if (chunk !== '') writeSync(descriptor, chunk);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
