import type { Indicator, TimedVolumeBar } from './indicator.js';
import { typicalPrice } from './typical-price.js';
import { invalidInput, parameterError, requirePriceBar, requireVolume } from './validation.js';

const DAY_MS = 86_400_000;

export interface SessionVWAPOptions {
  /**
   * Session length in milliseconds. Default one day. `Infinity` never resets (a VWAP anchored at
   * the first bar).
   */
  readonly sessionLength?: number;
  /**
   * Where sessions start, in milliseconds after the epoch modulo `sessionLength`. Default 0
   * (midnight UTC for daily sessions); e.g. 13.5 h for a 13:30 UTC open.
   */
  readonly sessionOffset?: number;
}

/**
 * Volume-weighted average of the typical price (high + low + close) / 3 since the start of the
 * bar's session. The session of a bar is `floor((openTime − sessionOffset) / sessionLength)`; a bar
 * from a different session than the previous one starts a new sum. While the session has traded no
 * volume, the value is the latest typical price. Warm-up: 1.
 */
export class SessionVWAP implements Indicator<TimedVolumeBar, number> {
  readonly sessionLength: number;
  readonly sessionOffset: number;
  readonly warmUp = 1;
  private count = 0;
  private session = 0;
  private priceVolume = 0;
  private volume = 0;
  private latestTypicalPrice = 0;
  private undoSession = 0;
  private undoPriceVolume = 0;
  private undoVolume = 0;
  private undoTypicalPrice = 0;

  constructor(options: SessionVWAPOptions = {}) {
    const sessionLength = options.sessionLength ?? DAY_MS;
    if (!(sessionLength > 0)) {
      throw parameterError('SessionVWAP', 'sessionLength', sessionLength, 'milliseconds > 0 or Infinity');
    }
    const sessionOffset = options.sessionOffset ?? 0;
    if (!Number.isFinite(sessionOffset)) {
      throw parameterError('SessionVWAP', 'sessionOffset', sessionOffset, 'a finite number of milliseconds');
    }
    this.sessionLength = sessionLength;
    this.sessionOffset = sessionOffset;
  }

  get isStable(): boolean {
    return this.count > 0;
  }

  get value(): number | undefined {
    return this.count > 0 ? this.current() : undefined;
  }

  add(bar: TimedVolumeBar): number | undefined {
    this.check(bar);
    return this.update(bar);
  }

  replace(bar: TimedVolumeBar): number | undefined {
    this.check(bar);
    if (this.count > 0) this.undo();
    return this.update(bar);
  }

  private check(bar: TimedVolumeBar): void {
    requirePriceBar('SessionVWAP', bar);
    requireVolume('SessionVWAP', bar.volume);
    if (!Number.isFinite(bar.openTime)) throw invalidInput('SessionVWAP', 'bar.openTime', bar.openTime);
  }

  private update(bar: TimedVolumeBar): number {
    this.undoSession = this.session;
    this.undoPriceVolume = this.priceVolume;
    this.undoVolume = this.volume;
    this.undoTypicalPrice = this.latestTypicalPrice;
    const session = Math.floor((bar.openTime - this.sessionOffset) / this.sessionLength);
    if (this.count === 0 || session !== this.session) {
      this.session = session;
      this.priceVolume = 0;
      this.volume = 0;
    }
    const price = typicalPrice(bar);
    this.latestTypicalPrice = price;
    this.priceVolume += price * bar.volume;
    this.volume += bar.volume;
    this.count++;
    return this.current();
  }

  private undo(): void {
    this.count--;
    this.session = this.undoSession;
    this.priceVolume = this.undoPriceVolume;
    this.volume = this.undoVolume;
    this.latestTypicalPrice = this.undoTypicalPrice;
  }

  private current(): number {
    // A sum of non-negative volumes is 0 only when every volume was 0, so this test is exact.
    return this.volume > 0 ? this.priceVolume / this.volume : this.latestTypicalPrice;
  }
}
