import {
  Decimal,
  ExchangeError,
  ZERO,
  tradeId as toTradeId,
  venueOrderId as toVenueOrderId,
  type Balance,
  type ClientOrderId,
  type EpochMs,
  type InstrumentId,
  type OrderSide,
  type OrderStatus,
  type VenueFill,
  type VenueOrderState,
} from '@kbot/core';
import { parseAsset } from './parse/asset.js';
import { krakenDecimal } from './parse/numbers.js';
import type { BalanceExResult, BalanceResult, KrakenNumber, OrderInfo, TradeInfo } from './rest/types.js';

/*
 * Kraken's REST account objects (OpenOrders / ClosedOrders / QueryOrders orders, TradesHistory
 * trades, Balance / BalanceEx) → core types, for reconciliation. Pure functions.
 */

/** A Kraken order as reconciliation needs it: core's view plus what is needed to match its fills. */
export interface KrakenOrderState extends VenueOrderState {
  /** The `cl_ord_id` Kraken holds (kbot's id, or its mapped form), when the order has one. */
  readonly krakenClientOrderId: string | undefined;
  readonly instrumentId: InstrumentId | undefined;
  readonly side: OrderSide | undefined;
  readonly quantity: Decimal;
  /** `opentm`, epoch ms. */
  readonly openedAt: EpochMs;
  /** `fcib` in `oflags`: fees are charged in the base asset. */
  readonly feesInBase: boolean;
  /** Kraken's `reason` for a canceled or expired order. */
  readonly reason: string | undefined;
}

/** Kraken epoch seconds (number or string, fractions allowed) → epoch ms. */
export function krakenSeconds(value: KrakenNumber | undefined, field: string): EpochMs {
  if (value === undefined) return 0;
  return Math.round(krakenDecimal(value, field).times(1000).toNumber());
}

/**
 * Kraken's order status → core's. `closed` means fully executed on Kraken; an `open` order with
 * executed volume is partially filled; `pending` has not reached the book yet.
 */
export function venueOrderStatus(status: string, executed: Decimal): OrderStatus {
  switch (status) {
    case 'pending':
      return 'submitted';
    case 'open':
      return executed.isZero() ? 'accepted' : 'partially-filled';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'expired':
      return 'expired';
    default:
      throw new ExchangeError('bad-response', `Kraken order status: received ${JSON.stringify(status)}, expected pending, open, closed, canceled or expired`);
  }
}

export interface ParseOrderContext {
  /** Kraken's `descr.pair` (altname) → instrument id. */
  readonly resolvePair: (name: string) => InstrumentId | undefined;
  /** The kbot id of an order from its `cl_ord_id` (or, without one, its txid). */
  readonly clientOrderIdOf: (krakenClientOrderId: string | undefined, txid: string) => ClientOrderId;
}

/** One order object keyed by `txid` → KrakenOrderState. */
export function parseKrakenOrder(txid: string, info: OrderInfo, context: ParseOrderContext): KrakenOrderState {
  const field = (name: string): string => `order ${txid}.${name}`;
  if (typeof info !== 'object' || info === null) throw new ExchangeError('bad-response', `Kraken order ${txid}: received ${JSON.stringify(info)}, expected an object`);
  const executed = krakenDecimal(info.vol_exec, field('vol_exec'));
  const krakenClientOrderId = typeof info.cl_ord_id === 'string' && info.cl_ord_id !== '' ? info.cl_ord_id : undefined;
  const side = info.descr?.type === 'buy' || info.descr?.type === 'sell' ? info.descr.type : undefined;
  return {
    clientOrderId: context.clientOrderIdOf(krakenClientOrderId, txid),
    venueOrderId: toVenueOrderId(txid),
    status: venueOrderStatus(String(info.status), executed),
    filledQuantity: executed,
    krakenClientOrderId,
    instrumentId: typeof info.descr?.pair === 'string' ? context.resolvePair(info.descr.pair) : undefined,
    side,
    quantity: krakenDecimal(info.vol, field('vol')),
    openedAt: krakenSeconds(info.opentm, field('opentm')),
    feesInBase: typeof info.oflags === 'string' && info.oflags.split(',').includes('fcib'),
    reason: typeof info.reason === 'string' && info.reason !== '' ? info.reason : undefined,
  };
}

