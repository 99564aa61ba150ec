import type { InstrumentId } from './ids.js';
import type { EpochMs } from './time.js';

/*
 * Market data is numbers, not Decimal: it flows once per bar or tick through indicators and
 * strategies, where decimal.js costs 50–150× (measured). Money becomes Decimal when an order
 * is formed (OrderIntent) and stays Decimal through fills, balances and P&L.
 */

/** One closed OHLCV bar. `openTime` is the start of the interval, as Kraken stamps candles. */
export interface Bar {
  readonly instrumentId: InstrumentId;
  /** Interval length in milliseconds. */
  readonly interval: number;
  readonly openTime: EpochMs;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base-currency volume. */
  readonly volume: number;
  /** Number of trades, when the source has it. */
  readonly trades?: number;
}

/** The time at which a bar is known: the end of its interval. */
export function barCloseTime(bar: Bar): EpochMs {
  return bar.openTime + bar.interval;
}

export type AggressorSide = 'buy' | 'sell';

/** One public trade (time and sales). */
export interface Trade {
  readonly instrumentId: InstrumentId;
  readonly time: EpochMs;
  readonly price: number;
  readonly quantity: number;
  /** Side of the taker; undefined when the source does not say. */
  readonly side: AggressorSide | undefined;
  readonly tradeId?: string;
}

/** Best bid and offer. */
export interface Quote {
  readonly instrumentId: InstrumentId;
  readonly time: EpochMs;
  readonly bid: number;
  readonly bidSize: number;
  readonly ask: number;
  readonly askSize: number;
}

export interface BookLevel {
  readonly price: number;
  readonly quantity: number;
}

/** A read-only view of an order book, best levels first. */
export interface BookView {
  readonly instrumentId: InstrumentId;
  readonly time: EpochMs;
  bids(depth?: number): readonly BookLevel[];
  asks(depth?: number): readonly BookLevel[];
  bestBid(): BookLevel | undefined;
  bestAsk(): BookLevel | undefined;
}

export type MarketDataKind = 'bars' | 'trades' | 'quotes' | 'book';

/** What a strategy asks to receive. */
export interface Subscription {
  readonly instrumentId: InstrumentId;
  readonly kind: MarketDataKind;
  /** For bars: interval in milliseconds. */
  readonly interval?: number;
  /** For book: depth. */
  readonly depth?: number;
  /**
   * For bars: how many closed bars of history the strategy wants before its first live bar, so
   * that its indicators are ready when trading starts. Paper and live sessions fetch them from
   * the venue at start (`MarketDataClient.recentBars`) and hand them to `onBar` with
   * `ctx.warmingUp` set, where no order is accepted. A backtest from `from` warms up the same
   * way on the bars before `from` (`OpenBacktestDataOptions.warmUpBars`); without `from`, its
   * first bars serve instead.
   */
  readonly warmUpBars?: number;
}
