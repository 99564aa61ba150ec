import { ExponentialSmoother } from './exponential-smoother.js';
import type { Indicator, PriceBar } from './indicator.js';
import { trueRange } from './true-range.js';
import { requirePeriod, requirePriceBar } from './validation.js';

/**
 * Average true range with Wilder's smoothing. True range needs the previous close, so the first
 * bar only supplies it; the average starts as the simple mean of the next `period` true ranges.
 * Warm-up: `period + 1` (as TA-Lib counts it).
 */
export class ATR implements Indicator<PriceBar, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly smoother: ExponentialSmoother;
  private count = 0;
  private previousClose = 0;
  private undoPreviousClose = 0;

  constructor(period = 14) {
    this.period = requirePeriod('ATR', 'period', period);
    this.warmUp = period + 1;
    this.smoother = new ExponentialSmoother(period, 1 / period);
  }

  get isStable(): boolean {
    return this.smoother.isReady;
  }

  get value(): number | undefined {
    return this.smoother.isReady ? this.smoother.value : undefined;
  }

  add(bar: PriceBar): number | undefined {
    requirePriceBar('ATR', bar);
    return this.update(bar);
  }

  replace(bar: PriceBar): number | undefined {
    requirePriceBar('ATR', bar);
    if (this.count > 0) this.undo();
    return this.update(bar);
  }

  private update(bar: PriceBar): number | undefined {
    this.undoPreviousClose = this.previousClose;
    if (this.count > 0) this.smoother.push(trueRange(bar, this.previousClose));
    this.previousClose = bar.close;
    this.count++;
    return this.smoother.isReady ? this.smoother.value : undefined;
  }

  private undo(): void {
    this.count--;
    if (this.count > 0) this.smoother.undo();
    this.previousClose = this.undoPreviousClose;
  }
}
