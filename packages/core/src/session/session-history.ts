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
    if (event.type === 'order-filled') fills.push(event.fill);
    else if (event.type === 'position-closed') roundTrips.push(event.roundTrip);
    // Every order event carries the order as it stands after the event.
    if ('order' in event) orders.set(event.order.clientOrderId, event.order);
  }
  for (const order of current) orders.set(order.clientOrderId, order);
  return { fills, roundTrips, orders: [...orders.values()] };
}
