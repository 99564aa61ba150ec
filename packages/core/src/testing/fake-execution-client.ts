import { TestClock, type Clock } from '../clock/clock.js';
import { InvariantError } from '../errors/errors.js';
import type { ExecutionClient, ExecutionReportSink, ReconcileReport, VenueFill, VenueOrderState } from '../exchange/exchange.js';
import { ZERO, toDecimal, type Decimal, type DecimalLike } from '../model/decimal.js';
import type { Liquidity } from '../model/fill.js';
import { splitInstrumentId, tradeId as toTradeId, venueOrderId as toVenueOrderId, type ClientOrderId, type InstrumentId, type VenueOrderId } from '../model/ids.js';
import { checkOrderRules, type Instrument } from '../model/instrument.js';
import type { CancelOrder, OrderStatus, SubmitOrder } from '../model/order.js';
import type { Balance } from '../model/position.js';
import type { EpochMs } from '../model/time.js';

/** Rejection texts of the fake; Kraken's wording where Kraken has one. */
export const FAKE_EXECUTION_ERRORS = Object.freeze({
  unknownPair: 'EQuery:Unknown asset pair',
  unknownOrder: 'EOrder:Unknown order',
  duplicateClientOrderId: 'EGeneral:Invalid arguments:cl_ord_id',
  rejected: 'EOrder:Rejected by the test',
});

export interface FakeExecutionClientOptions {
  /** Looks up order rules; with `autoRespond`, orders that break them are rejected. */
  readonly instruments?: (id: InstrumentId) => Instrument | undefined;
  /** Times reports; default a TestClock at 0. */
  readonly clock?: Clock;
  /**
   * Answer at once, like a venue: submits are accepted (or rejected when the instrument is
   * unknown, the id is reused or the order breaks the instrument's rules), cancels of open orders
   * are confirmed and others rejected. Fills always wait for `fill()`. Default false: nothing is
   * reported until the test says so.
   */
  readonly autoRespond?: boolean;
  /** What `fetchBalances` and `reconcile` report; fills do not move them. */
  readonly balances?: Readonly<Record<string, DecimalLike>>;
}

export interface FakeFillOptions {
  /** Default 0. */
  readonly fee?: DecimalLike;
  /** Default: the instrument's quote asset. */
  readonly feeAsset?: string;
  /** Default `taker`. */
  readonly liquidity?: Liquidity;
  /** Default `T-FAKE-<n>`. */
  readonly tradeId?: string;
  /** Default: the clock's time. */
  readonly time?: EpochMs;
}

interface FakeOrder {
  readonly command: SubmitOrder;
  venueOrderId: VenueOrderId | undefined;
  status: OrderStatus;
  filled: Decimal;
  updatedAt: EpochMs;
}

const OPEN: ReadonlySet<OrderStatus> = new Set(['submitted', 'accepted', 'partially-filled']);

/**
 * An execution client driven by the test. It records every submit and cancel; the test decides
 * what the venue answers (`acceptAll()`, `fill(id, quantity, price)`, `reject(id, reason)`, ...),
 * and every answer goes to the sink synchronously, the way a simulated venue reports.
 */
export class FakeExecutionClient implements ExecutionClient {
  /** Every order submitted, in order. */
  readonly submitted: SubmitOrder[] = [];
  /** Every cancel requested, in order. */
  readonly cancels: CancelOrder[] = [];
  readonly clock: Clock;

  private readonly options: FakeExecutionClientOptions;
  private readonly orders = new Map<ClientOrderId, FakeOrder>();
  private readonly fillLog: VenueFill[] = [];
  private balanceList: readonly Balance[];
  private sinkValue: ExecutionReportSink | undefined;
  private closedValue = false;
  private orderCounter = 0;
  private tradeCounter = 0;

  constructor(options: FakeExecutionClientOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? new TestClock(0);
    this.balanceList = toBalances(options.balances ?? {});
  }

  get connected(): boolean {
    return this.sinkValue !== undefined && !this.closedValue;
  }

  get closed(): boolean {
    return this.closedValue;
  }

