import { ExponentialSmoother } from './exponential-smoother.js';
import type { Indicator } from './indicator.js';
import { invalidInput, parameterError, requirePeriod } from './validation.js';

export interface MACDOptions {
  /** Default 12. */
  readonly fastPeriod?: number;
  /** Default 26. */
  readonly slowPeriod?: number;
  /** Default 9. */
  readonly signalPeriod?: number;
}

export interface MACDValue {
  /** Fast EMA − slow EMA. */
  macd: number;
  /** EMA of `macd` over `signalPeriod`. */
  signal: number;
  /** `macd − signal`. */
  histogram: number;
}

/**
 * Moving average convergence/divergence. The fast and slow EMAs are each seeded with their own
 * simple average; the MACD line exists from input `slowPeriod`, and the signal line (an EMA of the
 * MACD line, seeded the same way) from input `slowPeriod + signalPeriod − 1`, which is the warm-up.
 *
 * `value` is one object overwritten on every update: read it, or copy it to keep it.
 */
export class MACD implements Indicator<number, Readonly<MACDValue>> {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  readonly warmUp: number;
  private readonly fast: ExponentialSmoother;
  private readonly slow: ExponentialSmoother;
  private readonly signal: ExponentialSmoother;
  private readonly result: MACDValue = { macd: 0, signal: 0, histogram: 0 };

  constructor(options: MACDOptions = {}) {
    const fastPeriod = requirePeriod('MACD', 'fastPeriod', options.fastPeriod ?? 12);
    const slowPeriod = requirePeriod('MACD', 'slowPeriod', options.slowPeriod ?? 26);
    if (fastPeriod >= slowPeriod) {
      throw parameterError('MACD', 'fastPeriod', fastPeriod, `less than slowPeriod (${slowPeriod})`);
    }
    this.fastPeriod = fastPeriod;
    this.slowPeriod = slowPeriod;
    this.signalPeriod = requirePeriod('MACD', 'signalPeriod', options.signalPeriod ?? 9);
    this.warmUp = this.slowPeriod + this.signalPeriod - 1;
    this.fast = new ExponentialSmoother(fastPeriod, 2 / (fastPeriod + 1));
    this.slow = new ExponentialSmoother(slowPeriod, 2 / (slowPeriod + 1));
    this.signal = new ExponentialSmoother(this.signalPeriod, 2 / (this.signalPeriod + 1));
  }

  get isStable(): boolean {
    return this.signal.isReady;
  }

  get value(): Readonly<MACDValue> | undefined {
    return this.signal.isReady ? this.result : undefined;
  }

  add(input: number): Readonly<MACDValue> | undefined {
    if (!Number.isFinite(input)) throw invalidInput('MACD', 'input', input);
    return this.update(input);
  }

  replace(input: number): Readonly<MACDValue> | undefined {
    if (!Number.isFinite(input)) throw invalidInput('MACD', 'input', input);
    if (this.slow.count > 0) this.undo();
    return this.update(input);
  }

  private update(input: number): Readonly<MACDValue> | undefined {
    this.fast.push(input);
    this.slow.push(input);
    if (!this.slow.isReady) return undefined;
    const macd = this.fast.value - this.slow.value;
    const signal = this.signal;
    signal.push(macd);
    if (!signal.isReady) return undefined;
    const result = this.result;
    result.macd = macd;
    result.signal = signal.value;
    result.histogram = macd - signal.value;
    return result;
  }

  private undo(): void {
    if (this.slow.isReady) this.signal.undo();
    this.fast.undo();
    this.slow.undo();
  }
}
