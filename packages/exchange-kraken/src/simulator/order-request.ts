import { Decimal } from '@kbot/core';
import type { PairCatalog, SimPair } from './pair-catalog.js';

/** The order types the simulator executes; Kraken's other types are refused (see README). */
export type SimOrderType = 'market' | 'limit' | 'stop-loss' | 'take-profit';
export type SimTimeInForce = 'GTC' | 'IOC' | 'GTD';

/** One order as the account needs it, whichever protocol it came in by. */
export interface OrderRequest {
  readonly pair: SimPair;
  readonly side: 'buy' | 'sell';
  readonly orderType: SimOrderType;
  readonly volume: Decimal;
  /** Limit price (limit) or trigger price (stop-loss, take-profit). */
  readonly price: Decimal | undefined;
  readonly postOnly: boolean;
  /** `fcib`: the client prefers fees in the base asset (recorded; fees are charged in quote, see README). */
  readonly feeInBase: boolean;
  readonly timeInForce: SimTimeInForce;
  /** Market time (epoch ms) a GTD order expires. */
  readonly expireAt: number | undefined;
  readonly userref: number | undefined;
  readonly clOrdId: string | undefined;
  readonly validate: boolean;
}

/** A Kraken error string: what every parser returns instead of a request when the input is bad. */
export type KrakenErrorText = string;

const KRAKEN_ORDER_TYPES = new Set([
  'market',
  'limit',
  'iceberg',
  'stop-loss',
  'take-profit',
  'stop-loss-limit',
  'take-profit-limit',
  'trailing-stop',
  'trailing-stop-limit',
  'settle-position',
]);
const SUPPORTED_TYPES = new Set<SimOrderType>(['market', 'limit', 'stop-loss', 'take-profit']);
const OFLAGS = new Set(['post', 'fcib', 'fciq', 'nompp', 'viqc']);
const DECIMAL = /^\d+(\.\d+)?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHORT_UUID = /^[0-9a-fA-F]{32}$/;
const FREE_TEXT = /^[\x21-\x7e]{1,18}$/;

const invalid = (field: string): KrakenErrorText => `EGeneral:Invalid arguments:${field}`;

/** A parameter as text: form bodies give strings, JSON bodies may give numbers and booleans. */
export function paramText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

export function paramBoolean(value: unknown): boolean | undefined {
  const text = paramText(value)?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}

/** A positive decimal (`"1.25"`, or a JSON number); undefined when absent; an error when malformed. */
export function parseAmount(value: unknown, field: string): Decimal | undefined | KrakenErrorText {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '') return undefined;
  let normalised = text;
  if (typeof value === 'number') normalised = new Decimal(value).toFixed();
  if (!DECIMAL.test(normalised)) return invalid(field);
  return new Decimal(normalised);
}

export function isErrorText(value: unknown): value is KrakenErrorText {
  return typeof value === 'string';
}

/** Kraken's `cl_ord_id` forms: a UUID, 32 hex digits, or up to 18 printable characters. */
export function isValidClientOrderId(text: string): boolean {
  return UUID.test(text) || SHORT_UUID.test(text) || FREE_TEXT.test(text);
}

export function parseUserref(value: unknown): number | undefined | KrakenErrorText {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) return invalid('userref');
  const number = Number(text);
  if (number < -2_147_483_648 || number > 2_147_483_647) return invalid('userref');
  return number;
}

/** `0` / absent: none; `+n`: n seconds after `now`; else epoch seconds. Returns epoch ms. */
function parseTimeParam(value: unknown, now: number, field: string): number | undefined | KrakenErrorText {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '' || text === '0') return undefined;
  const relative = /^\+(\d+(\.\d+)?)$/.exec(text);
  if (relative) return now + Number(relative[1]) * 1000;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  return invalid(field);
}

/** RFC3339 → epoch ms, or an error. */
function parseRfc3339(value: unknown, field: string): number | undefined | KrakenErrorText {
  const text = paramText(value)?.trim();
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms) ? ms : invalid(field);
}

/**
 * The `deadline` check (spec §6.4): in the past → `EService:Deadline elapsed`; more than 60 s
 * ahead or malformed → invalid arguments. Deadlines are compared with the wall clock, the clock
 * the client wrote them with.
 */
export function checkDeadline(value: unknown, wallNow: number): KrakenErrorText | undefined {
  const deadline = parseRfc3339(value, 'deadline');
  if (deadline === undefined) return undefined;
  if (isErrorText(deadline)) return deadline;
  if (deadline < wallNow) return 'EService:Deadline elapsed';
  if (deadline > wallNow + 60_000) return invalid('deadline');
  return undefined;
}

interface CommonFields {
  readonly pair: SimPair;
  readonly side: unknown;
  readonly orderType: unknown;
  readonly volume: unknown;
  readonly price: unknown;
  readonly postOnly: boolean;
  readonly feeInBase: boolean;
  readonly timeInForce: unknown;
  readonly expireAt: number | undefined;
  readonly userref: unknown;
  readonly clOrdId: unknown;
  readonly validate: boolean;
}

