/**
 * Exponential smoothing seeded with the simple average of the first `period` inputs — the seeding
 * TA-Lib, technicalindicators and Wilder's book use. `alpha` is 2/(period+1) for an EMA and
 * 1/period for Wilder's smoothing (RSI, ATR, ADX). One level of undo, for `replace`.
 */
export class ExponentialSmoother {
  // Every field is first set in the constructor (`declare`), as in EMA: see the comment there.
  declare readonly period: number;
  declare readonly alpha: number;
  /** Inputs pushed. */
  declare count: number;
  /** Defined once `count >= period`. */
  declare value: number;
  private declare seedSum: number;
  private declare undoValue: number;
  private declare undoSeedSum: number;

  constructor(period: number, alpha: number) {
    this.period = period;
    this.alpha = alpha;
    this.count = 0;
    this.value = 0;
    this.seedSum = 0;
    this.undoValue = 0;
    this.undoSeedSum = 0;
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
