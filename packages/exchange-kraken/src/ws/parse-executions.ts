import type { Decimal, EpochMs, InstrumentId, Liquidity, OrderSide } from '@kbot/core';
import { parseAsset } from '../parse/asset.js';
import { wsArray, wsDecimal, wsFieldError, wsInstrumentId, wsInteger, wsIntegerText, wsOptionalDecimal, wsOptionalString, wsRecord, wsString, wsTimeOr } from './ws-fields.js';

/** `exec_type` values (spec §8.12); anything else is `unknown` with the text kept in `venueExecType`. */
export const KRAKEN_EXEC_TYPES = ['pending_new', 'new', 'trade', 'filled', 'iceberg_refill', 'canceled', 'expired', 'amended', 'restated', 'status'] as const;
export type KrakenExecType = (typeof KRAKEN_EXEC_TYPES)[number] | 'unknown';

/** `order_status` values (spec §8.12). */
export const KRAKEN_ORDER_STATUSES = ['pending_new', 'new', 'partially_filled', 'filled', 'canceled', 'expired'] as const;
export type KrakenOrderStatus = (typeof KRAKEN_ORDER_STATUSES)[number] | 'unknown';

export interface KrakenFee {
  /** kbot asset name (`USD`, `BTC`). */
  readonly asset: string;
  readonly quantity: Decimal;
}

/** The fill an `exec_type: trade` report carries. */
export interface KrakenExecutionFill {
  /** Kraken's fill id (`exec_id`): unique per execution, the key that makes fills idempotent. */
  readonly executionId: string;
  /** The public trade id on the pair (`trade_id`), when sent. */
  readonly tradeId: string | undefined;
  readonly quantity: Decimal;
  readonly price: Decimal;
  /** Quote value of this fill (`cost`). */
  readonly cost: Decimal | undefined;
  readonly liquidity: Liquidity | undefined;
  readonly fees: readonly KrakenFee[];
}

/**
 * One entry of the `executions` channel. Kraken sends fields sparsely (only those relevant to the
 * event), so everything but the order id, exec type and time may be undefined.
 */
export interface KrakenExecutionReport {
  readonly execType: KrakenExecType;
  readonly venueExecType: string;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly orderUserref: number | undefined;
  readonly symbol: string | undefined;
  readonly instrumentId: InstrumentId | undefined;
  readonly side: OrderSide | undefined;
  readonly orderType: string | undefined;
  readonly orderStatus: KrakenOrderStatus | undefined;
  readonly orderQuantity: Decimal | undefined;
  readonly limitPrice: Decimal | undefined;
  /** Lower-cased: Kraken echoes `GTC` while requests send `gtc`. */
  readonly timeInForce: string | undefined;
  readonly postOnly: boolean | undefined;
  readonly reduceOnly: boolean | undefined;
  readonly cumulativeQuantity: Decimal | undefined;
  readonly cumulativeCost: Decimal | undefined;
  readonly averagePrice: Decimal | undefined;
  readonly feeUsdEquivalent: Decimal | undefined;
  readonly fill: KrakenExecutionFill | undefined;
  /** Why the order was canceled or expired (`reason`, or the deprecated `cancel_reason`). */
  readonly reason: string | undefined;
  readonly time: EpochMs;
}