function finish(fields: CommonFields): OrderRequest | KrakenErrorText {
  const side = paramText(fields.side);
  if (side !== 'buy' && side !== 'sell') return invalid('type');
  const orderType = paramText(fields.orderType);
  if (orderType === undefined || !KRAKEN_ORDER_TYPES.has(orderType)) return invalid('ordertype');
  if (!SUPPORTED_TYPES.has(orderType as SimOrderType)) return invalid('ordertype');
  const volume = parseAmount(fields.volume, 'volume');
  if (isErrorText(volume)) return volume;
  if (volume === undefined || volume.isZero()) return invalid('volume');
  const price = parseAmount(fields.price, 'price');
  if (isErrorText(price)) return price;
  if (orderType !== 'market' && price === undefined) return invalid('price');
  const timeInForce = (paramText(fields.timeInForce) ?? 'GTC').toUpperCase();
  if (timeInForce !== 'GTC' && timeInForce !== 'IOC' && timeInForce !== 'GTD') return invalid('timeinforce');
  if (timeInForce === 'GTD' && fields.expireAt === undefined) return invalid('expiretm');
  const userref = parseUserref(fields.userref);
  if (isErrorText(userref)) return userref;
  const clOrdId = paramText(fields.clOrdId);
  if (clOrdId !== undefined) {
    if (!isValidClientOrderId(clOrdId)) return invalid('cl_ord_id');
    // Kraken makes the two ids mutually exclusive.
    if (userref !== undefined) return invalid('cl_ord_id');
  }
  return {
    pair: fields.pair,
    side,
    orderType: orderType as SimOrderType,
    volume,
    price: orderType === 'market' ? undefined : price,
    postOnly: fields.postOnly,
    feeInBase: fields.feeInBase,
    timeInForce,
    expireAt: timeInForce === 'GTD' ? fields.expireAt : undefined,
    userref,
    clOrdId,
    validate: fields.validate,
  };
}

/**
 * REST AddOrder fields (spec §6.4), from a form or JSON body. `pair` may come from the batch's
 * top level. Refuses what the simulator does not execute (conditional close, start times,
 * relative prices, margin) with an invalid-arguments error naming the field.
 */
export function parseRestOrder(params: Record<string, unknown>, catalog: PairCatalog, marketNow: number, pairName?: unknown): OrderRequest | KrakenErrorText {
  const name = paramText(pairName ?? params.pair)?.trim();
  if (name === undefined || name === '') return invalid('pair');
  const pair = catalog.find(name);
  if (pair === undefined) return 'EQuery:Unknown asset pair';
  const flags = (paramText(params.oflags) ?? '')
    .split(',')
    .map((flag) => flag.trim())
    .filter((flag) => flag !== '');
  if (flags.some((flag) => !OFLAGS.has(flag))) return invalid('oflags');
  if (flags.includes('fcib') && flags.includes('fciq')) return invalid('oflags');
  if (flags.includes('viqc')) return invalid('viqc');
  if (params.close !== undefined || params['close[ordertype]'] !== undefined) return invalid('close');
  const start = parseTimeParam(params.starttm, marketNow, 'starttm');
  if (start !== undefined) return invalid('starttm');
  const leverage = paramText(params.leverage);
  if (leverage !== undefined && leverage !== 'none' && leverage !== '1' && leverage !== '1:1') return invalid('leverage');
  if (paramBoolean(params.reduce_only) === true) return invalid('reduce_only');
  const trigger = paramText(params.trigger);
  if (trigger === 'index') return 'EGeneral:Invalid arguments:Index unavailable';
  if (trigger !== undefined && trigger !== 'last') return invalid('trigger');
  const expireAt = parseTimeParam(params.expiretm, marketNow, 'expiretm');
  if (isErrorText(expireAt)) return expireAt;
  return finish({
    pair,
    side: params.type,
    orderType: params.ordertype,
    volume: params.volume,
    price: params.price,
    postOnly: flags.includes('post'),
    feeInBase: flags.includes('fcib'),
    timeInForce: params.timeinforce,
    expireAt,
    userref: params.userref,
    clOrdId: params.cl_ord_id,
    validate: paramBoolean(params.validate) === true,
  });
}

/** WebSocket v2 `add_order` params (spec §8.14); `symbol` may come from a batch's top level. */
export function parseWsOrder(params: Record<string, unknown>, catalog: PairCatalog, symbol?: unknown, validate?: unknown): OrderRequest | KrakenErrorText {
  const name = paramText(symbol ?? params.symbol)?.trim();
  if (name === undefined || name === '') return invalid('symbol');
  const pair = catalog.find(name);
  if (pair === undefined) return 'EQuery:Unknown asset pair';
  const orderType = paramText(params.order_type);
  const isTrigger = orderType === 'stop-loss' || orderType === 'take-profit';
  let price: unknown = params.limit_price;
  if (isTrigger) {
    const triggers = params.triggers as Record<string, unknown> | undefined;
    if (typeof triggers !== 'object' || triggers === null) return invalid('triggers');
    if (triggers.reference === 'index') return 'EGeneral:Invalid arguments:Index unavailable';
    if (triggers.price_type !== undefined && triggers.price_type !== 'static') return invalid('triggers');
    price = triggers.price;
  }
  if (params.limit_price_type !== undefined && params.limit_price_type !== 'static') return invalid('limit_price_type');
  if (params.conditional !== undefined) return invalid('conditional');
  if (params.effective_time !== undefined) return invalid('effective_time');
  if (params.cash_order_qty !== undefined) return invalid('cash_order_qty');
  if (params.margin === true) return invalid('margin');
  if (params.reduce_only === true) return invalid('reduce_only');
  if (params.display_qty !== undefined) return invalid('display_qty');
  const preference = paramText(params.fee_preference);
  if (preference !== undefined && preference !== 'base' && preference !== 'quote') return invalid('fee_preference');
  const expireAt = parseRfc3339(params.expire_time, 'expire_time');
  if (isErrorText(expireAt)) return expireAt;
  return finish({
    pair,
    side: params.side,
    orderType,
    volume: params.order_qty,
    price,
    postOnly: params.post_only === true,
    feeInBase: preference === 'base',
    timeInForce: params.time_in_force,
    expireAt,
    userref: params.order_userref,
    clOrdId: params.cl_ord_id,
    validate: (validate ?? params.validate) === true,
  });
}
