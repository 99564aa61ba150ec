import { Decimal, ExchangeError, roundPrice, roundQuantity, type Instrument, type SubmitOrder } from '@kbot/core';
import type { AddOrderParams } from './rest/types.js';
import type { WsAddOrderParams } from './ws/trading-types.js';

/** One kbot order as Kraken's two order-entry paths want it. */
export interface KrakenOrderRequest {
  /** WebSocket v2 symbol (`BTC/USD`): the key of the pair's trading counter. */
  readonly symbol: string;
  readonly ws: WsAddOrderParams;
  readonly rest: AddOrderParams;
  /** What was sent, as text at the instrument's precision (for logs and tests). */
  readonly quantity: string;
  readonly price: string | undefined;
  /** True when the order had to be rounded to the instrument's tick or lot here (the engine normally does it). */
  readonly rounded: boolean;
}

function invalid(message: string): ExchangeError {
  return new ExchangeError('invalid-order', message);
}

/**
 * SubmitOrder → add_order and AddOrder parameters. Quantities and prices are rounded to the
 * instrument's lot and tick (a buy never pays more, a sell never receives less than asked; a
 * quantity is never rounded up) and written at its precision. `cl_ord_id` is given, already
 * in Kraken's format. Throws ExchangeError (invalid-order) for what Kraken cannot express.
 */
export function buildKrakenOrderRequest(order: SubmitOrder, instrument: Instrument, krakenClientOrderId: string): KrakenOrderRequest {
  const quantity = roundQuantity(instrument, order.quantity);
  if (!quantity.isFinite() || quantity.lessThanOrEqualTo(0)) {
    throw invalid(`EGeneral:Invalid arguments:volume: ${order.quantity.toFixed()} ${instrument.base} is below one lot (${instrument.quantityIncrement.toFixed()})`);
  }
  const quantityText = quantity.toFixed(instrument.quantityPrecision);
  let rounded = !quantity.equals(order.quantity);

  let priceText: string | undefined;
  const priced = (value: Decimal | undefined, what: string, direction: 'down' | 'up' | 'nearest'): string => {
    if (value === undefined) throw invalid(`${what}: received nothing, expected a price for a ${order.type} order`);
    const price = roundPrice(instrument, value, direction);
    if (!price.isFinite() || price.lessThanOrEqualTo(0)) throw invalid(`EOrder:Invalid price: ${value.toFixed()} rounds to ${price.toFixed()} on ${instrument.id}`);
    if (!price.equals(value)) rounded = true;
    return price.toFixed(instrument.pricePrecision);
  };
  switch (order.type) {
    case 'market':
      break;
    case 'limit':
      priceText = priced(order.price, 'price', order.side === 'buy' ? 'down' : 'up');
      break;
    case 'stop-loss':
    case 'take-profit':
      priceText = priced(order.triggerPrice, 'triggerPrice', 'nearest');
      break;
    default:
      throw invalid(`type: received ${JSON.stringify(order.type)}, expected market, limit, stop-loss or take-profit`);
  }
  if (order.postOnly && order.type !== 'limit') throw invalid(`postOnly: a ${order.type} order cannot be post-only; only limit orders can`);
  let expireTime: string | undefined;
  if (order.timeInForce === 'gtd') {
    if (order.expireAt === undefined) throw invalid('expireAt: received nothing, expected a time for a gtd order');
    expireTime = new Date(order.expireAt).toISOString();
  }

  const ws: WsAddOrderParams = {
    symbol: instrument.id,
    order_type: order.type,
    side: order.side,
    order_qty: new Decimal(quantityText),
    ...(order.type === 'limit' ? { limit_price: new Decimal(priceText!) } : {}),
    ...(order.type === 'stop-loss' || order.type === 'take-profit' ? { triggers: { reference: 'last' as const, price: new Decimal(priceText!) } } : {}),
    time_in_force: order.timeInForce,
    ...(expireTime === undefined ? {} : { expire_time: expireTime }),
    ...(order.postOnly ? { post_only: true } : {}),
    // reduce_only is a margin flag on Kraken; for spot the engine's risk checks enforce it.
    cl_ord_id: krakenClientOrderId,
  };
  const rest: AddOrderParams = {
    pair: instrument.venueSymbol,
    type: order.side,
    ordertype: order.type,
    volume: quantityText,
    ...(priceText === undefined ? {} : { price: priceText }),
    ...(order.postOnly ? { oflags: ['post' as const] } : {}),
    timeinforce: order.timeInForce === 'gtc' ? 'GTC' : order.timeInForce === 'ioc' ? 'IOC' : 'GTD',
    ...(order.expireAt === undefined || order.timeInForce !== 'gtd' ? {} : { expiretm: String(Math.floor(order.expireAt / 1000)) }),
    cl_ord_id: krakenClientOrderId,
  };
  return { symbol: instrument.id, ws, rest, quantity: quantityText, price: priceText, rounded };
}
