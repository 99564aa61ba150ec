import { crc32, checksumPiece } from './book-checksum.js';
import type { BookLevelUnits } from './synthetic-book.js';
import { formatUnits } from './wire-format.js';

/*
 * The simulator's `level3` book (spec §8.11, §9.3): each price level of the market's book as a
 * FIFO queue of several resting orders whose quantities sum to the level's. It exists so the
 * client's queue handling (several orders per price, add at the back, fills from the front,
 * truncation to the depth, the checksum over every order in queue order) is exercised end to
 * end; one order per level would leave all of that untested. The checksum is computed here, on
 * purpose not with the client's L3Book: a simulator that reused the client's code would prove
 * nothing about it.
 *
 * Quantities change the way a real queue does: a larger level gets a new order at the back, a
 * smaller one fills the oldest orders first. The initial split of a level is derived from its
 * price and quantity (no randomness), so a run is reproducible. Every level of the market's book
 * has a queue, shown or not; only the subscribed depth is published, and a level that scrolls in
 * arrives as `add`s of its whole queue (Kraken sends no deletes for levels that scroll out; the
 * client truncates).
 */

/** One resting order; quantities and prices in integer units of the pair's precision. */
interface QueuedOrder {
  readonly orderId: string;
  qty: number;
  /** When it was placed (market time, ms). */
  readonly timestamp: number;
}

/** One order of a level3 message, in integer units; no `event` in a snapshot. */
export interface Level3OrderEvent {
  readonly event?: 'add' | 'modify' | 'delete';
  readonly orderId: string;
  readonly price: number;
  readonly qty: number;
  readonly timestamp: number;
}

export interface Level3Message {
  readonly bids: readonly Level3OrderEvent[];
  readonly asks: readonly Level3OrderEvent[];
}

export interface Level3Precision {
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
}

/** The most orders an initial split makes. */
const MAX_SPLIT = 4;

/** FNV-1a over the level's digits: a stable, well-spread number from price and quantity. */
function levelHash(price: number, qty: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${price}:${qty}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

/**
 * A level's quantity split into 1–4 order quantities (each at least one unit) that sum exactly to
 * `qty`, derived from price and quantity only. The first order takes the rounding remainder.
 */
export function splitLevel(price: number, qty: number): number[] {
  if (!Number.isSafeInteger(qty) || qty <= 0) return [];
  const hash = levelHash(price, qty);
  const count = Math.min(qty, 1 + (hash % MAX_SPLIT));
  const weights = Array.from({ length: count }, (_, index) => 1 + ((hash >>> (4 + index * 3)) & 7));
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  // One unit each, the rest shared by weight; what the floors leave goes to the first order.
  const spare = qty - count;
  const parts = weights.map((weight) => 1 + Math.floor((spare * weight) / totalWeight));
  parts[0]! += qty - parts.reduce((sum, part) => sum + part, 0);
  return parts;
}

/** One side's queues, keyed by price, plus the side's levels best first as last seen. */
class SideQueues {
  #levels: readonly BookLevelUnits[] = [];
  #queues = new Map<number, QueuedOrder[]>();

  constructor(
    private readonly side: 'bid' | 'ask',
    private readonly nextSerial: () => number,
  ) {}

  /** Price levels best first, each with its orders in queue order. */
  levels(): { readonly price: number; readonly orders: readonly QueuedOrder[] }[] {
    return this.#levels.map((level) => ({ price: level.price, orders: this.#queues.get(level.price)! }));
  }

  /** The orders of the top `depth` levels, in queue order (a snapshot, no events). */
  snapshot(depth: number): Level3OrderEvent[] {
    return this.#levels.slice(0, depth).flatMap((level) => this.#queues.get(level.price)!.map((order) => toEvent(undefined, level.price, order)));
  }

  /**
   * Moves to the side's new levels (best first) and returns what a client showing the top `depth`
   * levels must be told: deletes for shown levels that vanished, queue changes for levels shown
   * before and after, the whole queue as `add`s for a level that just entered the depth.
   */
  update(levels: readonly BookLevelUnits[], depth: number, time: number): Level3OrderEvent[] {
    const next = levels.filter((level) => level.qty > 0);
    const shownBefore = new Set(this.#levels.slice(0, depth).map((level) => level.price));
    const stillThere = new Set(next.map((level) => level.price));
    const events: Level3OrderEvent[] = [];
    const queues = new Map<number, QueuedOrder[]>();
    for (const [price, queue] of this.#queues) {
      if (!stillThere.has(price) && shownBefore.has(price)) events.push(...queue.map((order) => toEvent('delete', price, order)));
    }
    next.forEach((level, index) => {
      const queue = this.#queues.get(level.price);
      const shownNow = index < depth;
      if (queue === undefined) {
        const fresh = this.#newQueue(level, time);
        queues.set(level.price, fresh);
        if (shownNow) events.push(...fresh.map((order) => toEvent('add', level.price, order)));
        return;
      }
      queues.set(level.price, queue);
      const changes = this.#resize(queue, level, time);
      if (!shownNow) return;
      if (shownBefore.has(level.price)) events.push(...changes);
      else events.push(...queue.map((order) => toEvent('add', level.price, order)));
    });
    this.#levels = next;
    this.#queues = queues;
    return events;
  }

  #newQueue(level: BookLevelUnits, time: number): QueuedOrder[] {
    return splitLevel(level.price, level.qty).map((qty) => this.#order(level.price, qty, time));
  }

  #order(price: number, qty: number, time: number): QueuedOrder {
    return { orderId: `L-${this.side}-${price}-${this.nextSerial()}`, qty, timestamp: time };
  }

  /** Growth joins the back of the queue; a shrink fills the oldest orders first. Mutates `queue`. */
  #resize(queue: QueuedOrder[], level: BookLevelUnits, time: number): Level3OrderEvent[] {
    const total = queue.reduce((sum, order) => sum + order.qty, 0);
    if (level.qty > total) {
      const order = this.#order(level.price, level.qty - total, time);
      queue.push(order);
      return [toEvent('add', level.price, order)];
    }
    const events: Level3OrderEvent[] = [];
    let fill = total - level.qty;
    while (fill > 0) {
      const front = queue[0]!;
      if (front.qty > fill) {
        front.qty -= fill;
        events.push(toEvent('modify', level.price, front));
        break;
      }
      fill -= front.qty;
      queue.shift();
      events.push(toEvent('delete', level.price, front));
    }
    return events;
  }
}

