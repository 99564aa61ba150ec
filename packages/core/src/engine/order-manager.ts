import { Decimal, ZERO, decimalEquals, decimalGreaterThan } from '../model/decimal.js';
import { decimalPlus, decimalTimes, quotientWithHint } from '../model/decimal-arithmetic.js';
import { InvariantError } from '../errors/errors.js';
import type { Fill } from '../model/fill.js';
import type { ClientOrderId, InstrumentId, TradeId, VenueOrderId } from '../model/ids.js';
import { nextOrderStatus, type OrderTransitionEvent } from '../model/order-fsm.js';
import { frozenOrder, isOrderOpen, type Order, type OrderSide, type OrderStatus, type SubmitOrder } from '../model/order.js';
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
/** A new order has paid no fees; one frozen empty record serves them all. */
const NO_FEES: Readonly<Record<string, Decimal>> = Object.freeze({});

export class OrderManager {
  private readonly orders = new Map<ClientOrderId, Order>();
  private readonly byVenueId = new Map<VenueOrderId, ClientOrderId>();
  private readonly open = new Map<ClientOrderId, Order>();
  private readonly seenTrades = new Set<TradeId>();
  /** Trade ids applied to each order: what a restarted bot tells the venue adapter it has counted. */
  private readonly tradesByOrder = new Map<ClientOrderId, TradeId[]>();
  private readonly statusBeforeCancel = new Map<ClientOrderId, OrderStatus>();
  private readonly keepTradeIds: boolean;

  /**
   * `tradeIdsPerOrder` (default true): remember which trade ids each order had, for snapshots and
   * for adopting open orders after a restart. Backtests turn it off: they never recover.
   */
  constructor(options: { readonly tradeIdsPerOrder?: boolean } = {}) {
    this.keepTradeIds = options.tradeIdsPerOrder ?? true;
  }

