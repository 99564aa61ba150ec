import { ConfigError, silentLogger, type ConfigIssue, type Logger, type TradingState } from '@kbot/core';

export type DeadMansSwitchState = 'idle' | 'armed' | 'stale' | 'halted' | 'stopped';

export interface DeadMansSwitchOptions {
  /** Kraken cancels every open order this long after the last refresh. */
  readonly timeoutSeconds: number;
  /** How often the switch is refreshed while the bot is healthy; below `timeoutSeconds`. */
  readonly refreshSeconds: number;
  /**
   * A heartbeat older than this stops the refreshing; default `timeoutSeconds`, so a health loop
   * beating at least once a timeout keeps orders alive, and Kraken cancels at most
   * `staleAfterSeconds + timeoutSeconds` after the last heartbeat.
   */
  readonly staleAfterSeconds?: number;
  /** Arms (or with 0 disarms) Kraken's switch: `cancel_all_orders_after` / CancelAllOrdersAfter. */
  readonly arm: (timeoutSeconds: number) => Promise<unknown>;
  readonly logger?: Logger;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

/**
 * Kraken's dead man's switch, kept alive by the bot's own health: each `heartbeat()` (from the
 * bot's health loop) says the bot is well, and while heartbeats keep coming the switch is
 * re-armed every `refreshSeconds` with `timeoutSeconds`. When the heartbeats stop (a hung event
 * loop, a stuck engine) or `halt()` is called, the refreshing stops and Kraken cancels every
 * open order when the timeout runs out: the safe outcome when nobody is watching the orders.
 * A clean `stop()` disarms it (timeout 0) so a planned shutdown leaves orders alone.
 */
export class DeadMansSwitch {
  readonly timeoutSeconds: number;
  readonly refreshSeconds: number;
  readonly staleAfterSeconds: number;
  readonly #arm: (timeoutSeconds: number) => Promise<unknown>;
  readonly #logger: Logger;
  readonly #now: () => number;
  #state: DeadMansSwitchState = 'idle';
  #timer: NodeJS.Timeout | undefined;
  #lastHeartbeat = Number.NEGATIVE_INFINITY;
  #lastArmedAt: number | undefined;
  #arming: Promise<void> | undefined;
  #refreshes = 0;

  constructor(options: DeadMansSwitchOptions) {
    const issues: ConfigIssue[] = [];
    if (!Number.isInteger(options.timeoutSeconds) || options.timeoutSeconds < 1 || options.timeoutSeconds >= 86_400) {
      issues.push({ path: 'deadMansSwitch.timeoutSeconds', received: String(options.timeoutSeconds), expected: 'whole seconds from 1 to 86399' });
    }
    if (!Number.isFinite(options.refreshSeconds) || options.refreshSeconds <= 0 || options.refreshSeconds >= options.timeoutSeconds) {
      issues.push({ path: 'deadMansSwitch.refreshSeconds', received: String(options.refreshSeconds), expected: `more than 0 and below timeoutSeconds (${options.timeoutSeconds})` });
    }
    if (options.staleAfterSeconds !== undefined && (!Number.isFinite(options.staleAfterSeconds) || options.staleAfterSeconds < options.refreshSeconds)) {
      issues.push({ path: 'deadMansSwitch.staleAfterSeconds', received: String(options.staleAfterSeconds), expected: `at least refreshSeconds (${options.refreshSeconds})` });
    }
    if (issues.length > 0) throw new ConfigError(issues, 'Kraken dead man’s switch');
    this.timeoutSeconds = options.timeoutSeconds;
    this.refreshSeconds = options.refreshSeconds;
    this.staleAfterSeconds = options.staleAfterSeconds ?? options.timeoutSeconds;
    this.#arm = options.arm;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kraken-dead-mans-switch' });
    this.#now = options.now ?? Date.now;
  }

  get state(): DeadMansSwitchState {
    return this.#state;
  }

  /** Wall time of the last successful arming. */
  get lastArmedAt(): number | undefined {
    return this.#lastArmedAt;
  }

  /** How many times the switch was armed (refreshed) so far. */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** The bot is healthy. The first heartbeat arms the switch and starts the refreshing. */
  heartbeat(): void {
    if (this.#state === 'halted' || this.#state === 'stopped') return;
    this.#lastHeartbeat = this.#now();
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#refresh(), this.refreshSeconds * 1000);
      this.#timer.unref();
    }
    if (this.#state === 'idle' || this.#state === 'stale') this.#refresh();
  }

  /**
   * The bot halted: stop refreshing for good, so Kraken cancels every open order when the last
   * arming runs out. Nothing is sent (the bot may be unable to send).
   */
  halt(reason = 'halted'): void {
    if (this.#state === 'halted' || this.#state === 'stopped') return;
    this.#clearTimer();
    this.#state = 'halted';
    this.#logger.warn('dead man’s switch no longer refreshed; Kraken cancels open orders when it runs out', { reason, timeoutSeconds: this.timeoutSeconds });
  }

  /** Clean shutdown: stop refreshing and disarm (timeout 0), so open orders stay. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const halted = this.#state === 'halted';
    this.#clearTimer();
    this.#state = 'stopped';
    await this.#arming;
    // A halted bot leaves the switch to run out: that is what halting asked for.
    if (halted || this.#lastArmedAt === undefined) return;
    try {
      await this.#arm(0);
    } catch (error) {
      this.#logger.warn('dead man’s switch could not be disarmed; Kraken will cancel open orders when it runs out', { error: (error as Error).message });
    }
  }

  #clearTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #refresh(): void {
    if (this.#state === 'halted' || this.#state === 'stopped' || this.#arming !== undefined) return;
    const silentMs = this.#now() - this.#lastHeartbeat;
    if (silentMs > this.staleAfterSeconds * 1000) {
      if (this.#state !== 'stale') {
        this.#state = 'stale';
        this.#logger.warn('no health heartbeat; the dead man’s switch is left to run out', { silentMs, timeoutSeconds: this.timeoutSeconds });
      }
      return;
    }
    this.#arming = this.#arm(this.timeoutSeconds)
      .then(() => {
        this.#lastArmedAt = this.#now();
        this.#refreshes++;
        if (this.#state !== 'halted' && this.#state !== 'stopped') this.#state = 'armed';
      })
      .catch((error: unknown) => {
        this.#logger.warn('dead man’s switch refresh failed; retrying at the next refresh', { error: (error as Error).message });
      })
      .finally(() => {
        this.#arming = undefined;
      });
  }
}

/** What `runSession`'s `heartbeat` option takes. */
export interface SessionHeartbeat {
  readonly intervalMs: number;
  readonly beat: (tradingState: TradingState) => void;
}

/**
 * The bot's health heartbeat for a switch: each beat while the bot trades (or only reduces)
 * keeps Kraken's cancel-all timer refreshed; the first beat after the bot halts stops the
 * refreshing, so Kraken cancels the open orders when the timer runs out. Beats come three times
 * per stale period, so one late beat does not let the switch go stale.
 */
export function deadMansSwitchHeartbeat(deadMansSwitch: DeadMansSwitch): SessionHeartbeat {
  return {
    intervalMs: Math.max(250, Math.min(5_000, (deadMansSwitch.staleAfterSeconds * 1000) / 3)),
    beat: (tradingState) => {
      if (tradingState === 'halted') deadMansSwitch.halt('the bot halted trading');
      else deadMansSwitch.heartbeat();
    },
  };
}