function toEvent(event: Level3OrderEvent['event'], price: number, order: QueuedOrder): Level3OrderEvent {
  return { ...(event === undefined ? {} : { event }), orderId: order.orderId, price, qty: order.qty, timestamp: order.timestamp };
}

/** One `level3` subscription's queues (both sides) at its depth. */
export class Level3Queues {
  #serial = 0;
  readonly #bids = new SideQueues('bid', () => ++this.#serial);
  readonly #asks = new SideQueues('ask', () => ++this.#serial);

  /** Starts from the market's book as it is (bids highest first, asks lowest first). */
  constructor(
    private readonly precision: Level3Precision,
    private readonly depth: number,
    bids: readonly BookLevelUnits[],
    asks: readonly BookLevelUnits[],
    time: number,
  ) {
    this.#bids.update(bids, depth, time);
    this.#asks.update(asks, depth, time);
  }

  snapshot(): Level3Message {
    return { bids: this.#bids.snapshot(this.depth), asks: this.#asks.snapshot(this.depth) };
  }

  /** The book's next state; returns the events of the update message (both sides empty: nothing to send). */
  update(bids: readonly BookLevelUnits[], asks: readonly BookLevelUnits[], time: number): Level3Message {
    return { bids: this.#bids.update(bids, this.depth, time), asks: this.#asks.update(asks, this.depth, time) };
  }

  /** Price levels best first with their orders in queue order (for tests and diagnostics). */
  levels(side: 'bid' | 'ask'): { readonly price: number; readonly orders: readonly { readonly orderId: string; readonly qty: number }[] }[] {
    return (side === 'bid' ? this.#bids : this.#asks).levels();
  }

  /**
   * Kraken's level3 checksum (spec §9.3): CRC-32 over the top ten price levels, asks ascending then
   * bids descending, each level's orders in queue order, each as price then quantity at the pair's
   * precision with the '.' and leading zeros removed. Ten levels whatever the depth.
   */
  checksum(): number {
    return level3Checksum(this.precision, this.#asks.levels(), this.#bids.levels());
  }
}

/** A price level and its orders in queue order, in integer units. */
export interface QueueLevel {
  readonly price: number;
  readonly orders: readonly { readonly qty: number }[];
}

/** Kraken's level3 checksum of levels given best first (asks lowest first, bids highest first). */
export function level3Checksum(precision: Level3Precision, asks: readonly QueueLevel[], bids: readonly QueueLevel[]): number {
  let text = '';
  for (const levels of [asks, bids]) {
    for (const level of levels.slice(0, 10)) {
      const price = checksumPiece(formatUnits(level.price, precision.priceDecimals));
      for (const order of level.orders) text += price + checksumPiece(formatUnits(order.qty, precision.qtyDecimals));
    }
  }
  return crc32(text);
}
