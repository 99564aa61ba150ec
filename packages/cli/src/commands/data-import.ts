import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DataError, detectDataFormat, formatConfigIssue, formatInterval, inferFromFileName, isKbotError, isoTime, openBarFile, openTradeFile,
  type BarFileOptions, type ConfigError, type BarFileSource, type DataFormat, type DataSourceSummary,
} from '@kbot/core';
import { UsageError } from '../exit-codes.js';
import { DATA_FILE_INTERVALS, DATA_FILE_MINUTES, dataFileName, intervalFlag, ohlcvtRow, pairFlag, resolveDataDir, wholeIntervals } from './data-files.js';

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
  /** Copied byte for byte, less any header line (Kraken OHLCVT), or converted to Kraken OHLCVT. */
  readonly converted: boolean;
  /**
   * Open times (epoch ms) of the bars left out because the file does not cover their whole
   * interval: the first and last bars built from trades, the candle of Kraken's OHLC answer that
   * was still forming.
   */
  readonly partialBarsLeftOut: readonly number[];
  /** What was written. */
  readonly summary: DataSourceSummary;
}

/** The flags as `openBarFile` names them in its errors. */
const OPTION_NAMES: BarFileOptions['optionNames'] = { instrumentId: '--pair', interval: '--interval' };

/**
 * `kbot data import <file...>`: checks every row of every file (a bad row is `file:line: problem`,
 * exit 3) before writing anything, then puts each into the data folder as `<PAIR>_<minutes>.csv`:
 * Kraken OHLCVT files byte for byte without a header line, Kraken REST OHLC CSV and trade CSV
 * (aggregated into bars of `--interval`) converted to Kraken OHLCVT, keeping only the whole
 * intervals the file covers, as downloads do. Each file is written to a temporary name and renamed.
 */
