import { barCloseTime, type Bar, type EpochMs, type InstrumentId } from '@kbot/core';

/** What one bar means for the step it belongs to; see `BarSteps.onBar`. */
export interface BarStepUpdate {
  /**
   * A step that will get no more bars, although some pair never reported for it (Kraken leaves
   * out intervals without trades): decide on it now, before applying this bar.
   */
  readonly flushed: EpochMs | undefined;
  /** This bar completed its step (every pair has reported): decide on it after applying the bar. */
  readonly completed: EpochMs | undefined;
}

/**
 * Groups the bars of several pairs into steps: bars that close at the same time. A backtest over
 * several files merges them by close time, so a step's bars arrive one after another; a strategy
 * that weighs pairs against each other should decide once per step, on all of its prices, not on
 * the first pair's bar with the others one bar old.
 *
 * A step is complete when every pair has a bar closing then. When a pair has no bar for a step (no
 * trades in that interval), the step is given up ("flushed") when the first bar of a later step
 * arrives, so one silent pair never stalls the others.
 */
export class BarSteps {
  private readonly pairs: ReadonlySet<InstrumentId>;
  private readonly reported = new Set<InstrumentId>();
  private pending: EpochMs | undefined;

  constructor(pairs: Iterable<InstrumentId>) {
    this.pairs = new Set(pairs);
  }

  onBar(bar: Bar): BarStepUpdate {
    if (!this.pairs.has(bar.instrumentId)) return NOTHING;
    const closeTime = barCloseTime(bar);
    // Out of order (only unsorted input does this): it belongs to no open step.
    if (this.pending !== undefined && closeTime < this.pending) return NOTHING;
    let flushed: EpochMs | undefined;
    if (this.pending !== undefined && closeTime > this.pending) {
      flushed = this.pending;
      this.reported.clear();
    }
    this.pending = closeTime;
    this.reported.add(bar.instrumentId);
    if (this.reported.size === this.pairs.size) {
      const completed = this.pending;
      this.pending = undefined;
      this.reported.clear();
      return { flushed, completed };
    }
    return flushed === undefined ? NOTHING : { flushed, completed: undefined };
  }
}

const NOTHING: BarStepUpdate = Object.freeze({ flushed: undefined, completed: undefined });
