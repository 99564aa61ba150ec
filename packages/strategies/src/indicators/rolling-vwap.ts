import type { Indicator, VolumeBar } from './indicator.js';
import { RollingSum } from './rolling-sum.js';
import { typicalPrice } from './typical-price.js';
import { requirePeriod, requirePriceBar, requireVolume } from './validation.js';

/**
 * Volume-weighted average of the typical price (high + low + close) / 3 over the last `period`
 * bars. When none of those bars traded, the value is the latest typical price. Warm-up: `period`.
 */
export class RollingVWAP implements Indicator<VolumeBar, number> {
  readonly period: number;
  readonly warmUp: number;
  private readonly priceVolume: RollingSum;
  private readonly volume: RollingSum;
  /**
   * Bars in the window with volume > 0. Sliding float sums of volume need not return to exactly 0
   * when the window empties of volume; this integer count tells when it has.
   */
  private readonly tradedBars: RollingSum;
  private latestTypicalPrice = 0;
  private undoTypicalPrice = 0;

  constructor(period: number) {
    this.period = requirePeriod('RollingVWAP', 'period', period);
    this.warmUp = period;
    this.priceVolume = new RollingSum(period);
    this.volume = new RollingSum(period);
    this.tradedBars = new RollingSum(period);
  }

  get isStable(): boolean {
    return this.volume.isFull;
  }

  get value(): number | undefined {
    return this.volume.isFull ? this.current() : undefined;
  }

  add(bar: VolumeBar): number | undefined {
    requirePriceBar('RollingVWAP', bar);
    requireVolume('RollingVWAP', bar.volume);
    return this.update(bar);
  }

  replace(bar: VolumeBar): number | undefined {
    requirePriceBar('RollingVWAP', bar);
    requireVolume('RollingVWAP', bar.volume);
    if (this.volume.count > 0) this.undo();
    return this.update(bar);
  }

  private update(bar: VolumeBar): number | undefined {
    const price = typicalPrice(bar);
    this.undoTypicalPrice = this.latestTypicalPrice;
    this.latestTypicalPrice = price;
    this.priceVolume.push(price * bar.volume);
    this.volume.push(bar.volume);
    this.tradedBars.push(bar.volume > 0 ? 1 : 0);
    return this.volume.isFull ? this.current() : undefined;
  }

  private undo(): void {
    this.priceVolume.undo();
    this.volume.undo();
    this.tradedBars.undo();
    this.latestTypicalPrice = this.undoTypicalPrice;
  }

  private current(): number {
    return this.tradedBars.sum > 0 ? this.priceVolume.sum / this.volume.sum : this.latestTypicalPrice;
  }
}
