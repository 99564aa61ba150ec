import {
  ZERO,
  silentLogger,
  tradeId as toTradeId,
  venueOrderId as toVenueOrderId,
  type ClientOrderId,
  type Decimal,
  type EpochMs,
  type ExecutionReportSink,
  type InstrumentId,
  type Logger,
  type OrderSide,
  type VenueFill,
} from '@kbot/core';
import type { KrakenExecutionReport, KrakenExecutionsMessage } from './ws/parse-executions.js';
import type { KrakenOrderState } from './venue-state.js';

/** One order this client placed (or was told about), and what the sink has heard of it. */
export interface TrackedOrder {
  readonly clientOrderId: ClientOrderId;
  /** The `cl_ord_id` sent to Kraken (kbot's id, or its mapped form). */
  readonly krakenClientOrderId: string;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  /** kbot name of the quote asset: the fee asset when Kraken does not name one. */
  readonly quoteAsset: string;
  /** Kraken's txid, once known. */
  venueOrderId: string | undefined;
  /** onAccepted was reported. */
  accepted: boolean;
  /** The terminal report made (rejected, canceled, expired), if any. */
  terminal: 'rejected' | 'canceled' | 'expired' | undefined;
  /** Sum of the fills reported. */
  filled: Decimal;
  /** The largest executed quantity Kraken has reported (`cum_qty`, `vol_exec`). */
  venueExecuted: Decimal;
  /** A lower bound of the venue time when the order was sent: reconciliation looks back from here. */
  venueSince: EpochMs;
  /** Wall time of the acceptance: cancel costs on the trading counter depend on the order's age. */
  acceptedAtWall: number | undefined;
  /** Wall time since which the outcome of the submission is unknown (no reply, no lookup result). */
  unresolvedSince: number | undefined;
}

export type TrackOrderInput = Pick<TrackedOrder, 'clientOrderId' | 'krakenClientOrderId' | 'instrumentId' | 'side' | 'quantity' | 'quoteAsset' | 'venueSince'> & {
  readonly venueOrderId?: string;
  /** Fills the sink already knows (an order adopted after a restart). */
  readonly filled?: Decimal;
  readonly accepted?: boolean;
  /** Trade ids the sink already counted (an adopted order's fills before the restart): not reported again. */
  readonly seenTradeIds?: readonly string[];
};

/** What an executions message or a reconciliation left unexplained. */
export interface TrackerOutcome {
  /** Kraken reports more executed volume than the fills seen: some were missed and must be fetched. */
  readonly missingFills: boolean;
}

export interface KrakenOrderTrackerOptions {
  readonly logger?: Logger;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  /**
   * How long a settled order (filled, rejected, or canceled or expired with every fill seen)
   * stays tracked, with its trade ids, after it settled: default 24 hours. A late or repeated
   * report about it within that time is recognized; after it, the order is dropped, so a live
   * bot that runs for weeks holds a day of orders, not every order it ever placed.
   */
  readonly retainSettledMs?: number;
}

const DAY_MS = 86_400_000;

const NO_SINK: ExecutionReportSink = {
  onAccepted() {},
  onRejected() {},
  onFilled() {},
  onCanceled() {},
  onCancelRejected() {},
  onExpired() {},
};

/**
 * Turns what Kraken says about orders (add/cancel replies, the `executions` channel, REST
 * reconciliation) into ExecutionReportSink calls, each at most once: one acceptance, one
 * terminal report and one fill per trade id per order, whichever path brings it first. It only
 * reports orders it tracks (placed through this client, or adopted): a `cl_ord_id` from an
 * earlier run or another program must not be taken for one of the bot's current orders.
 */
export class KrakenOrderTracker {
  readonly #byClient = new Map<ClientOrderId, TrackedOrder>();
  readonly #byKrakenClientId = new Map<string, TrackedOrder>();
  readonly #byVenueId = new Map<string, TrackedOrder>();
  readonly #seenTrades = new Set<string>();
  /** Trade ids counted per order, so a dropped order takes its own out of `#seenTrades`. */
  readonly #tradesOf = new Map<TrackedOrder, string[]>();
  /** Orders in the order they settled, with the wall time they did: the oldest are dropped first. */
  #settled: { order: TrackedOrder; at: number }[] = [];
  #settledHead = 0;
  readonly #settledOrders = new Set<TrackedOrder>();
  readonly #retainSettledMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  #sink: ExecutionReportSink = NO_SINK;
  #venueTime: EpochMs = Number.NEGATIVE_INFINITY;

