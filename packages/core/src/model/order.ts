import type { Decimal, DecimalLike } from './decimal.js';
import type { ClientOrderId, InstrumentId, StrategyId, VenueOrderId } from './ids.js';
import type { EpochMs } from './time.js';

export type OrderSide = 'buy' | 'sell';
/**
 * `stop-loss` and `take-profit` are trigger orders that become market orders when the trigger
 * price trades (Kraken's `stop-loss` / `take-profit` types).
 */
export type OrderType = 'market' | 'limit' | 'stop-loss' | 'take-profit';
export type TimeInForce = 'gtc' | 'ioc' | 'gtd';

/** What a strategy asks for. Money fields take Decimal or exact decimal strings. */
export interface OrderIntent {
  readonly instrumentId: InstrumentId | string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Base-currency quantity. */
  readonly quantity: DecimalLike;
  /** Limit price (limit orders). */
  readonly price?: DecimalLike;
  /** Trigger price (stop-loss and take-profit orders). */
  readonly triggerPrice?: DecimalLike;
  /** Limit orders only: rest as maker or be rejected. */
  readonly postOnly?: boolean;
  /** Only reduce an existing position. */
  readonly reduceOnly?: boolean;
  readonly timeInForce?: TimeInForce;
  /** With `gtd`: when the order expires. */
  readonly expireAt?: EpochMs;
  /** Free text carried on every event of the order (the strategy's reason). */
  readonly tag?: string;
  /** Numbers the strategy saw when deciding (for learners: they receive them with the trade's outcome). */
  readonly features?: Readonly<Record<string, number>>;
}

/** The command the engine builds from an intent: ids assigned, every money field a Decimal. */
export interface SubmitOrder {
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly triggerPrice: Decimal | undefined;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly timeInForce: TimeInForce;
  readonly expireAt: EpochMs | undefined;
  readonly tag: string | undefined;
  readonly features: Readonly<Record<string, number>> | undefined;
  readonly createdAt: EpochMs;
}

export interface CancelOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId | undefined;
  readonly instrumentId: InstrumentId;
  readonly requestedAt: EpochMs;
}

export type OrderStatus =
  | 'initialized'
  | 'denied'
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'partially-filled'
  | 'filled'
  | 'pending-cancel'
  | 'canceled'
  | 'expired';

/** The order as the engine knows it now. Snapshots are frozen; the engine replaces, never mutates. */
export interface Order extends SubmitOrder {
  readonly status: OrderStatus;
  readonly venueOrderId: VenueOrderId | undefined;
  readonly filledQuantity: Decimal;
  /** Volume-weighted average price of the fills so far; undefined before the first fill. */
  readonly averageFillPrice: Decimal | undefined;
  /** Fees paid so far, per asset. */
  readonly fees: Readonly<Record<string, Decimal>>;
  readonly updatedAt: EpochMs;
  /** Why the order was denied or rejected, when it was. */
  readonly reason: string | undefined;
}

/**
 * The frozen order of `command` in the given state, built field by field in one fixed order, so
 * every order has one object shape. Spreading a frozen order (`{ ...order, status }`) takes V8's
 * slow copy path: about 0.9 µs against 0.09 µs here, and the engine makes a new order at every
 * transition and fill.
 */
export function frozenOrder(
  command: SubmitOrder,
  status: OrderStatus,
  venueOrderId: VenueOrderId | undefined,
  filledQuantity: Decimal,
  averageFillPrice: Decimal | undefined,
  fees: Readonly<Record<string, Decimal>>,
  updatedAt: EpochMs,
  reason: string | undefined,
): Order {
  return Object.freeze({
    clientOrderId: command.clientOrderId,
    strategyId: command.strategyId,
    instrumentId: command.instrumentId,
    side: command.side,
    type: command.type,
    quantity: command.quantity,
    price: command.price,
    triggerPrice: command.triggerPrice,
    postOnly: command.postOnly,
    reduceOnly: command.reduceOnly,
    timeInForce: command.timeInForce,
    expireAt: command.expireAt,
    tag: command.tag,
    features: command.features,
    createdAt: command.createdAt,
    status,
    venueOrderId,
    filledQuantity,
    averageFillPrice,
    fees,
    updatedAt,
    reason,
  });
}

export function remainingQuantity(order: Pick<Order, 'quantity' | 'filledQuantity'>): Decimal {
  return order.quantity.minus(order.filledQuantity);
}

const OPEN: ReadonlySet<OrderStatus> = new Set(['submitted', 'accepted', 'partially-filled', 'pending-cancel']);
const TERMINAL: ReadonlySet<OrderStatus> = new Set(['denied', 'rejected', 'filled', 'canceled', 'expired']);

/** Open orders can still fill. */
export function isOrderOpen(status: OrderStatus): boolean {
  return OPEN.has(status);
}

export function isOrderTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}
