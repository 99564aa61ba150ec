import type { DataSourceSummary } from '../backtest/result.js';
import type { EpochMs } from '../model/time.js';

/** Where the bars of a summary came from. */
export interface BarSummaryOrigin {
  readonly file: string;
  readonly format: string;
  readonly instrumentId: string;
  /** Milliseconds. */
  readonly interval: number;
  readonly generated: boolean;
}

/**
 * Counts bars and gaps as they stream past, in O(1) memory. A gap is a run of missing intervals
 * between two consecutive bars (Kraken leaves out intervals without trades); gaps are reported,
 * never filled.
 */
export class BarSummaryTracker {
  bars = 0;
  first: EpochMs | undefined = undefined;
  last: EpochMs | undefined = undefined;
  /** Missing intervals between first and last. */
  gaps = 0;
  /** Longest missing stretch in milliseconds: the distance between two bars minus one interval. */
  largestGapMs = 0;
  private readonly origin: BarSummaryOrigin;

  constructor(origin: BarSummaryOrigin) {
    this.origin = origin;
  }

  /** Records the next bar's open time; callers guarantee strictly increasing, aligned times. */
  add(openTime: EpochMs): void {
    const last = this.last;
    if (last === undefined) {
      this.first = openTime;
    } else {
      const missingMs = openTime - last - this.origin.interval;
      if (missingMs > 0) {
        this.gaps += Math.round(missingMs / this.origin.interval);
        if (missingMs > this.largestGapMs) this.largestGapMs = missingMs;
      }
    }
    this.last = openTime;
    this.bars++;
  }

  summary(): DataSourceSummary {
    return {
      file: this.origin.file,
      format: this.origin.format,
      instrumentId: this.origin.instrumentId,
      interval: this.origin.interval,
      bars: this.bars,
      first: this.first,
      last: this.last,
      gaps: this.gaps,
      largestGapMs: this.largestGapMs,
      generated: this.origin.generated,
    };
  }
}