  constructor(options: KrakenOrderTrackerOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    const retain = options.retainSettledMs ?? DAY_MS;
    if (!(retain >= 0)) throw new TypeError(`retainSettledMs: received ${String(options.retainSettledMs)}, expected a number of milliseconds, 0 or more`);
    this.#retainSettledMs = retain;
  }

  /** Orders tracked now (settled ones stay for `retainSettledMs`). */
  get size(): number {
    return this.#byClient.size;
  }

  setSink(sink: ExecutionReportSink | undefined): void {
    this.#sink = sink ?? NO_SINK;
  }

  /** The latest venue time seen in a private message (a lower bound of the venue's clock). */
  get venueTime(): EpochMs {
    return this.#venueTime;
  }

  observeVenueTime(time: EpochMs): void {
    if (Number.isFinite(time) && time > this.#venueTime) this.#venueTime = time;
  }

  track(input: TrackOrderInput): TrackedOrder {
    const order: TrackedOrder = {
      clientOrderId: input.clientOrderId,
      krakenClientOrderId: input.krakenClientOrderId,
      instrumentId: input.instrumentId,
      side: input.side,
      quantity: input.quantity,
      quoteAsset: input.quoteAsset,
      venueOrderId: undefined,
      accepted: input.accepted ?? false,
      terminal: undefined,
      filled: input.filled ?? ZERO,
      venueExecuted: input.filled ?? ZERO,
      venueSince: input.venueSince,
      acceptedAtWall: undefined,
      unresolvedSince: undefined,
    };
    this.#byClient.set(order.clientOrderId, order);
    this.#byKrakenClientId.set(order.krakenClientOrderId, order);
    for (const tradeId of input.seenTradeIds ?? []) this.#noteTrade(order, tradeId);
    if (input.venueOrderId !== undefined) this.#bindVenueId(order, input.venueOrderId);
    this.#dropSettled();
    return order;
  }

  get(id: ClientOrderId): TrackedOrder | undefined {
    return this.#byClient.get(id);
  }

  byVenueOrderId(txid: string): TrackedOrder | undefined {
    return this.#byVenueId.get(txid);
  }

  byKrakenClientOrderId(id: string): TrackedOrder | undefined {
    return this.#byKrakenClientId.get(id);
  }

  /** Orders whose outcome is not fully known yet. */
  unfinished(): TrackedOrder[] {
    return [...this.#byClient.values()].filter((order) => !isSettled(order));
  }

  hasSeenTrade(id: string): boolean {
    return this.#seenTrades.has(id);
  }

  // ---- reports ---------------------------------------------------------------------------------

  accepted(order: TrackedOrder, venueOrderId: string, time: EpochMs): void {
    this.#bindVenueId(order, venueOrderId);
    order.unresolvedSince = undefined;
    if (order.accepted || order.terminal !== undefined) return;
    order.accepted = true;
    order.acceptedAtWall = this.#now();
    this.#sink.onAccepted({ clientOrderId: order.clientOrderId, venueOrderId: toVenueOrderId(venueOrderId), time });
  }

  rejected(order: TrackedOrder, reason: string, time: EpochMs): void {
    order.unresolvedSince = undefined;
    if (order.accepted || order.terminal !== undefined || !order.filled.isZero()) {
      this.#logger.warn('Kraken rejection of an order already accepted or finished; ignored', { clientOrderId: order.clientOrderId, reason });
      return;
    }
    order.terminal = 'rejected';
    this.#sink.onRejected({ clientOrderId: order.clientOrderId, reason, time });
    this.#noteIfSettled(order);
  }

  canceled(order: TrackedOrder, time: EpochMs, reason?: string): void {
    if (order.terminal !== undefined || order.filled.greaterThanOrEqualTo(order.quantity)) return;
    order.terminal = 'canceled';
    this.#sink.onCanceled({ clientOrderId: order.clientOrderId, time, ...(reason === undefined ? {} : { reason }) });
    this.#noteIfSettled(order);
  }

  expired(order: TrackedOrder, time: EpochMs): void {
    if (order.terminal !== undefined || order.filled.greaterThanOrEqualTo(order.quantity)) return;
    order.terminal = 'expired';
    this.#sink.onExpired({ clientOrderId: order.clientOrderId, time });
    this.#noteIfSettled(order);
  }

  cancelRejected(clientOrderId: ClientOrderId, reason: string, time: EpochMs): void {
    const order = this.#byClient.get(clientOrderId);
    // The order is gone anyway and its last report already went out.
    if (order !== undefined && (order.terminal !== undefined || order.filled.greaterThanOrEqualTo(order.quantity))) return;
    this.#sink.onCancelRejected({ clientOrderId, reason, time });
  }

  /** Reports a fill once per trade id; an order not yet reported accepted is accepted first. */
  fill(order: TrackedOrder, fill: VenueFill): void {
    if (this.#seenTrades.has(fill.tradeId)) return;
    this.#noteTrade(order, fill.tradeId);
    if (fill.venueOrderId !== undefined) this.accepted(order, fill.venueOrderId, fill.time);
    order.filled = order.filled.plus(fill.quantity);
    this.#noteExecuted(order, order.filled);
    this.#sink.onFilled(fill);
    this.#noteIfSettled(order);
  }

  // ---- the executions channel --------------------------------------------------------------------

  /** Applies one `executions` message (snapshot or update). */
  onExecutions(message: KrakenExecutionsMessage): TrackerOutcome {
    let missingFills = false;
    for (const report of message.reports) {
      this.observeVenueTime(report.time);
      const order = this.#orderOf(report);
      if (order === undefined) {
        this.#logger.debug('Kraken execution for an order this client does not track; ignored', { orderId: report.orderId, execType: report.venueExecType });
        continue;
      }
      if (this.#apply(order, report)) missingFills = true;
    }
    return { missingFills };
  }

  #orderOf(report: KrakenExecutionReport): TrackedOrder | undefined {
    const byTxid = this.#byVenueId.get(report.orderId);
    if (byTxid !== undefined) return byTxid;
    if (report.clientOrderId === undefined) return undefined;
    const byClientId = this.#byKrakenClientId.get(report.clientOrderId);
    // An order that already has another txid is a different order reusing the id.
    if (byClientId === undefined || (byClientId.venueOrderId !== undefined && byClientId.venueOrderId !== report.orderId)) return undefined;
    this.#bindVenueId(byClientId, report.orderId);
    return byClientId;
  }

  /** Returns true when Kraken's cumulative quantity shows fills this client has not seen. */
  #apply(order: TrackedOrder, report: KrakenExecutionReport): boolean {
    switch (report.execType) {
      case 'pending_new':
        // Validated but not yet live: nothing to report; the txid is now known.
        break;
      case 'new':
        this.accepted(order, report.orderId, report.time);
        break;
      case 'trade': {
        const fill = report.fill!;
        const feeAsset = fill.fees[0]?.asset ?? order.quoteAsset;
        let feeTotal = ZERO;
        for (const entry of fill.fees) {
          if (entry.asset === feeAsset) feeTotal = feeTotal.plus(entry.quantity);
          else this.#logger.warn('Kraken fill charged fees in two assets; only the first is reported', { tradeId: fill.executionId, assets: fill.fees.map((item) => item.asset) });
        }
        this.fill(order, {
          tradeId: toTradeId(fill.executionId),
          clientOrderId: order.clientOrderId,
          venueOrderId: toVenueOrderId(report.orderId),
          instrumentId: report.instrumentId ?? order.instrumentId,
          side: report.side ?? order.side,
          quantity: fill.quantity,
          price: fill.price,
          fee: feeTotal,
          feeAsset,
          // Without Kraken's flag, taker is the conservative reading for fee accounting.
          liquidity: fill.liquidity ?? 'taker',
          time: report.time,
        });
        break;
      }
      case 'filled':
        // Completion follows from the fills; the engine derives it from their quantities.
        break;
      case 'canceled':
        this.canceled(order, report.time, report.reason);
        break;
      case 'expired':
        this.expired(order, report.time);
        break;
      default:
        this.#logger.debug('Kraken execution type with nothing to report', { orderId: report.orderId, execType: report.venueExecType });
    }
    if (report.cumulativeQuantity !== undefined) this.#noteExecuted(order, report.cumulativeQuantity);
    return order.venueExecuted.greaterThan(order.filled);
  }

  // ---- reconciliation ------------------------------------------------------------------------------

  /**
   * Applies Kraken's REST view to the orders not yet finished: acceptance, fills not seen, and
   * cancels or expiries that happened while the connection was down. An order whose submission
   * outcome was unknown and that Kraken does not have after `unresolvedGraceMs` is rejected.
   */
  applyReconcile(
    orders: readonly KrakenOrderState[],
    fills: readonly VenueFill[],
    options: { readonly unresolvedGraceMs: number },
  ): TrackerOutcome {
    let missingFills = false;
    const byTxid = new Map(orders.map((state) => [String(state.venueOrderId), state]));
    const byClientId = new Map<string, KrakenOrderState>();
    // A cl_ord_id is unique only among open orders: the most recently opened order holding it wins.
    for (const state of [...orders].sort((a, b) => a.openedAt - b.openedAt)) {
      if (state.krakenClientOrderId !== undefined) byClientId.set(state.krakenClientOrderId, state);
    }
    const fillsByOrder = new Map<string, VenueFill[]>();
    for (const fill of [...fills].sort((a, b) => a.time - b.time)) {
      const key = String(fill.venueOrderId ?? '');
      fillsByOrder.set(key, [...(fillsByOrder.get(key) ?? []), fill]);
    }
    const now = this.#now();
    for (const order of this.unfinished()) {
      const state = order.venueOrderId !== undefined ? byTxid.get(order.venueOrderId) : byClientId.get(order.krakenClientOrderId);
      if (state === undefined) {
        if (order.venueOrderId === undefined && order.unresolvedSince !== undefined && now - order.unresolvedSince >= options.unresolvedGraceMs) {
          this.rejected(order, `Kraken has no order with cl_ord_id ${order.krakenClientOrderId}: the submission did not arrive`, now);
        }
        continue;
      }
      const venueOrderId = String(state.venueOrderId);
      this.#noteExecuted(order, state.filledQuantity);
      if (state.status !== 'submitted') this.accepted(order, venueOrderId, state.openedAt);
      for (const fill of fillsByOrder.get(venueOrderId) ?? []) {
        this.fill(order, { ...fill, clientOrderId: order.clientOrderId, instrumentId: order.instrumentId, side: order.side });
      }
      if (state.filledQuantity.greaterThan(order.filled)) {
        missingFills = true;
        this.#logger.warn('Kraken reports more executed volume than the fills found; fetching again', {
          clientOrderId: order.clientOrderId,
          venueOrderId,
          executed: state.filledQuantity.toFixed(),
          seen: order.filled.toFixed(),
        });
      }
      if (state.status === 'canceled') this.canceled(order, now, state.reason ?? 'canceled at Kraken (found by reconciliation)');
      else if (state.status === 'expired') this.expired(order, now);
    }
    return { missingFills };
  }

