import { ExponentialSmoother } from './exponential-smoother.js';
import type { Indicator } from './indicator.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * Exponential moving average, alpha = 2/(period+1), seeded with the simple average of the first
 * `period` inputs. Warm-up: `period`.
 */
export class EMA implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly smoother: ExponentialSmoother;

  constructor(period: number) {
    this.period = requirePeriod('EMA', 'period', period);
    this.warmUp = period;
    this.smoother = new ExponentialSmoother(period, 2 / (period + 1));
  }

  get isStable(): boolean {
    return this.smoother.count >= this.period;
  }

  get value(): number | undefined {
    return this.smoother.count >= this.period ? this.smoother.value : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('EMA', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('EMA', 'input', input);
    if (this.smoother.count > 0) this.smoother.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const smoother = this.smoother;
    smoother.push(input);
    return smoother.count >= this.period ? smoother.value : undefined;
  }
}
