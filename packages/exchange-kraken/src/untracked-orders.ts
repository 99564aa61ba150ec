import { isOrderOpen, type Logger, type UntrackedOrder } from '@kbot/core';
import type { KrakenExecutionReport } from './ws/parse-executions.js';
import type { KrakenOrderState } from './venue-state.js';

/** Kraken order statuses (executions `order_status`) of an order still on the book or about to be. */
const OPEN_EXECUTION_STATUSES = new Set(['pending_new', 'new', 'partially_filled']);
/** Pending orders of others remembered at most; a pending order goes live or ends within moments. */
const PENDING_LIMIT = 256;
/** Execution types that end an order. */
const CLOSING_EXEC_TYPES = new Set(['filled', 'canceled', 'expired']);

/**
 * Keeps the open orders Kraken reports that the execution client does not track, and says so once
 * per order. Such an order was placed by hand, by another bot or process using the same key, or
 * before this bot's journal was reset or restored from an older copy. kbot never touches an order
 * it does not own: the order is left alone. The engine counts what it holds as unavailable, as
 * Kraken does (Engine.held), so strategies and risk policies size orders from the funds Kraken
 * will accept. Without this, reconciliation skipped such orders silently: an operator whose
 * journal was lost saw nothing of orders still working on the exchange, and the bot counted their
 * funds as its own to spend.
 */
export class UntrackedOrderWatch {
  readonly #open = new Map<string, UntrackedOrder>();
  /** `pending_new` reports of orders this client does not track, until they go live or end. */
  readonly #pending = new Map<string, KrakenExecutionReport>();
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onUntracked: ((order: UntrackedOrder) => void) | undefined;

  constructor(options: { readonly logger: Logger; readonly now: () => number; readonly onUntracked?: (order: UntrackedOrder) => void }) {
    this.#logger = options.logger;
    this.#now = options.now;
    this.#onUntracked = options.onUntracked;
  }

  /** The untracked orders last seen open, oldest first; the same frozen array until one comes or goes. */
  list(): readonly UntrackedOrder[] {
    return this.#list;
  }

  // The engine reads the list on every balance view (what the orders hold): kept, not rebuilt per call.
  #list: readonly UntrackedOrder[] = Object.freeze([]);

  #listChanged(): void {
    this.#list = Object.freeze([...this.#open.values()]);
  }

  /**
   * One `executions` message, after the tracker applied it: a snapshot lists every open order of
   * the account (`snap_orders`); in updates, an order placed elsewhere while the bot runs is
   * found when it goes live (`new`, with the details its `pending_new` carried), and an untracked
   * order's end takes it off the list.
   */
  onExecutions(type: 'snapshot' | 'update', reports: readonly KrakenExecutionReport[], isTracked: (venueOrderId: string, krakenClientOrderId: string | undefined) => boolean): void {
    for (const report of reports) {
      const id = report.orderId;
      const known = this.#open.get(id);
      if (known !== undefined) {
        if (CLOSING_EXEC_TYPES.has(report.execType) || (report.orderStatus !== undefined && !OPEN_EXECUTION_STATUSES.has(report.orderStatus))) this.#closed(id, report.execType);
        // A fill of it: what it still holds shrinks (Engine.held counts the unexecuted rest).
        else if (report.cumulativeQuantity !== undefined && !report.cumulativeQuantity.equals(known.filledQuantity ?? 0)) this.#update({ ...known, filledQuantity: report.cumulativeQuantity });
        continue;
      }
      if (isTracked(id, report.clientOrderId)) continue;
      if (type === 'snapshot') {
        if (report.orderStatus !== undefined && OPEN_EXECUTION_STATUSES.has(report.orderStatus)) this.#found(this.#orderOf(report, undefined));
        continue;
      }
      // Kraken's updates are sparse: the order's fields come with pending_new, `new` has its id and status.
      if (report.execType === 'pending_new') this.#remember(report);
      else if (report.execType === 'new') this.#found(this.#orderOf(report, this.#pending.get(id)));
      if (report.execType !== 'pending_new') this.#pending.delete(id);
    }
  }

  /** Keeps a pending order's fields until it goes live or ends; a bounded map, oldest dropped first. */
  #remember(report: KrakenExecutionReport): void {
    if (this.#pending.size >= PENDING_LIMIT) this.#pending.delete(this.#pending.keys().next().value!);
    this.#pending.set(report.orderId, report);
  }

  #orderOf(report: KrakenExecutionReport, pending: KrakenExecutionReport | undefined): UntrackedOrder {
    return {
      venueOrderId: report.orderId,
      venueClientOrderId: report.clientOrderId ?? pending?.clientOrderId,
      instrumentId: report.instrumentId ?? pending?.instrumentId,
      side: report.side ?? pending?.side,
      quantity: report.orderQuantity ?? pending?.orderQuantity,
      filledQuantity: report.cumulativeQuantity ?? pending?.cumulativeQuantity,
      limitPrice: report.limitPrice ?? pending?.limitPrice,
      firstSeen: this.#now(),
    };
  }

  /** Kraken's REST view (OpenOrders and the orders closed since): the same, for reconciliations. */
  onReconcile(orders: readonly KrakenOrderState[], isTracked: (venueOrderId: string, krakenClientOrderId: string | undefined) => boolean): void {
    for (const order of orders) {
      const txid = String(order.venueOrderId);
      const open = isOrderOpen(order.status);
      const known = this.#open.get(txid);
      if (known !== undefined) {
        if (!open) this.#closed(txid, order.status);
        else if (!order.filledQuantity.equals(known.filledQuantity ?? 0)) this.#update({ ...known, filledQuantity: order.filledQuantity });
        continue;
      }
      if (!open || isTracked(txid, order.krakenClientOrderId)) continue;
      this.#found({
        venueOrderId: txid,
        venueClientOrderId: order.krakenClientOrderId,
        instrumentId: order.instrumentId,
        side: order.side,
        quantity: order.quantity,
        filledQuantity: order.filledQuantity,
        limitPrice: undefined,
        firstSeen: this.#now(),
      });
    }
  }

  #found(order: UntrackedOrder): void {
    this.#update(order);
    this.#logger.warn(
      'Kraken has an open order this bot does not track; it is left alone, and what it holds is not counted as available (placed by hand, by another bot or process with the same key, or before this bot\'s journal was reset)',
      {
        venueOrderId: order.venueOrderId,
        clientOrderId: order.venueClientOrderId,
        instrumentId: order.instrumentId,
        side: order.side,
        quantity: order.quantity?.toFixed(),
        limitPrice: order.limitPrice?.toFixed(),
      },
    );
    this.#onUntracked?.(order);
  }

  /** Keeps an order's latest view (a new one, or a fill of one already reported), without a word. */
  #update(order: UntrackedOrder): void {
    this.#open.set(order.venueOrderId, order);
    this.#listChanged();
  }

  #closed(venueOrderId: string, how: string): void {
    this.#open.delete(venueOrderId);
    this.#listChanged();
    this.#logger.info('an untracked Kraken order is no longer open', { venueOrderId, status: how });
  }
}
