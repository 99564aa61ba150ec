import type { InstrumentId } from '@kbot/core';
import { ADVANCE_TABLES, CRC32_INITIAL, crc32Finish, crc32LevelContribution, levelDigits } from './crc32.js';
import { SCALE_CHUNK, parseScaledDecimal } from './scaled-decimal.js';

/*
 * Kraken's WebSocket v2 `level3` book (spec §8.11, §9.3): every resting order, in queue order at
 * its price. Prices and quantities are scaled integers at the instrument's precision. Kraken sends
 * no delete for orders of a level that leaves the subscribed depth, so after every message the
 * book keeps only that many price levels per side; when a level leaves, Kraken publishes all the
 * orders of the next one as `add`s. The checksum covers the top ten price levels whatever the
 * depth: asks ascending then bids descending, each level's orders in queue order, each order's
 * price then quantity at fixed precision with the '.' and leading zeros removed.
 *
 * A private KrakenWsClient keeps one per `level3` subscription and verifies every message.
 */

/** One order of a level3 message as Kraken sends it (numbers, or decimal strings). */
export interface Level3OrderMessage {
  /** Updates only: what happened to the order. */
  readonly event?: 'add' | 'modify' | 'delete';
  readonly order_id: string;
  readonly limit_price: number | string;
  readonly order_qty: number | string;
  readonly timestamp?: string;
}

export interface Level3Message {
  readonly type: 'snapshot' | 'update';
  readonly symbol: string;
  readonly checksum: number;
  readonly bids: readonly Level3OrderMessage[];
  readonly asks: readonly Level3OrderMessage[];
}

export interface L3Order {
  readonly orderId: string;
  /** Scaled integers at the instrument's precision. */
  readonly price: number;
  readonly quantity: number;
  /** Kraken's `timestamp` of the order (epoch ms), when it sent a readable one. */
  readonly time?: number;
}

/**
 * An order as the book keeps it: with what its digits (price, then quantity) feed into a zero
 * CRC register and how many there are, worked out once when it arrives, so the checksum costs one
 * table step per order (the same identity as the L2 book's levels; see crc32.ts).
 */
interface KeptOrder extends L3Order {
  readonly contribution: number;
  readonly digits: number;
}

export interface L3BookOptions {
  readonly instrumentId: InstrumentId;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  /** The subscribed depth in price levels (10, 100 or 1000). */
  readonly depth: number;
}

/**
 * One side: orders by id, the queue of orders at each price, and the prices kept sorted best
 * first as they come and go (a binary search per new price), so a message costs what it changes,
 * not a sort of every level: at depth 1000 a sort per message took about 200 µs (measured). The
 * queues hold the orders themselves, so the checksum walks them without a lookup per order.
 */
class L3Side {
  readonly #orders = new Map<string, KeptOrder>();
  readonly #queues = new Map<number, KeptOrder[]>();
  /** Prices with a queue, best first. */
  #prices: number[] = [];
  /** Prices whose queue changed since the last truncate (a level left with only empty orders is dropped). */
  readonly #touched = new Set<number>();

  constructor(private readonly better: (a: number, b: number) => boolean) {}

  clear(): void {
    this.#orders.clear();
    this.#queues.clear();
    this.#prices = [];
    this.#touched.clear();
  }

