import type { Indicator } from './indicator.js';
import { RollingMoments } from './rolling-moments.js';
import { invalidInput, requirePeriod, requirePositive } from './validation.js';

export interface BollingerBandsOptions {
  /** Default 20. */
  readonly period?: number;
  /** Standard deviations between the middle and each band. Default 2. */
  readonly multiplier?: number;
}

export interface BollingerBandsValue {
  /** Simple moving average. */
  middle: number;
  upper: number;
  lower: number;
  /** Bandwidth: (upper − lower) / middle. */
  width: number;
}

/**
 * Bollinger bands: SMA ± multiplier × population standard deviation of the last `period` inputs.
 * Warm-up: `period`.
 *
 * `value` is one object overwritten on every update: read it, or copy it to keep it.
 */
export class BollingerBands implements Indicator<number, Readonly<BollingerBandsValue>> {
  readonly period: number;
  readonly multiplier: number;
  readonly warmUp: number;
  private readonly moments: RollingMoments;
  private readonly result: BollingerBandsValue = { middle: 0, upper: 0, lower: 0, width: 0 };

  constructor(options: BollingerBandsOptions = {}) {
    this.period = requirePeriod('BollingerBands', 'period', options.period ?? 20, 2);
    this.multiplier = requirePositive('BollingerBands', 'multiplier', options.multiplier ?? 2);
    this.warmUp = this.period;
    this.moments = new RollingMoments(this.period);
  }

  get isStable(): boolean {
    return this.moments.isFull;
  }

  get value(): Readonly<BollingerBandsValue> | undefined {
    return this.moments.isFull ? this.result : undefined;
  }

  add(input: number): Readonly<BollingerBandsValue> | undefined {
    if (!Number.isFinite(input)) throw invalidInput('BollingerBands', 'input', input);
    return this.update(input);
  }

  replace(input: number): Readonly<BollingerBandsValue> | undefined {
    if (!Number.isFinite(input)) throw invalidInput('BollingerBands', 'input', input);
    if (this.moments.count > 0) this.moments.undo();
    return this.update(input);
  }

  private update(input: number): Readonly<BollingerBandsValue> | undefined {
    const moments = this.moments;
    moments.push(input);
    if (!moments.isFull) return undefined;
    const middle = moments.mean;
    const offset = Math.sqrt(moments.variance) * this.multiplier;
    const result = this.result;
    result.middle = middle;
    result.upper = middle + offset;
    result.lower = middle - offset;
    result.width = (result.upper - result.lower) / middle;
    return result;
  }
}
