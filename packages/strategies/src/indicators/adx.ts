import { ExponentialSmoother } from './exponential-smoother.js';
import type { Indicator, PriceBar } from './indicator.js';
import { trueRange } from './true-range.js';
import { requirePeriod, requirePriceBar } from './validation.js';

export interface ADXValue {
  /** Average directional index, 0–100. */
  adx: number;
  /** +DI, 0–100. */
  plusDI: number;
  /** −DI, 0–100. */
  minusDI: number;
}

/**
 * Wilder's average directional index. From the second bar on, directional movement and true range
 * are Wilder-smoothed over `period` (seeded with their simple means), giving +DI/−DI and DX from
 * bar `period + 1`; ADX is DX Wilder-smoothed the same way. Warm-up: `2 × period` (as TA-Lib counts it).
 * DI is 0 while the smoothed true range is 0, and DX is 0 while both DIs are 0 (flat market).
 *
 * `value` is one object overwritten on every update: read it, or copy it to keep it.
 */
export class ADX implements Indicator<PriceBar, Readonly<ADXValue>> {
  readonly period: number;
  readonly warmUp: number;
  private readonly range: ExponentialSmoother;
  private readonly plusMovement: ExponentialSmoother;
  private readonly minusMovement: ExponentialSmoother;
  private readonly directionalIndex: ExponentialSmoother;
  private readonly result: ADXValue = { adx: 0, plusDI: 0, minusDI: 0 };
  private count = 0;
  private previousHigh = 0;
  private previousLow = 0;
  private previousClose = 0;
  private undoHigh = 0;
  private undoLow = 0;
  private undoClose = 0;
  private undoPushedDirectionalIndex = false;

  constructor(period = 14) {
    this.period = requirePeriod('ADX', 'period', period);
    this.warmUp = 2 * period;
    const alpha = 1 / period;
    this.range = new ExponentialSmoother(period, alpha);
    this.plusMovement = new ExponentialSmoother(period, alpha);
    this.minusMovement = new ExponentialSmoother(period, alpha);
    this.directionalIndex = new ExponentialSmoother(period, alpha);
  }

  get isStable(): boolean {
    return this.directionalIndex.isReady;
  }

  get value(): Readonly<ADXValue> | undefined {
    return this.directionalIndex.isReady ? this.result : undefined;
  }

  add(bar: PriceBar): Readonly<ADXValue> | undefined {
    requirePriceBar('ADX', bar);
    return this.update(bar);
  }

  replace(bar: PriceBar): Readonly<ADXValue> | undefined {
    requirePriceBar('ADX', bar);
    if (this.count > 0) this.undo();
    return this.update(bar);
  }

  private update(bar: PriceBar): Readonly<ADXValue> | undefined {
    this.undoHigh = this.previousHigh;
    this.undoLow = this.previousLow;
    this.undoClose = this.previousClose;
    this.undoPushedDirectionalIndex = false;
    if (this.count > 0) {
      const up = bar.high - this.previousHigh;
      const down = this.previousLow - bar.low;
      this.plusMovement.push(up > down && up > 0 ? up : 0);
      this.minusMovement.push(down > up && down > 0 ? down : 0);
      this.range.push(trueRange(bar, this.previousClose));
    }
    this.previousHigh = bar.high;
    this.previousLow = bar.low;
    this.previousClose = bar.close;
    this.count++;
    if (!this.range.isReady) return undefined;

    const range = this.range.value;
    const plusDI = range > 0 ? (100 * this.plusMovement.value) / range : 0;
    const minusDI = range > 0 ? (100 * this.minusMovement.value) / range : 0;
    const sum = plusDI + minusDI;
    const directionalIndex = this.directionalIndex;
    directionalIndex.push(sum > 0 ? (100 * Math.abs(plusDI - minusDI)) / sum : 0);
    this.undoPushedDirectionalIndex = true;
    if (!directionalIndex.isReady) return undefined;
    const result = this.result;
    result.adx = directionalIndex.value;
    result.plusDI = plusDI;
    result.minusDI = minusDI;
    return result;
  }

  private undo(): void {
    if (this.undoPushedDirectionalIndex) this.directionalIndex.undo();
    this.count--;
    if (this.count > 0) {
      this.plusMovement.undo();
      this.minusMovement.undo();
      this.range.undo();
    }
    this.previousHigh = this.undoHigh;
    this.previousLow = this.undoLow;
    this.previousClose = this.undoClose;
  }
}
