import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { DataEntry } from '../config/schema.js';
import { ConfigError, DataError, InvariantError, formatConfigIssue, isKbotError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { HOUR_MS, formatInterval, parseTime, type EpochMs } from '../model/time.js';
import { openBarFile } from '../data/bar-file.js';
import type { BarSource } from '../data/bar-source.js';
import { detectDataFormat } from '../data/data-format.js';
import { generateBars } from '../data/generate-bars.js';
import { generateTicks } from '../data/generate-ticks.js';
import { isSpreadHeader, openSpreadFile } from '../data/kraken-spread-file.js';
import { readLines } from '../data/line-reader.js';
import { mergeBarStreams } from '../data/merge-bar-streams.js';
import { mergeReplayStreams } from '../data/merge-replay-streams.js';
import { barItems, quoteItems, tradeItems, type ReplayItem, type ReplayOffer } from '../data/replay-item.js';
import { ResampledBarSource } from '../data/resample.js';
import { intervalOption } from '../data/source-options.js';
import { TrackedTickSource, type TickSource } from '../data/tick-source.js';
import { openTradeFile } from '../data/trade-file.js';
import { BarRing, RangeWithWarmUpIterator, WarmUpStream } from '../data/warm-up-bars.js';
import type { BacktestData } from './run-backtest.js';
import type { DataSourceSummary } from './result.js';

export interface OpenBacktestDataOptions {
  /** Relative file names resolve against this folder (the config file's). */
  readonly baseDir: string;
  readonly from?: EpochMs;
  readonly to?: EpochMs;
  /**
   * `--resample`: every source is replayed aggregated to this interval, overriding the entries'
   * own `resample`.
   */
  readonly resample?: string;
  /**
   * With `from`: how many bars before `from` the strategies want of a bar series (the most any
   * strategy subscribed to it asks for, `Subscription.warmUpBars`; `warmUpBarsWanted(bot)` gives
   * it). Each bar source then keeps that many of the bars it skips before `from` (a ring: memory
   * stays bounded), and `warmUp()` hands them to the run, which warms the strategies up on them
   * as a paper or live session does on the venue's history. Resampled sources give resampled
   * bars. Trade and quote sources give none. Without `from` there is nothing to do: the first
   * bars of the data are the warm-up.
   */
  readonly warmUpBars?: (instrumentId: string, interval: number) => number;
}

/** Reads `from`/`to` given as text or epoch numbers; names the field when the date is impossible. */
export function parseTimeOption(value: string | number | undefined, field: string): EpochMs | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  try {
    return parseTime(value, field);
  } catch (error) {
    throw new ConfigError([{ path: field, received: JSON.stringify(value), expected: 'a real date such as 2023-01-31 or 2023-01-31T12:00:00Z' }], undefined);
  }
}

/** What `openBacktestData` returns: the merged data plus the opened sources, bars and ticks apart. */
export interface OpenedBacktestData extends BacktestData {
  /** The bar sources (files, generated bar markets), in config order. */
  readonly sources: readonly BarSource[];
  /** The trade, quote and generated tick sources, in config order. */
  readonly tickSources: readonly TickSource[];
}

/**
 * Opens every data entry of a backtest (files and generated markets) and merges them into one
 * time-ordered stream. Files are checked to exist now, so a typo fails before the run starts.
 *
 * Bar entries alone give `bars` (merged by close time), as they always did. When any entry
 * replays trades or quotes (`replay: 'trades'`, a spreads file, `generatedTicks`), `items` holds
 * everything, bars included, merged by `mergeReplayStreams`: by time, then bars, trades, quotes,
 * then config order. `--resample` applies to bar entries only.
 */
