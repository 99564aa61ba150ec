import type { DataSourceSummary } from '../backtest/result.js';
import type { InstrumentId } from '../model/ids.js';
import type { EpochMs } from '../model/time.js';
import type { ReplayItem, ReplayOffer } from './replay-item.js';

/**
 * A replayable stream of trades and/or quotes (and, for a generated tick market, the bars built
 * from its trades), in time order, as replay items. Each iteration streams afresh.
 */
export interface TickSource extends Iterable<ReplayItem> {
  /** The file, or `generated ticks (seed N)`. */
  readonly file: string;
  /** `kraken-trades`, `kraken-spreads`, or `generated-ticks`. */
  readonly format: string;
  readonly instrumentId: InstrumentId;
  readonly generated: boolean;
  /** What it replays, checked against the strategies' subscriptions before a run. */
  readonly offers: ReplayOffer;
  [Symbol.iterator](): Iterator<ReplayItem, undefined>;
  /** Counts, first and last time of the most recent complete pass; makes one pass when none has completed. */
  summary(): DataSourceSummary;
}

/**
 * Counts what a tick source replayed as it streams past, in O(1) memory. Ticks have no fixed step,
 * so `gaps` stays 0 and `largestGapMs` is the longest time between two consecutive ticks (the
 * quiet stretches a reader should know about).
 */
export class TickSummaryTracker {
  bars = 0;
  trades = 0;
  quotes = 0;
  first: EpochMs | undefined = undefined;
  last: EpochMs | undefined = undefined;
  largestGapMs = 0;
  private barInterval = 0;
  private readonly origin: { readonly file: string; readonly format: string; readonly instrumentId: string; readonly generated: boolean };

  constructor(origin: { readonly file: string; readonly format: string; readonly instrumentId: string; readonly generated: boolean }) {
    this.origin = origin;
  }

  add(item: ReplayItem): void {
    if (item.kind === 'bar') {
      this.bars++;
      this.barInterval = item.bar.interval;
      return;
    }
    if (item.kind === 'trade') this.trades++;
    else this.quotes++;
    const time = item.time;
    if (this.last === undefined) this.first = time;
    else if (time - this.last > this.largestGapMs) this.largestGapMs = time - this.last;
    this.last = time;
  }

  summary(): DataSourceSummary {
    return {
      file: this.origin.file,
      format: this.origin.format,
      instrumentId: this.origin.instrumentId,
      interval: this.barInterval,
      bars: this.bars,
      trades: this.trades,
      quotes: this.quotes,
      first: this.first,
      last: this.last,
      gaps: 0,
      largestGapMs: this.largestGapMs,
      generated: this.origin.generated,
    };
  }
}

/** Wraps a stream of replay items as a TickSource that records its summary on every complete pass. */
export class TrackedTickSource implements TickSource {
  readonly file: string;
  readonly format: string;
  readonly instrumentId: InstrumentId;
  readonly generated: boolean;
  readonly offers: ReplayOffer;
  private readonly items: Iterable<ReplayItem>;
  private lastSummary: DataSourceSummary | undefined;

  constructor(origin: { file: string; format: string; instrumentId: InstrumentId; generated: boolean; offers: ReplayOffer }, items: Iterable<ReplayItem>) {
    this.file = origin.file;
    this.format = origin.format;
    this.instrumentId = origin.instrumentId;
    this.generated = origin.generated;
    this.offers = origin.offers;
    this.items = items;
  }

  *[Symbol.iterator](): Generator<ReplayItem, undefined> {
    const tracker = new TickSummaryTracker(this);
    for (const item of this.items) {
      tracker.add(item);
      yield item;
    }
    this.lastSummary = tracker.summary();
    return undefined;
  }

  summary(): DataSourceSummary {
    if (this.lastSummary === undefined) {
      for (const _ of this) {
        // one full pass; the summary is recorded when it completes
      }
    }
    return this.lastSummary!;
  }
}
