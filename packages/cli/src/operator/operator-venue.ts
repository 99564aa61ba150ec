import type { Balance, Decimal, EpochMs, Instrument, InstrumentId, OrderSide } from '@kbot/core';

/** One order resting at the venue, as `kbot orders` shows it. */
export interface OpenOrderView {
  /** The venue's order id (Kraken txid). */
  readonly id: string;
  /** The client order id the order carries (kbot's, or another tool's), when it has one. */
  readonly clientOrderId: string | undefined;
  /** kbot's id of the pair; undefined when the venue names a pair kbot cannot map. */
  readonly instrumentId: InstrumentId | undefined;
  /** The pair as the venue names it (Kraken altname `XBTUSD`). */
  readonly venuePair: string;
  readonly side: OrderSide | undefined;
  /** Venue order type: `limit`, `market`, `stop-loss`, ... */
  readonly type: string;
  /** Limit (or trigger) price; undefined for market orders. */
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly filled: Decimal;
  /** `open` or `pending`. */
  readonly status: string;
  readonly openedAt: EpochMs;
}

/** Best bid, best ask and last trade of one pair. */
export interface MarketPrice {
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly last: Decimal;
}

/** What the venue said about an order just placed. */
export interface PlacedOrder {
  readonly id: string;
  readonly clientOrderId: string;
  /** The venue's own description (`sell 0.50000000 XBTUSD @ market`). */
  readonly description: string;
  /** Status when it was looked up right after placement, if that worked. */
  readonly status: string | undefined;
  readonly filled: Decimal | undefined;
  /** Average fill price, when something filled. */
  readonly averagePrice: Decimal | undefined;
}

/**
 * What the operator commands (`balance`, `orders`, `sell`, `cancel-all`, `panic`, ...) need from
 * one account at a venue. Kraken implements it over REST (kraken-operator-venue.ts); a running bot
 * can hand its own implementation to `panic()`, so the kill switch is the same code either way.
 * Money is Decimal throughout. None of these methods moves funds off the venue.
 */
export interface OperatorVenue {
  /** `kraken`. */
  readonly exchangeId: string;
  /** Where requests go (`https://api.kraken.com`, or a simulator's URL). */
  readonly endpoint: string;
  /** Every tradable pair with its order rules (loaded once, then cached). */
  instruments(): Promise<readonly Instrument[]>;
  /** Totals and what is available (not held by open orders), kbot asset names. */
  fetchBalances(): Promise<readonly Balance[]>;
  fetchOpenOrders(): Promise<readonly OpenOrderView[]>;
  /** Prices of the given pairs; pairs the venue does not quote are missing from the map. */
  fetchPrices(ids: readonly InstrumentId[]): Promise<ReadonlyMap<InstrumentId, MarketPrice>>;
  /** Cancels every open order of the account; returns how many the venue canceled. */
  cancelAllOrders(): Promise<number>;
  /** Places a market order with a fresh client order id; the quantity is already rounded and checked. */
  submitMarketOrder(order: { readonly instrument: Instrument; readonly side: OrderSide; readonly quantity: Decimal }): Promise<PlacedOrder>;
}