export function openBacktestData(entries: readonly DataEntry[], options: OpenBacktestDataOptions): OpenedBacktestData {
  if (entries.length === 0) {
    throw new ConfigError([{ path: 'backtest.data', received: 'nothing', expected: 'at least one data file (--data <file>) or a generated market' }]);
  }
  if (options.from !== undefined && options.to !== undefined && options.from >= options.to) {
    throw new ConfigError([{ path: 'to', received: new Date(options.to).toISOString(), expected: `a time after from (${new Date(options.from).toISOString()})` }]);
  }
  const opened = entries.map((entry, index) => openDataEntry(entry, index, options));
  const sources = opened.filter((source): source is BarSource => !isTickSource(source));
  const tickSources = opened.filter(isTickSource);
  const barStreams = new Map(sources.map((source) => [source, barStream(source, options)]));
  const streams = [...barStreams.values()];
  const offers: ReplayOffer[] = opened.map((source) => (isTickSource(source) ? source.offers : { instrumentId: source.instrumentId, bars: source.interval }));
  const items: Iterable<ReplayItem> | undefined = tickSources.length === 0
    ? undefined
    : mergeReplayStreams(opened.map((source) => (isTickSource(source) ? source : barItems(barStreams.get(source)!))));
  const warming = streams.filter((stream): stream is WarmUpStream => stream instanceof WarmUpStream);
  return {
    sources,
    tickSources,
    offers,
    bars: streams.length === 1 ? streams[0]! : mergeBarStreams(streams),
    ...(items === undefined ? {} : { items }),
    ...(warming.length === 0 ? {} : { warmUp: (): Bar[] => warming.flatMap((stream) => stream.warmUpBars()) }),
    summaries: (): DataSourceSummary[] => opened.map((source) => {
      const summary = source.summary();
      const stream = isTickSource(source) ? undefined : barStreams.get(source);
      const received = stream instanceof WarmUpStream ? stream.received : undefined;
      return received === undefined ? summary : { ...summary, warmUp: { wanted: (stream as WarmUpStream).wanted, received } };
    }),
  };
}

/**
 * What a backtest replays of a bar source: its bars in [from, to) (a generated market is cut
 * here; files and resampled sources cut themselves), as a WarmUpStream when the strategies
 * want bars before `from`.
 */
function barStream(source: BarSource, options: OpenBacktestDataOptions): Iterable<Bar> {
  const { from, to } = options;
  const generated = source.format === 'generated';
  const wanted = from === undefined || options.warmUpBars === undefined ? 0 : options.warmUpBars(source.instrumentId, source.interval);
  if (!Number.isSafeInteger(wanted) || wanted < 0) {
    throw new InvariantError(`openBacktestData: warmUpBars(${source.instrumentId}, ${formatInterval(source.interval)}) returned ${String(wanted)}, expected a whole number of bars, 0 or more`);
  }
  if (wanted > 0 && source.iterateWithWarmUp !== undefined) return new WarmUpStream(wanted, () => source.iterateWithWarmUp!(wanted));
  if (wanted > 0 && generated) {
    const range = { from: from ?? -Infinity, to: to ?? Infinity };
    return new WarmUpStream(wanted, () => new RangeWithWarmUpIterator(source[Symbol.iterator](), range, new BarRing(wanted)));
  }
  return generated ? withinRange(source, from, to) : source;
}

/**
 * What `openBacktestData` would refuse in each entry, all of them rather than the first: files
 * that are missing, unreadable or empty, names that say no pair or interval, combinations that
 * cannot work, one line each in the house format. Each entry is opened as a backtest opens it
 * (the first rows only); for `kbot config check`. Errors that are not a user's are thrown.
 */
export function backtestDataProblems(entries: readonly DataEntry[], options: OpenBacktestDataOptions): string[] {
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    try {
      openDataEntry(entry, index, options);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.issues.map(formatConfigIssue));
      else if (isKbotError(error)) problems.push(`backtest.data[${index}]: ${error.message}`);
      else throw error;
    }
  });
  return problems;
}

