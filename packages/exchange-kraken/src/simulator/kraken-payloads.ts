import { krakenAssetDecimals, type Balance, type Decimal } from '@kbot/core';
import { averagePrice, type LedgerEntry, type SimOrder, type SimTrade } from './account-records.js';
import type { AccountEvent } from './simulator-account.js';
import { krakenAssetCode } from './kraken-names.js';
import type { OrderRequest, SimOrderType } from './order-request.js';
import { epochSeconds, rfc3339 } from './wire-format.js';

/*
 * Kraken-shaped payloads built from the account's records: REST order and trade objects
 * (spec §6.2, §6.3) and WebSocket v2 executions / balances entries (spec §8.12, §8.13).
 */

const TYPE_WORDS: Readonly<Record<SimOrderType, string>> = {
  market: 'market',
  limit: 'limit',
  'stop-loss': 'stop loss',
  'take-profit': 'take profit',
};

type Describable = Pick<OrderRequest, 'pair' | 'side' | 'orderType' | 'volume' | 'price'>;

/** `buy 1.25000000 XBTUSD @ limit 37500.0`, `sell 0.10000000 LTCUSDT @ stop loss 55.00`, `buy 0.1 ... @ market`. */
export function orderText(order: Describable): string {
  const { pair } = order;
  const where = order.orderType === 'market' ? 'market' : `${TYPE_WORDS[order.orderType]} ${pair.priceOf(order.price!)}`;
  return `${order.side} ${pair.qtyOf(order.volume)} ${pair.names.altname} @ ${where}`;
}

/** AddOrder's `descr`. */
export function orderDescr(order: Describable): { order: string } {
  return { order: orderText(order) };
}

function oflags(order: Pick<SimOrder, 'postOnly' | 'feeInBase'>): string {
  // Kraken echoes the implicit fee preference: `post,fciq` (spec §6.2).
  return [...(order.postOnly ? ['post'] : []), order.feeInBase ? 'fcib' : 'fciq'].join(',');
}

/** One order object of OpenOrders / ClosedOrders / QueryOrders. */
export function restOrderInfo(order: SimOrder, includeTrades: boolean): Record<string, unknown> {
  const { pair } = order;
  const zero = (0).toFixed(pair.costDecimals);
  const closed = order.closedAt !== undefined;
  return {
    refid: null,
    userref: order.userref ?? 0,
    ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }),
    status: order.status,
    opentm: epochSeconds(order.openedAt),
    starttm: 0,
    expiretm: order.expireAt === undefined ? 0 : epochSeconds(order.expireAt),
    descr: {
      pair: pair.names.altname,
      type: order.side,
      ordertype: order.orderType,
      price: order.price === undefined ? '0' : pair.priceOf(order.price),
      price2: '0',
      leverage: 'none',
      order: orderText(order),
      close: '',
    },
    vol: pair.qtyOf(order.volume),
    vol_exec: pair.qtyOf(order.volExec),
    cost: pair.costOf(order.cost),
    fee: pair.costOf(order.fee),
    price: order.volExec.isZero() ? zero : pair.costOf(averagePrice(order)),
    stopprice: zero,
    limitprice: zero,
    misc: order.triggered ? 'stopped' : '',
    oflags: oflags(order),
    ...(includeTrades && order.trades.length > 0 ? { trades: [...order.trades] } : {}),
    ...(closed ? { reason: order.reason ?? null, closetm: epochSeconds(order.closedAt!) } : {}),
  };
}

/** One trade object of TradesHistory / QueryTrades. */
export function restTradeInfo(trade: SimTrade, includeLedgers: boolean): Record<string, unknown> {
  const { pair } = trade.order;
  return {
    ordertxid: trade.order.txid,
    postxid: trade.postxid,
    pair: pair.names.key,
    time: epochSeconds(trade.time),
    type: trade.order.side,
    ordertype: trade.order.orderType,
    price: pair.costOf(trade.price),
    cost: pair.costOf(trade.cost),
    fee: pair.costOf(trade.fee),
    vol: pair.qtyOf(trade.vol),
    margin: (0).toFixed(pair.costDecimals),
    leverage: '0',
    misc: '',
    trade_id: trade.tradeId,
    maker: trade.maker,
    ...(includeLedgers ? { ledgers: [...trade.ledgers] } : {}),
  };
}

