/**
 * Raw Kraken REST payloads (spec §5, §6), as the venue sends them. Numeric fields are typed
 * `KrakenNumber` because Kraken sends some as strings and some as numbers, and has switched
 * between the two; the `parse/` layer turns them into domain values. Unknown fields are allowed.
 */

/** A decimal string (`"37500.0"`) or a JSON number. */
export type KrakenNumber = string | number;

/** `{ "error": [...], "result": ... }` — `error` holds `E...` errors and `W...` warnings. */
export interface KrakenEnvelope<T> {
  readonly error: readonly string[];
  readonly result?: T;
}

// ---- public -------------------------------------------------------------------------------

export interface TimeResult {
  readonly unixtime: number;
  readonly rfc1123: string;
}

export interface SystemStatusResult {
  readonly status: 'online' | 'maintenance' | 'cancel_only' | 'post_only' | (string & {});
  readonly timestamp: string;
}

export interface AssetInfo {
  readonly aclass: string;
  readonly altname: string;
  readonly decimals: number;
  readonly display_decimals: number;
  readonly collateral_value?: KrakenNumber;
  readonly status?: string;
  readonly margin_rate?: KrakenNumber;
}

export type AssetsResult = Readonly<Record<string, AssetInfo>>;

/** `[30-day volume threshold, percent]`, e.g. `[0, 0.4]` = 0.40 %. */
export type FeeTier = readonly [KrakenNumber, KrakenNumber];

export interface AssetPairInfo {
  readonly altname: string;
  readonly wsname?: string;
  readonly aclass_base?: string;
  readonly base: string;
  readonly aclass_quote?: string;
  readonly quote: string;
  readonly lot?: string;
  readonly pair_decimals: KrakenNumber;
  readonly cost_decimals?: KrakenNumber;
  readonly lot_decimals: KrakenNumber;
  readonly lot_multiplier?: KrakenNumber;
  readonly leverage_buy?: readonly number[];
  readonly leverage_sell?: readonly number[];
  /** Taker schedule. */
  readonly fees?: readonly FeeTier[];
  readonly fees_maker?: readonly FeeTier[];
  readonly fee_volume_currency?: string;
  readonly margin_call?: number;
  readonly margin_stop?: number;
  readonly ordermin?: KrakenNumber;
  readonly costmin?: KrakenNumber;
  readonly tick_size?: KrakenNumber;
  readonly status?: string;
  readonly long_position_limit?: number;
  readonly short_position_limit?: number;
}

export type AssetPairsResult = Readonly<Record<string, AssetPairInfo>>;

export interface TickerInfo {
  /** Ask `[price, whole lot volume, lot volume]`. */
  readonly a: readonly [string, string, string];
  readonly b: readonly [string, string, string];
  /** Last trade `[price, lot volume]`. */
  readonly c: readonly [string, string];
  readonly v: readonly [string, string];
  readonly p: readonly [string, string];
  readonly t: readonly [number, number];
  readonly l: readonly [string, string];
  readonly h: readonly [string, string];
  readonly o: string;
}

export type TickerResult = Readonly<Record<string, TickerInfo>>;

/** `[time, open, high, low, close, vwap, volume, count]`. */
export type OhlcRow = readonly [number, string, string, string, string, string, string, number];

/** Rows keyed by pair id, plus `last` (the `since` cursor for the next poll). */
export type OhlcResult = { readonly last: KrakenNumber } & { readonly [pair: string]: readonly OhlcRow[] | KrakenNumber };

/** `[price, volume, timestamp]`. */
export type DepthLevel = readonly [string, string, number];

export type DepthResult = Readonly<Record<string, { readonly asks: readonly DepthLevel[]; readonly bids: readonly DepthLevel[] }>>;

/** `[price, volume, time, side b|s, type m|l, misc, trade id]`. */
export type TradeRow = readonly [string, string, number, 'b' | 's', 'm' | 'l', string, number, ...unknown[]];

/** Rows keyed by pair id, plus `last`: an opaque nanosecond cursor to pass back verbatim. */
export type TradesResult = { readonly last: string } & { readonly [pair: string]: readonly TradeRow[] | string };

