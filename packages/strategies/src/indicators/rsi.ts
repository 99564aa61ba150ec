import { ExponentialSmoother } from './exponential-smoother.js';
import type { Indicator } from './indicator.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * Relative strength index with Wilder's smoothing. Average gain and loss start as the simple
 * average of the first `period` changes, then move by 1/period per change. Warm-up: `period + 1`
 * (the first input has no change).
 *
 * 100 when the average loss is 0; 50 when both averages are 0 (a flat market has no strength
 * either way, where 100 would read as maximally overbought).
 */
export class RSI implements Indicator<number, number> {
  // Every field is first set in the constructor (`declare`), as in EMA: see the comment there.
  declare readonly period: number;
  declare readonly warmUp: number;
  private declare readonly gains: ExponentialSmoother;
  private declare readonly losses: ExponentialSmoother;
  private declare count: number;
  private declare previous: number;
  private declare undoPrevious: number;

  constructor(period = 14) {
    this.period = requirePeriod('RSI', 'period', period);
    this.warmUp = period + 1;
    this.gains = new ExponentialSmoother(period, 1 / period);
    this.losses = new ExponentialSmoother(period, 1 / period);
    this.count = 0;
    this.previous = 0;
    this.undoPrevious = 0;
  }

  get isStable(): boolean {
    return this.gains.count >= this.period;
  }

  get value(): number | undefined {
    return this.gains.count >= this.period ? this.current() : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('RSI', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('RSI', 'input', input);
    if (this.count > 0) this.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    this.undoPrevious = this.previous;
    if (this.count > 0) {
      const change = input - this.previous;
      this.gains.push(change > 0 ? change : 0);
      this.losses.push(change < 0 ? -change : 0);
    }
    this.previous = input;
    this.count++;
    return this.gains.count >= this.period ? this.current() : undefined;
  }

  private undo(): void {
    this.count--;
    if (this.count > 0) {
      this.gains.undo();
      this.losses.undo();
    }
    this.previous = this.undoPrevious;
  }

  private current(): number {
    const averageLoss = this.losses.value;
    const averageGain = this.gains.value;
    if (averageLoss === 0) return averageGain === 0 ? 50 : 100;
    return 100 - 100 / (1 + averageGain / averageLoss);
  }
}
