import { Decimal, ExchangeError, incrementsOf, roundPrice, roundQuantity, type Instrument, type SubmitOrder } from '@kbot/core';
import type { AddOrderParams } from './rest/types.js';
import type { WsAddOrderParams, WsOrderTriggers } from './ws/trading-types.js';
import { WireJsonObject } from './ws/wire-json.js';

/** One kbot order as Kraken's two order-entry paths want it. */
export interface KrakenOrderRequest {
  /** WebSocket v2 symbol (`BTC/USD`): the key of the pair's trading counter. */
  readonly symbol: string;
  /** add_order's params: frozen, their wire text written with them (WireJsonObject). */
  readonly ws: WsAddOrderParams;
  readonly rest: AddOrderParams;
  /** What was sent, as text at the instrument's precision (for logs and tests). */
  readonly quantity: string;
  readonly price: string | undefined;
  /** The quantity sent, as a Decimal (the order's own when it needed no rounding). */
  readonly quantityValue: Decimal;
  /** True when the order had to be rounded to the instrument's tick or lot here (the engine normally does it). */
  readonly rounded: boolean;
}

function invalid(message: string): ExchangeError {
  return new ExchangeError('invalid-order', message);
}

/** Each instrument's symbol as the head of the add_order JSON: `{"symbol":"BTC/USD","order_type":`. */
const instrumentHeads = new WeakMap<Instrument, string>();

// Instruments are frozen (defineInstrument), so a head made for one stays true for it.
function headOf(instrument: Instrument): string {
  let head = instrumentHeads.get(instrument);
  if (head === undefined) {
    head = `{"symbol":${JSON.stringify(instrument.id)},"order_type":`;
    if (Object.isFrozen(instrument)) instrumentHeads.set(instrument, head);
  }
  return head;
}

/**
 * `value`'s digits (Decimal#toFixed(), which only prints) when it is positive and already on a
 * unit grid: when the increment is one unit of the last decimal, a value with no more decimals
 * than the precision is its own rounding in every direction. The engine rounds every order
 * before the adapter sees it, so this is the usual case, and it costs no arithmetic. Undefined
 * otherwise (the caller rounds).
 */
function onUnitGrid(value: Decimal, isUnit: boolean, precision: number): string | undefined {
  if (!isUnit || !isPositive(value)) return undefined;
  const digits = value.toFixed();
  return decimalsOf(digits) <= precision ? digits : undefined;
}

/** The number of decimals of a fixed-point text. */
function decimalsOf(fixed: string): number {
  const dot = fixed.indexOf('.');
  return dot < 0 ? 0 : fixed.length - dot - 1;
}

/** A positive finite Decimal (not NaN, not ±0, not negative, not infinite). */
function isPositive(value: Decimal): boolean {
  return value.isFinite() && !value.isZero() && !value.isNegative();
}

/** Fixed-point text → the same number's shortest digits (`29000.10` → `29000.1`, `38000.0` → `38000`). */
function withoutTrailingZeros(fixed: string): string {
  if (fixed.indexOf('.') < 0) return fixed;
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (fixed.charCodeAt(end - 1) === 46 /* . */) end--;
  return fixed.slice(0, end);
}

const ZEROS = '0'.repeat(18); // defineInstrument allows precisions up to 18; more falls back to toFixed

/**
 * `value` (positive, finite, with at most `precision` decimals: on the grid or rounded to it) as
 * text: `wire`, its own digits as a JSON number (`digits`, Decimal#toFixed()), and `fixed`, the
 * same digits padded with zeros to `precision` decimals (Decimal#toFixed(precision), written
 * without the copy and rounding pass that call makes).
 */