/** Opens one entry of `backtest.data`: a tick source, a bar source, or a bar source resampled. */
function openDataEntry(entry: DataEntry, index: number, options: OpenBacktestDataOptions): BarSource | TickSource {
  const ticks = openTickEntry(entry, index, options);
  if (ticks !== undefined) return ticks;
  const resample = options.resample ?? (typeof entry === 'object' && 'file' in entry ? entry.resample : undefined);
  const resamplePath = options.resample !== undefined ? '--resample' : `backtest.data[${index}].resample`;
  if (resample === undefined) return openEntry(entry, index, options);
  // Read up to the end of the target interval holding `to`, so the last resampled bar before
  // `to` is whole; resampled bars are then cut at `from`/`to` by their own open time.
  const target = intervalOption(resamplePath, resample);
  const readTo = options.to === undefined ? undefined : Math.ceil(options.to / target) * target;
  const source = openEntry(entry, index, { ...options, ...(readTo === undefined ? {} : { to: readTo }) });
  return new ResampledBarSource(source, target, {
    path: resamplePath,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    ...(readTo === undefined ? {} : { coveredUntil: readTo }),
  });
}

function isTickSource(source: BarSource | TickSource): source is TickSource {
  return 'offers' in source;
}

/**
 * Opens an entry that replays ticks: a generated tick market, a trade file with `replay:
 * 'trades'`, or a spreads file (by `format`, `replay: 'quotes'` or its header). Undefined for bar
 * entries. Combinations that cannot work are ConfigErrors naming the entry.
 */
function openTickEntry(entry: DataEntry, index: number, options: OpenBacktestDataOptions): TickSource | undefined {
  const path = `backtest.data[${index}]`;
  if (typeof entry !== 'string' && 'generatedTicks' in entry) {
    const settings = entry.generatedTicks;
    const start = parseTimeOption(settings.start, `${path}.generatedTicks.start`);
    return generateTicks({
      instrumentId: settings.instrument,
      durationMs: Math.round(settings.hours * HOUR_MS),
      seed: settings.seed,
      startPrice: settings.startPrice,
      volatility: settings.volatility,
      spreadBps: settings.spreadBps,
      tradesPerMinute: settings.tradesPerMinute,
      meanTradeNotional: settings.meanTradeNotional,
      bars: settings.bars,
      ...(settings.priceIncrement === undefined ? {} : { priceIncrement: settings.priceIncrement }),
      ...(start === undefined ? {} : { start }),
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
    });
  }
  if (typeof entry !== 'string' && 'generated' in entry) return undefined;
  const spec = typeof entry === 'string' ? { file: entry } : entry;
  const replay = 'replay' in spec ? spec.replay : undefined;
  const issue = (field: string, received: string, expected: string) => new ConfigError([{ path: `${path}.${field}`, received, expected }]);
  if (replay === 'bars' && spec.format === 'kraken-spreads') {
    throw issue('replay', '"bars"', '"quotes" for a kraken-spreads file (top of book has no traded prices or volume to build bars from)');
  }
  if (replay === 'bars' || (replay === undefined && spec.format !== undefined && spec.format !== 'kraken-spreads')) return undefined;
  const file = resolveFile(spec.file, options.baseDir);
  let format: string | undefined = spec.format;
  if (format === undefined) {
    if (isSpreadFile(file)) format = 'kraken-spreads';
    else if (replay === undefined) return undefined;
    else format = detectDataFormat(file);
  }
  const kind = replay ?? 'quotes';
  if (kind === 'trades' && format !== 'kraken-trades') {
    throw issue('replay', '"trades"', `${format === 'kraken-spreads' ? '"quotes"' : '"bars"'} for a ${format} file (only a Kraken trades file, price,volume,time,..., replays as trades)`);
  }
  if (kind === 'quotes' && format !== 'kraken-spreads') {
    throw issue('replay', '"quotes"', `"bars" or "trades" for a ${format} file (only a Kraken spreads file, unix,bid,ask,..., replays as quotes)`);
  }
  // `interval` is left alone (the CLI's --interval applies to every --data file, bars or not);
  // resampling ticks is a mistake worth naming.
  if (typeof entry !== 'string' && entry.resample !== undefined) {
    throw issue('resample', JSON.stringify(entry.resample), `nothing: ${kind} are not bars and cannot be resampled`);
  }
  const range = { ...(options.from === undefined ? {} : { from: options.from }), ...(options.to === undefined ? {} : { to: options.to }) };
  const instrument = spec.instrument === undefined ? {} : { instrumentId: spec.instrument, optionNames: { instrumentId: entryOptionName(index, 'instrument') } };
  if (kind === 'trades') {
    const trades = openTradeFile(file, { ...instrument, ...range });
    return new TrackedTickSource({ file, format, instrumentId: trades.instrumentId, generated: false, offers: { instrumentId: trades.instrumentId, trades: true } }, tradeItems(trades));
  }
  const quotes = openSpreadFile(file, { ...instrument, ...range });
  return new TrackedTickSource({ file, format, instrumentId: quotes.instrumentId, generated: false, offers: { instrumentId: quotes.instrumentId, quotes: true } }, quoteItems(quotes));
}

