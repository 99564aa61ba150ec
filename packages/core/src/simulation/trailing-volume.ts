import { ZERO, type Decimal } from '../model/decimal.js';
import { decimalMinus, decimalPlus } from '../model/decimal-arithmetic.js';
import { DAY_MS, type EpochMs } from '../model/time.js';

/** Kraken's fee tiers look at the last 30 days of traded volume. */
export const FEE_VOLUME_WINDOW_MS = 30 * DAY_MS;

/** First index whose time is greater than `time` (times sorted ascending). */
function upperBound(times: readonly number[], time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A rolling sum of amounts over a time window (the account's 30-day traded volume). Prefix sums
 * make each query two binary searches, so a scalper with thousands of fills a day stays cheap.
 */
export class TrailingVolume {
  private times: number[] = [];
  /** prefix[i] is the sum of every amount before times[i]; one longer than `times`. */
  private prefix: Decimal[] = [ZERO];

  constructor(readonly windowMs: number = FEE_VOLUME_WINDOW_MS) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new TypeError(`TrailingVolume windowMs: received ${windowMs}, expected a positive number of milliseconds`);
    }
  }

  add(time: EpochMs, amount: Decimal): void {
    const at = upperBound(this.times, time);
    if (at === this.times.length) {
      this.times.push(time);
      this.prefix.push(decimalPlus(this.prefix[at]!, amount));
    } else {
      // Data of several instruments can arrive slightly out of time order; keep the list sorted.
      this.times.splice(at, 0, time);
      this.prefix.splice(at + 1, 0, decimalPlus(this.prefix[at]!, amount));
      for (let index = at + 2; index < this.prefix.length; index += 1) this.prefix[index] = decimalPlus(this.prefix[index]!, amount);
    }
    this.prune();
  }

  /** Sum of the amounts with time in (at − window, at]. */
  total(at: EpochMs): Decimal {
    return decimalMinus(this.prefix[upperBound(this.times, at)]!, this.prefix[upperBound(this.times, at - this.windowMs)]!);
  }

  /** Number of amounts kept (pruning drops the ones no query can reach). */
  get size(): number {
    return this.times.length;
  }

  /**
   * Drops entries older than two windows before the newest one, once they are the majority, so a
   * years-long backtest keeps memory flat. Queries run near the newest time, never two windows back.
   */
  private prune(): void {
    const newest = this.times[this.times.length - 1]!;
    const stale = upperBound(this.times, newest - 2 * this.windowMs);
    if (stale > 0 && stale * 2 >= this.times.length) {
      this.times = this.times.slice(stale);
      this.prefix = this.prefix.slice(stale);
    }
  }
}