function decimalTexts(value: Decimal, digits: string, precision: number): { wire: string; fixed: string } {
  const decimals = decimalsOf(digits);
  if (decimals > precision) {
    // Not expected (the grid check and rounding leave at most `precision` decimals); if it happens, both texts say the rounded value.
    const fixed = value.toFixed(precision);
    return { wire: withoutTrailingZeros(fixed), fixed };
  }
  if (decimals === precision) return { wire: digits, fixed: digits };
  if (precision - decimals > ZEROS.length) return { wire: digits, fixed: value.toFixed(precision) };
  return { wire: digits, fixed: digits + (decimals === 0 ? '.' : '') + ZEROS.slice(0, precision - decimals) };
}

const QUOTED_TYPES: Readonly<Record<string, string>> = { market: '"market"', limit: '"limit"', 'stop-loss': '"stop-loss"', 'take-profit': '"take-profit"' };

function quoted(value: string): string {
  return value === 'buy' ? '"buy"' : value === 'sell' ? '"sell"' : value === 'gtc' ? '"gtc"' : JSON.stringify(value);
}

/**
 * SubmitOrder → add_order and AddOrder parameters. Quantities and prices are rounded to the
 * instrument's lot and tick (a buy never pays more, a sell never receives less than asked; a
 * quantity is never rounded up) and written at its precision. `cl_ord_id` is given, already
 * in Kraken's format. Throws ExchangeError (invalid-order) for what Kraken cannot express.
 *
 * This runs between a strategy's signal and the socket, so every number is printed once (its
 * digits for the socket; the same digits padded to the precision, for REST),
 * the engine's already-rounded Decimals are reused rather than rounded and re-created, and the
 * add_order params' wire text is written here with their fields (see WireJsonObject).
 */