  #noteExecuted(order: TrackedOrder, executed: Decimal): void {
    if (executed.greaterThan(order.venueExecuted)) order.venueExecuted = executed;
  }

  #noteTrade(order: TrackedOrder, tradeId: string): void {
    this.#seenTrades.add(tradeId);
    const trades = this.#tradesOf.get(order);
    if (trades === undefined) this.#tradesOf.set(order, [tradeId]);
    else trades.push(tradeId);
  }

  /** Starts an order's retention clock when its outcome is fully known, then drops what ran out. */
  #noteIfSettled(order: TrackedOrder): void {
    if (!this.#settledOrders.has(order) && isSettled(order)) {
      this.#settledOrders.add(order);
      this.#settled.push({ order, at: this.#now() });
    }
    this.#dropSettled();
  }

  /** Drops the orders settled longer than `retainSettledMs` ago, with their trade ids. */
  #dropSettled(): void {
    const horizon = this.#now() - this.#retainSettledMs;
    const settled = this.#settled;
    let head = this.#settledHead;
    while (head < settled.length && settled[head]!.at < horizon) {
      const { order } = settled[head]!;
      head++;
      // Kraken may yet report more volume for it (a late fill): then it is kept.
      if (!isSettled(order)) {
        this.#settledOrders.delete(order);
        continue;
      }
      this.#forget(order);
    }
    if (head > 1024 && head * 2 > settled.length) {
      this.#settled = settled.slice(head);
      head = 0;
    }
    this.#settledHead = head;
  }

  #forget(order: TrackedOrder): void {
    this.#settledOrders.delete(order);
    if (this.#byClient.get(order.clientOrderId) === order) this.#byClient.delete(order.clientOrderId);
    if (this.#byKrakenClientId.get(order.krakenClientOrderId) === order) this.#byKrakenClientId.delete(order.krakenClientOrderId);
    if (order.venueOrderId !== undefined && this.#byVenueId.get(order.venueOrderId) === order) this.#byVenueId.delete(order.venueOrderId);
    for (const tradeId of this.#tradesOf.get(order) ?? []) this.#seenTrades.delete(tradeId);
    this.#tradesOf.delete(order);
  }

  #bindVenueId(order: TrackedOrder, venueOrderId: string): void {
    if (venueOrderId === '') return;
    if (order.venueOrderId === undefined) order.venueOrderId = venueOrderId;
    this.#byVenueId.set(venueOrderId, order);
  }
}

/**
 * Nothing more will be reported: rejected; or fully filled; or canceled/expired with every
 * execution Kraken reported already counted.
 */
export function isSettled(order: TrackedOrder): boolean {
  if (order.terminal === 'rejected') return true;
  if (order.filled.greaterThanOrEqualTo(order.quantity)) return true;
  return order.terminal !== undefined && !order.venueExecuted.greaterThan(order.filled);
}
