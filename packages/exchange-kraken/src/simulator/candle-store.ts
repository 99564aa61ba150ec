/** Kraken's OHLC intervals in minutes (spec §5.6, §8.10). */
export const KRAKEN_OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600] as const;
export type KrakenOhlcInterval = (typeof KRAKEN_OHLC_INTERVALS)[number];

/** Kraken keeps at most this many candles per interval (spec §5.6). */
export const MAX_CANDLES = 720;

/** One candle in integer units of the pair's price and quantity precision. */
export interface Candle {
  /** Epoch ms, aligned to the interval. */
  readonly openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base volume, quantity units. */
  volume: number;
  /** Σ price × quantity in units, for the VWAP (a float: the VWAP is display only). */
  notional: number;
  count: number;
}

export function isKrakenOhlcInterval(minutes: number): minutes is KrakenOhlcInterval {
  return (KRAKEN_OHLC_INTERVALS as readonly number[]).includes(minutes);
}

/** VWAP in price units, or the close when nothing traded. */
export function candleVwap(candle: Candle): number {
  return candle.volume > 0 ? Math.round(candle.notional / candle.volume) : candle.close;
}

/**
 * Candles of one pair for every Kraken interval, built from the pair's trades as they happen.
 * A candle is committed once the market clock passes its end; the newest one may still be
 * forming. Every interval is aligned to the epoch, so week candles start on a Thursday (how
 * Kraken aligns them is not in our sources; see README.md).
 */
export class CandleStore {
  readonly #series = new Map<KrakenOhlcInterval, Candle[]>();

  constructor() {
    for (const interval of KRAKEN_OHLC_INTERVALS) this.#series.set(interval, []);
  }

  add(time: number, price: number, qty: number, count: number): void {
    for (const [interval, candles] of this.#series) {
      const size = interval * 60_000;
      const openTime = Math.floor(time / size) * size;
      const last = candles[candles.length - 1];
      if (last !== undefined && last.openTime === openTime) {
        last.high = Math.max(last.high, price);
        last.low = Math.min(last.low, price);
        last.close = price;
        last.volume += qty;
        last.notional += price * qty;
        last.count += count;
      } else {
        candles.push({ openTime, open: price, high: price, low: price, close: price, volume: qty, notional: price * qty, count });
        if (candles.length > MAX_CANDLES) candles.splice(0, candles.length - MAX_CANDLES);
      }
    }
  }

  /** Oldest first; the last one may still be forming (its end is after `now`). */
  candles(interval: KrakenOhlcInterval): readonly Candle[] {
    return this.#series.get(interval)!;
  }

  /** The candle containing `time`, if anything traded in it. */
  candleAt(interval: KrakenOhlcInterval, time: number): Candle | undefined {
    const candles = this.candles(interval);
    const last = candles[candles.length - 1];
    const size = interval * 60_000;
    return last !== undefined && last.openTime === Math.floor(time / size) * size ? last : undefined;
  }
}

/** Rolling statistics over candles that start at or after `from`. */
export interface CandleStats {
  volume: number;
  notional: number;
  count: number;
  low: number | undefined;
  high: number | undefined;
  open: number | undefined;
}

export function statsSince(candles: readonly Candle[], from: number): CandleStats {
  const stats: CandleStats = { volume: 0, notional: 0, count: 0, low: undefined, high: undefined, open: undefined };
  for (const candle of candles) {
    if (candle.openTime < from) continue;
    stats.open ??= candle.open;
    stats.volume += candle.volume;
    stats.notional += candle.notional;
    stats.count += candle.count;
    stats.low = stats.low === undefined ? candle.low : Math.min(stats.low, candle.low);
    stats.high = stats.high === undefined ? candle.high : Math.max(stats.high, candle.high);
  }
  return stats;
}