export function buildKrakenOrderRequest(order: SubmitOrder, instrument: Instrument, krakenClientOrderId: string): KrakenOrderRequest {
  const increments = incrementsOf(instrument);
  let quantity = order.quantity;
  let rounded = false;
  let quantityDigits = onUnitGrid(quantity, increments.quantityIsUnit, instrument.quantityPrecision);
  if (quantityDigits === undefined) {
    quantity = roundQuantity(instrument, order.quantity);
    rounded = !quantity.equals(order.quantity);
    if (!isPositive(quantity)) {
      // Checked here, before anything is sent; Kraken's text first, then what was wrong.
      const problem = order.quantity.isFinite() && order.quantity.greaterThan(0)
        ? `${order.quantity.toFixed()} ${instrument.base} is below one lot (${instrument.quantityIncrement.toFixed()})`
        : `received ${order.quantity.toString()}, expected a positive ${instrument.base} quantity of at least one lot (${instrument.quantityIncrement.toFixed()})`;
      throw invalid(`EGeneral:Invalid arguments:volume: quantity: ${problem}`);
    }
    quantityDigits = quantity.toFixed();
  }
  const quantityTexts = decimalTexts(quantity, quantityDigits, instrument.quantityPrecision);
  const quantityText = quantityTexts.fixed;

  let price: Decimal | undefined;
  switch (order.type) {
    case 'market':
      break;
    case 'limit':
      price = order.price;
      if (price === undefined) throw invalid(`price: received nothing, expected a price for a ${order.type} order`);
      break;
    case 'stop-loss':
    case 'take-profit':
      price = order.triggerPrice;
      if (price === undefined) throw invalid(`triggerPrice: received nothing, expected a price for a ${order.type} order`);
      break;
    default:
      throw invalid(`type: received ${JSON.stringify(order.type)}, expected market, limit, stop-loss or take-profit`);
  }
  let priceDigits = price === undefined ? undefined : onUnitGrid(price, increments.priceIsUnit, instrument.pricePrecision);
  if (price !== undefined && priceDigits === undefined) {
    const direction = order.type !== 'limit' ? 'nearest' : order.side === 'buy' ? 'down' : 'up';
    const roundedPrice = roundPrice(instrument, price, direction);
    if (!isPositive(roundedPrice)) {
      const problem = price.isFinite() && price.greaterThan(0)
        ? `${price.toFixed()} rounds to ${roundedPrice.toFixed()} at the tick of ${instrument.id} (${instrument.priceIncrement.toFixed()})`
        : `received ${price.toString()}, expected a positive price`;
      throw invalid(`EOrder:Invalid price: price: ${problem}`);
    }
    if (!roundedPrice.equals(price)) rounded = true;
    price = roundedPrice;
    priceDigits = price.toFixed();
  }
  if (order.postOnly && order.type !== 'limit') throw invalid(`postOnly: a ${order.type} order cannot be post-only; only limit orders can`);
  if (order.timeInForce !== undefined && order.timeInForce !== 'gtc' && order.timeInForce !== 'ioc' && order.timeInForce !== 'gtd') {
    throw invalid(`timeInForce: received ${JSON.stringify(order.timeInForce)}, expected "gtc", "ioc" or "gtd"`);
  }
  let expireTime: string | undefined;
  if (order.timeInForce === 'gtd') {
    if (order.expireAt === undefined) throw invalid('expireAt: received nothing, expected a time for a gtd order');
    expireTime = new Date(order.expireAt).toISOString();
  }
  const priceTexts = price === undefined ? undefined : decimalTexts(price, priceDigits!, instrument.pricePrecision);
  const priceText = priceTexts?.fixed;
  const priceWire = priceTexts === undefined ? '' : priceTexts.wire;

  // The add_order text, field by field as toWireJson would write the params below (undefined
  // fields left out, strings as JSON strings, Decimals as their digits), without the closing
  // brace (see WireJsonObject); then the params, assigned in the same order.
  let text = `${headOf(instrument)}${QUOTED_TYPES[order.type]!},"side":${quoted(order.side)},"order_qty":${quantityTexts.wire}`;
  if (order.type === 'limit') text += `,"limit_price":${priceWire}`;
  else if (order.type !== 'market') text += `,"triggers":{"reference":"last","price":${priceWire}}`;
  if (order.timeInForce !== undefined) text += `,"time_in_force":${quoted(order.timeInForce)}`;
  if (expireTime !== undefined) text += `,"expire_time":"${expireTime}"`;
  if (order.postOnly) text += ',"post_only":true';
  text += `,"cl_ord_id":${JSON.stringify(krakenClientOrderId)}`;

  const ws = new WireJsonObject(text) as WireJsonObject & Record<string, unknown>;
  ws.symbol = instrument.id;
  ws.order_type = order.type;
  ws.side = order.side;
  ws.order_qty = quantity;
  if (order.type === 'limit') ws.limit_price = price;
  else if (order.type !== 'market') ws.triggers = Object.freeze({ reference: 'last', price: price! } satisfies WsOrderTriggers);
  if (order.timeInForce !== undefined) ws.time_in_force = order.timeInForce;
  if (expireTime !== undefined) ws.expire_time = expireTime;
  if (order.postOnly) ws.post_only = true;
  // reduce_only is a margin flag on Kraken; for spot the engine's risk checks enforce it.
  ws.cl_ord_id = krakenClientOrderId;

  // Kraken's REST form, fields in the order it has always been encoded.
  const rest: Record<string, unknown> = { pair: instrument.venueSymbol, type: order.side, ordertype: order.type, volume: quantityText };
  if (priceText !== undefined) rest.price = priceText;
  if (order.postOnly) rest.oflags = ['post'];
  // Without one, good till canceled, as Kraken's default and the WebSocket request (which leaves it out) say.
  rest.timeinforce = order.timeInForce === 'ioc' ? 'IOC' : order.timeInForce === 'gtd' ? 'GTD' : 'GTC';
  if (order.expireAt !== undefined && order.timeInForce === 'gtd') rest.expiretm = String(Math.floor(order.expireAt / 1000));
  rest.cl_ord_id = krakenClientOrderId;

  return {
    symbol: instrument.id,
    ws: Object.freeze(ws) as unknown as WsAddOrderParams,
    rest: rest as unknown as AddOrderParams,
    quantity: quantityText,
    price: priceText,
    quantityValue: quantity,
    rounded,
  };
}
