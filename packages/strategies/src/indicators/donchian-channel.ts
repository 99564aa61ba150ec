import type { Indicator, PriceBar } from './indicator.js';
import { SlidingExtreme } from './sliding-extreme.js';
import { requirePeriod, requirePriceBar } from './validation.js';

export interface DonchianChannelValue {
  /** Highest high of the window. */
  upper: number;
  /** Lowest low of the window. */
  lower: number;
  /** (upper + lower) / 2. */
  middle: number;
}

/**
 * Donchian channel: the highest high and lowest low of the last `period` bars, the current bar
 * included. O(log period) worst case per update (see `SlidingExtreme`). Warm-up: `period`.
 *
 * `value` is one object overwritten on every update: read it, or copy it to keep it.
 */
export class DonchianChannel implements Indicator<PriceBar, Readonly<DonchianChannelValue>> {
  readonly period: number;
  readonly warmUp: number;
  private readonly highest: SlidingExtreme;
  private readonly lowest: SlidingExtreme;
  private readonly result: DonchianChannelValue = { upper: 0, lower: 0, middle: 0 };
  private count = 0;

  constructor(period = 20) {
    this.period = requirePeriod('DonchianChannel', 'period', period);
    this.warmUp = period;
    this.highest = new SlidingExtreme(period, 'max');
    this.lowest = new SlidingExtreme(period, 'min');
  }

  get isStable(): boolean {
    return this.count >= this.period;
  }

  get value(): Readonly<DonchianChannelValue> | undefined {
    return this.count >= this.period ? this.result : undefined;
  }

  add(bar: PriceBar): Readonly<DonchianChannelValue> | undefined {
    requirePriceBar('DonchianChannel', bar);
    return this.update(bar);
  }

  replace(bar: PriceBar): Readonly<DonchianChannelValue> | undefined {
    requirePriceBar('DonchianChannel', bar);
    if (this.count > 0) {
      this.highest.undo();
      this.lowest.undo();
      this.count--;
    }
    return this.update(bar);
  }

  private update(bar: PriceBar): Readonly<DonchianChannelValue> | undefined {
    this.highest.push(bar.high);
    this.lowest.push(bar.low);
    this.count++;
    if (this.count < this.period) return undefined;
    const result = this.result;
    result.upper = this.highest.value;
    result.lower = this.lowest.value;
    result.middle = (result.upper + result.lower) / 2;
    return result;
  }
}
