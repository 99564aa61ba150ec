import type { Indicator } from './indicator.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * Exponential moving average, alpha = 2/(period+1), seeded with the simple average of the first
 * `period` inputs. Warm-up: `period`.
 *
 * The smoothing is written out here rather than delegated to `ExponentialSmoother`: an EMA is
 * the indicator strategies call most, and one object with its own fields keeps the per-update
 * path to a few loads and stores (measured in `pnpm bench indicators`).
 */
export class EMA implements Indicator<number, number> {
  // `declare`: no class-field definitions, every field is first set in the constructor, with its
  // final type. A declared field without a value is first defined as undefined, which leaves V8
  // storing it as a generic tagged value; in a benchmark process that came out slow, the update
  // then took 11 ns against 9 ns (bench/README.md, `indicators`).
  declare readonly period: number;
  declare readonly warmUp: number;
  private declare readonly alpha: number;
  /** Inputs added. */
  private declare count: number;
  /** Defined once `count >= period`. */
  private declare current: number;
  private declare seedSum: number;
  // One level of undo, for `replace`.
  private declare undoCurrent: number;
  private declare undoSeedSum: number;

  constructor(period: number) {
    this.period = requirePeriod('EMA', 'period', period);
    this.warmUp = period;
    this.alpha = 2 / (period + 1);
    this.count = 0;
    this.current = 0;
    this.seedSum = 0;
    this.undoCurrent = 0;
    this.undoSeedSum = 0;
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }

  get value(): number | undefined {
    return this.count >= this.period ? this.current : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('EMA', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('EMA', 'input', input);
    if (this.count > 0) {
      this.count--;
      this.current = this.undoCurrent;
      this.seedSum = this.undoSeedSum;
    }
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const current = this.current;
    this.undoCurrent = current;
    const count = ++this.count;
    if (count > this.period) {
      const next = current + (input - current) * this.alpha;
      this.current = next;
      return next;
    }
    this.undoSeedSum = this.seedSum;
    const seedSum = this.seedSum + input;
    this.seedSum = seedSum;
    if (count < this.period) return undefined;
    this.current = seedSum / this.period;
    return this.current;
  }
}