export interface ParseTradeContext {
  readonly instrumentId: InstrumentId;
  readonly clientOrderId: ClientOrderId;
  /** kbot name of the asset the fee was charged in (REST trades do not say; it follows the order's fee preference). */
  readonly feeAsset: string;
}

/**
 * One TradesHistory trade → VenueFill. Its key (`T…` txid) is the same id the executions channel
 * sends as `exec_id`, so a fill seen on both paths has one trade id and is counted once.
 */
export function parseKrakenTrade(tradeTxid: string, info: TradeInfo, context: ParseTradeContext): VenueFill {
  const field = (name: string): string => `trade ${tradeTxid}.${name}`;
  if (info.type !== 'buy' && info.type !== 'sell') throw new ExchangeError('bad-response', `Kraken ${field('type')}: received ${JSON.stringify(info.type)}, expected buy or sell`);
  return {
    tradeId: toTradeId(tradeTxid),
    clientOrderId: context.clientOrderId,
    venueOrderId: toVenueOrderId(info.ordertxid),
    instrumentId: context.instrumentId,
    side: info.type,
    quantity: krakenDecimal(info.vol, field('vol')),
    price: krakenDecimal(info.price, field('price')),
    fee: krakenDecimal(info.fee, field('fee')),
    feeAsset: context.feeAsset,
    // Kraken omits `maker` on old trades; taker is the conservative reading for fee accounting.
    liquidity: info.maker === true ? 'maker' : 'taker',
    time: krakenSeconds(info.time, field('time')),
  };
}

function addBalance(balances: Map<string, { total: Decimal; available: Decimal }>, asset: string, total: Decimal, available: Decimal): void {
  const existing = balances.get(asset);
  balances.set(asset, existing === undefined ? { total, available } : { total: existing.total.plus(total), available: existing.available.plus(available) });
}

function toBalances(balances: Map<string, { total: Decimal; available: Decimal }>): Balance[] {
  return [...balances.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([asset, { total, available }]) => Object.freeze({ asset, total, available }));
}

/** Balance (`code → total`) → Balance[] with kbot asset names; nothing is known to be held, so available = total. */
export function parseKrakenBalance(result: BalanceResult): Balance[] {
  const balances = new Map<string, { total: Decimal; available: Decimal }>();
  for (const [code, value] of Object.entries(result ?? {})) {
    const total = krakenDecimal(value, `Balance ${code}`);
    addBalance(balances, parseAsset(code), total, total);
  }
  return toBalances(balances);
}

/**
 * BalanceEx → Balance[]: available = balance + credit − credit_used − hold_trade (spec §6.1),
 * kept between 0 and the total (a credit line is not the bot's money).
 */
export function parseKrakenBalanceEx(result: BalanceExResult): Balance[] {
  const balances = new Map<string, { total: Decimal; available: Decimal }>();
  for (const [code, entry] of Object.entries(result ?? {})) {
    const total = krakenDecimal(entry?.balance, `BalanceEx ${code}.balance`);
    const held = entry?.hold_trade === undefined ? ZERO : krakenDecimal(entry.hold_trade, `BalanceEx ${code}.hold_trade`);
    const credit = entry?.credit === undefined ? ZERO : krakenDecimal(entry.credit, `BalanceEx ${code}.credit`);
    const used = entry?.credit_used === undefined ? ZERO : krakenDecimal(entry.credit_used, `BalanceEx ${code}.credit_used`);
    const available = Decimal.max(ZERO, Decimal.min(total, total.plus(credit).minus(used).minus(held)));
    addBalance(balances, parseAsset(code), total, available);
  }
  return toBalances(balances);
}