/** Balance: Kraken asset code → total, with the asset's decimals. */
export function restBalance(balances: readonly Balance[]): Record<string, string> {
  return Object.fromEntries(balances.map((balance) => [krakenAssetCode(balance.asset), balance.total.toFixed(krakenAssetDecimals(balance.asset))]));
}

/** BalanceEx: Kraken asset code → balance and what open orders hold. */
export function restBalanceEx(balances: readonly Balance[]): Record<string, { balance: string; hold_trade: string }> {
  return Object.fromEntries(
    balances.map((balance) => {
      const decimals = krakenAssetDecimals(balance.asset);
      return [krakenAssetCode(balance.asset), { balance: balance.total.toFixed(decimals), hold_trade: balance.total.minus(balance.available).toFixed(decimals) }];
    }),
  );
}

// ---- WebSocket v2 ------------------------------------------------------------------------------

const num = (value: Decimal, decimals: number): number => Number(value.toFixed(decimals));

function orderStatusV2(order: SimOrder): string {
  if (order.status === 'closed') return 'filled';
  if (order.status === 'canceled') return 'canceled';
  if (order.status === 'expired') return 'expired';
  return order.volExec.isZero() ? 'new' : 'partially_filled';
}

function identifiers(order: SimOrder): Record<string, unknown> {
  return {
    order_id: order.txid,
    ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }),
    ...(order.userref === undefined ? {} : { order_userref: order.userref }),
  };
}

function orderDetails(order: SimOrder): Record<string, unknown> {
  const { pair } = order;
  const trigger = order.orderType === 'stop-loss' || order.orderType === 'take-profit';
  return {
    symbol: pair.symbol,
    side: order.side,
    order_type: order.orderType,
    order_qty: num(order.volume, pair.qtyDecimals),
    ...(order.orderType === 'limit' ? { limit_price: num(order.price!, pair.priceDecimals), limit_price_type: 'static' } : {}),
    ...(trigger ? { triggers: { reference: 'last', price: num(order.price!, pair.priceDecimals), price_type: 'static', status: order.triggered ? 'triggered' : 'untriggered' } } : {}),
    time_in_force: order.timeInForce,
    ...(order.expireAt === undefined ? {} : { expire_time: rfc3339(order.expireAt) }),
    post_only: order.postOnly,
    reduce_only: false,
    fee_ccy_pref: order.feeInBase ? 'fcib' : 'fciq',
  };
}

function cumulative(order: SimOrder): Record<string, unknown> {
  const { pair } = order;
  return {
    cum_qty: num(order.volExec, pair.qtyDecimals),
    cum_cost: num(order.cost, pair.costDecimals),
    avg_price: num(averagePrice(order), pair.costDecimals),
  };
}

/** Fees of a fill in USD when the quote is USD; other quotes report the fee as is (see README). */
function feeUsd(order: SimOrder, fee: Decimal): number {
  return num(fee, order.pair.costDecimals);
}

/** An open order as it appears in the executions snapshot. */
export function executionSnapshotOrder(order: SimOrder): Record<string, unknown> {
  return {
    exec_type: 'new',
    order_status: orderStatusV2(order),
    ...identifiers(order),
    ...orderDetails(order),
    ...cumulative(order),
    fee_usd_equiv: feeUsd(order, order.fee),
    timestamp: rfc3339(order.openedAt),
  };
}

/** A past fill as it appears in the executions snapshot (`snap_trades`). */
export function executionSnapshotTrade(trade: SimTrade): Record<string, unknown> {
  return { ...executionTrade(trade), order_status: 'filled' };
}