/** `[time, bid, ask]`. */
export type SpreadRow = readonly [number, string, string];

export type SpreadResult = { readonly last: number } & { readonly [pair: string]: readonly SpreadRow[] | number };

// ---- private: balances ----------------------------------------------------------------------

export type BalanceResult = Readonly<Record<string, string>>;

export interface ExtendedBalance {
  readonly balance: string;
  readonly hold_trade: string;
  readonly credit?: string;
  readonly credit_used?: string;
}

export type BalanceExResult = Readonly<Record<string, ExtendedBalance>>;

export interface TradeBalanceResult {
  readonly eb: string;
  readonly tb: string;
  readonly m: string;
  readonly n: string;
  readonly c: string;
  readonly v: string;
  readonly e: string;
  readonly mf: string;
  readonly ml?: string;
  readonly uv?: string;
  readonly mfo?: string;
}

// ---- private: orders and trades -----------------------------------------------------------

export interface OrderDescription {
  readonly pair: string;
  readonly type: 'buy' | 'sell';
  readonly ordertype: string;
  readonly price: string;
  readonly price2: string;
  readonly leverage: string;
  readonly order: string;
  readonly close: string;
}

export interface OrderInfo {
  readonly refid: string | null;
  readonly userref: KrakenNumber | null;
  readonly cl_ord_id?: string;
  readonly status: 'pending' | 'open' | 'closed' | 'canceled' | 'expired' | (string & {});
  readonly opentm: KrakenNumber;
  readonly starttm: KrakenNumber;
  readonly expiretm: KrakenNumber;
  readonly closetm?: KrakenNumber;
  readonly reason?: string | null;
  readonly descr: OrderDescription;
  readonly vol: string;
  readonly vol_exec: string;
  readonly cost: string;
  readonly fee: string;
  /** Average execution price. */
  readonly price: string;
  readonly stopprice: string;
  readonly limitprice: string;
  readonly trigger?: 'last' | 'index';
  readonly misc: string;
  readonly oflags: string;
  readonly trades?: readonly string[];
}

export interface OpenOrdersResult {
  readonly open: Readonly<Record<string, OrderInfo>>;
}

export interface ClosedOrdersResult {
  readonly closed: Readonly<Record<string, OrderInfo>>;
  readonly count: number;
}

export type QueryOrdersResult = Readonly<Record<string, OrderInfo>>;

export interface TradeInfo {
  readonly ordertxid: string;
  readonly postxid: string;
  readonly pair: string;
  readonly time: number;
  readonly type: 'buy' | 'sell';
  readonly ordertype: string;
  readonly price: string;
  readonly cost: string;
  readonly fee: string;
  readonly vol: string;
  readonly margin: string;
  readonly leverage?: string;
  readonly misc: string;
  readonly trade_id?: number;
  readonly maker?: boolean;
  readonly ledgers?: readonly string[];
}

export interface TradesHistoryResult {
  readonly trades: Readonly<Record<string, TradeInfo>>;
  readonly count: number;
}

export interface AddOrderResult {
  readonly descr: { readonly order: string; readonly close?: string };
  /** One txid; absent with `validate: true`. */
  readonly txid?: readonly string[];
}

export interface AddOrderBatchEntry {
  readonly descr?: { readonly order: string; readonly close?: string };
  readonly txid?: string;
  readonly error?: string;
  readonly validation?: unknown;
}

export interface AddOrderBatchResult {
  readonly orders: readonly AddOrderBatchEntry[];
}

export interface AmendOrderResult {
  readonly amend_id: string;
}

export interface EditOrderResult {
  readonly status: string;
  readonly txid: string;
  readonly originaltxid: string;
  readonly orders_cancelled?: number;
  readonly descr?: { readonly order: string };
  readonly volume?: string;
  readonly price?: string;
  readonly price2?: string;
  readonly newuserref?: number;
  readonly olduserref?: number;
}

export interface CancelOrderResult {
  readonly count: number;
  readonly pending?: boolean;
}

export interface CancelAllOrdersAfterResult {
  readonly currentTime: string;
  /** `"0"` when the switch is disarmed. */
  readonly triggerTime: string;
}

