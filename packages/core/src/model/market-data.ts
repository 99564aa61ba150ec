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

/** One resting order of an order-by-order (level 3) book. */
export interface BookOrder {
  /** The venue's id of the order (Kraken's look like `O6ZQNQ-BXL4E-5WGINO`). */
  readonly orderId: string;
  readonly price: number;
  readonly quantity: number;
  /** When the order was placed or last changed, when the venue says. */
  readonly time?: EpochMs;
}

/** A read-only view of an order book, best levels first. */
export interface BookView {
  readonly instrumentId: InstrumentId;
  readonly time: EpochMs;
  bids(depth?: number): readonly BookLevel[];
  asks(depth?: number): readonly BookLevel[];
  bestBid(): BookLevel | undefined;
  bestAsk(): BookLevel | undefined;
  /**
   * An order-by-order book (a book subscription with `orders: true`; Kraken's `level3`): the
   * resting orders of the best `levels` price levels of a side (default: all kept), best price
   * first and, within a price, in queue order (the first would fill first). Absent on books of
   * price levels only.
   */
  orders?(side: 'bid' | 'ask', levels?: number): readonly BookOrder[];
}

/**
 * How a venue-kept order book is doing: reported by the market-data client whenever the book is
 * dropped (a checksum mismatch, an unreadable level) and whenever a verified snapshot replaces it.
 * Between a `resync` and the next `synced`, the client has no verified book of the instrument and
 * delivers none. Risk policies act on it (`RiskPolicy.observeBookHealth`, the `bookHealth`
 * policy); strategies may too (`Strategy.onBookHealth`).
 */
export interface BookHealth {
  readonly instrumentId: InstrumentId;
  /** When the client saw it (wall clock, epoch ms). */
  readonly time: EpochMs;
  /** `resync`: the book was dropped and a fresh snapshot asked for; `synced`: a verified snapshot arrived. */
  readonly status: 'synced' | 'resync';
  /** Checksum mismatches on this book since it was first subscribed. */
  readonly mismatches: number;
  /** Times this book was dropped and asked for again. */
  readonly resyncs: number;
  /** Milliseconds since the book's last snapshot: how long it lived before this report. */
  readonly ageMs: number;
  /** With `resync`: why (`checksum`, `unreadable-level`, ...; the venue's words). */
  readonly reason?: string;
  /** Which book: the aggregated price levels (`l2`, the default) or every order (`l3`). */
  readonly book?: 'l2' | 'l3';
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
   * For book: every resting order (a level 3 book, `BookView.orders`), not just the price levels.
   * The venue may need keys for it (Kraken's `level3` is a private channel) and may offer fewer
   * depths (Kraken: 10, 100, 1000).
   */
  readonly orders?: boolean;
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
