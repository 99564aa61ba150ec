import type { InstrumentId } from '../model/ids.js';
import { barCloseTime, type Bar, type Quote, type Trade } from '../model/market-data.js';
import type { EpochMs } from '../model/time.js';

/**
 * One piece of replayed market data, tagged with its kind and the time it becomes known: a bar at
 * its close (`openTime + interval`), a trade or a quote at its own time. A backtest that replays
 * trades or quotes hands these to the engine in `time` order (see `mergeReplayStreams`).
 */
export type ReplayItem =
  | { readonly kind: 'bar'; readonly time: EpochMs; readonly bar: Bar }
  | { readonly kind: 'trade'; readonly time: EpochMs; readonly trade: Trade }
  | { readonly kind: 'quote'; readonly time: EpochMs; readonly quote: Quote };

export type ReplayKind = ReplayItem['kind'];

/** What one replay source offers, for checking it against the strategies' subscriptions before a run. */
export interface ReplayOffer {
  readonly instrumentId: InstrumentId;
  /** Bars: their interval in milliseconds. */
  readonly bars?: number;
  readonly trades?: boolean;
  readonly quotes?: boolean;
}

/** Bars as replay items, each known at its close. Each iteration iterates `bars` afresh. */
export function barItems(bars: Iterable<Bar>): Iterable<ReplayItem> {
  return {
    *[Symbol.iterator]() {
      for (const bar of bars) yield { kind: 'bar', time: barCloseTime(bar), bar } as const;
    },
  };
}

/** Trades as replay items. */
export function tradeItems(trades: Iterable<Trade>): Iterable<ReplayItem> {
  return {
    *[Symbol.iterator]() {
      for (const trade of trades) yield { kind: 'trade', time: trade.time, trade } as const;
    },
  };
}

/** Quotes as replay items. */
export function quoteItems(quotes: Iterable<Quote>): Iterable<ReplayItem> {
  return {
    *[Symbol.iterator]() {
      for (const quote of quotes) yield { kind: 'quote', time: quote.time, quote } as const;
    },
  };
}
