import type { DecimalLike, ExchangeError } from '@kbot/core';

/*
 * Parameters and results of the WebSocket v2 trading methods (spec §8.14), in Kraken's own
 * names like rest/types.ts. Money fields take Decimal (or exact decimal strings) and go out as
 * JSON numbers with exactly those digits (wire-json.ts). `token` is added by the client.
 */

export type WsOrderType =
  | 'limit'
  | 'market'
  | 'iceberg'
  | 'stop-loss'
  | 'stop-loss-limit'
  | 'take-profit'
  | 'take-profit-limit'
  | 'trailing-stop'
  | 'trailing-stop-limit'
  | 'settle-position'
  | (string & {});

export type WsPriceType = 'static' | 'pct' | 'quote';

export interface WsOrderTriggers {
  readonly reference?: 'last' | 'index';
  readonly price: DecimalLike;
  readonly price_type?: WsPriceType;
}

export interface WsConditionalOrder {
  readonly order_type: WsOrderType;
  readonly limit_price?: DecimalLike;
  readonly limit_price_type?: WsPriceType;
  readonly trigger_price?: DecimalLike;
  readonly trigger_price_type?: WsPriceType;
}

/** The fields of one order, shared by add_order and batch_add. */
export interface WsOrderFields {
  readonly order_type: WsOrderType;
  readonly side: 'buy' | 'sell';
  readonly order_qty?: DecimalLike;
  readonly limit_price?: DecimalLike;
  readonly limit_price_type?: WsPriceType;
  readonly triggers?: WsOrderTriggers;
  /** Sent lowercase; executions echo it uppercase. */
  readonly time_in_force?: 'gtc' | 'gtd' | 'ioc' | 'fok';
  readonly margin?: boolean;
  readonly post_only?: boolean;
  readonly reduce_only?: boolean;
  /** RFC3339. */
  readonly effective_time?: string;
  /** RFC3339, with `gtd`. */
  readonly expire_time?: string;
  /** Always set one (a UUID) so an order with an unknown outcome can be looked up (spec §11.3). */
  readonly cl_ord_id?: string;
  readonly order_userref?: number;
  readonly display_qty?: DecimalLike;
  readonly fee_preference?: 'base' | 'quote';
  readonly no_mpp?: boolean;
  /** Underscores on WebSocket (`cancel_newest`), hyphens on REST. */
  readonly stp_type?: 'cancel_newest' | 'cancel_oldest' | 'cancel_both';
  /** Quote quantity for market buys. */
  readonly cash_order_qty?: DecimalLike;
  readonly conditional?: WsConditionalOrder;
  readonly sender_sub_id?: string;
}

export interface WsAddOrderParams extends WsOrderFields {
  /** v2 symbol, `BTC/USD`. */
  readonly symbol: string;
  /** RFC3339. */
  readonly deadline?: string;
  /** Validate only; nothing is placed and `order_id` comes back empty. */
  readonly validate?: boolean;
}

export interface WsAmendOrderParams {
  readonly order_id?: string;
  readonly cl_ord_id?: string;
  readonly order_qty?: DecimalLike;
  readonly display_qty?: DecimalLike;
  readonly limit_price?: DecimalLike;
  readonly limit_price_type?: WsPriceType;
  readonly post_only?: boolean;
  readonly trigger_price?: DecimalLike;
  readonly trigger_price_type?: WsPriceType;
  readonly deadline?: string;
  readonly symbol?: string;
}

export interface WsCancelOrderParams {
  readonly order_id?: readonly string[];
  readonly cl_ord_id?: readonly string[];
  readonly order_userref?: readonly number[];
}

export interface WsBatchAddParams {
  readonly symbol: string;
  /** 2 to 15 orders, without a per-order symbol. */
  readonly orders: readonly WsOrderFields[];
  readonly deadline?: string;
  readonly validate?: boolean;
}

export interface WsBatchCancelParams {
  /** 2 to 50 order ids or userrefs. */
  readonly orders?: readonly (string | number)[];
  readonly cl_ord_id?: readonly string[];
}

export interface WsAddOrderResult {
  readonly order_id: string;
  readonly cl_ord_id?: string;
  readonly order_userref?: number;
  readonly warnings?: readonly string[];
}

export interface WsAmendOrderResult {
  readonly amend_id: string;
  readonly order_id?: string;
  readonly cl_ord_id?: string;
  readonly warnings?: readonly string[];
}

/** One reply of cancel_order: Kraken answers once per order. */
export interface WsCancelOrderOutcome {
  readonly order_id?: string;
  readonly cl_ord_id?: string;
  /** Set when this order could not be canceled (`EOrder:Invalid order` when it is already gone). */
  readonly error?: ExchangeError;
}

export interface WsCancelAllResult {
  readonly count: number;
}

export interface WsCancelAllOrdersAfterResult {
  readonly currentTime: string;
  readonly triggerTime: string;
}

/** One row of a batch_add result; `error` marks a row that was not placed. */
export interface WsBatchAddRow {
  readonly order_id?: string;
  readonly cl_ord_id?: string;
  readonly order_userref?: number;
  readonly error?: string;
}

export interface WsBatchCancelResult {
  readonly count: number;
}
