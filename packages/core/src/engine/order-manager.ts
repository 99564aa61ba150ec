import { Decimal, ZERO } from '../model/decimal.js';
import { InvariantError } from '../errors/errors.js';
import type { Fill } from '../model/fill.js';
import type { ClientOrderId, InstrumentId, TradeId, VenueOrderId } from '../model/ids.js';
import { nextOrderStatus, type OrderTransitionEvent } from '../model/order-fsm.js';
import { isOrderOpen, type Order, type OrderStatus, type SubmitOrder } from '../model/order.js';
import type { EpochMs } from '../model/time.js';

/** The outcome of applying a fill report. */
export type FillOutcome =
  | { readonly kind: 'applied'; readonly order: Order }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unknown-order' };

/**
 * Keeps every order of the bot and moves it through the lifecycle table. It never talks to a
 * venue; the engine turns its results into events. Fills are idempotent by trade id.
 */
export class OrderManager {
  private readonly orders = new Map<ClientOrderId, Order>();
  private readonly byVenueId = new Map<VenueOrderId, ClientOrderId>();
  private readonly open = new Map<ClientOrderId, Order>();
  private readonly seenTrades = new Set<TradeId>();
  private readonly statusBeforeCancel = new Map<ClientOrderId, OrderStatus>();

  create(command: SubmitOrder): Order {
    if (this.orders.has(command.clientOrderId)) throw new InvariantError(`client order id ${command.clientOrderId} is already used`);
    const order: Order = Object.freeze({
      ...command,
      status: 'initialized',
      venueOrderId: undefined,
      filledQuantity: ZERO,
      averageFillPrice: undefined,
      fees: Object.freeze({}),
      updatedAt: command.createdAt,
      reason: undefined,
    });
    this.orders.set(command.clientOrderId, order);
    return order;
  }

  get(id: ClientOrderId): Order | undefined {
    return this.orders.get(id);
  }

  byVenueOrderId(id: VenueOrderId): Order | undefined {
    const clientId = this.byVenueId.get(id);
    return clientId === undefined ? undefined : this.orders.get(clientId);
  }

  all(): Order[] {
    return [...this.orders.values()];
  }

  openOrders(instrumentId?: InstrumentId): Order[] {
    const orders = [...this.open.values()];
    return instrumentId === undefined ? orders : orders.filter((order) => order.instrumentId === instrumentId);
  }

  openCount(): number {
    return this.open.size;
  }

  hasSeenTrade(id: TradeId): boolean {
    return this.seenTrades.has(id);
  }

  /** Applies a non-fill transition; throws InvariantError when the table forbids it. */
  transition(id: ClientOrderId, event: Exclude<OrderTransitionEvent, 'partially-filled' | 'filled'>, time: EpochMs, details: { venueOrderId?: VenueOrderId; reason?: string } = {}): Order {
    const order = this.require(id);
    const status = nextOrderStatus(order.status, event, this.statusBeforeCancel.get(id));
    if (event === 'cancel-requested' && order.status !== 'pending-cancel') this.statusBeforeCancel.set(id, order.status);
    if (status !== 'pending-cancel') this.statusBeforeCancel.delete(id);
    const venueOrderId = details.venueOrderId ?? order.venueOrderId;
    if (details.venueOrderId !== undefined) this.byVenueId.set(details.venueOrderId, id);
    return this.store({ ...order, status, venueOrderId, updatedAt: time, reason: details.reason ?? order.reason });
  }

  /** Whether the lifecycle table allows `event` now (for reports that may arrive late or twice). */
  allows(id: ClientOrderId, event: OrderTransitionEvent): boolean {
    const order = this.orders.get(id);
    if (!order) return false;
    try {
      nextOrderStatus(order.status, event, this.statusBeforeCancel.get(id));
      return true;
    } catch {
      return false;
    }
  }

  applyFill(fill: Omit<Fill, 'strategyId'>): FillOutcome {
    if (this.seenTrades.has(fill.tradeId)) return { kind: 'duplicate' };
    const order = this.orders.get(fill.clientOrderId) ?? (fill.venueOrderId ? this.byVenueOrderId(fill.venueOrderId) : undefined);
    if (!order) return { kind: 'unknown-order' };
    this.seenTrades.add(fill.tradeId);
    const filledQuantity = order.filledQuantity.plus(fill.quantity);
    if (filledQuantity.greaterThan(order.quantity)) {
      throw new InvariantError(`order ${order.clientOrderId} overfilled: ${filledQuantity.toFixed()} of ${order.quantity.toFixed()}`);
    }
    const event = filledQuantity.equals(order.quantity) ? 'filled' : 'partially-filled';
    const status = nextOrderStatus(order.status, event, this.statusBeforeCancel.get(order.clientOrderId));
    const averageFillPrice = (order.averageFillPrice ?? ZERO).times(order.filledQuantity).plus(fill.price.times(fill.quantity)).dividedBy(filledQuantity);
    const fees = { ...order.fees, [fill.feeAsset]: (order.fees[fill.feeAsset] ?? ZERO).plus(fill.fee) };
    if (fill.venueOrderId !== undefined) this.byVenueId.set(fill.venueOrderId, order.clientOrderId);
    if (status !== 'pending-cancel') this.statusBeforeCancel.delete(order.clientOrderId);
    const updated = this.store({
      ...order,
      status,
      venueOrderId: order.venueOrderId ?? fill.venueOrderId,
      filledQuantity,
      averageFillPrice,
      fees: Object.freeze(fees),
      updatedAt: fill.time,
    });
    return { kind: 'applied', order: updated };
  }

  /** Quote (buys) or base (sells) that open orders of this instrument still reserve. */
  reserved(asset: string, quoteOf: (id: InstrumentId) => { base: string; quote: string }, referencePrice: (id: InstrumentId) => Decimal | undefined): Decimal {
    let sum = ZERO;
    for (const order of this.open.values()) {
      const { base, quote } = quoteOf(order.instrumentId);
      const remaining = order.quantity.minus(order.filledQuantity);
      if (order.side === 'sell' && base === asset) sum = sum.plus(remaining);
      if (order.side === 'buy' && quote === asset) {
        const price = order.price ?? order.triggerPrice ?? referencePrice(order.instrumentId);
        if (price) sum = sum.plus(remaining.times(price));
      }
    }
    return sum;
  }

  private require(id: ClientOrderId): Order {
    const order = this.orders.get(id);
    if (!order) throw new InvariantError(`unknown client order id ${id}`);
    return order;
  }

  private store(order: Order): Order {
    const frozen = Object.freeze(order);
    this.orders.set(frozen.clientOrderId, frozen);
    if (isOrderOpen(frozen.status)) this.open.set(frozen.clientOrderId, frozen);
    else this.open.delete(frozen.clientOrderId);
    return frozen;
  }
}
