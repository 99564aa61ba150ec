import { timingSafeEqual } from 'node:crypto';
import { Decimal, ZERO } from '@kbot/core';
import { restCallCost } from '../rest/rate-limiter.js';
import { signKrakenRequest } from '../rest/signing.js';
import { isOpenStatus, type SimOrder } from './account-records.js';
import { isKrakenOhlcInterval } from './candle-store.js';
import { krakenAssetCode } from './kraken-names.js';
import { orderDescr, restBalance, restBalanceEx, restOrderInfo, restTradeInfo } from './kraken-payloads.js';
import { restDepth, restOhlc, restTicker, restTrade } from './market-payloads.js';
import { checkDeadline, isErrorText, paramBoolean, paramText, parseAmount, parseRestOrder, parseUserref, type OrderRequest } from './order-request.js';
import type { SimPair } from './pair-catalog.js';
import { BodyError, listParam, parseBody, parseForm, rawNonce, type Params } from './request-body.js';
import { SimAccount, type Outcome } from './simulator-account.js';
import type { SimulatorContext } from './simulator-context.js';
import { TOKEN_TTL_SECONDS } from './token-registry.js';
import { krakenRfc1123, rfc3339Seconds } from './wire-format.js';

export interface RestRequest {
  readonly method: string;
  /** Path without the query string: `/0/private/AddOrder`. */
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface RestResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

type Result = Outcome<unknown>;
const ok = (value: unknown): Result => ({ ok: true, value });
const fail = (error: string): Result => ({ ok: false, error });

function envelope(result: Result): RestResponse {
  const body = result.ok ? { error: [], result: result.value } : { error: [result.error] };
  return { status: 200, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' };
}

const PAGE_SIZE = 50;

type PublicHandler = (ctx: SimulatorContext, params: Params) => Result;
type PrivateHandler = (ctx: SimulatorContext, account: SimAccount, params: Params) => Result;

// ---- public ---------------------------------------------------------------------------------

function pairsParam(ctx: SimulatorContext, value: unknown, required: boolean): SimPair[] | string {
  const names = listParam(value);
  if (names.length === 0) return required ? 'EGeneral:Invalid arguments:pair' : [...ctx.catalog.list()];
  const pairs: SimPair[] = [];
  for (const name of names) {
    const pair = ctx.catalog.find(name);
    if (pair === undefined) return 'EQuery:Unknown asset pair';
    pairs.push(pair);
  }
  return pairs;
}

function onePair(ctx: SimulatorContext, params: Params): SimPair | string {
  const pairs = pairsParam(ctx, params.pair, true);
  if (typeof pairs === 'string') return pairs;
  if (pairs.length !== 1) return 'EGeneral:Invalid arguments:pair';
  return pairs[0]!;
}

function intParam(value: unknown, field: string, min: number, max: number, fallback: number): number | string {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) return `EGeneral:Invalid arguments:${field}`;
  const number = Number(text);
  return number < min || number > max ? `EGeneral:Invalid arguments:${field}` : number;
}

const PUBLIC: Readonly<Record<string, PublicHandler>> = {
  Time: (ctx) => {
    const now = ctx.market.now();
    return ok({ unixtime: Math.floor(now / 1000), rfc1123: krakenRfc1123(now) });
  },
  SystemStatus: (ctx) => ok({ status: ctx.systemStatus(), timestamp: rfc3339Seconds(ctx.market.now()) }),
  Assets: (ctx, params) => {
    const known = ctx.catalog.assets().map((asset) => ctx.catalog.assetInfo(asset));
    const wanted = listParam(params.asset).map((name) => name.toUpperCase());
    const result: Record<string, unknown> = {};
    for (const name of wanted) {
      const found = known.find((entry) => entry.code === name || entry.info.altname === name || entry.code === krakenAssetCode(name));
      if (found === undefined) return fail('EQuery:Unknown asset');
      result[found.code] = found.info;
    }
    if (wanted.length === 0) for (const entry of known) result[entry.code] = entry.info;
    return ok(result);
  },
  AssetPairs: (ctx, params) => {
    const pairs = pairsParam(ctx, params.pair, false);
    if (typeof pairs === 'string') return fail(pairs);
    const info = paramText(params.info) ?? 'info';
    if (info !== 'info' && info !== 'leverage' && info !== 'fees' && info !== 'margin') return fail('EGeneral:Invalid arguments:info');
    return ok(Object.fromEntries(pairs.map((pair) => [pair.names.key, ctx.catalog.assetPair(pair, info)])));
  },
  Ticker: (ctx, params) => {
    const pairs = pairsParam(ctx, params.pair, false);
    if (typeof pairs === 'string') return fail(pairs);
    const now = ctx.market.now();
    return ok(Object.fromEntries(pairs.map((pair) => [pair.names.key, restTicker(ctx.market.market(pair.symbol)!, now)])));
  },
  OHLC: (ctx, params) => {
    const pair = onePair(ctx, params);
    if (typeof pair === 'string') return fail(pair);
    const interval = intParam(params.interval, 'interval', 1, 21600, 1);
    if (typeof interval === 'string' || !isKrakenOhlcInterval(interval)) return fail('EGeneral:Invalid arguments:interval');
    const sinceText = paramText(params.since)?.trim();
    if (sinceText !== undefined && sinceText !== '' && !/^\d+(\.\d+)?$/.test(sinceText)) return fail('EGeneral:Invalid arguments:since');
    const since = sinceText === undefined || sinceText === '' ? undefined : Number(sinceText);
    const { rows, last } = restOhlc(ctx.market.market(pair.symbol)!, interval, since, ctx.market.now());
    return ok({ [pair.names.key]: rows, last });
  },
  Depth: (ctx, params) => {
    const pair = onePair(ctx, params);
    if (typeof pair === 'string') return fail(pair);
    const count = intParam(params.count, 'count', 1, 500, 100);
    if (typeof count === 'string') return fail(count);
    return ok({ [pair.names.key]: restDepth(ctx.market.market(pair.symbol)!, count, ctx.market.now()) });
  },
  Trades: (ctx, params) => {
    const pair = onePair(ctx, params);
    if (typeof pair === 'string') return fail(pair);
    const count = intParam(params.count, 'count', 1, 1000, 1000);
    if (typeof count === 'string') return fail(count);
    const sinceText = paramText(params.since)?.trim();
    if (sinceText !== undefined && sinceText !== '' && !/^\d+$/.test(sinceText)) return fail('EGeneral:Invalid arguments:since');
    // The cursor is nanoseconds; a client may also pass plain epoch seconds.
    const since = sinceText === undefined || sinceText === '' ? undefined : sinceText.length <= 12 ? BigInt(sinceText) * 1_000_000_000n : BigInt(sinceText);
    const market = ctx.market.market(pair.symbol)!;
    const newer = since === undefined ? market.trades : market.trades.filter((trade) => trade.cursor > since);
    // Without a cursor Kraken returns the most recent trades; with one, the oldest after it.
    const page = since === undefined ? newer.slice(-count) : newer.slice(0, count);
    const lastCursor = page.length > 0 ? page[page.length - 1]!.cursor : since ?? market.lastTrade?.cursor ?? 0n;
    return ok({ [pair.names.key]: page.map((trade) => restTrade(pair, trade)), last: lastCursor.toString() });
  },
  Spread: (ctx, params) => {
    const pair = onePair(ctx, params);
    if (typeof pair === 'string') return fail(pair);
    const sinceText = paramText(params.since)?.trim();
    const since = sinceText === undefined || sinceText === '' ? undefined : Number(sinceText);
    if (since !== undefined && !Number.isFinite(since)) return fail('EGeneral:Invalid arguments:since');
    const market = ctx.market.market(pair.symbol)!;
    const rows = market.spreads.filter((point) => since === undefined || Math.floor(point.time / 1000) > since);
    const last = rows.length > 0 ? Math.floor(rows[rows.length - 1]!.time / 1000) : since ?? Math.floor(ctx.market.now() / 1000);
    return ok({ [pair.names.key]: rows.map((point) => [Math.floor(point.time / 1000), pair.price(point.bid), pair.price(point.ask)]), last });
  },
};

// ---- private --------------------------------------------------------------------------------

function filterOrders(orders: SimOrder[], params: Params): SimOrder[] | string {
  const userref = parseUserref(params.userref);
  if (isErrorText(userref)) return userref;
  const clOrdId = paramText(params.cl_ord_id);
  return orders.filter((order) => (userref === undefined || order.userref === userref) && (clOrdId === undefined || order.clOrdId === clOrdId));
}

/** `start` / `end`: epoch seconds, or a txid (exclusive) as Kraken allows. */
function boundary(value: unknown, byTxid: (txid: string) => number | undefined): number | undefined | string {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const time = byTxid(text);
  return time === undefined ? 'EGeneral:Invalid arguments:start' : time;
}

function page<T>(items: T[], params: Params): T[] | string {
  const ofs = intParam(params.ofs, 'ofs', 0, Number.MAX_SAFE_INTEGER, 0);
  if (typeof ofs === 'string') return ofs;
  return items.slice(ofs, ofs + PAGE_SIZE);
}

/** Valuation for TradeBalance: `amount` of `asset` in `target`, through a direct or inverse pair. */
function valueIn(ctx: SimulatorContext, asset: string, amount: Decimal, target: string): Decimal | undefined {
  if (asset === target) return amount;
  for (const pair of ctx.catalog.list()) {
    const last = ctx.market.market(pair.symbol)?.lastTrade;
    if (last === undefined) continue;
    const price = new Decimal(pair.price(last.price));
    if (pair.instrument.base === asset && pair.instrument.quote === target) return amount.times(price);
    if (pair.instrument.quote === asset && pair.instrument.base === target && !price.isZero()) return amount.dividedBy(price);
  }
  return undefined;
}

function orderPlacement(account: SimAccount, request: OrderRequest): Result {
  const placed = account.addOrder(request);
  if (!placed.ok) return fail(placed.error);
  if (placed.value === undefined) return ok({ descr: orderDescr(request) });
  account.matchNow(request.pair);
  return ok({ descr: orderDescr(request), txid: [placed.value.txid] });
}

function cancelTargets(account: SimAccount, params: Params): SimOrder[] | string {
  const clOrdId = paramText(params.cl_ord_id);
  const txid = paramText(params.txid)?.trim();
  if (clOrdId !== undefined) return account.findOpen({ clOrdId });
  if (txid === undefined || txid === '') return 'EGeneral:Invalid arguments:txid';
  // A number is a userref (all open orders carrying it); anything else a txid.
  if (/^-?\d+$/.test(txid)) return account.findOpen({ userref: Number(txid) });
  const order = account.order(txid);
  if (order !== undefined) return isOpenStatus(order.status) ? [order] : [];
  return [];
}

const PRIVATE: Readonly<Record<string, PrivateHandler>> = {
  Balance: (_ctx, account) => ok(restBalance(account.balances())),
  BalanceEx: (_ctx, account) => ok(restBalanceEx(account.balances())),
  TradeBalance: (ctx, account, params) => {
    const code = (paramText(params.asset) ?? 'ZUSD').toUpperCase();
    const target = ctx.catalog.assets().find((asset) => krakenAssetCode(asset) === code || asset === code);
    if (target === undefined) return fail('EQuery:Unknown asset');
    let total = ZERO;
    for (const balance of account.balances()) total = total.plus(valueIn(ctx, balance.asset, balance.total, target) ?? ZERO);
    const text = total.toFixed(4);
    const zero = ZERO.toFixed(4);
    return ok({ eb: text, tb: text, m: zero, n: zero, c: zero, v: zero, e: text, mf: text });
  },
  OpenOrders: (_ctx, account, params) => {
    const orders = filterOrders(account.openOrders(), params);
    if (typeof orders === 'string') return fail(orders);
    const trades = paramBoolean(params.trades) === true;
    return ok({ open: Object.fromEntries(orders.map((order) => [order.txid, restOrderInfo(order, trades)])) });
  },
  ClosedOrders: (_ctx, account, params) => {
    const filtered = filterOrders(
      account.orders().filter((order) => !isOpenStatus(order.status)),
      params,
    );
    if (typeof filtered === 'string') return fail(filtered);
    const closetime = paramText(params.closetime) ?? 'both';
    if (closetime !== 'open' && closetime !== 'close' && closetime !== 'both') return fail('EGeneral:Invalid arguments:closetime');
    const byTxid = (txid: string) => account.order(txid)?.closedAt ?? account.order(txid)?.openedAt;
    const start = boundary(params.start, byTxid);
    const end = boundary(params.end, byTxid);
    if (typeof start === 'string') return fail(start);
    if (typeof end === 'string') return fail(end.replace(':start', ':end'));
    const times = (order: SimOrder) => (closetime === 'open' ? [order.openedAt] : closetime === 'close' ? [order.closedAt!] : [order.openedAt, order.closedAt!]);
    const inRange = filtered
      .filter((order) => times(order).some((time) => (start === undefined || time > start) && (end === undefined || time <= end)))
      .sort((a, b) => b.closedAt! - a.closedAt! || (a.txid < b.txid ? 1 : -1));
    const selected = page(inRange, params);
    if (typeof selected === 'string') return fail(selected);
    const trades = paramBoolean(params.trades) === true;
    return ok({ closed: Object.fromEntries(selected.map((order) => [order.txid, restOrderInfo(order, trades)])), count: inRange.length });
  },
  QueryOrders: (_ctx, account, params) => {
    const txids = listParam(params.txid);
    if (txids.length === 0 || txids.length > 50) return fail('EGeneral:Invalid arguments:txid');
    const userref = parseUserref(params.userref);
    if (isErrorText(userref)) return fail(userref);
    const trades = paramBoolean(params.trades) === true;
    const result: Record<string, unknown> = {};
    for (const txid of txids) {
      const order = account.order(txid);
      if (order === undefined) return fail('EOrder:Invalid order');
      if (userref !== undefined && order.userref !== userref) continue;
      result[txid] = restOrderInfo(order, trades);
    }
    return ok(result);
  },
  TradesHistory: (_ctx, account, params) => {
    const byTxid = (txid: string) => account.trades().find((trade) => trade.txid === txid)?.time;
    const start = boundary(params.start, byTxid);
    const end = boundary(params.end, byTxid);
    if (typeof start === 'string') return fail(start);
    if (typeof end === 'string') return fail(end.replace(':start', ':end'));
    const inRange = account
      .trades()
      .filter((trade) => (start === undefined || trade.time > start) && (end === undefined || trade.time <= end))
      .reverse();
    const selected = page(inRange, params);
    if (typeof selected === 'string') return fail(selected);
    const ledgers = paramBoolean(params.ledgers) === true;
    return ok({ trades: Object.fromEntries(selected.map((trade) => [trade.txid, restTradeInfo(trade, ledgers)])), count: inRange.length });
  },
  QueryTrades: (_ctx, account, params) => {
    const txids = listParam(params.txid);
    if (txids.length === 0 || txids.length > 20) return fail('EGeneral:Invalid arguments:txid');
    const result: Record<string, unknown> = {};
    for (const txid of txids) {
      const trade = account.trades().find((entry) => entry.txid === txid);
      if (trade === undefined) return fail('EGeneral:Invalid arguments:txid');
      result[txid] = restTradeInfo(trade, false);
    }
    return ok(result);
  },
  TradeVolume: (ctx, account, params) => {
    const pairs = pairsParam(ctx, params.pair, false);
    if (typeof pairs === 'string') return fail(pairs);
    const volume = account.thirtyDayVolume();
    const fees: Record<string, unknown> = {};
    const makerFees: Record<string, unknown> = {};
    for (const pair of listParam(params.pair).length > 0 ? pairs : []) {
      const schedule = ctx.catalog.assetPair(pair, 'fees') as { fees: [number, number][]; fees_maker: [number, number][] };
      for (const [target, rows] of [[fees, schedule.fees], [makerFees, schedule.fees_maker]] as const) {
        const index = rows.reduce((found, row, i) => (volume.greaterThanOrEqualTo(row[0]) ? i : found), 0);
        const next = rows[index + 1];
        target[pair.names.key] = {
          fee: rows[index]![1].toFixed(4),
          minfee: rows[rows.length - 1]![1].toFixed(4),
          maxfee: rows[0]![1].toFixed(4),
          nextfee: next === undefined ? null : next[1].toFixed(4),
          nextvolume: next === undefined ? null : next[0].toFixed(4),
          tiervolume: rows[index]![0].toFixed(4),
        };
      }
    }
    return ok({ currency: 'ZUSD', volume: volume.toFixed(4), ...(Object.keys(fees).length > 0 ? { fees, fees_maker: makerFees } : {}) });
  },
  AddOrder: (ctx, account, params) => {
    const late = checkDeadline(params.deadline, ctx.wallNow());
    if (late !== undefined) return fail(late);
    const request = parseRestOrder(params, ctx.catalog, ctx.market.now());
    if (isErrorText(request)) return fail(request);
    return orderPlacement(account, request);
  },
  AddOrderBatch: (ctx, account, params) => {
    const late = checkDeadline(params.deadline, ctx.wallNow());
    if (late !== undefined) return fail(late);
    const orders = Array.isArray(params.orders) ? params.orders : typeof params.orders === 'object' && params.orders !== null ? Object.values(params.orders) : [];
    if (orders.length < 2 || orders.length > 15) return fail('EGeneral:Invalid arguments:orders');
    const pairName = paramText(params.pair);
    if (pairName === undefined) return fail('EGeneral:Invalid arguments:pair');
    const pair = ctx.catalog.find(pairName);
    if (pair === undefined) return fail('EQuery:Unknown asset pair');
    const validate = paramBoolean(params.validate) === true;
    if (!validate) {
      const charged = account.chargeBatch(pair, orders.length);
      if (!charged.ok) return fail(charged.error);
    }
    const rows = orders.map((entry) => {
      if (typeof entry !== 'object' || entry === null) return { error: 'EGeneral:Invalid arguments:orders' };
      const request = parseRestOrder({ ...(entry as Params), validate: validate ? 'true' : 'false' }, ctx.catalog, ctx.market.now(), pairName);
      if (isErrorText(request)) return { error: request };
      const placed = account.addOrder(request, { charge: false });
      if (!placed.ok) return { error: placed.error };
      return placed.value === undefined ? { descr: orderDescr(request) } : { descr: orderDescr(request), txid: placed.value.txid };
    });
    account.matchNow(pair);
    return ok({ orders: rows });
  },
  AmendOrder: (ctx, account, params) => {
    const late = checkDeadline(params.deadline, ctx.wallNow());
    if (late !== undefined) return fail(late);
    const txid = paramText(params.txid);
    const clOrdId = paramText(params.cl_ord_id);
    if ((txid === undefined) === (clOrdId === undefined)) return fail('EGeneral:Invalid arguments:txid');
    const order = txid !== undefined ? account.order(txid) : account.findOpen({ clOrdId: clOrdId! })[0];
    if (order === undefined || !isOpenStatus(order.status)) return fail('EOrder:Unknown order');
    const volume = parseAmount(params.order_qty, 'order_qty');
    if (isErrorText(volume)) return fail(volume);
    const limit = parseAmount(params.limit_price, 'limit_price');
    if (isErrorText(limit)) return fail(limit);
    const trigger = parseAmount(params.trigger_price, 'trigger_price');
    if (isErrorText(trigger)) return fail(trigger);
    if (limit !== undefined && order.orderType !== 'limit') return fail('EGeneral:Invalid arguments:limit_price');
    if (trigger !== undefined && order.orderType !== 'stop-loss' && order.orderType !== 'take-profit') return fail('EGeneral:Invalid arguments:trigger_price');
    if (params.display_qty !== undefined) return fail('EGeneral:Invalid arguments:display_qty');
    const postOnly = paramBoolean(params.post_only);
    const price = limit ?? trigger;
    const amended = account.amend(order, { ...(volume === undefined ? {} : { volume }), ...(price === undefined ? {} : { price }), ...(postOnly === undefined ? {} : { postOnly }) });
    if (!amended.ok) return fail(amended.error);
    account.matchNow(order.pair);
    return ok({ amend_id: amended.value });
  },
  EditOrder: (ctx, account, params) => {
    const late = checkDeadline(params.deadline, ctx.wallNow());
    if (late !== undefined) return fail(late);
    const reference = paramText(params.txid)?.trim();
    if (reference === undefined || reference === '') return fail('EGeneral:Invalid arguments:txid');
    const order = /^-?\d+$/.test(reference) ? account.findOpen({ userref: Number(reference) })[0] : account.order(reference);
    if (order === undefined || !isOpenStatus(order.status)) return fail('EOrder:Unknown order');
    const pairName = paramText(params.pair);
    if (pairName === undefined) return fail('EGeneral:Invalid arguments:pair');
    if (ctx.catalog.find(pairName) !== order.pair) return fail('EGeneral:Invalid arguments:pair');
    const newUserref = parseUserref(params.userref);
    if (isErrorText(newUserref)) return fail(newUserref);
    const oflags = paramText(params.oflags) ?? [...(order.postOnly ? ['post'] : []), order.feeInBase ? 'fcib' : 'fciq'].join(',');
    const merged: Params = {
      pair: order.pair.names.altname,
      type: order.side,
      ordertype: order.orderType,
      volume: paramText(params.volume) ?? order.volume.toFixed(),
      ...(order.price === undefined && params.price === undefined ? {} : { price: paramText(params.price) ?? order.price!.toFixed() }),
      oflags,
      timeinforce: order.timeInForce,
      ...(order.expireAt === undefined ? {} : { expiretm: String(order.expireAt / 1000) }),
      ...(newUserref !== undefined ? { userref: String(newUserref) } : order.userref !== undefined ? { userref: String(order.userref) } : {}),
      validate: paramText(params.validate) ?? 'false',
    };
    const request = parseRestOrder(merged, ctx.catalog, ctx.market.now());
    if (isErrorText(request)) return fail(request);
    const edited = account.edit(order, request);
    if (!edited.ok) return fail(edited.error);
    const common = {
      descr: orderDescr(request),
      volume: request.pair.qtyOf(request.volume),
      price: request.price === undefined ? '0' : request.pair.priceOf(request.price),
      price2: '0',
      originaltxid: order.txid,
    };
    if (edited.value.order === undefined) return ok({ status: 'ok', ...common });
    account.matchNow(order.pair);
    return ok({
      status: 'ok',
      txid: edited.value.order.txid,
      ...common,
      orders_cancelled: 1,
      ...(edited.value.order.userref === undefined ? {} : { newuserref: edited.value.order.userref }),
      ...(order.userref === undefined ? {} : { olduserref: order.userref }),
    });
  },
  CancelOrder: (_ctx, account, params) => {
    const targets = cancelTargets(account, params);
    if (typeof targets === 'string') return fail(targets);
    if (targets.length === 0) return fail('EOrder:Unknown order');
    let count = 0;
    for (const order of targets) {
      const canceled = account.cancel(order);
      if (!canceled.ok) return count === 0 ? fail(canceled.error) : ok({ count, pending: false });
      count++;
    }
    return ok({ count, pending: false });
  },
  CancelAll: (_ctx, account) => {
    const canceled = account.cancelAll();
    return canceled.ok ? ok({ count: canceled.value, pending: false }) : fail(canceled.error);
  },
  CancelOrderBatch: (_ctx, account, params) => {
    const references = [...listParam(params.orders), ...listParam(params.cl_ord_ids)];
    if (references.length === 0 || references.length > 50) return fail('EGeneral:Invalid arguments:orders');
    return ok({ count: account.cancelByReferences(references) });
  },
  CancelAllOrdersAfter: (_ctx, account, params) => {
    const timeout = intParam(params.timeout, 'timeout', 0, 86_399, -1);
    if (typeof timeout === 'string' || timeout < 0) return fail('EGeneral:Invalid arguments:timeout');
    return ok(account.cancelAllOrdersAfter(timeout));
  },
  GetWebSocketsToken: (ctx, account) => ok({ token: ctx.tokens.issue(account, ctx.wallNow()), expires: TOKEN_TTL_SECONDS }),
};

/** Names the simulator answers; anything else (withdrawals, funding, earn...) is `EGeneral:Unknown method`. */
export const SIMULATED_PUBLIC_ENDPOINTS: readonly string[] = Object.keys(PUBLIC);
export const SIMULATED_PRIVATE_ENDPOINTS: readonly string[] = Object.keys(PRIVATE);

function headerValue(headers: RestRequest['headers'], name: string): string | undefined {
  return headers[name.toLowerCase()];
}

function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Counts a failed authentication; enough in a row lock the key for a while. */
function authFailure(ctx: SimulatorContext, account: SimAccount, error: string): Result {
  account.failures += 1;
  if (ctx.lockout.failures > 0 && account.failures >= ctx.lockout.failures) {
    account.lockedUntilWall = ctx.wallNow() + ctx.lockout.durationMs;
    account.failures = 0;
  }
  return fail(error);
}

function authenticate(ctx: SimulatorContext, request: RestRequest, params: Params): SimAccount | Result {
  const key = headerValue(request.headers, 'API-Key');
  const account = key === undefined ? undefined : ctx.accounts.get(key.trim());
  if (account === undefined) return fail('EAPI:Invalid key');
  if (account.lockedUntilWall > ctx.wallNow()) return fail('EGeneral:Temporary lockout');
  const nonce = rawNonce(request.body, params);
  const sign = headerValue(request.headers, 'API-Sign');
  let expected: string;
  try {
    expected = signKrakenRequest({ path: request.path, nonce: nonce ?? '', body: request.body, secret: account.secret });
  } catch {
    return fail('EGeneral:Internal error');
  }
  if (sign === undefined || !signaturesMatch(expected, sign.trim())) return authFailure(ctx, account, 'EAPI:Invalid signature');
  if (nonce === undefined || BigInt(nonce) <= account.lastNonce) return authFailure(ctx, account, 'EAPI:Invalid nonce');
  account.lastNonce = BigInt(nonce);
  account.failures = 0;
  return account;
}

/**
 * One REST request → Kraken's answer. Public calls: `GET` or `POST /0/public/<Method>`. Private
 * calls: `POST /0/private/<Method>`, checked in Kraken's order: method known, key, lockout,
 * signature over the exact body bytes, nonce, the key's REST counter (spec §7.1; a refused call
 * still counts, so hammering prolongs the wait), then injected faults, then the handler.
 */
export function handleRestRequest(ctx: SimulatorContext, request: RestRequest): RestResponse {
  const match = /^\/0\/(public|private)\/([A-Za-z]+)\/?$/.exec(request.path);
  if (!match) return { status: 404, body: 'Not found', contentType: 'text/plain' };
  const [, scope, method] = match as unknown as [string, 'public' | 'private', string];

  const httpFault = ctx.faults.peek(method!)?.httpStatus;
  if (httpFault !== undefined) {
    const fault = ctx.faults.take(method!)!;
    return { status: httpFault, body: fault.body ?? `simulated HTTP ${httpFault}`, contentType: 'text/plain' };
  }

  let params: Params;
  try {
    params = scope === 'public' && request.method === 'GET' ? parseForm(request.query) : { ...parseForm(request.query), ...parseBody(request.body, headerValue(request.headers, 'Content-Type')) };
  } catch (error) {
    if (error instanceof BodyError) return envelope(fail('EGeneral:Invalid arguments'));
    throw error;
  }

  if (scope === 'public') {
    const handler = PUBLIC[method!];
    if (handler === undefined) return envelope(fail('EGeneral:Unknown method'));
    const fault = ctx.faults.take(method!);
    if (fault?.error !== undefined && !fault.after) return envelope(fail(fault.error));
    const result = handler(ctx, params);
    return envelope(fault?.error !== undefined ? fail(fault.error) : result);
  }

  const handler = PRIVATE[method!];
  if (handler === undefined) return envelope(fail('EGeneral:Unknown method'));
  if (request.method !== 'POST') return envelope(fail('EGeneral:Invalid arguments'));
  const account = authenticate(ctx, request, params);
  if (!(account instanceof SimAccount)) return envelope(account);

  const wall = ctx.wallNow();
  const cost = restCallCost(method!);
  if (cost > 0) {
    const allowed = account.restLimiter.canSpend(cost, wall);
    account.restLimiter.spend(cost, wall);
    if (!allowed) return envelope(fail('EAPI:Rate limit exceeded'));
  }
  const fault = ctx.faults.take(method!);
  if (fault?.error !== undefined && !fault.after) return envelope(fail(fault.error));
  const result = handler(ctx, account, params);
  return envelope(fault?.error !== undefined ? fail(fault.error) : result);
}