  /** The sink passed to `connect`. */
  get sink(): ExecutionReportSink {
    if (!this.sinkValue) throw new InvariantError('fake execution client: no sink yet; call connect(sink) first');
    return this.sinkValue;
  }

  async connect(sink: ExecutionReportSink): Promise<void> {
    this.sinkValue = sink;
    this.closedValue = false;
  }

  async close(): Promise<void> {
    this.closedValue = true;
  }

  submit(order: SubmitOrder): void {
    this.requireOpen('submit');
    this.submitted.push(order);
    if (this.orders.has(order.clientOrderId)) {
      if (this.options.autoRespond) this.sink.onRejected({ clientOrderId: order.clientOrderId, reason: FAKE_EXECUTION_ERRORS.duplicateClientOrderId, time: this.clock.now() });
      return;
    }
    this.orders.set(order.clientOrderId, { command: order, venueOrderId: undefined, status: 'submitted', filled: ZERO, updatedAt: this.clock.now() });
    if (!this.options.autoRespond) return;
    const reason = this.validate(order);
    if (reason === undefined) this.accept(order.clientOrderId);
    else this.reject(order.clientOrderId, reason);
  }

  cancel(command: CancelOrder): void {
    this.requireOpen('cancel');
    this.cancels.push(command);
    if (!this.options.autoRespond) return;
    const order = this.orders.get(command.clientOrderId);
    if (order && OPEN.has(order.status)) this.confirmCancel(command.clientOrderId);
    else this.sink.onCancelRejected({ clientOrderId: command.clientOrderId, reason: FAKE_EXECUTION_ERRORS.unknownOrder, time: this.clock.now() });
  }

  async reconcile(since: EpochMs): Promise<ReconcileReport> {
    const orders: VenueOrderState[] = [];
    for (const order of this.orders.values()) {
      if (order.venueOrderId === undefined) continue;
      if (OPEN.has(order.status) || order.updatedAt >= since) {
        orders.push(Object.freeze({ clientOrderId: order.command.clientOrderId, venueOrderId: order.venueOrderId, status: order.status, filledQuantity: order.filled }));
      }
    }
    return Object.freeze({ orders: Object.freeze(orders), fills: Object.freeze(this.fillLog.filter((fill) => fill.time >= since)), balances: this.balanceList });
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    return this.balanceList;
  }

  setBalances(balances: Readonly<Record<string, DecimalLike>>): void {
    this.balanceList = toBalances(balances);
  }

  // ---- what the test makes the venue say ---------------------------------------------------

  /** Reports the order accepted; returns its venue order id (`O-FAKE-<n>` unless given). */
  accept(id: ClientOrderId | string, venueOrderId?: string): VenueOrderId {
    const order = this.require(id);
    order.venueOrderId ??= toVenueOrderId(venueOrderId ?? `O-FAKE-${++this.orderCounter}`);
    order.status = 'accepted';
    order.updatedAt = this.clock.now();
    this.sink.onAccepted({ clientOrderId: order.command.clientOrderId, venueOrderId: order.venueOrderId, time: order.updatedAt });
    return order.venueOrderId;
  }

  /** Accepts every order that has had no answer yet; returns their ids. */
  acceptAll(): ClientOrderId[] {
    const waiting = [...this.orders.values()].filter((order) => order.status === 'submitted').map((order) => order.command.clientOrderId);
    for (const id of waiting) this.accept(id);
    return waiting;
  }

  reject(id: ClientOrderId | string, reason: string = FAKE_EXECUTION_ERRORS.rejected): void {
    const order = this.require(id);
    order.status = 'rejected';
    order.updatedAt = this.clock.now();
    this.sink.onRejected({ clientOrderId: order.command.clientOrderId, reason, time: order.updatedAt });
  }

