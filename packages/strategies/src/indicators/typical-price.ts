import type { PriceBar } from './indicator.js';

/** (high + low + close) / 3: the price VWAP weights by volume. */
export function typicalPrice(bar: PriceBar): number {
  return (bar.high + bar.low + bar.close) / 3;
}
