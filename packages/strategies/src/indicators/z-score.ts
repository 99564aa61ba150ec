import type { Indicator } from './indicator.js';
import { RollingMoments } from './rolling-moments.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * How many population standard deviations the latest input lies from the mean of the last
 * `period` inputs (the latest included). 0 when the window has no variance: every input equals
 * the mean. Warm-up: `period`.
 */
export class ZScore implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly moments: RollingMoments;
  private latest = 0;
  private undoLatest = 0;

  constructor(period: number) {
    this.period = requirePeriod('ZScore', 'period', period, 2);
    this.warmUp = period;
    this.moments = new RollingMoments(period);
  }

  get isStable(): boolean {
    return this.moments.isFull;
  }

  get value(): number | undefined {
    return this.moments.isFull ? this.current() : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('ZScore', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('ZScore', 'input', input);
    if (this.moments.count > 0) {
      this.moments.undo();
      this.latest = this.undoLatest;
    }
    return this.update(input);
  }

  private update(input: number): number | undefined {
    this.undoLatest = this.latest;
    this.latest = input;
    this.moments.push(input);
    return this.moments.isFull ? this.current() : undefined;
  }

  private current(): number {
    const variance = this.moments.variance;
    return variance > 0 ? this.moments.deviation(this.latest) / Math.sqrt(variance) : 0;
  }
}
