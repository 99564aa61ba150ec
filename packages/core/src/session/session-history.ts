import type { ClientOrderId } from '../model/ids.js';
import type { JournaledEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import type { Order } from '../model/order.js';
import type { RoundTrip } from '../model/position.js';

/** What a session's report lists: its fills, its round trips and the last state of its orders. */
export interface SessionHistory {
  readonly fills: readonly Fill[];
  readonly roundTrips: readonly RoundTrip[];
  readonly orders: readonly Order[];
}

/**
 * Reads a session's history back from its journal, for an engine that keeps only what a
 * snapshot holds (`EngineOptions.history: 'journal'`). `journal` is the store's journal after the
 * session's first sequence; `current` is what the engine still holds at the end (open orders,
 * recently finished ones and those recovered at start), which is newer than any event and
 * therefore wins. Orders come in the order they first appear.
 */
export function sessionHistory(journal: Iterable<JournaledEvent>, current: readonly Order[]): SessionHistory {
  const fills: Fill[] = [];
  const roundTrips: RoundTrip[] = [];
  const orders = new Map<ClientOrderId, Order>();
  for (const event of journal) {
    switch (event.type) {
      case 'order-filled':
        fills.push(event.fill);
        orders.set(event.order.clientOrderId, event.order);
        break;
      case 'position-closed':
        roundTrips.push(event.roundTrip);
        break;
      case 'order-submitted':
      case 'order-denied':
      case 'order-accepted':
      case 'order-rejected':
      case 'order-cancel-requested':
      case 'order-cancel-rejected':
      case 'order-canceled':
      case 'order-expired':
        orders.set(event.order.clientOrderId, event.order);
        break;
      default:
        break;
    }
  }
  for (const order of current) orders.set(order.clientOrderId, order);
  return { fills, roundTrips, orders: [...orders.values()] };
}