  /** Reports a fill; throws when it would fill more than the order's quantity. */
  fill(id: ClientOrderId | string, quantity: DecimalLike, price: DecimalLike, options: FakeFillOptions = {}): VenueFill {
    const order = this.require(id);
    const amount = toDecimal(quantity, 'fill quantity');
    const filled = order.filled.plus(amount);
    if (!amount.isPositive() || amount.isZero()) throw new InvariantError(`fill quantity: received ${amount.toFixed()}, expected above 0`);
    if (filled.greaterThan(order.command.quantity)) {
      throw new InvariantError(`fill of ${amount.toFixed()} would fill order ${order.command.clientOrderId} to ${filled.toFixed()}, above its quantity ${order.command.quantity.toFixed()}`);
    }
    const time = options.time ?? this.clock.now();
    order.filled = filled;
    order.status = filled.equals(order.command.quantity) ? 'filled' : 'partially-filled';
    order.updatedAt = time;
    const fill: VenueFill = Object.freeze({
      tradeId: toTradeId(options.tradeId ?? `T-FAKE-${++this.tradeCounter}`),
      clientOrderId: order.command.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrumentId: order.command.instrumentId,
      side: order.command.side,
      quantity: amount,
      price: toDecimal(price, 'fill price'),
      fee: toDecimal(options.fee ?? 0, 'fill fee'),
      feeAsset: options.feeAsset ?? splitInstrumentId(order.command.instrumentId).quote,
      liquidity: options.liquidity ?? 'taker',
      time,
    });
    this.fillLog.push(fill);
    this.sink.onFilled(fill);
    return fill;
  }

  /** Reports the order canceled (as the venue confirms a cancel, or cancels on its own). */
  confirmCancel(id: ClientOrderId | string, reason?: string): void {
    const order = this.require(id);
    order.status = 'canceled';
    order.updatedAt = this.clock.now();
    this.sink.onCanceled({ clientOrderId: order.command.clientOrderId, time: order.updatedAt, ...(reason === undefined ? {} : { reason }) });
  }

  rejectCancel(id: ClientOrderId | string, reason: string = FAKE_EXECUTION_ERRORS.unknownOrder): void {
    this.sink.onCancelRejected({ clientOrderId: id as ClientOrderId, reason, time: this.clock.now() });
  }

  expire(id: ClientOrderId | string): void {
    const order = this.require(id);
    order.status = 'expired';
    order.updatedAt = this.clock.now();
    this.sink.onExpired({ clientOrderId: order.command.clientOrderId, time: order.updatedAt });
  }

  /** The venue's status of an order, as this fake has reported it. */
  status(id: ClientOrderId | string): OrderStatus | undefined {
    return this.orders.get(id as ClientOrderId)?.status;
  }

  /** Orders still open at the fake venue. */
  openOrders(): SubmitOrder[] {
    return [...this.orders.values()].filter((order) => OPEN.has(order.status)).map((order) => order.command);
  }

  /** Every fill reported so far. */
  get fills(): readonly VenueFill[] {
    return this.fillLog;
  }

  private validate(order: SubmitOrder): string | undefined {
    const lookup = this.options.instruments;
    if (!lookup) return undefined;
    const instrument = lookup(order.instrumentId);
    if (!instrument) return FAKE_EXECUTION_ERRORS.unknownPair;
    const violation = checkOrderRules(instrument, { quantity: order.quantity, price: order.type === 'limit' ? order.price : order.triggerPrice });
    return violation?.message;
  }

  private require(id: ClientOrderId | string): FakeOrder {
    const order = this.orders.get(id as ClientOrderId);
    if (!order) {
      const known = [...this.orders.keys()].join(', ') || 'none';
      throw new InvariantError(`fake execution client: no order with client order id ${JSON.stringify(id)} was submitted (known: ${known})`);
    }
    return order;
  }

  private requireOpen(action: string): void {
    if (this.closedValue) throw new InvariantError(`fake execution client: ${action} after close()`);
    if (!this.sinkValue) throw new InvariantError(`fake execution client: ${action} before connect(sink)`);
  }
}

function toBalances(balances: Readonly<Record<string, DecimalLike>>): readonly Balance[] {
  return Object.freeze(
    Object.keys(balances).sort().map((asset) => {
      const total = toDecimal(balances[asset]!, `balances.${asset}`);
      return Object.freeze({ asset, total, available: total });
    }),
  );
}
