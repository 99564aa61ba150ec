import type { Indicator } from './indicator.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * Linearly weighted moving average: the newest of the last `period` inputs weighs `period`, the
 * oldest weighs 1. Warm-up: `period`.
 *
 * O(1) per input: when the window slides, every weight drops by one, so the weighted sum loses the
 * plain sum of the old window and gains `period × input`. Both sums are recomputed when the ring
 * wraps so rounding error stays bounded.
 */
export class WMA implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly buffer: Float64Array;
  private readonly divisor: number;
  private next = 0;
  private count = 0;
  private sum = 0;
  private weightedSum = 0;
  private undoSum = 0;
  private undoWeightedSum = 0;
  private undoEvicted = 0;
  private undoCount = 0;

  constructor(period: number) {
    this.period = requirePeriod('WMA', 'period', period);
    this.warmUp = period;
    this.buffer = new Float64Array(period);
    this.divisor = (period * (period + 1)) / 2;
  }

  get isStable(): boolean {
    return this.count === this.period;
  }

  get value(): number | undefined {
    return this.count === this.period ? this.weightedSum / this.divisor : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('WMA', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('WMA', 'input', input);
    if (this.count > 0) this.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const period = this.period;
    const next = this.next;
    const evicted = this.buffer[next]!;
    this.undoSum = this.sum;
    this.undoWeightedSum = this.weightedSum;
    this.undoEvicted = evicted;
    this.undoCount = this.count;
    this.buffer[next] = input;
    if (this.count === period) {
      this.weightedSum += period * input - this.sum;
      this.sum += input - evicted;
    } else {
      this.count++;
      this.weightedSum += this.count * input;
      this.sum += input;
    }
    if (next + 1 === period) {
      this.next = 0;
      this.recompute();
    } else {
      this.next = next + 1;
    }
    return this.count === period ? this.weightedSum / this.divisor : undefined;
  }

  private undo(): void {
    const last = this.next === 0 ? this.period - 1 : this.next - 1;
    this.buffer[last] = this.undoEvicted;
    this.next = last;
    this.sum = this.undoSum;
    this.weightedSum = this.undoWeightedSum;
    this.count = this.undoCount;
  }

  /** Called when the ring wraps: slot 0 holds the oldest input. */
  private recompute(): void {
    const buffer = this.buffer;
    let sum = 0;
    let weightedSum = 0;
    for (let index = 0; index < buffer.length; index++) {
      sum += buffer[index]!;
      weightedSum += buffer[index]! * (index + 1);
    }
    this.sum = sum;
    this.weightedSum = weightedSum;
  }
}
