import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatInterval, krakenPairToInstrumentId, parseTime, type Bar, type InstrumentId } from '@kbot/core';
import { toKrakenPair } from '@kbot/exchange-kraken';
import { loadKbotConfig } from '../load-config.js';
import { UsageError } from '../exit-codes.js';

/*
 * What `kbot data download|import|list` share: where the data folder is, how files in it are
 * named and written, and the checks of their common flags (each error names its flag).
 */

/** The data folder inside `storage.dir` (DESIGN.md §8: downloaded or imported market data). */
export const DATA_FOLDER = 'candles';

/** Suffix of a download in progress (bars so far) and of its resume state. */
export const PART_SUFFIX = '.part';
export const STATE_SUFFIX = '.download.json';

/** Intervals a data file may have, in Kraken's OHLCVT file minutes (`XBTUSD_15.csv`). */
export const DATA_FILE_MINUTES: readonly number[] = [1, 5, 15, 30, 60, 240, 720, 1440];
/** The same as text: `1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d`. */
export const DATA_FILE_INTERVALS = DATA_FILE_MINUTES.map((minutes) => formatInterval(minutes * 60_000)).join(', ');

/**
 * The data folder: the value of `flag` (relative to `cwd`) when given, else `<storage.dir>/candles` of
 * the config found from `cwd` (or named by `--config`).
 */
export async function resolveDataDir(flag: string, flagValue: string | undefined, cwd: string, configFile: string | undefined): Promise<string> {
  if (flagValue !== undefined) {
    if (flagValue.trim() === '') throw new UsageError(`${flag}: received "", expected a folder`);
    return resolve(cwd, flagValue);
  }
  const { config, file } = await loadKbotConfig({ cwd, ...(configFile ? { file: configFile } : {}) });
  return resolve(file, '..', config.storage.dir, DATA_FOLDER);
}

/** `--pair`: `BTC/USD`, or a Kraken name such as `XBTUSD` or `XXBTZUSD`. */
export function pairFlag(flag: string, value: string): InstrumentId {
  const id = krakenPairToInstrumentId(value);
  if (id === undefined) throw new UsageError(`${flag}: received ${JSON.stringify(value)}, expected a pair such as BTC/USD or XBTUSD`);
  return id;
}

/** `--interval`: one of the Kraken file intervals; milliseconds. */
export function intervalFlag(flag: string, value: string | undefined): number {
  const expected = `one of ${DATA_FILE_INTERVALS}`;
  if (value === undefined) throw new UsageError(`${flag}: received nothing, expected ${expected}`);
  const match = /^(\d+)([mhd])$/.exec(value.trim());
  const minutes = match ? Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'] : Number.NaN;
  if (!DATA_FILE_MINUTES.includes(minutes)) throw new UsageError(`${flag}: received ${JSON.stringify(value)}, expected ${expected}`);
  return minutes * 60_000;
}

/** `--from` / `--to`: a date (UTC when no zone is given) or epoch seconds/milliseconds. */
export function dateFlag(flag: string, value: string): number {
  try {
    return parseTime(value, flag);
  } catch {
    throw new UsageError(`${flag}: received ${JSON.stringify(value)}, expected a date such as 2024-01-31 or 2024-01-31T12:00:00Z`);
  }
}

/**
 * The whole intervals of data that covers `[from, to)`: from the first interval that starts at or
 * after `from` to the last that ends at or before `to` (`end`, exclusive; epoch ms). Downloads
 * and imports keep only these, so a bar in the data folder never stands for part of its interval.
 */
export function wholeIntervals(from: number, to: number, interval: number): { from: number; end: number } {
  return { from: firstWholeInterval(from, interval), end: endOfWholeIntervals(to, interval) };
}

/** The start of the first interval that starts at or after `from`. */
export function firstWholeInterval(from: number, interval: number): number {
  return Math.ceil(from / interval) * interval;
}

/** The end of the last interval that ends at or before `to`. */
export function endOfWholeIntervals(to: number, interval: number): number {
  return Math.floor(to / interval) * interval;
}

/** `XBTUSD_15.csv`: Kraken's own OHLCVT file name, which `openBarFile` reads back. */
export function dataFileName(instrumentId: InstrumentId, interval: number): string {
  return `${toKrakenPair(instrumentId)}_${interval / 60_000}.csv`;
}

/** A number as CSV text: the shortest text that reads back as the same number. */
function numberText(value: number): string {
  return String(value);
}

/** Volumes are sums of floats: rounded to 8 decimals (Kraken's volume precision) to drop float noise. */
export function volumeText(volume: number): string {
  return String(Number(volume.toFixed(8)));
}

/** One bar as a Kraken OHLCVT row: `time(s),open,high,low,close,volume,trades`, newline ended. */
export function ohlcvtRow(bar: Bar): string {
  return `${bar.openTime / 1000},${numberText(bar.open)},${numberText(bar.high)},${numberText(bar.low)},${numberText(bar.close)},${volumeText(bar.volume)},${bar.trades ?? 0}\n`;
}

/**
 * Appends text to a file and flushes it to disk, so that once this returns the bytes survive a
 * crash; returns the number of bytes written.
 */
export function appendDurably(file: string, text: string): number {
  const descriptor = openSync(file, 'a');
  try {
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(descriptor, bytes, written);
    fsyncSync(descriptor);
    return bytes.length;
  } finally {
    closeSync(descriptor);
  }
}

/** Writes a whole file atomically: a temporary file beside it, flushed, then renamed over it. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  const descriptor = openSync(temporary, 'w');
  try {
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(descriptor, bytes, written);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
}
