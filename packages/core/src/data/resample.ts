import type { DataSourceSummary } from '../backtest/result.js';
import { ConfigError, DataError, InvariantError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { formatInterval, isoTime, type EpochMs } from '../model/time.js';
import type { BarSource } from './bar-source.js';
import { BarSummaryTracker } from './bar-summary.js';
import { intervalOption } from './source-options.js';
import { BarRing, type WarmUpIterator } from './warm-up-bars.js';

/**
 * What happens to the last interval when the data may end inside it: `drop` (default) leaves it
 * out unless it is known to be complete; `keep` emits it, as Kraken's OHLC endpoint returns the
 * still-forming candle as its last row.
 */
export type PartialIntervalRule = 'drop' | 'keep';

export interface ResampleOptions {
  /** The last, possibly incomplete, interval; default `drop`. */
  readonly partial?: PartialIntervalRule;
  /**
   * The source is known to hold every bar before this time (epoch ms, exclusive), e.g. the end of
   * a requested range: a last interval ending at or before it is complete even if its last source
   * bars are missing (no trades).
   */
  readonly coveredUntil?: EpochMs;
  /** Only resampled bars with `openTime >= from` (an interval starting earlier would be partial). */
  readonly from?: EpochMs;
  /** Only resampled bars with `openTime < to`. */
  readonly to?: EpochMs;
  /** Names the option in errors (`--resample`, `backtest.data[0].resample`); default `resample`. */
  readonly path?: string;
  /** Names the data in errors (a file); default the instrument and source interval. */
  readonly name?: string;
}

/**
 * The target interval in milliseconds, checked against the source's: it must be a whole multiple
 * (1m → 5m, 15m, 1h, 4h, 1d...), since a source bar cannot be split.
 */
export function resampleInterval(sourceInterval: number, target: number | string, path = 'resample', name?: string): number {
  const targetMs = intervalOption(path, target);
  if (targetMs % sourceInterval !== 0) {
    const shorter = targetMs < sourceInterval ? ': bars cannot be made shorter than the source bars' : '';
    throw new ConfigError([{
      path,
      received: JSON.stringify(typeof target === 'number' ? formatInterval(target) : target),
      expected: `a whole multiple of the source interval ${formatInterval(sourceInterval)}${name === undefined ? '' : ` of ${name}`} (such as ${formatInterval(sourceInterval * 3)} or ${formatInterval(sourceInterval * 12)})${shorter}`,
    }]);
  }
  return targetMs;
}

/**
 * Aggregates bars of one interval into bars of a longer one, pushed one at a time (for streams that
 * arrive in pages). Intervals are aligned to the Unix epoch, so in UTC a 4h bar opens at 00, 04,
 * 08...; a 1d bar at 00:00; a 1w bar on a Thursday (Kraken's week alignment is not documented).
 * open = first open, high = max, low = min, close = last close, volume = sum, trades = sum (left
 * undefined when a source bar has no count). An interval without source bars gets no bar, as on
 * Kraken; missing source bars inside an interval are not filled in.
 */
export class BarResampler {
  readonly sourceInterval: number;
  readonly targetInterval: number;
  private readonly name: string | undefined;
  private instrumentId: InstrumentId | undefined;
  /** Open time of the interval being built; NaN when none. */
  private bucket = Number.NaN;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  private trades = 0;
  private countsKnown = true;
  private previousOpenTime = -Infinity;
  /** Close time of the last source bar added. */
  private lastSourceClose = Number.NaN;

  constructor(sourceInterval: number, target: number | string, options: { readonly path?: string; readonly name?: string } = {}) {
    if (!Number.isSafeInteger(sourceInterval) || sourceInterval <= 0) {
      throw new ConfigError([{ path: 'sourceInterval', received: String(sourceInterval), expected: 'milliseconds, a positive whole number' }]);
    }
    this.sourceInterval = sourceInterval;
    this.targetInterval = resampleInterval(sourceInterval, target, options.path, options.name);
    this.name = options.name;
  }

  /** Open time of the interval being built, or undefined. */
  get pendingOpenTime(): EpochMs | undefined {
    return Number.isNaN(this.bucket) ? undefined : this.bucket;
  }

  /**
   * Adds the next source bar (strictly after the previous one); returns the finished bar of the
   * previous interval when this bar starts a new one.
   */
  add(bar: Bar): Bar | undefined {
    const openTime = bar.openTime;
    if (bar.interval !== this.sourceInterval) {
      this.fail(openTime, `a ${formatInterval(bar.interval)} bar among ${formatInterval(this.sourceInterval)} bars; expected one interval`);
    }
    if (!(openTime > this.previousOpenTime)) {
      this.fail(openTime, `bars go back in time (${isoTime(openTime)} after ${isoTime(this.previousOpenTime)}); expected strictly increasing open times`);
    }
    this.previousOpenTime = openTime;
    const target = this.targetInterval;
    const bucket = openTime - modulo(openTime, target);
    if (openTime + this.sourceInterval > bucket + target) {
      // Only possible when the source is not aligned to the epoch (weekly files aligned to a Monday).
      this.fail(openTime, `the bar at ${isoTime(openTime)} straddles the ${formatInterval(target)} boundary at ${isoTime(bucket + target)}; the source is not aligned to the epoch like the target`);
    }
    this.lastSourceClose = openTime + this.sourceInterval;
    if (bucket === this.bucket) {
      if (bar.high > this.high) this.high = bar.high;
      if (bar.low < this.low) this.low = bar.low;
      this.close = bar.close;
      this.volume += bar.volume;
      if (bar.trades === undefined) this.countsKnown = false;
      else this.trades += bar.trades;
      return undefined;
    }
    const finished = this.pending();
    if (this.instrumentId === undefined) this.instrumentId = bar.instrumentId;
    this.bucket = bucket;
    this.open = bar.open;
    this.high = bar.high;
    this.low = bar.low;
    this.close = bar.close;
    this.volume = bar.volume;
    this.countsKnown = bar.trades !== undefined;
    this.trades = bar.trades ?? 0;
    return finished;
  }

  /** The interval being built, as a bar, without ending it; undefined when none. */
  pending(): Bar | undefined {
    if (Number.isNaN(this.bucket)) return undefined;
    // Same property order as the file readers' bars, so engine code stays monomorphic.
    return {
      instrumentId: this.instrumentId!,
      interval: this.targetInterval,
      openTime: this.bucket,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      trades: this.countsKnown ? this.trades : undefined,
    };
  }

  /**
   * Whether the interval being built is known to be complete: its last source bar ends where it
   * ends, or the data is known to run until (at least) its end.
   */
  pendingIsComplete(coveredUntil?: EpochMs): boolean {
    if (Number.isNaN(this.bucket)) return false;
    const end = this.bucket + this.targetInterval;
    return this.lastSourceClose === end || (coveredUntil !== undefined && coveredUntil >= end);
  }

  /** Ends the interval being built and returns it (undefined when none). */
  flush(): Bar | undefined {
    const bar = this.pending();
    this.bucket = Number.NaN;
    return bar;
  }

  private fail(openTime: number, problem: string): never {
    throw new DataError(this.name ?? `${this.instrumentId ?? 'bars'} ${formatInterval(this.sourceInterval)}`, undefined, `cannot resample to ${formatInterval(this.targetInterval)} at ${isoTime(openTime)}: ${problem}`);
  }
}

/** `value mod size` for negative values too (bars before 1970 are aligned the same way). */
function modulo(value: number, size: number): number {
  const remainder = value % size;
  return remainder < 0 ? remainder + size : remainder;
}

/**
 * Streams `source` resampled to `target` (`15m`, `1h`, `4h`, `1d`, or milliseconds). Each
 * iteration iterates the source afresh; stopping early closes it. The interval check happens now
 * when the source says its interval (a BarSource does), else on the first bar. See BarResampler
 * for the aggregation and alignment, and ResampleOptions for the last, possibly partial, interval.
 *
 * ```ts
 * const hourly = resampleBars(openBarFile('XBTUSDC_1.csv'), '1h');
 * for (const bar of hourly) ...
 * ```
 */
export function resampleBars(source: Iterable<Bar> & { readonly interval?: number }, target: number | string, options: ResampleOptions = {}): Iterable<Bar> {
  const knownInterval = typeof source.interval === 'number' ? source.interval : undefined;
  if (knownInterval !== undefined) resampleInterval(knownInterval, target, options.path, options.name);
  else intervalOption(options.path ?? 'resample', target);
  return { [Symbol.iterator]: () => resampledIterator(source, target, options, undefined) };
}

/**
 * What a resampled pass keeps of the resampled bars before `from`, for the strategies' warm-up,
 * and how many source bars before `from` it asks its source for to build them (ring capacity ×
 * the number of source intervals in one resampled interval).
 */
interface ResampledWarmUp {
  readonly ring: BarRing;
  readonly sourceBars: number;
}

function* resampledIterator(
  source: Iterable<Bar> & { iterateWithWarmUp?(count: number): WarmUpIterator },
  target: number | string,
  options: ResampleOptions,
  tracker: BarSummaryTracker | undefined,
  warmUp?: ResampledWarmUp,
): Generator<Bar, undefined> {
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  const keepPartial = options.partial === 'keep';
  let resampler: BarResampler | undefined;
  const resamplerFor = (bar: Bar): BarResampler => new BarResampler(bar.interval, target, {
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  // A source that cuts at `from` itself hands over its bars before `from` apart (its warm-up):
  // they are resampled first, so the interval holding `from` is whole in the warm-up.
  const iterator = warmUp !== undefined && source.iterateWithWarmUp !== undefined ? source.iterateWithWarmUp(warmUp.sourceBars) : source[Symbol.iterator]();
  let ended = false;
  try {
    let result = iterator.next();
    if (warmUp !== undefined && 'warmUpBars' in iterator) {
      // The source's history is cut by count, so its first interval may lack its earlier bars.
      // No interval holds more source bars than fit in it: `capacity × ratio` source bars span
      // at least `capacity` intervals, exactly that many only when each is whole, so a first
      // interval lacking bars is pushed out of the ring.
      for (const bar of (iterator as WarmUpIterator).warmUpBars()) {
        resampler ??= resamplerFor(bar);
        const finished = resampler.add(bar);
        if (finished !== undefined) warmUp.ring.push(finished);
      }
    }
    for (; result.done !== true; result = iterator.next()) {
      const bar = result.value;
      resampler ??= resamplerFor(bar);
      const finished = resampler.add(bar);
      if (finished === undefined) continue;
      if (finished.openTime < from) {
        warmUp?.ring.push(finished);
        continue;
      }
      // Open times only increase: nothing later can be before `to`.
      if (finished.openTime >= to) return undefined;
      tracker?.add(finished.openTime);
      yield finished;
    }
    ended = true;
    if (resampler === undefined) return undefined;
    const complete = resampler.pendingIsComplete(options.coveredUntil);
    const last = resampler.flush();
    if (last !== undefined && (complete || keepPartial) && last.openTime >= from && last.openTime < to) {
      tracker?.add(last.openTime);
      yield last;
    }
    return undefined;
  } finally {
    // Stopped early (`to`, a `break`, an error): close the source, as for...of would.
    if (!ended) iterator.return?.();
  }
}

/**
 * A BarSource resampled to a longer interval: what a backtest data entry with `resample` replays.
 * `summary()` describes the resampled bars (gaps counted in target intervals); `source.summary()`
 * the bars read.
 */
export class ResampledBarSource implements BarSource {
  readonly source: BarSource;
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  readonly format: string;
  private readonly options: ResampleOptions;
  private lastSummary: DataSourceSummary | undefined;

  constructor(source: BarSource, target: number | string, options: ResampleOptions = {}) {
    const name = options.name ?? fileOf(source);
    this.source = source;
    this.instrumentId = source.instrumentId;
    this.interval = resampleInterval(source.interval, target, options.path, name);
    this.format = source.format;
    this.options = { ...options, ...(name === undefined ? {} : { name }) };
  }

  [Symbol.iterator](): Iterator<Bar, undefined> {
    return this.iterate(undefined);
  }

  /**
   * A pass that also keeps the last `count` resampled bars opening before `from`, for warm-up:
   * the source is asked for enough of its own bars before `from` to build them (a source
   * without a `from` of its own, a generated market, is read from its start anyway). The
   * interval holding `from` is built whole, from source bars on both sides of it.
   */
  iterateWithWarmUp(count: number): WarmUpIterator {
    const ring = new BarRing(this.options.from === undefined ? 0 : count);
    const sourceBars = count * (this.interval / this.source.interval);
    return this.iterate(ring.capacity === 0 ? undefined : { ring, sourceBars });
  }

  private iterate(warmUp: ResampledWarmUp | undefined): WarmUpIterator {
    const tracker = new BarSummaryTracker({
      // A generated market knows its summary without a pass; other sources are named by format.
      file: fileOf(this.source) ?? (this.format === 'generated' ? this.source.summary().file : this.format),
      format: this.format,
      instrumentId: this.instrumentId,
      interval: this.interval,
      generated: this.format === 'generated',
    });
    const inner = resampledIterator(this.source, this.interval, this.options, tracker, warmUp);
    let kept: readonly Bar[] | undefined = warmUp === undefined ? [] : undefined;
    // Records the summary only when a pass runs to the end, like the file readers.
    return {
      next: () => {
        const result = inner.next();
        // The first bar from `from` on (or the end) closes the warm-up.
        if (kept === undefined) kept = warmUp!.ring.bars();
        if (result.done) this.lastSummary = tracker.summary();
        return result;
      },
      return: () => inner.return(undefined),
      warmUpBars: () => {
        if (kept === undefined) throw new InvariantError('warmUpBars() read before the first resampled bar: the bars before `from` are known once it is read');
        return kept;
      },
    };
  }

  summary(): DataSourceSummary {
    if (this.lastSummary === undefined) {
      const iterator = this[Symbol.iterator]();
      while (!iterator.next().done) {
        // one full pass records the summary
      }
    }
    return this.lastSummary!;
  }
}

function fileOf(source: BarSource): string | undefined {
  const file = (source as { readonly file?: unknown }).file;
  return typeof file === 'string' ? file : undefined;
}
