import { DataError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { formatInterval, isoTime, type EpochMs } from '../model/time.js';

/**
 * Builds bars from trades pushed one at a time (pages of Kraken's `/0/public/Trades`, a socket):
 * the push form of what TradeBarIterator does for trade files, with the same convention. A bar is
 * the trades with time in `[openTime, openTime + interval)`, intervals aligned to the Unix epoch
 * (UTC: a 4h bar opens at 00, 04, 08...); open = first price, close = last, volume = summed
 * quantity, trades = count. An interval without trades has no bar, as on Kraken.
 */
export class TradeBarBuilder {
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  private readonly name: string;
  /** Open time of the bar being built; NaN when none. */
  private bucket = Number.NaN;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  private trades = 0;
  private lastTime = -Infinity;

  /** `name` says where the trades come from, for errors (a file, `Kraken Trades XBTUSD`). */
  constructor(instrumentId: InstrumentId, interval: number, name = `${instrumentId} trades`) {
    if (!Number.isSafeInteger(interval) || interval <= 0) {
      throw new DataError(name, undefined, `bar interval ${interval} is not a positive whole number of milliseconds`);
    }
    this.instrumentId = instrumentId;
    this.interval = interval;
    this.name = name;
  }

  /** Open time of the bar being built, or undefined. */
  get pendingOpenTime(): EpochMs | undefined {
    return Number.isNaN(this.bucket) ? undefined : this.bucket;
  }

  /**
   * Adds one trade (time in epoch ms; equal times are normal, earlier ones are refused); returns
   * the finished previous bar when this trade opens a new interval.
   */
  add(time: EpochMs, price: number, quantity: number): Bar | undefined {
    if (!(time >= this.lastTime)) {
      throw new DataError(this.name, undefined, `trade time goes backwards: ${isoTime(time)} after ${isoTime(this.lastTime)}; expected trades in time order`);
    }
    if (!(price > 0) || !Number.isFinite(price)) throw new DataError(this.name, undefined, `trade at ${isoTime(time)}: price ${price} is not a positive number`);
    if (!(quantity > 0) || !Number.isFinite(quantity)) throw new DataError(this.name, undefined, `trade at ${isoTime(time)}: quantity ${quantity} is not a positive number`);
    this.lastTime = time;
    const interval = this.interval;
    const bucket = Math.floor(time / interval) * interval;
    if (bucket === this.bucket) {
      if (price > this.high) this.high = price;
      if (price < this.low) this.low = price;
      this.close = price;
      this.volume += quantity;
      this.trades++;
      return undefined;
    }
    const finished = this.pending();
    this.bucket = bucket;
    this.open = price;
    this.high = price;
    this.low = price;
    this.close = price;
    this.volume = quantity;
    this.trades = 1;
    return finished;
  }

  /** The bar being built, without ending it; undefined when none. */
  pending(): Bar | undefined {
    if (Number.isNaN(this.bucket)) return undefined;
    return {
      instrumentId: this.instrumentId,
      interval: this.interval,
      openTime: this.bucket,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      trades: this.trades,
    };
  }

  /** Ends the bar being built and returns it (undefined when none). */
  flush(): Bar | undefined {
    const bar = this.pending();
    this.bucket = Number.NaN;
    return bar;
  }

  /**
   * Continues a bar saved with `pending()` (a resumed download): later trades of its interval are
   * added to it. `lastTime` is the time of the last trade it holds, so order checks continue.
   */
  restore(bar: Bar, lastTime: EpochMs): void {
    if (bar.interval !== this.interval || bar.openTime % this.interval !== 0 || bar.trades === undefined) {
      throw new DataError(this.name, undefined, `cannot continue a ${formatInterval(bar.interval)} bar at ${isoTime(bar.openTime)} with trade count ${String(bar.trades)} as a ${formatInterval(this.interval)} bar`);
    }
    if (lastTime < bar.openTime || lastTime >= bar.openTime + this.interval) {
      throw new DataError(this.name, undefined, `cannot continue the bar at ${isoTime(bar.openTime)}: its last trade time ${isoTime(lastTime)} is outside it`);
    }
    this.bucket = bar.openTime;
    this.open = bar.open;
    this.high = bar.high;
    this.low = bar.low;
    this.close = bar.close;
    this.volume = bar.volume;
    this.trades = bar.trades;
    this.lastTime = lastTime;
  }
}
