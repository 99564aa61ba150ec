import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DataEntry } from '../config/schema.js';
import { ConfigError, DataError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { parseTime, type EpochMs } from '../model/time.js';
import { openBarFile } from '../data/bar-file.js';
import type { BarSource } from '../data/bar-source.js';
import { generateBars } from '../data/generate-bars.js';
import { mergeBarStreams } from '../data/merge-bar-streams.js';
import { ResampledBarSource } from '../data/resample.js';
import { intervalOption } from '../data/source-options.js';
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

/**
 * Opens every data entry of a backtest (files and generated markets) and merges them into one
 * time-ordered stream. Files are checked to exist now, so a typo fails before the run starts.
 */
export function openBacktestData(entries: readonly DataEntry[], options: OpenBacktestDataOptions): BacktestData & { sources: readonly BarSource[] } {
  if (entries.length === 0) {
    throw new ConfigError([{ path: 'backtest.data', received: 'nothing', expected: 'at least one data file (--data <file>) or a generated market' }]);
  }
  if (options.from !== undefined && options.to !== undefined && options.from >= options.to) {
    throw new ConfigError([{ path: 'to', received: new Date(options.to).toISOString(), expected: `a time after from (${new Date(options.from).toISOString()})` }]);
  }
  const sources = entries.map((entry, index): BarSource => {
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
  });
  const streams = sources.map((source) => (source.format === 'generated' ? withinRange(source, options.from, options.to) : source));
  return {
    sources,
    bars: sources.length === 1 ? streams[0]! : mergeBarStreams(streams),
    summaries: (): DataSourceSummary[] => sources.map((source) => source.summary()),
  };
}

/** Opens one data entry: a file (checked to exist) or a generated market. */
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
  const spec = typeof entry === 'string' ? { file: entry } : entry;
  const file = isAbsolute(spec.file) ? spec.file : resolve(options.baseDir, spec.file);
  if (!existsSync(file)) throw new DataError(file, undefined, 'file not found');
  return openBarFile(file, {
    ...(spec.format === undefined ? {} : { format: spec.format }),
    ...(spec.instrument === undefined ? {} : { instrumentId: spec.instrument }),
    ...(spec.interval === undefined ? {} : { interval: spec.interval }),
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.to === undefined ? {} : { to: options.to }),
  });
}

function* withinRange(bars: Iterable<Bar>, from: EpochMs | undefined, to: EpochMs | undefined): Generator<Bar, undefined> {
  for (const bar of bars) {
    if (from !== undefined && bar.openTime < from) continue;
    if (to !== undefined && bar.openTime >= to) return;
    yield bar;
  }
  return undefined;
}