export async function dataImportCommand(files: readonly string[], flags: DataImportFlags, context: { readonly cwd: string }): Promise<{ output: string; imported: ImportedFile[] }> {
  const instrumentId = flags.pair === undefined ? undefined : pairFlag('--pair', flags.pair);
  const interval = flags.interval === undefined ? undefined : intervalFlag('--interval', flags.interval);
  if (files.length === 0) throw new UsageError('<file...>: received nothing, expected one or more Kraken OHLCVT or trade CSV files');
  const dir = await resolveDataDir('--out', flags.out, context.cwd, flags.config);

  // First every file is read in full: nothing is written unless all are good.
  const plans: { source: BarFileSource; target: string; summary: DataSourceSummary; partialBarsLeftOut: readonly number[]; note: string }[] = [];
  for (const name of files) {
    const path = resolve(context.cwd, name);
    if (!existsSync(path)) throw new DataError(path, undefined, 'file not found');
    const format = detectDataFormat(path);
    if (!IMPORTABLE.includes(format)) {
      throw new DataError(path, undefined, `${format} data is not Kraken's: import takes Kraken OHLCVT CSV, Kraken REST OHLC CSV and Kraken trade CSV (other files can be replayed with kbot backtest --data)`);
    }
    if (format === 'kraken-trades' && interval === undefined && inferFromFileName(path, format).interval === undefined) {
      throw new UsageError(`--interval: received nothing, expected the interval to aggregate the trades of ${path} into: one of ${DATA_FILE_INTERVALS}`);
    }
    const options: BarFileOptions = {
      format,
      ...(instrumentId === undefined ? {} : { instrumentId }),
      // The flag's text (checked above), so that errors quote what was typed.
      ...(flags.interval === undefined ? {} : { interval: flags.interval }),
      optionNames: OPTION_NAMES,
    };
    let source = openWithFlags(path, options);
    if (!DATA_FILE_MINUTES.includes(source.interval / 60_000)) {
      throw new DataError(path, undefined, `${formatInterval(source.interval)} bars cannot be named as a Kraken OHLCVT file: expected one of ${DATA_FILE_INTERVALS} (pass --interval)`);
    }
    const covered = coverage(source);
    if (covered !== undefined) {
      if (covered.from >= covered.end) {
        throw new DataError(path, undefined, `no whole ${formatInterval(source.interval)} interval: ${covered.span}; expected at least one whole interval`);
      }
      source = openWithFlags(path, { ...options, from: covered.from, to: covered.end });
    }
    const summary = source.summary();
    const target = join(dir, dataFileName(source.instrumentId, source.interval));
    if (target === path) throw new UsageError(`${path} is already in the data folder`);
    const clash = plans.find((plan) => plan.target === target);
    if (clash !== undefined) throw new UsageError(`${clash.source.file} and ${path} would both become ${target}: import them one at a time (--force replaces)`);
    if (existsSync(target) && flags.force !== true) throw new UsageError(`${target} exists: pass --force to replace it`);
    plans.push({ source, target, summary, partialBarsLeftOut: covered?.leftOut ?? [], note: covered?.note ?? '' });
  }

  mkdirSync(dir, { recursive: true });
  const imported: ImportedFile[] = plans.map(({ source, target, summary, partialBarsLeftOut }) => {
    const converted = source.format !== 'kraken-ohlcvt';
    const temporary = `${target}.tmp-${process.pid}`;
    try {
      if (converted) writeBars(source, temporary);
      else copyRows(source.file, temporary);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
    return { source: source.file, file: target, format: source.format, converted, partialBarsLeftOut, summary };
  });
  if (flags.json) {
    return { output: JSON.stringify(imported.map((entry) => ({ ...entry, summary: { ...entry.summary, interval: formatInterval(entry.summary.interval) } }))), imported };
  }
  const lines = imported.map(({ source, file, converted, summary }, index) => {
    const range = summary.first === undefined ? '' : `, ${isoTime(summary.first).slice(0, 16)} .. ${isoTime(summary.last!).slice(0, 16)}`;
    const gaps = summary.gaps === 0 ? 'no empty intervals' : `${summary.gaps} empty interval${summary.gaps === 1 ? '' : 's'}`;
    return `imported ${source} -> ${file} (${summary.instrumentId} ${formatInterval(summary.interval)}, ${summary.bars} bars${range}, ${gaps}${converted ? ', converted to Kraken OHLCVT' : ''}${plans[index]!.note})`;
  });
  return { output: lines.join('\n'), imported };
}

/**
 * `openBarFile` with the flags' names in its errors; a flag it refuses (one that contradicts the
 * file name) is a one-line usage error like this command's other flag errors.
 */
function openWithFlags(path: string, options: BarFileOptions): BarFileSource {
  try {
    return openBarFile(path, options);
  } catch (error) {
    if (isKbotError(error) && error.code === 'config-invalid') throw new UsageError((error as ConfigError).issues.map(formatConfigIssue).join('; '));
    throw error;
  }
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

/** The whole intervals a converted file covers, the bars that falls short of, and how to say so. */
interface Coverage {
  /** Epoch ms: bars with `from <= openTime < end` are kept. */
  readonly from: number;
  readonly end: number;
  readonly leftOut: readonly number[];
  /** What the file covers, for an error when no whole interval is left. */
  readonly span: string;
  /** Appended to the import line. */
  readonly note: string;
}

/**
 * The part of a converted file that goes into the data folder: its whole intervals, the rule
 * downloads follow (`wholeIntervals`). Trades cover the time from the first trade to the last, so
 * the bars holding those are partial unless the first trade opens its interval. Kraken's OHLC
 * answer always ends with the candle still forming, so a REST OHLC file covers up to the open of
 * its last candle. Undefined for Kraken OHLCVT files: Kraken writes only finished candles to them.
 */
function coverage(source: BarFileSource): Coverage | undefined {
  const interval = source.interval;
  const minute = (time: number) => isoTime(time).slice(0, 16);
  if (source.format === 'kraken-trades') {
    let first: number | undefined;
    let last = 0;
    for (const trade of openTradeFile(source.file, { instrumentId: source.instrumentId })) {
      first ??= trade.time;
      last = trade.time;
    }
    if (first === undefined) return undefined;
    const { from, end } = wholeIntervals(first, last, interval);
    const leftOut = [...new Set([Math.floor(first / interval) * interval, Math.floor(last / interval) * interval])].filter((time) => time < from || time >= end);
    const span = `the trades run from ${isoTime(first)} to ${isoTime(last)}`;
    const bars = leftOut.length === 1 ? `the partial bar at ${minute(leftOut[0]!)}` : `the partial bars at ${leftOut.map(minute).join(' and ')}`;
    return { from, end, leftOut, span, note: `; left out ${bars} (trades from ${isoTime(first)} to ${isoTime(last)})` };
  }
  if (source.format === 'kraken-rest-ohlc') {
    const { first, last } = source.summary();
    if (first === undefined || last === undefined) return undefined;
    const { from, end } = wholeIntervals(first, last, interval);
    return {
      from, end, leftOut: [last],
      span: `its only candle, ${minute(last)}, was still forming when Kraken sent it`,
      note: `; left out the last candle, ${minute(last)} (still forming when Kraken sent it)`,
    };
  }
  return undefined;
}

/**
 * Copies a Kraken OHLCVT file byte for byte, less a header line (`time,open,...`) and blank lines
 * before the first row: rows in the data folder have no header. The rows were checked already.
 */
function copyRows(file: string, target: string): void {
  const input = openSync(file, 'r');
  try {
    const output = openSync(target, 'w');
    try {
      const buffer = Buffer.allocUnsafe(1 << 16);
      let position = 0;
      // Before the first row: whitespace is skipped, and so is a line that starts otherwise than with a digit.
      let beforeRows = true;
      let inHeader = false;
      for (let length = readSync(input, buffer, 0, buffer.length, position); length > 0; length = readSync(input, buffer, 0, buffer.length, position)) {
        position += length;
        let start = 0;
        while (beforeRows && start < length) {
          const byte = buffer[start]!;
          if (inHeader) inHeader = byte !== 10;
          else if (byte >= 48 && byte <= 57) beforeRows = false;
          else if (byte > 32) inHeader = true;
          if (beforeRows) start++;
        }
        let written = start;
        while (written < length) written += writeSync(output, buffer, written, length - written);
      }
      fsyncSync(output);
    } finally {
      closeSync(output);
    }
  } finally {
    closeSync(input);
  }
}
