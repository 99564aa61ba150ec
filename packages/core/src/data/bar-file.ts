import { basename } from 'node:path';
import type { DataSourceSummary } from '../backtest/result.js';
import { ConfigError, DataError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { EpochMs } from '../model/time.js';
import { formatInterval } from '../model/time.js';
import type { BarSource } from './bar-source.js';
import { DATA_FORMATS, detectDataFormat, isDataFormat, type DataFormat } from './data-format.js';
import type { BarReadSettings, FileBarIterator } from './file-bar-iterator.js';
import { inferFromFileName, instrumentOfFile, intervalOfFile } from './file-name-inference.js';
import { FreqtradeJsonIterator } from './freqtrade-json-reader.js';
import { HeaderedCsvIterator } from './headered-csv-reader.js';
import { KrakenOhlcvtIterator } from './kraken-ohlcvt-reader.js';
import { chunkSizeOption, intervalOption, rangeOption } from './source-options.js';
import { DEFAULT_CHUNK_SIZE } from './byte-chunk-reader.js';
import { TradeBarIterator } from './trade-bar-reader.js';

export interface BarFileOptions {
  /** Forces the layout instead of detecting it from the extension and first line. */
  readonly format?: DataFormat;
  /** BASE/QUOTE (`BTC/USD`); inferred from the file name when absent. */
  readonly instrumentId?: string;
  /**
   * Bar length as milliseconds or text (`15m`). Inferred from the file name, else (for candle
   * files) from the most common step between the first bars. Required for trade files: it is the
   * size of the bars the trades are aggregated into.
   */
  readonly interval?: number | string;
  /** Only bars with `openTime >= from` (epoch ms). */
  readonly from?: EpochMs;
  /** Only bars with `openTime < to` (epoch ms). */
  readonly to?: EpochMs;
  /** Bytes per read; default 1 MiB. */
  readonly chunkSize?: number;
  /**
   * How errors name the `instrumentId` and `interval` options: the CLI flag or config path they
   * came from (`--pair`, `backtest.data[0].instrument`). Default `instrumentId` and `interval`.
   */
  readonly optionNames?: { readonly instrumentId?: string; readonly interval?: string };
}

/** Bars sampled to infer an interval from the data: enough to outvote gaps. */
const INTERVAL_SAMPLE = 1000;
/**
 * Steps between bars needed before a given interval is judged against the rows: fewer cannot tell
 * longer bars from a quiet market that traded in no two neighbouring intervals.
 */
const SPACING_MIN_STEPS = 20;

/**
 * A market data file opened for replay. Each iteration streams the file from disk with bounded
 * memory, checking every row (column count, numbers, OHLC consistency, strictly increasing and
 * aligned times) and throwing a DataError that names the file, line and problem.
 */
export class BarFileSource implements BarSource {
  readonly file: string;
  readonly format: DataFormat;
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  /** Inclusive, epoch ms (-Infinity when unbounded). */
  readonly from: number;
  /** Exclusive, epoch ms (Infinity when unbounded). */
  readonly to: number;
  private readonly chunkSize: number;
  private lastSummary: DataSourceSummary | undefined;

  constructor(settings: BarReadSettings) {
    this.file = settings.file;
    this.format = settings.format;
    this.instrumentId = settings.instrumentId;
    this.interval = settings.interval;
    this.from = settings.from;
    this.to = settings.to;
    this.chunkSize = settings.chunkSize;
  }

  [Symbol.iterator](): FileBarIterator {
    return this.iterateWithWarmUp(0);
  }

  /** A pass that also keeps the last `count` rows before `from`, built and checked, for warm-up. */
  iterateWithWarmUp(count: number): FileBarIterator {
    return createBarIterator({ ...this.settings(), warmUpBars: count }, (summary) => {
      this.lastSummary = summary;
    });
  }

  summary(): DataSourceSummary {
    if (this.lastSummary === undefined) {
      const iterator = this[Symbol.iterator]();
      while (!iterator.next().done) {
        // one full pass; the iterator records the summary when it completes
      }
    }
    return this.lastSummary!;
  }

  private settings(): BarReadSettings {
    return {
      file: this.file,
      format: this.format,
      instrumentId: this.instrumentId,
      interval: this.interval,
      from: this.from,
      to: this.to,
      chunkSize: this.chunkSize,
    };
  }
}

/**
 * Opens a market data file as a BarSource: detects the format (unless forced), infers the
 * instrument and interval from the file name or the data (unless given), and reads the first rows
 * so that an empty or malformed file fails here rather than mid-backtest. A given instrument or
 * interval that contradicts the file name, or an interval shorter than every step between the
 * first rows, is a ConfigError naming the option.
 *
 * ```ts
 * const source = openBarFile('XBTUSD_15.csv', { from: Date.UTC(2023, 1, 1) });
 * for (const bar of source) engine.onBar(bar);
 * source.summary(); // { bars, first, last, gaps, largestGapMs, ... }
 * ```
 */
export function openBarFile(file: string, options: BarFileOptions = {}): BarFileSource {
  if (options.format !== undefined && !isDataFormat(options.format)) {
    throw new ConfigError([{ path: 'format', received: JSON.stringify(options.format), expected: `one of ${DATA_FORMATS.join(', ')}` }]);
  }
  const { from, to } = rangeOption(options.from, options.to);
  const chunkSize = chunkSizeOption(options.chunkSize, DEFAULT_CHUNK_SIZE);
  const format = options.format ?? detectDataFormat(file);
  const hints = inferFromFileName(file, format);
  const instrumentName = options.optionNames?.instrumentId ?? 'instrumentId';
  const intervalName = options.optionNames?.interval ?? 'interval';
  const instrumentId = instrumentOfFile(file, hints, options.instrumentId, instrumentName);
  if (instrumentId === undefined) {
    throw new DataError(file, undefined, `cannot tell the instrument from the file name "${basename(file)}": pass it explicitly (instrumentId: "BTC/USD", or --instrument BTC/USD)`);
  }
  const base = { file, format, instrumentId, from: -Infinity, to: Infinity, chunkSize };
  // Trades are aggregated into whatever interval is asked for: only candle files have one to contradict.
  let interval = format === 'kraken-trades'
    ? (options.interval !== undefined ? intervalOption(intervalName, options.interval) : hints.interval)
    : intervalOfFile(file, hints, options.interval, intervalName);
  if (interval === undefined) {
    if (format === 'kraken-trades') {
      throw new DataError(file, undefined, 'trades are aggregated into bars of a requested interval: pass it explicitly (interval: "1m", or --interval 1m)');
    }
    interval = inferIntervalFromData({ ...base, interval: 0 });
  }
  if (options.interval !== undefined && format !== 'kraken-trades') checkSpacing({ ...base, interval }, options.interval, intervalName);
  const settings: BarReadSettings = { ...base, interval, from, to };
  // Read the first bar of the whole file now: an empty file, a wrong interval or a broken first
  // row is then reported when the file is opened.
  const probe = createBarIterator({ ...settings, from: -Infinity, to: Infinity });
  try {
    if (probe.next().done) {
      throw new DataError(file, undefined, `no data rows: the file is empty or holds only a header (format ${format})`);
    }
  } finally {
    probe.return();
  }
  return new BarFileSource(settings);
}

/** The iterator for one pass over a file; `onComplete` receives the summary when the pass ends. */
export function createBarIterator(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void): FileBarIterator {
  switch (settings.format) {
    case 'kraken-ohlcvt':
      return new KrakenOhlcvtIterator(settings, onComplete);
    case 'kraken-rest-ohlc':
    case 'binance-csv':
      return new HeaderedCsvIterator(settings, onComplete);
    case 'freqtrade-json':
      return new FreqtradeJsonIterator(settings, onComplete);
    case 'kraken-trades':
      return new TradeBarIterator(settings, onComplete);
  }
}

/** The first bars (up to INTERVAL_SAMPLE) and how often each step between them occurs, read without interval checks. */
function sampleSteps(settings: BarReadSettings): { bars: number; counts: Map<number, number> } {
  const counts = new Map<number, number>();
  const iterator = createBarIterator({ ...settings, interval: 0, from: -Infinity, to: Infinity });
  let previous: number | undefined;
  let bars = 0;
  try {
    for (let result = iterator.next(); !result.done && bars < INTERVAL_SAMPLE; result = iterator.next()) {
      const time = result.value.openTime;
      if (previous !== undefined) counts.set(time - previous, (counts.get(time - previous) ?? 0) + 1);
      previous = time;
      bars++;
    }
  } finally {
    iterator.return();
  }
  return { bars, counts };
}

/**
 * A given interval must fit the rows: when no two of the first bars are as close as the interval,
 * the file holds longer bars (hourly rows read as 15m bars would replay with three missing
 * intervals after each). Rows closer than the interval already fail the alignment check.
 */
function checkSpacing(settings: BarReadSettings, option: number | string, optionName: string): void {
  const { bars, counts } = sampleSteps(settings);
  if (bars - 1 < SPACING_MIN_STEPS) return;
  let smallest = Infinity;
  for (const step of counts.keys()) if (step < smallest) smallest = step;
  if (smallest > settings.interval) {
    throw new ConfigError([{
      path: optionName,
      received: JSON.stringify(option),
      expected: `the spacing of the rows of ${settings.file}: no two of its first ${bars} bars are less than ${formatInterval(smallest)} apart`,
    }]);
  }
}

/** The most common step between the first bars (ties go to the shorter step). */
function inferIntervalFromData(settings: BarReadSettings): number {
  const { bars, counts } = sampleSteps(settings);
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  if (bars === 0) {
    throw new DataError(settings.file, undefined, `no data rows: the file is empty or holds only a header (format ${settings.format})`);
  }
  if (bestCount === 0) {
    throw new DataError(settings.file, undefined, `cannot infer the bar interval from ${bars} bar${bars === 1 ? '' : 's'}: pass it explicitly (interval: "15m", or --interval 15m)`);
  }
  if (!Number.isSafeInteger(best) || best <= 0) {
    throw new DataError(settings.file, undefined, `inferred an unusable bar interval (${formatInterval(best)}): pass it explicitly (interval: "15m")`);
  }
  return best;
}
