import type { Indicator } from './indicator.js';
import { RollingMoments } from './rolling-moments.js';
import { invalidInput, requirePeriod } from './validation.js';

/** Rolling population standard deviation (divides by `period`) of the last `period` inputs, period ≥ 2. Warm-up: `period`. */
export class StandardDeviation implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly moments: RollingMoments;

  constructor(period: number) {
    this.period = requirePeriod('StandardDeviation', 'period', period, 2);
    this.warmUp = period;
    this.moments = new RollingMoments(period);
  }

  get isStable(): boolean {
    return this.moments.isFull;
  }

  get value(): number | undefined {
    return this.moments.isFull ? Math.sqrt(this.moments.variance) : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('StandardDeviation', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('StandardDeviation', 'input', input);
    if (this.moments.count > 0) this.moments.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const moments = this.moments;
    moments.push(input);
    return moments.isFull ? Math.sqrt(moments.variance) : undefined;
  }
}