  create(command: SubmitOrder): Order {
    if (this.orders.has(command.clientOrderId)) throw new InvariantError(`client order id ${command.clientOrderId} is already used`);
    const order = frozenOrder(command, 'initialized', undefined, ZERO, undefined, NO_FEES, command.createdAt, undefined);
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

  /** Trade ids of the fills applied to the order, oldest first. */
  tradeIds(id: ClientOrderId): TradeId[] {
    const list = this.tradesByOrder.get(id);
    return list === undefined ? [] : [...list];
  }

  /** For an order in `pending-cancel`: the status it had when the cancel was requested. */
  statusBeforeCancelOf(id: ClientOrderId): OrderStatus | undefined {
    return this.statusBeforeCancel.get(id);
  }

  /**
   * Puts an order back as a snapshot or the journal recorded it (start-up recovery): no
   * transition check, since the order already went through them before the restart. Trade ids
   * are added to the seen set, so the venue re-reporting a counted fill changes nothing.
   */
  restore(order: Order, details: { readonly tradeIds?: readonly TradeId[]; readonly statusBeforeCancel?: OrderStatus | undefined } = {}): Order {
    const previous = this.orders.get(order.clientOrderId);
    if (previous?.venueOrderId !== undefined && previous.venueOrderId !== order.venueOrderId) this.byVenueId.delete(previous.venueOrderId);
    if (order.venueOrderId !== undefined) this.byVenueId.set(order.venueOrderId, order.clientOrderId);
    for (const tradeId of details.tradeIds ?? []) this.noteTrade(order.clientOrderId, tradeId);
    if (order.status === 'pending-cancel') {
      const before = details.statusBeforeCancel ?? (previous !== undefined && previous.status !== 'pending-cancel' ? previous.status : this.statusBeforeCancel.get(order.clientOrderId));
      if (before !== undefined && before !== 'pending-cancel') this.statusBeforeCancel.set(order.clientOrderId, before);
    } else {
      this.statusBeforeCancel.delete(order.clientOrderId);
    }
    return this.store(order);
  }

  /** Records a trade id as applied to an order (recovery replays fills through here). */
  noteTrade(id: ClientOrderId, tradeId: TradeId): void {
    if (this.seenTrades.has(tradeId)) return;
    this.seenTrades.add(tradeId);
    if (!this.keepTradeIds) return;
    const list = this.tradesByOrder.get(id);
    if (list === undefined) this.tradesByOrder.set(id, [tradeId]);
    else list.push(tradeId);
  }

  /**
   * Drops finished orders for which `keep` says no, with their trade ids: a long-running bot's
   * snapshots and memory then hold only what recovery needs, not every order it ever made.
   */
  forget(keep: (order: Order) => boolean): number {
    let dropped = 0;
    for (const [id, order] of this.orders) {
      if (this.open.has(id) || keep(order)) continue;
      this.orders.delete(id);
      if (order.venueOrderId !== undefined && this.byVenueId.get(order.venueOrderId) === id) this.byVenueId.delete(order.venueOrderId);
      for (const tradeId of this.tradesByOrder.get(id) ?? []) this.seenTrades.delete(tradeId);
      this.tradesByOrder.delete(id);
      this.statusBeforeCancel.delete(id);
      dropped++;
    }
    return dropped;
  }

  /** Applies a non-fill transition; throws InvariantError when the table forbids it. */
  transition(id: ClientOrderId, event: Exclude<OrderTransitionEvent, 'partially-filled' | 'filled'>, time: EpochMs, details: { venueOrderId?: VenueOrderId; reason?: string } = {}): Order {
    const order = this.require(id);
    const status = nextOrderStatus(order.status, event, this.statusBeforeCancel.get(id));
    if (event === 'cancel-requested' && order.status !== 'pending-cancel') this.statusBeforeCancel.set(id, order.status);
    // Accepted while its cancel is in flight: a refused cancel must leave it accepted, not submitted.
    else if (event === 'accepted' && status === 'pending-cancel') this.statusBeforeCancel.set(id, 'accepted');
    if (status !== 'pending-cancel') this.statusBeforeCancel.delete(id);
    const venueOrderId = details.venueOrderId ?? order.venueOrderId;
    if (details.venueOrderId !== undefined) this.byVenueId.set(details.venueOrderId, id);
    return this.store(frozenOrder(order, status, venueOrderId, order.filledQuantity, order.averageFillPrice, order.fees, time, details.reason ?? order.reason));
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
    this.noteTrade(order.clientOrderId, fill.tradeId);
    const filledQuantity = decimalPlus(order.filledQuantity, fill.quantity);
    if (decimalGreaterThan(filledQuantity, order.quantity)) {
      throw new InvariantError(`order ${order.clientOrderId} overfilled: ${filledQuantity.toFixed()} of ${order.quantity.toFixed()}`);
    }
    const event = decimalEquals(filledQuantity, order.quantity) ? 'filled' : 'partially-filled';
    const status = nextOrderStatus(order.status, event, this.statusBeforeCancel.get(order.clientOrderId));
    // The first fill's price is the average as it is (the formula gives exactly it, in four
    // operations); after fills at one price, that price still is, and quotientWithHint checks it.
    const averageFillPrice = order.filledQuantity.isZero()
      ? fill.price
      : quotientWithHint(decimalPlus(decimalTimes(order.averageFillPrice ?? ZERO, order.filledQuantity), decimalTimes(fill.price, fill.quantity)), filledQuantity, fill.price);
    // Copied key by key: spreading the frozen record takes V8's slow path (about 1 µs a fill).
    // The keys keep their order, and the fee asset is added last when new, as a spread would do.
    const fees: Record<string, Decimal> = {};
    const paid = order.fees;
    for (const asset in paid) fees[asset] = paid[asset]!;
    fees[fill.feeAsset] = decimalPlus(paid[fill.feeAsset] ?? ZERO, fill.fee);
    if (fill.venueOrderId !== undefined) this.byVenueId.set(fill.venueOrderId, order.clientOrderId);
    // Part-filled while its cancel is in flight: a refused cancel must leave it partially filled.
    if (status === 'pending-cancel') this.statusBeforeCancel.set(order.clientOrderId, 'partially-filled');
    else this.statusBeforeCancel.delete(order.clientOrderId);
    const updated = this.store(frozenOrder(order, status, order.venueOrderId ?? fill.venueOrderId, filledQuantity, averageFillPrice, Object.freeze(fees), fill.time, order.reason));
    return { kind: 'applied', order: updated };
  }

  /**
   * Quote (buys) or base (sells) that open orders still reserve. A buy reserves its remaining
   * cost plus the taker fee on it (`takerFee`, the instrument's rate), as a venue holds it: Kraken
   * and the simulated venue hold the fee of a buy until it fills, so an `available` without it
   * would let a strategy size an order the venue refuses for insufficient funds. A market buy is
   * valued at `referencePrice` (the last price), without the slippage the venue may add.
   */
  reserved(
    asset: string,
    instrumentOf: (id: InstrumentId) => { base: string; quote: string; takerFee?: Decimal },
    referencePrice: (id: InstrumentId) => Decimal | undefined,
  ): Decimal {
    let sum = ZERO;
    for (const order of this.open.values()) {
      const hold = orderHold(asset, order.side, order.instrumentId, order.quantity.minus(order.filledQuantity), order.price ?? order.triggerPrice, instrumentOf, referencePrice);
      if (hold !== undefined) sum = sum.plus(hold);
    }
    return sum;
  }

  private require(id: ClientOrderId): Order {
    const order = this.orders.get(id);
    if (!order) throw new InvariantError(`unknown client order id ${id}`);
    return order;
  }

  private store(order: Order): Order {
    const frozen = Object.isFrozen(order) ? order : Object.freeze(order);
    this.orders.set(frozen.clientOrderId, frozen);
    if (isOrderOpen(frozen.status)) this.open.set(frozen.clientOrderId, frozen);
    else this.open.delete(frozen.clientOrderId);
    return frozen;
  }
}

/**
 * What an open order holds of `asset`: a sell its remaining quantity of the base, a buy the cost of
 * its remaining quantity at its limit or trigger price (the market's when it has neither) plus the
 * taker fee, in the quote. Undefined when it holds none of `asset`, or when a buy has no price yet.
 */
export function orderHold(
  asset: string,
  side: OrderSide,
  instrumentId: InstrumentId,
  remaining: Decimal,
  price: Decimal | undefined,
  instrumentOf: (id: InstrumentId) => { base: string; quote: string; takerFee?: Decimal },
  referencePrice: (id: InstrumentId) => Decimal | undefined,
): Decimal | undefined {
  const { base, quote, takerFee } = instrumentOf(instrumentId);
  if (side === 'sell') return base === asset ? remaining : undefined;
  if (quote !== asset) return undefined;
  const at = price ?? referencePrice(instrumentId);
  if (at === undefined) return undefined;
  const cost = remaining.times(at);
  return takerFee === undefined ? cost : cost.plus(cost.times(takerFee));
}
