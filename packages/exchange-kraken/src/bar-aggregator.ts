import type { Bar, EpochMs } from '@kbot/core';

export interface ClosedBarAggregatorOptions {
  /** Receives each bar once, when it is closed, in open-time order per instrument and interval. */
  readonly onBar: (bar: Bar) => void;
  /**
   * How long after an interval ends (venue time) the last known state of its candle is taken as
   * final when no later candle has arrived. Default 5000 ms.
   */
  readonly graceMs?: number;
}

interface Series {
  /** The newest candle seen that has not been emitted: possibly still forming. */
  forming: Bar | undefined;
  /** Open time of the last bar emitted (or skipped as history); nothing at or before it is emitted again. */
  emittedThrough: number;
  /** Set by the first `update`: later snapshots (after a reconnect) are news, not history. */
  live: boolean;
}

function seriesKey(bar: Pick<Bar, 'instrumentId' | 'interval'>): string {
  return `${bar.instrumentId}|${bar.interval}`;
}

/**
 * Turns Kraken's `ohlc` stream into closed bars. The channel re-sends the forming candle every
 * time it changes, so a candle is only known to be complete when a candle with a later
 * `interval_begin` arrives, or when its interval has ended (plus a grace period) without one;
 * then its last known state is emitted. A bar is never emitted twice and a forming bar never.
 *
 * The first snapshot of a series is history: every candle but its last is skipped, so a
 * strategy is not fed hours of old bars (and cannot trade on them). A later snapshot (after a
 * reconnect) is news: candles that closed while the connection was down are emitted, in order,
 * with their final values.
 */
export class ClosedBarAggregator {
  readonly #series = new Map<string, Series>();
  readonly #onBar: (bar: Bar) => void;
  readonly #graceMs: number;

  constructor(options: ClosedBarAggregatorOptions) {
    this.#onBar = options.onBar;
    this.#graceMs = options.graceMs ?? 5_000;
    if (!Number.isFinite(this.#graceMs) || this.#graceMs < 0) {
      throw new TypeError(`bar aggregator graceMs: received ${options.graceMs}, expected 0 or more milliseconds`);
    }
  }

  /** One candle from the `ohlc` channel, as parsed (`type` is the message's). */
  update(bar: Bar, type: 'snapshot' | 'update'): void {
    const key = seriesKey(bar);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { forming: undefined, emittedThrough: Number.NEGATIVE_INFINITY, live: false };
      this.#series.set(key, series);
    }
    const history = type === 'snapshot' && !series.live;
    if (type === 'update') series.live = true;
    if (bar.openTime <= series.emittedThrough) return;
    const forming = series.forming;
    if (forming === undefined || bar.openTime === forming.openTime) {
      series.forming = bar;
      return;
    }
    if (bar.openTime < forming.openTime) {
      // A candle older than the forming one that was never emitted: a reconnect snapshot filling
      // a gap. It is complete; history is skipped like the rest of the first snapshot.
      if (history) series.emittedThrough = bar.openTime;
      else this.#emit(series, bar);
      return;
    }
    // A later candle: the forming one is complete.
    if (history) series.emittedThrough = forming.openTime;
    else this.#emit(series, forming);
    series.forming = bar;
  }

  /** Emits every forming candle whose interval ended more than the grace period before `now` (venue time). */
  closeDue(now: EpochMs): void {
    for (const series of this.#series.values()) {
      const forming = series.forming;
      if (forming === undefined || now < forming.openTime + forming.interval + this.#graceMs) continue;
      series.forming = undefined;
      this.#emit(series, forming);
    }
  }

  /**
   * The strategies already have this series' bars up to `openTime` (a session's warm-up history,
   * fetched over REST just before subscribing): the first snapshot is then news after it, not
   * history. A candle that closed between the history request and the subscription is emitted
   * instead of skipped with the rest of the snapshot.
   */
  primeWith(instrumentId: string, interval: number, openTime: number): void {
    const key = `${instrumentId}|${interval}`;
    const series = this.#series.get(key);
    if (series === undefined) this.#series.set(key, { forming: undefined, emittedThrough: openTime, live: true });
    else {
      series.emittedThrough = Math.max(series.emittedThrough, openTime);
      series.live = true;
    }
  }

  /** Forgets a series (after an unsubscribe). */
  remove(instrumentId: string, interval: number): void {
    this.#series.delete(`${instrumentId}|${interval}`);
  }

  /** The candle of a series that is not yet known to be closed, for inspection. */
  forming(instrumentId: string, interval: number): Bar | undefined {
    return this.#series.get(`${instrumentId}|${interval}`)?.forming;
  }

  #emit(series: Series, bar: Bar): void {
    series.emittedThrough = bar.openTime;
    this.#onBar(bar);
  }
}
