/**
 * When the next request to Kraken's public REST API may start. Kraken limits public calls per IP
 * (about one a second, spec §7.1), not per caller, so everyone calling through one market-data
 * client (the fallback's polls, the warm-up history of `recentBars`) shares one pacing: together
 * they never start two requests closer than `gapMs`, counted from start to start.
 */
export class RequestPacing {
  readonly gapMs: number;
  #nextStart = Number.NEGATIVE_INFINITY;

  constructor(gapMs: number) {
    if (!Number.isFinite(gapMs) || gapMs <= 0) throw new TypeError(`request pacing gapMs: received ${gapMs}, expected a number of milliseconds above 0`);
    this.gapMs = gapMs;
  }

  /** How long until a request may start; 0 when one may start now. */
  delayMs(now: number): number {
    return Math.max(0, this.#nextStart - now);
  }

  /** A request starts at `now`: the next one waits `gapMs`. */
  started(now: number): void {
    this.#nextStart = Math.max(this.#nextStart, now + this.gapMs);
  }

  /** No request starts before `time` (a longer pause after failures: Kraken is not hammered). */
  holdUntil(time: number): void {
    this.#nextStart = Math.max(this.#nextStart, time);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `pacing` lets a request start and marks it started. The check and the mark happen
 * in one synchronous step, so callers waiting at the same time start one gap apart.
 */
export async function waitForTurn(pacing: RequestPacing, now: () => number = Date.now, sleep: (ms: number) => Promise<void> = defaultSleep): Promise<void> {
  // Timers may fire a millisecond or two early against the clock: sleep until it agrees.
  for (let delay = pacing.delayMs(now()); delay > 0; delay = pacing.delayMs(now())) await sleep(delay);
  pacing.started(now());
}