function resolveFile(name: string, baseDir: string): string {
  const file = isAbsolute(name) ? name : resolve(baseDir, name);
  if (!existsSync(file)) throw new DataError(file, undefined, 'file not found');
  return file;
}

/** A CSV whose first non-blank line names bid and ask columns (Kraken spreads). */
function isSpreadFile(file: string): boolean {
  if (extname(file).toLowerCase() === '.json') return false;
  for (const line of readLines(file, { chunkSize: 64 * 1024 })) {
    if (line.text.trim() === '') continue;
    return isSpreadHeader(line.text);
  }
  return false;
}

/** Opens one bar entry: a file (checked to exist) or a generated market. */
function openEntry(entry: DataEntry, index: number, options: OpenBacktestDataOptions): BarSource {
  if (typeof entry !== 'string' && 'generated' in entry) {
    const generated = entry.generated;
    const start = parseTimeOption(generated.start, `backtest.data[${index}].generated.start`);
    return generateBars({
      instrumentId: generated.instrument,
      interval: generated.interval,
      count: generated.bars,
      seed: generated.seed,
      startPrice: generated.startPrice,
      ...(start === undefined ? {} : { start }),
    });
  }
  if (typeof entry !== 'string' && 'generatedTicks' in entry) throw new ConfigError([{ path: `backtest.data[${index}]`, received: 'generatedTicks', expected: 'a bar entry' }]);
  const spec = typeof entry === 'string' ? { file: entry } : entry;
  const file = resolveFile(spec.file, options.baseDir);
  return openBarFile(file, {
    ...(spec.format === undefined || spec.format === 'kraken-spreads' ? {} : { format: spec.format }),
    ...(spec.instrument === undefined ? {} : { instrumentId: spec.instrument }),
    ...(spec.interval === undefined ? {} : { interval: spec.interval }),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
    optionNames: { instrumentId: entryOptionName(index, 'instrument'), interval: entryOptionName(index, 'interval') },
  });
}

/**
 * How errors name an entry's `instrument` or `interval`: `kbot backtest --data` turns its
 * `--instrument` and `--interval` flags into these entry fields, so both names are given.
 */
function entryOptionName(index: number, field: 'instrument' | 'interval'): string {
  return `--${field} (backtest.data[${index}].${field})`;
}

function* withinRange(bars: Iterable<Bar>, from: EpochMs | undefined, to: EpochMs | undefined): Generator<Bar, undefined> {
  for (const bar of bars) {
    if (from !== undefined && bar.openTime < from) continue;
    if (to !== undefined && bar.openTime >= to) return;
    yield bar;
  }
  return undefined;
}