export interface WebSocketsTokenResult {
  readonly token: string;
  /** Seconds. */
  readonly expires: number;
}

// ---- request parameters -------------------------------------------------------------------

export type OrderSideParam = 'buy' | 'sell';

export type OrderTypeParam =
  | 'market'
  | 'limit'
  | 'iceberg'
  | 'stop-loss'
  | 'take-profit'
  | 'stop-loss-limit'
  | 'take-profit-limit'
  | 'trailing-stop'
  | 'trailing-stop-limit'
  | 'settle-position';

/** AddOrder `oflags`: post-only, fee currency preference, no market price protection, volume in quote. */
export type OrderFlag = 'post' | 'fcib' | 'fciq' | 'nompp' | 'viqc';

/** Fields one order carries (AddOrder and each AddOrderBatch entry). Money is decimal text. */
export interface OrderFields {
  readonly type: OrderSideParam;
  readonly ordertype: OrderTypeParam;
  readonly volume: string;
  readonly displayvol?: string;
  /** Limit price, or trigger price for stop/take-profit types; may be relative (`+5`, `-1%`, `#2`). */
  readonly price?: string;
  readonly price2?: string;
  readonly trigger?: 'last' | 'index';
  readonly stptype?: 'cancel-newest' | 'cancel-oldest' | 'cancel-both';
  readonly oflags?: readonly OrderFlag[];
  readonly timeinforce?: 'GTC' | 'IOC' | 'GTD' | 'FOK';
  readonly starttm?: string;
  readonly expiretm?: string;
  /** Client order id (UUID, 32 hex, or ≤ 18 chars); exclusive with `userref`. */
  readonly cl_ord_id?: string;
  readonly userref?: number;
  readonly close?: { readonly ordertype: OrderTypeParam; readonly price?: string; readonly price2?: string };
}

export interface AddOrderParams extends OrderFields {
  readonly pair: string;
  /** RFC3339, at most ~60 s ahead. */
  readonly deadline?: string;
  /** Validate only; nothing is placed. */
  readonly validate?: boolean;
}

export interface AddOrderBatchParams {
  readonly pair: string;
  /** 2 to 15 orders on the same pair. */
  readonly orders: readonly OrderFields[];
  readonly deadline?: string;
  readonly validate?: boolean;
}

export interface AmendOrderParams {
  readonly txid?: string;
  readonly cl_ord_id?: string;
  readonly order_qty?: string;
  readonly display_qty?: string;
  readonly limit_price?: string;
  readonly trigger_price?: string;
  readonly post_only?: boolean;
  readonly deadline?: string;
}

export interface EditOrderParams {
  readonly txid: string;
  readonly pair: string;
  readonly volume?: string;
  readonly displayvol?: string;
  readonly price?: string;
  readonly price2?: string;
  readonly oflags?: readonly OrderFlag[];
  readonly userref?: number;
  readonly deadline?: string;
  readonly cancel_response?: boolean;
  readonly validate?: boolean;
}

export type CancelOrderParams = { readonly txid: string | number } | { readonly cl_ord_id: string };

export interface OpenOrdersParams {
  readonly trades?: boolean;
  readonly userref?: number;
  readonly cl_ord_id?: string;
}

export interface ClosedOrdersParams extends OpenOrdersParams {
  readonly start?: number | string;
  readonly end?: number | string;
  readonly ofs?: number;
  readonly closetime?: 'open' | 'close' | 'both';
  readonly consolidate_taker?: boolean;
}

export interface QueryOrdersParams {
  /** Up to 50 txids. */
  readonly txid: readonly string[];
  readonly trades?: boolean;
  readonly userref?: number;
  readonly consolidate_taker?: boolean;
}

export interface TradesHistoryParams {
  readonly type?: 'all' | 'any position' | 'closed position' | 'closing position' | 'no position';
  readonly trades?: boolean;
  readonly start?: number | string;
  readonly end?: number | string;
  readonly ofs?: number;
  readonly consolidate_taker?: boolean;
  readonly ledgers?: boolean;
}

export type OhlcInterval = 1 | 5 | 15 | 30 | 60 | 240 | 1440 | 10080 | 21600;