export interface KrakenExecutionsMessage {
  readonly type: 'snapshot' | 'update';
  /** Per-connection message counter; a gap means a lost message. */
  readonly sequence: number | undefined;
  readonly reports: readonly KrakenExecutionReport[];
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | 'unknown' {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : 'unknown';
}

function optionalBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function parseFees(value: unknown, field: string): KrakenFee[] {
  if (value === undefined || value === null) return [];
  return wsArray(value, field).map((entry, index) => {
    const fee = wsRecord(entry, `${field}[${index}]`);
    return { asset: parseAsset(wsString(fee.asset, `${field}[${index}].asset`)), quantity: wsDecimal(fee.qty, `${field}[${index}].qty`) };
  });
}

function parseLiquidity(value: unknown): Liquidity | undefined {
  if (value === 'm') return 'maker';
  if (value === 't') return 'taker';
  return undefined;
}

/** One `executions` entry (spec §8.12) → a typed report with Decimal quantities, prices and fees. */
export function parseExecution(entry: unknown, receivedAt: EpochMs): KrakenExecutionReport {
  const fields = wsRecord(entry, 'executions entry');
  const venueExecType = wsString(fields.exec_type, 'executions.exec_type');
  const orderId = wsString(fields.order_id, 'executions.order_id');
  const field = (name: string): string => `executions ${orderId}.${name}`;
  const execType = oneOf(KRAKEN_EXEC_TYPES, venueExecType);
  const symbol = wsOptionalString(fields.symbol, field('symbol'));
  const side = fields.side === 'buy' || fields.side === 'sell' ? fields.side : undefined;
  let fill: KrakenExecutionFill | undefined;
  if (execType === 'trade') {
    if (fields.exec_id === undefined) throw wsFieldError(field('exec_id'), fields.exec_id, 'the fill id of a trade execution');
    fill = {
      executionId: wsString(fields.exec_id, field('exec_id')),
      tradeId: fields.trade_id === undefined ? undefined : wsIntegerText(fields.trade_id, field('trade_id')),
      quantity: wsDecimal(fields.last_qty, field('last_qty')),
      price: wsDecimal(fields.last_price, field('last_price')),
      cost: wsOptionalDecimal(fields.cost, field('cost')),
      liquidity: parseLiquidity(fields.liquidity_ind),
      fees: parseFees(fields.fees, field('fees')),
    };
  }
  const reason = wsOptionalString(fields.reason, field('reason')) ?? wsOptionalString(fields.cancel_reason, field('cancel_reason'));
  return {
    execType,
    venueExecType,
    orderId,
    clientOrderId: wsOptionalString(fields.cl_ord_id, field('cl_ord_id')),
    orderUserref: fields.order_userref === undefined ? undefined : wsInteger(fields.order_userref, field('order_userref')),
    symbol,
    instrumentId: symbol === undefined ? undefined : wsInstrumentId(symbol, field('symbol')),
    side,
    orderType: wsOptionalString(fields.order_type, field('order_type')),
    orderStatus: fields.order_status === undefined ? undefined : oneOf(KRAKEN_ORDER_STATUSES, fields.order_status),
    orderQuantity: wsOptionalDecimal(fields.order_qty, field('order_qty')),
    limitPrice: wsOptionalDecimal(fields.limit_price, field('limit_price')),
    timeInForce: wsOptionalString(fields.time_in_force, field('time_in_force'))?.toLowerCase(),
    postOnly: optionalBoolean(fields.post_only),
    reduceOnly: optionalBoolean(fields.reduce_only),
    cumulativeQuantity: wsOptionalDecimal(fields.cum_qty, field('cum_qty')),
    cumulativeCost: wsOptionalDecimal(fields.cum_cost, field('cum_cost')),
    averagePrice: wsOptionalDecimal(fields.avg_price, field('avg_price')),
    feeUsdEquivalent: wsOptionalDecimal(fields.fee_usd_equiv, field('fee_usd_equiv')),
    fill,
    reason,
    time: wsTimeOr(fields.timestamp, field('timestamp'), receivedAt),
  };
}

/** An `executions` message (`type`, `sequence`, `data`) → its reports. */
export function parseExecutionsMessage(message: unknown, receivedAt: EpochMs): KrakenExecutionsMessage {
  const fields = wsRecord(message, 'executions message');
  const type = fields.type === 'snapshot' ? 'snapshot' : 'update';
  return {
    type,
    sequence: fields.sequence === undefined ? undefined : wsInteger(fields.sequence, 'executions.sequence'),
    reports: wsArray(fields.data, 'executions.data').map((entry) => parseExecution(entry, receivedAt)),
  };
}
