import type { Indicator } from './indicator.js';
import { invalidInput, requirePeriod } from './validation.js';

/**
 * Rate of change in percent: 100 × (input − input `period` steps back) / input `period` steps back.
 * Meant for prices: a base input of 0 gives ±Infinity or NaN. Warm-up: `period + 1`.
 */
export class ROC implements Indicator<number, number> {
  readonly period: number;
  readonly warmUp: number;
  /** The last `period + 1` inputs. */
  private readonly buffer: Float64Array;
  private next = 0;
  private count = 0;
  private current = 0;
  private undoEvicted = 0;
  private undoCount = 0;
  private undoCurrent = 0;

  constructor(period: number) {
    this.period = requirePeriod('ROC', 'period', period);
    this.warmUp = period + 1;
    this.buffer = new Float64Array(period + 1);
  }

  get isStable(): boolean {
    return this.count === this.warmUp;
  }

  get value(): number | undefined {
    return this.count === this.warmUp ? this.current : undefined;
  }

  add(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('ROC', 'input', input);
    return this.update(input);
  }

  replace(input: number): number | undefined {
    if (!Number.isFinite(input)) throw invalidInput('ROC', 'input', input);
    if (this.count > 0) this.undo();
    return this.update(input);
  }

  private update(input: number): number | undefined {
    const buffer = this.buffer;
    const next = this.next;
    this.undoEvicted = buffer[next]!;
    this.undoCount = this.count;
    this.undoCurrent = this.current;
    buffer[next] = input;
    this.next = next + 1 === buffer.length ? 0 : next + 1;
    if (this.count < this.warmUp) this.count++;
    if (this.count < this.warmUp) return undefined;
    // Full ring: the slot written next holds the oldest input, `period` steps back.
    const base = buffer[this.next]!;
    this.current = ((input - base) / base) * 100;
    return this.current;
  }

  private undo(): void {
    const last = this.next === 0 ? this.buffer.length - 1 : this.next - 1;
    this.buffer[last] = this.undoEvicted;
    this.next = last;
    this.count = this.undoCount;
    this.current = this.undoCurrent;
  }
}