function executionTrade(trade: SimTrade): Record<string, unknown> {
  const { order } = trade;
  const { pair } = order;
  return {
    exec_type: 'trade',
    order_status: 'partially_filled',
    ...identifiers(order),
    exec_id: trade.txid,
    trade_id: trade.tradeId,
    symbol: pair.symbol,
    side: order.side,
    order_type: order.orderType,
    order_qty: num(order.volume, pair.qtyDecimals),
    last_qty: num(trade.vol, pair.qtyDecimals),
    last_price: num(trade.price, pair.costDecimals),
    cost: num(trade.cost, pair.costDecimals),
    liquidity_ind: trade.maker ? 'm' : 't',
    fees: [{ asset: trade.feeAsset, qty: num(trade.fee, krakenAssetDecimals(trade.feeAsset)) }],
    fee_usd_equiv: feeUsd(order, trade.fee),
    fee_ccy_pref: order.feeInBase ? 'fcib' : 'fciq',
    timestamp: rfc3339(trade.time),
  };
}

/**
 * An account event as an executions entry, or undefined for events the executions channel does
 * not carry. Spot lifecycle (spec §8.12): pending_new → new → trade (partially_filled, even for
 * the last fill) → filled; canceled / expired with a reason; amended.
 */
export function executionEntry(event: AccountEvent): Record<string, unknown> | undefined {
  if (event.type === 'ledger') return undefined;
  if (event.type === 'trade') {
    const entry = executionTrade(event.trade);
    const { order } = event;
    return { ...entry, cum_qty: num(order.volExec, order.pair.qtyDecimals), cum_cost: num(order.cost, order.pair.costDecimals), avg_price: num(averagePrice(order), order.pair.costDecimals) };
  }
  const { order, execType, time } = event;
  const timestamp = rfc3339(time);
  switch (execType) {
    case 'pending_new':
      return { exec_type: 'pending_new', order_status: 'pending_new', ...identifiers(order), ...orderDetails(order), cum_qty: 0, cum_cost: 0, fee_usd_equiv: 0, timestamp };
    case 'new':
      return { exec_type: 'new', order_status: 'new', ...identifiers(order), timestamp };
    case 'filled':
      return { exec_type: 'filled', order_status: 'filled', ...identifiers(order), ...cumulative(order), fee_usd_equiv: feeUsd(order, order.fee), timestamp };
    case 'canceled':
    case 'expired':
      return {
        exec_type: execType,
        order_status: execType,
        ...identifiers(order),
        ...cumulative(order),
        fee_usd_equiv: feeUsd(order, order.fee),
        ...(execType === 'canceled' ? { reason: order.reason ?? 'User requested' } : {}),
        timestamp,
      };
    case 'amended':
      return {
        exec_type: 'amended',
        order_status: orderStatusV2(order),
        ...identifiers(order),
        order_qty: num(order.volume, order.pair.qtyDecimals),
        ...(order.price === undefined ? {} : order.orderType === 'limit' ? { limit_price: num(order.price, order.pair.priceDecimals) } : { triggers: { price: num(order.price, order.pair.priceDecimals) } }),
        post_only: order.postOnly,
        amended: true,
        reason: 'User requested',
        timestamp,
      };
  }
}

/** Only these transitions are sent to a subscriber with `order_status: false`. */
export const ESSENTIAL_EXEC_TYPES = new Set(['new', 'filled', 'canceled', 'expired', 'trade']);

/** The balances snapshot (spec §8.13): kbot asset names, one spot wallet each. */
export function balancesSnapshot(balances: readonly Balance[]): Record<string, unknown>[] {
  return balances.map((balance) => {
    const total = num(balance.total, krakenAssetDecimals(balance.asset));
    return { asset: balance.asset, asset_class: 'currency', balance: total, wallets: [{ type: 'spot', id: 'main', balance: total }] };
  });
}

/** One balances update (a ledger entry). */
export function balanceUpdate(entry: LedgerEntry): Record<string, unknown> {
  const decimals = krakenAssetDecimals(entry.asset);
  return {
    ledger_id: entry.id,
    ref_id: entry.refid,
    timestamp: rfc3339(entry.time),
    type: entry.type,
    subtype: '',
    asset: entry.asset,
    asset_class: 'currency',
    category: 'trade',
    wallet_type: 'spot',
    wallet_id: 'main',
    amount: num(entry.amount, decimals),
    fee: num(entry.fee, decimals),
    balance: num(entry.balance, decimals),
  };
}

