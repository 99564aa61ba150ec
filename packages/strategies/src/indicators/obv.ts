import type { Indicator, VolumeBar } from './indicator.js';
import { requirePriceBar, requireVolume } from './validation.js';

/**
 * On-balance volume: a running total that adds the bar's volume when the close rises, subtracts
 * it when the close falls and leaves it when the close is unchanged. Starts at 0 on the first bar
 * (only the changes carry meaning). Warm-up: 1.
 */
export class OBV implements Indicator<VolumeBar, number> {
  readonly warmUp = 1;
  private count = 0;
  private total = 0;
  private previousClose = 0;
  private undoTotal = 0;
  private undoPreviousClose = 0;

  get isStable(): boolean {
    return this.count > 0;
  }

  get value(): number | undefined {
    return this.count > 0 ? this.total : undefined;
  }

  add(bar: VolumeBar): number | undefined {
    requirePriceBar('OBV', bar);
    requireVolume('OBV', bar.volume);
    return this.update(bar);
  }

  replace(bar: VolumeBar): number | undefined {
    requirePriceBar('OBV', bar);
    requireVolume('OBV', bar.volume);
    if (this.count > 0) this.undo();
    return this.update(bar);
  }

  private update(bar: VolumeBar): number {
    this.undoTotal = this.total;
    this.undoPreviousClose = this.previousClose;
    if (this.count > 0) {
      if (bar.close > this.previousClose) this.total += bar.volume;
      else if (bar.close < this.previousClose) this.total -= bar.volume;
    }
    this.previousClose = bar.close;
    this.count++;
    return this.total;
  }

  private undo(): void {
    this.count--;
    this.total = this.undoTotal;
    this.previousClose = this.undoPreviousClose;
  }
}
