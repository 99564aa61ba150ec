/**
 * Exponential smoothing seeded with the simple average of the first `period` inputs — the seeding
 * TA-Lib, technicalindicators and Wilder's book use. `alpha` is 2/(period+1) for an EMA and
 * 1/period for Wilder's smoothing (RSI, ATR, ADX). One level of undo, for `replace`.
 */
export class ExponentialSmoother {
  readonly period: number;
  readonly alpha: number;
  /** Inputs pushed. */
  count = 0;
  /** Defined once `count >= period`. */
  value = 0;
  private seedSum = 0;
  private undoValue = 0;
  private undoSeedSum = 0;

  constructor(period: number, alpha: number) {
    this.period = period;
    this.alpha = alpha;
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  push(input: number): void {
    this.undoValue = this.value;
    this.undoSeedSum = this.seedSum;
    const count = ++this.count;
    if (count > this.period) {
      this.value += (input - this.value) * this.alpha;
    } else {
      this.seedSum += input;
      if (count === this.period) this.value = this.seedSum / this.period;
    }
  }

  /** Reverts the last push. Valid once per push. */
  undo(): void {
    this.count--;
    this.value = this.undoValue;
    this.seedSum = this.undoSeedSum;
  }
}
