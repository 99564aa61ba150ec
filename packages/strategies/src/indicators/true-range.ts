import type { PriceBar } from './indicator.js';

/** The bar's range extended to the previous close, so gaps count as movement. */
export function trueRange(bar: PriceBar, previousClose: number): number {
  return Math.max(bar.high - bar.low, Math.abs(bar.high - previousClose), Math.abs(bar.low - previousClose));
}
