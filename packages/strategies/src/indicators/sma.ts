import type { Indicator } from './indicator.js';
import { RollingSum } from './rolling-sum.js';
import { invalidInput, requirePeriod } from './validation.js';

/** Simple moving average: the mean of the last `period` inputs. Warm-up: `period`. */
export class SMA implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly window: RollingSum;

  constructor(period: number) {
    this.period = requirePeriod('SMA', 'period', period);
    this.warmUp = period;
    this.window = new RollingSum(period);
  }

  get isStable(): boolean {
    return this.window.count === this.period;
  }

  get value(): number | undefined {
    return this.window.count === this.period ? this.window.sum / this.period : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('SMA', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('SMA', 'input', input);
    if (this.window.count > 0) this.window.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const window = this.window;
    window.push(input);
    return window.count === this.period ? window.sum / this.period : undefined;
  }
}