  /** Adds at the back of its price's queue; an id already in the book is replaced there (a repeated add). */
  add(order: KeptOrder): void {
    if (this.#orders.has(order.orderId)) this.delete(order.orderId);
    this.#orders.set(order.orderId, order);
    const queue = this.#queues.get(order.price);
    if (queue === undefined) {
      this.#queues.set(order.price, [order]);
      this.#prices.splice(this.#rank(order.price), 0, order.price);
    } else {
      queue.push(order);
    }
    this.#touched.add(order.price);
  }

  /** A new quantity at the same place in the queue; a new price moves it to the back of that price's queue. */
  modify(order: KeptOrder): void {
    const current = this.#orders.get(order.orderId);
    if (current === undefined || current.price !== order.price) {
      this.add(order);
      return;
    }
    this.#orders.set(order.orderId, order);
    const queue = this.#queues.get(order.price)!;
    queue[queue.indexOf(current)] = order;
    this.#touched.add(order.price);
  }

  delete(orderId: string): void {
    const current = this.#orders.get(orderId);
    if (current === undefined) return;
    this.#orders.delete(orderId);
    const queue = this.#queues.get(current.price)!;
    queue.splice(queue.indexOf(current), 1);
    if (queue.length === 0) this.#dropLevel(current.price);
  }

  /** The number of price levels. */
  get levels(): number {
    return this.#prices.length;
  }

  /** The price of level `index` (0 = best). */
  priceAt(index: number): number {
    return this.#prices[index]!;
  }

  /** Price levels, best first (a copy). */
  prices(): number[] {
    return this.#prices.slice();
  }

  /** The queue at `price`, first to fill first: the book's own array, read it before the next message. */
  ordersAt(price: number): readonly KeptOrder[] {
    return this.#queues.get(price) ?? [];
  }

  /** Drops changed levels left without quantity and every level beyond `depth`. */
  truncate(depth: number): void {
    for (const price of this.#touched) {
      const queue = this.#queues.get(price);
      if (queue !== undefined && queue.every((order) => order.quantity === 0)) this.#dropLevel(price);
    }
    this.#touched.clear();
    while (this.#prices.length > depth) this.#dropLevel(this.#prices[this.#prices.length - 1]!);
  }

  /** Where `price` goes among the sorted prices: the first index whose price is not better. */
  #rank(price: number): number {
    const prices = this.#prices;
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.better(prices[middle]!, price)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #dropLevel(price: number): void {
    const queue = this.#queues.get(price);
    if (queue === undefined) return;
    for (const order of queue) this.#orders.delete(order.orderId);
    this.#queues.delete(price);
    const index = this.#rank(price);
    if (this.#prices[index] === price) this.#prices.splice(index, 1);
  }
}

/** Price levels per side Kraken's level3 checksum covers, whatever the depth (spec §9.3). */
const CHECKSUM_LEVELS = 10;

/** What applying a message found. */
export type L3ApplyOutcome = 'verified' | 'mismatch';

export class L3Book {
  readonly instrumentId: InstrumentId;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly depth: number;
  /**
   * The latest order timestamp the book has seen (epoch ms): Kraken's level3 messages carry times
   * per order, not per message. NaN until one arrives; the client stamps the wall clock then.
   */
  time = Number.NaN;
  readonly #bids = new L3Side((a, b) => a > b);
  readonly #asks = new L3Side((a, b) => a < b);

  constructor(options: L3BookOptions) {
    for (const key of ['pricePrecision', 'quantityPrecision'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 0 || value > 18) throw new TypeError(`level3 book ${options.instrumentId}.${key}: received ${value}, expected an integer from 0 to 18`);
    }
    if (!Number.isInteger(options.depth) || options.depth < 1) throw new TypeError(`level3 book ${options.instrumentId}.depth: received ${options.depth}, expected a positive integer`);
    this.instrumentId = options.instrumentId;
    this.pricePrecision = options.pricePrecision;
    this.quantityPrecision = options.quantityPrecision;
    this.depth = options.depth;
  }

  /**
   * Applies a message (a snapshot replaces the book), truncates to the depth, and compares the
   * checksum. Throws a TypeError naming the order and field when a value is not a number at the
   * instrument's precision; the book is then unchanged only for a snapshot, so drop it and resubscribe.
   */
  apply(message: Level3Message): L3ApplyOutcome {
    if (message.type === 'snapshot') {
      this.#bids.clear();
      this.#asks.clear();
    }
    for (const [side, orders, name] of [[this.#bids, message.bids, 'bids'], [this.#asks, message.asks, 'asks']] as const) {
      orders.forEach((entry, index) => {
        const order = this.#order(entry, `${name}[${index}]`);
        if (order.time !== undefined && !(order.time <= this.time)) this.time = order.time;
        if (message.type === 'snapshot' || entry.event === 'add') side.add(order);
        else if (entry.event === 'modify') side.modify(order);
        else if (entry.event === 'delete') side.delete(order.orderId);
        else throw new TypeError(`level3 ${message.symbol} ${name}[${index}].event: received ${JSON.stringify(entry.event)}, expected "add", "modify" or "delete"`);
      });
    }
    this.#bids.truncate(this.depth);
    this.#asks.truncate(this.depth);
    return this.checksum() === message.checksum >>> 0 ? 'verified' : 'mismatch';
  }

  /** Kraken's level3 checksum of the book as it stands (unsigned 32-bit). */
  checksum(): number {
    let crc = CRC32_INITIAL;
    crc = this.#feedSide(crc, this.#asks);
    crc = this.#feedSide(crc, this.#bids);
    return crc32Finish(crc);
  }

  /** Feeds a side's top ten levels, every order in queue order, price then quantity. */
  #feedSide(crc: number, side: L3Side): number {
    const tables = ADVANCE_TABLES;
    const levels = Math.min(CHECKSUM_LEVELS, side.levels);
    for (let level = 0; level < levels; level++) {
      const price = side.priceAt(level);
      const queue = side.ordersAt(price);
      for (let index = 0; index < queue.length; index++) {
        // The register advanced over the order's digits, XOR what they feed into a zero register.
        const order = queue[index]!;
        const base = order.digits << 10;
        crc = tables[base + (crc & 0xff)]! ^ tables[base + 256 + ((crc >>> 8) & 0xff)]! ^ tables[base + 512 + ((crc >>> 16) & 0xff)]! ^ tables[base + 768 + (crc >>> 24)]! ^ order.contribution;
      }
    }
    return crc;
  }

  /** Price levels best first (at most `depth`), each with its orders in queue order; scaled integers. */
  bids(depth = this.depth): { readonly price: number; readonly orders: readonly L3Order[] }[] {
    return this.#levels(this.#bids, depth);
  }

  asks(depth = this.depth): { readonly price: number; readonly orders: readonly L3Order[] }[] {
    return this.#levels(this.#asks, depth);
  }

  #levels(side: L3Side, depth: number): { readonly price: number; readonly orders: readonly L3Order[] }[] {
    const count = Math.min(depth, side.levels);
    const levels = new Array<{ readonly price: number; readonly orders: readonly L3Order[] }>(count);
    for (let index = 0; index < count; index++) {
      const price = side.priceAt(index);
      levels[index] = { price, orders: side.ordersAt(price).slice() };
    }
    return levels;
  }

  #order(entry: Level3OrderMessage, where: string): KeptOrder {
    if (typeof entry.order_id !== 'string' || entry.order_id === '') throw new TypeError(`level3 ${this.instrumentId} ${where}.order_id: received ${JSON.stringify(entry.order_id)}, expected Kraken's order id`);
    const price = this.#scaled(entry.limit_price, this.pricePrecision, `${where}.limit_price`);
    const quantity = this.#scaled(entry.order_qty, this.quantityPrecision, `${where}.order_qty`);
    // The digits without leading zeros: a quantity of 0 feeds nothing, as "0.00000000" stripped of them is empty.
    const contribution = crc32LevelContribution(chunkHigh(price), chunkLow(price), chunkHigh(quantity), chunkLow(quantity));
    const digits = levelDigits.count;
    // An unreadable timestamp is left out, not refused: the checksum does not cover it.
    const time = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : Number.NaN;
    return { orderId: entry.order_id, price, quantity, ...(Number.isFinite(time) ? { time } : {}), contribution, digits };
  }

  #scaled(value: number | string, precision: number, where: string): number {
    // A number goes through its fixed-precision text, the form the checksum is defined on.
    const text = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value.toFixed(precision) : typeof value === 'string' ? value : '';
    const scaled = parseScaledDecimal(text, 0, text.length, precision);
    if (Number.isNaN(scaled)) throw new TypeError(`level3 ${this.instrumentId} ${where}: received ${JSON.stringify(value)}, expected a number of at most ${precision} decimals`);
    return scaled;
  }
}

/** The high part of a safe integer split at 10^8 (scaled-decimal.ts's two parts), exactly. */
function chunkHigh(value: number): number {
  const high = Math.floor(value / SCALE_CHUNK);
  // The division may round up to the next whole number just below a multiple of 10^8.
  return value - high * SCALE_CHUNK < 0 ? high - 1 : high;
}

function chunkLow(value: number): number {
  return value - chunkHigh(value) * SCALE_CHUNK;
}
