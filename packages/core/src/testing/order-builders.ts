import { ZERO, toDecimal, type Decimal, type DecimalLike } from '../model/decimal.js';
import { clientOrderId, strategyId, venueOrderId, type ClientOrderId, type InstrumentId, type StrategyId, type VenueOrderId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Order, OrderSide, OrderStatus, OrderType, SubmitOrder, TimeInForce } from '../model/order.js';
import type { Position } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import { instrumentIdOf } from './instrument-fixtures.js';
import { TEST_START_TIME } from './market-data-builders.js';

let orderCounter = 0;

export interface SubmitOrderInput {
  /** Default: `test-order-<n>` from a counter, so orders built in one test never share an id. */
  readonly clientOrderId?: ClientOrderId | string;
  readonly strategyId?: StrategyId | string;
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly side?: OrderSide;
  /** Default: `limit` when a price is given, `stop-loss` with only a trigger price, else `market`. */
  readonly type?: OrderType;
  readonly quantity?: DecimalLike;
  readonly price?: DecimalLike;
  readonly triggerPrice?: DecimalLike;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  readonly timeInForce?: TimeInForce;
  readonly expireAt?: EpochMs;
  readonly tag?: string;
  readonly features?: Readonly<Record<string, number>>;
  readonly createdAt?: EpochMs;
}

/**
 * A frozen order command as the engine would send it (BTC/USD, buy 0.01, market, by default).
 * Values are taken as given: nothing is rounded, so a test can build an order that breaks the
 * instrument's rules on purpose.
 */
export function submitOrder(input: SubmitOrderInput = {}): SubmitOrder {
  const price = input.price === undefined ? undefined : toDecimal(input.price, 'order.price');
  const triggerPrice = input.triggerPrice === undefined ? undefined : toDecimal(input.triggerPrice, 'order.triggerPrice');
  const type: OrderType = input.type ?? (price !== undefined ? 'limit' : triggerPrice !== undefined ? 'stop-loss' : 'market');
  return Object.freeze({
    clientOrderId: clientOrderId(String(input.clientOrderId ?? `test-order-${++orderCounter}`)),
    strategyId: strategyId(String(input.strategyId ?? 'test-strategy')),
    instrumentId: instrumentIdOf(input.instrumentId ?? 'BTC/USD'),
    side: input.side ?? 'buy',
    type,
    quantity: toDecimal(input.quantity ?? '0.01', 'order.quantity'),
    price,
    triggerPrice,
    postOnly: input.postOnly ?? false,
    reduceOnly: input.reduceOnly ?? false,
    timeInForce: input.timeInForce ?? 'gtc',
    expireAt: input.expireAt,
    tag: input.tag,
    features: input.features === undefined ? undefined : Object.freeze({ ...input.features }),
    createdAt: input.createdAt ?? TEST_START_TIME,
  });
}

export interface OrderInput extends SubmitOrderInput {
  /** Default `accepted`. */
  readonly status?: OrderStatus;
  readonly venueOrderId?: VenueOrderId | string;
  readonly filledQuantity?: DecimalLike;
  readonly averageFillPrice?: DecimalLike;
  readonly fees?: Readonly<Record<string, DecimalLike>>;
  readonly updatedAt?: EpochMs;
  readonly reason?: string;
}

/** A frozen order as the engine knows it (an accepted BTC/USD market buy of 0.01 by default). */
export function order(input: OrderInput = {}): Order {
  const command = submitOrder(input);
  const fees: Record<string, Decimal> = {};
  for (const [asset, amount] of Object.entries(input.fees ?? {})) fees[asset] = toDecimal(amount, `order.fees.${asset}`);
  return Object.freeze({
    ...command,
    status: input.status ?? 'accepted',
    venueOrderId: input.venueOrderId === undefined ? undefined : venueOrderId(String(input.venueOrderId)),
    filledQuantity: input.filledQuantity === undefined ? ZERO : toDecimal(input.filledQuantity, 'order.filledQuantity'),
    averageFillPrice: input.averageFillPrice === undefined ? undefined : toDecimal(input.averageFillPrice, 'order.averageFillPrice'),
    fees: Object.freeze(fees),
    updatedAt: input.updatedAt ?? command.createdAt,
    reason: input.reason,
  });
}

export interface PositionInput {
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly quantity?: DecimalLike;
  readonly averageEntryPrice?: DecimalLike;
  /** Default: quantity × averageEntryPrice. */
  readonly costBasis?: DecimalLike;
  readonly realizedPnl?: DecimalLike;
  readonly feesPaid?: DecimalLike;
  readonly openedAt?: EpochMs;
  readonly updatedAt?: EpochMs;
}

/** A frozen spot position (0.1 BTC/USD bought at 100 by default). */
export function position(input: PositionInput = {}): Position {
  const quantity = toDecimal(input.quantity ?? '0.1', 'position.quantity');
  const averageEntryPrice = toDecimal(input.averageEntryPrice ?? (quantity.isZero() ? 0 : 100), 'position.averageEntryPrice');
  return Object.freeze({
    instrumentId: instrumentIdOf(input.instrumentId ?? 'BTC/USD'),
    quantity,
    averageEntryPrice,
    costBasis: input.costBasis === undefined ? quantity.times(averageEntryPrice) : toDecimal(input.costBasis, 'position.costBasis'),
    realizedPnl: toDecimal(input.realizedPnl ?? 0, 'position.realizedPnl'),
    feesPaid: toDecimal(input.feesPaid ?? 0, 'position.feesPaid'),
    openedAt: input.openedAt ?? (quantity.isZero() ? undefined : TEST_START_TIME),
    updatedAt: input.updatedAt ?? TEST_START_TIME,
  });
}
