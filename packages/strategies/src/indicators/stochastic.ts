import type { Indicator, PriceBar } from './indicator.js';
import { RollingSum } from './rolling-sum.js';
import { SlidingExtreme } from './sliding-extreme.js';
import { requirePeriod, requirePriceBar } from './validation.js';

export interface StochasticOptions {
  /** Bars in the high–low range. Default 14. */
  readonly period?: number;
  /** SMA length applied to raw %K (1 = fast stochastic, 3 = slow). Default 1. */
  readonly kSmoothing?: number;
  /** SMA length of %D over %K. Default 3. */
  readonly dPeriod?: number;
}

export interface StochasticValue {
  /** %K, 0–100. */
  k: number;
  /** %D, 0–100. */
  d: number;
}

/**
 * Stochastic oscillator. Raw %K = 100 × (close − lowest low) / (highest high − lowest low) over
 * the last `period` bars; %K is its SMA over `kSmoothing`; %D is the SMA of %K over `dPeriod`.
 * Raw %K is 50 when the range is 0 (the close is both the high and the low, so neither 0 nor 100
 * is more true). Warm-up: `period + kSmoothing + dPeriod − 2`.
 *
 * `value` is one object overwritten on every update: read it, or copy it to keep it.
 */
export class Stochastic implements Indicator<PriceBar, Readonly<StochasticValue>> {
  readonly period: number;
  readonly kSmoothing: number;
  readonly dPeriod: number;
  readonly warmUp: number;
  private readonly highest: SlidingExtreme;
  private readonly lowest: SlidingExtreme;
  private readonly rawK: RollingSum;
  private readonly k: RollingSum;
  private readonly result: StochasticValue = { k: 0, d: 0 };
  private count = 0;
  private undoPushedRawK = false;
  private undoPushedK = false;

  constructor(options: StochasticOptions = {}) {
    this.period = requirePeriod('Stochastic', 'period', options.period ?? 14);
    this.kSmoothing = requirePeriod('Stochastic', 'kSmoothing', options.kSmoothing ?? 1);
    this.dPeriod = requirePeriod('Stochastic', 'dPeriod', options.dPeriod ?? 3);
    this.warmUp = this.period + this.kSmoothing + this.dPeriod - 2;
    this.highest = new SlidingExtreme(this.period, 'max');
    this.lowest = new SlidingExtreme(this.period, 'min');
    this.rawK = new RollingSum(this.kSmoothing);
    this.k = new RollingSum(this.dPeriod);
  }

  get isStable(): boolean {
    return this.k.isFull;
  }

  get value(): Readonly<StochasticValue> | undefined {
    return this.k.isFull ? this.result : undefined;
  }

  add(bar: PriceBar): Readonly<StochasticValue> | undefined {
    requirePriceBar('Stochastic', bar);
    return this.update(bar);
  }

  replace(bar: PriceBar): Readonly<StochasticValue> | undefined {
    requirePriceBar('Stochastic', bar);
    if (this.count > 0) this.undo();
    return this.update(bar);
  }

  private update(bar: PriceBar): Readonly<StochasticValue> | undefined {
    this.undoPushedRawK = false;
    this.undoPushedK = false;
    this.highest.push(bar.high);
    this.lowest.push(bar.low);
    this.count++;
    if (this.count < this.period) return undefined;

    const lowest = this.lowest.value;
    const range = this.highest.value - lowest;
    this.rawK.push(range > 0 ? (100 * (bar.close - lowest)) / range : 50);
    this.undoPushedRawK = true;
    if (!this.rawK.isFull) return undefined;
    const k = this.rawK.sum / this.kSmoothing;
    this.k.push(k);
    this.undoPushedK = true;
    if (!this.k.isFull) return undefined;
    const result = this.result;
    result.k = k;
    result.d = this.k.sum / this.dPeriod;
    return result;
  }

  private undo(): void {
    if (this.undoPushedK) this.k.undo();
    if (this.undoPushedRawK) this.rawK.undo();
    this.highest.undo();
    this.lowest.undo();
    this.count--;
  }
}
