import { RequestPacing } from './request-pacing.js';

/** One request of a polling round. */
export interface PollTask {
  /** For logs: `OHLC BTC/USD 1m`. */
  readonly name: string;
  run(): Promise<void>;
}

export interface PacedPollerOptions {
  /** Least time between the starts of two requests (Kraken's public limit: about one a second per IP). */
  readonly requestGapMs: number;
  /** The tasks of the next round, asked for before every round (subscriptions come and go). */
  readonly round: () => readonly PollTask[];
  /** A task threw (its request failed); the poller goes on with the next one after a longer pause. */
  readonly onError?: (task: PollTask, error: unknown, failuresInARow: number) => void;
  /** Longest pause after failures in a row (the gap doubles per failure up to this). Default 30 s. */
  readonly maxBackoffMs?: number;
  /**
   * When requests may start, shared with other callers of the same API (the market-data
   * client's `recentBars`); default one of this poller's own with `requestGapMs`.
   */
  readonly pacing?: RequestPacing;
  readonly now?: () => number;
}

/**
 * Runs polling tasks one after another, round after round, never starting two requests closer
 * than `requestGapMs` (counted from start to start, across stop and start, so a quick restart
 * does not burst). After a failure the gap doubles, up to `maxBackoffMs`, and resets on the next
 * success, so an answer of "too many requests" or an unreachable host is not hammered.
 */
export class PacedPoller {
  readonly #options: PacedPollerOptions;
  readonly #now: () => number;
  readonly #pacing: RequestPacing;
  #generation = 0;
  #running = false;
  #failures = 0;
  #requests = 0;
  #wake: (() => void) | undefined;
  #sleeper: NodeJS.Timeout | undefined;

  constructor(options: PacedPollerOptions) {
    if (!Number.isFinite(options.requestGapMs) || options.requestGapMs <= 0) {
      throw new TypeError(`paced poller requestGapMs: received ${options.requestGapMs}, expected a number of milliseconds above 0`);
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pacing = options.pacing ?? new RequestPacing(options.requestGapMs);
  }

  get running(): boolean {
    return this.#running;
  }

  /** Requests started since construction. */
  get requests(): number {
    return this.#requests;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation += 1;
    void this.#loop(this.#generation);
  }

  /** Stops before the next request; a request in flight finishes (its task decides what its answer is worth). */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation += 1;
    clearTimeout(this.#sleeper);
    this.#sleeper = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #loop(generation: number): Promise<void> {
    while (generation === this.#generation) {
      const tasks = this.#options.round();
      if (tasks.length === 0) {
        // Nothing subscribed: look again after one gap.
        await this.#sleep(this.#options.requestGapMs);
        continue;
      }
      for (const task of tasks) {
        // Timers may fire a millisecond or two early against the clock: sleep until it agrees.
        // The check and the mark below are one synchronous step: another caller of the shared
        // pacing that wakes at the same time finds the next start moved and sleeps again.
        while (generation === this.#generation && this.#pacing.delayMs(this.#now()) > 0) await this.#sleep(this.#pacing.delayMs(this.#now()));
        if (generation !== this.#generation) return;
        this.#requests += 1;
        this.#pacing.started(this.#now());
        try {
          await task.run();
          this.#failures = 0;
        } catch (error) {
          this.#failures += 1;
          const backoff = Math.min(this.#options.maxBackoffMs ?? 30_000, this.#options.requestGapMs * 2 ** this.#failures);
          this.#pacing.holdUntil(this.#now() + backoff);
          this.#options.onError?.(task, error, this.#failures);
        }
        if (generation !== this.#generation) return;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleeper = setTimeout(() => {
        this.#sleeper = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#sleeper.unref();
    });
  }
}
