import type { EpochMs } from '@kbot/core';

const MINUTE_MS = 60_000;

/**
 * At most `perMinute` cancels in any 60-second window (a sliding window of the cancel times).
 * Kraken counts cancels against a per-pair rate limit, and cancelling young orders costs more;
 * a quoting loop that chases every tick would hit it, so the scalper asks here first and keeps a
 * stale quote when the budget is spent.
 */
export class CancelBudget {
  private readonly perMinute: number;
  /** Times of the cancels still inside the window, oldest first. */
  private readonly times: EpochMs[] = [];

  constructor(perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new TypeError(`CancelBudget perMinute: received ${perMinute}, expected an integer of 1 or more`);
    this.perMinute = perMinute;
  }

  /** Whether a cancel may be sent at `now`. */
  allows(now: EpochMs): boolean {
    while (this.times.length > 0 && this.times[0]! <= now - MINUTE_MS) this.times.shift();
    return this.times.length < this.perMinute;
  }

  /** Records a cancel sent at `now`. */
  spend(now: EpochMs): void {
    this.times.push(now);
  }

  /** Cancels sent in the minute up to `now`. */
  used(now: EpochMs): number {
    this.allows(now);
    return this.times.length;
  }
}
