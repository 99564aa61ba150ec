import type { DataSourceSummary } from '../backtest/result.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import type { WarmUpIterator } from './warm-up-bars.js';

/**
 * A replayable stream of bars for one instrument and interval: each iteration streams afresh
 * (from disk, or from the seed), in strictly increasing `openTime`, with bounded memory.
 */
export interface BarSource extends Iterable<Bar> {
  readonly instrumentId: InstrumentId;
  /** Milliseconds. */
  readonly interval: number;
  /** A DataFormat, or `generated`. */
  readonly format: string;
  [Symbol.iterator](): Iterator<Bar, undefined>;
  /**
   * A pass like `[Symbol.iterator]` that also keeps the last `count` bars it skips before its own
   * `from`, for the strategies' warm-up (`warmUpBars()` once the first bar is read). Present on
   * sources that cut at `from` themselves (files, resampled sources).
   */
  iterateWithWarmUp?(count: number): WarmUpIterator;
  /**
   * Bars, first/last open time and gaps of the most recent complete pass; when no pass has
   * completed yet, makes one (streaming) to find out.
   */
  summary(): DataSourceSummary;
}
