import type { BookLevel, BookView, EpochMs, InstrumentId } from '@kbot/core';
import { BookSide } from './book-side.js';
import { CRC32_INITIAL, crc32Finish } from './crc32.js';
import { POWERS_OF_TEN, SCALE_CHUNK, parseScaled, scaledFromDigits, scaledResult } from './scaled-decimal.js';

/** How many levels per side Kraken's L2 checksum covers (spec §9.2). */
export const CHECKSUM_LEVELS = 10;

/** Book depths Kraken's `book` channel accepts (spec §8.7). */
export const KRAKEN_BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;

export interface L2BookOptions {
  readonly instrumentId: InstrumentId;
  /** Decimals of prices (`price_precision` / AssetPairs `pair_decimals`). */
  readonly pricePrecision: number;
  /** Decimals of quantities (`qty_precision` / AssetPairs `lot_decimals`). */
  readonly quantityPrecision: number;
  /** The subscribed depth: each side is truncated to it after every message. */
  readonly depth: number;
}

/**
 * An L2 order book kept as scaled integers at the instrument's precision (spec §9.1) with
 * Kraken's CRC-32 over the top ten levels (§9.2). It is also the BookView strategies read: the
 * object is live and changes with the next message, so a strategy copies what it keeps.
 */
export class L2Book implements BookView {
  readonly instrumentId: InstrumentId;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly depth: number;
  /** Time of the last message applied (Kraken's timestamp when it sent one). */
  time: EpochMs = 0;
  readonly #bids: BookSide;
  readonly #asks: BookSide;
  // CRC register before each of the top ten levels of each side, so a change below the top of
  // the checksum range only recomputes from there (asks come first, so a bid change reuses them all).
  readonly #askStates = new Int32Array(CHECKSUM_LEVELS + 1);
  readonly #bidStates = new Int32Array(CHECKSUM_LEVELS + 1);
  #checksum = 0;

  constructor(options: L2BookOptions) {
    for (const key of ['pricePrecision', 'quantityPrecision'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 0 || value > 18) {
        throw new TypeError(`book ${options.instrumentId}.${key}: received ${value}, expected an integer from 0 to 18`);
      }
    }
    if (!Number.isInteger(options.depth) || options.depth < 1) {
      throw new TypeError(`book ${options.instrumentId}.depth: received ${options.depth}, expected a positive integer`);
    }
    this.instrumentId = options.instrumentId;
    this.pricePrecision = options.pricePrecision;
    this.quantityPrecision = options.quantityPrecision;
    this.depth = options.depth;
    // Room for a full book plus one message's inserts before truncation, so growth is rare.
    this.#bids = new BookSide('bid', options.depth + 32);
    this.#asks = new BookSide('ask', options.depth + 32);
  }

  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.time = 0;
  }

  get bidCount(): number {
    return this.#bids.length;
  }

  get askCount(): number {
    return this.#asks.length;
  }

  /** Sets a bid level from scaled integers (exact below 2^53); quantity 0 deletes. */
  setBid(price: number, quantity: number): void {
    this.#setScaled(this.#bids, price, quantity);
  }

  /** Sets an ask level from scaled integers (exact below 2^53); quantity 0 deletes. */
  setAsk(price: number, quantity: number): void {
    this.#setScaled(this.#asks, price, quantity);
  }

  #setScaled(side: BookSide, price: number, quantity: number): void {
    if (!Number.isSafeInteger(price) || !Number.isSafeInteger(quantity) || price <= 0 || quantity < 0) {
      throw new TypeError(`book ${this.instrumentId}: received price ${price} and quantity ${quantity}, expected scaled non-negative safe integers`);
    }
    const priceHigh = Math.floor(price / SCALE_CHUNK);
    const quantityHigh = Math.floor(quantity / SCALE_CHUNK);
    side.set(priceHigh, price - priceHigh * SCALE_CHUNK, quantityHigh, quantity - quantityHigh * SCALE_CHUNK);
  }

  /**
   * Sets a level from number texts (JSON tokens or decimal strings) in `source`. Returns false,
   * changing nothing, when a text is not a number at this book's precision.
   */
  setLevelText(side: 'bid' | 'ask', source: string, priceStart: number, priceEnd: number, quantityStart: number, quantityEnd: number): boolean {
    if (!parseScaled(source, priceStart, priceEnd, this.pricePrecision)) return false;
    const priceHigh = scaledResult.high;
    const priceLow = scaledResult.low;
    if ((priceHigh === 0 && priceLow === 0) || !parseScaled(source, quantityStart, quantityEnd, this.quantityPrecision)) return false;
    (side === 'bid' ? this.#bids : this.#asks).set(priceHigh, priceLow, scaledResult.high, scaledResult.low);
    return true;
  }

  /**
   * setLevelText for level `level` of a scanned entry: `offsets` are its token bounds in
   * `source` (BookEntryScan.bids / asks) and `values` the numbers the scanner already read
   * (bidValues / askValues), used when they are exact at this book's precision; same result.
   */
  setLevelScanned(side: 'bid' | 'ask', source: string, offsets: Int32Array, values: Float64Array, level: number): boolean {
    const at = level * 4;
    if (!scaledFromDigits(values[at]!, values[at + 1]!, this.pricePrecision) && !parseScaled(source, offsets[at]!, offsets[at + 1]!, this.pricePrecision)) return false;
    const priceHigh = scaledResult.high;
    const priceLow = scaledResult.low;
    if (priceHigh === 0 && priceLow === 0) return false;
    if (!scaledFromDigits(values[at + 2]!, values[at + 3]!, this.quantityPrecision) && !parseScaled(source, offsets[at + 2]!, offsets[at + 3]!, this.quantityPrecision)) return false;
    (side === 'bid' ? this.#bids : this.#asks).set(priceHigh, priceLow, scaledResult.high, scaledResult.low);
    return true;
  }

  /** Convenience for tests and replays: one level from decimal strings. */
  setLevel(side: 'bid' | 'ask', price: string, quantity: string): boolean {
    const joined = price + ' ' + quantity;
    return this.setLevelText(side, joined, 0, price.length, price.length + 1, joined.length);
  }

  /** Drops levels beyond the subscribed depth on both sides (spec §9.1 step 3). */
  truncate(): void {
    this.#bids.truncate(this.depth);
    this.#asks.truncate(this.depth);
  }

  /** Kraken's L2 checksum of the current book: top ten asks ascending, then top ten bids descending. */
  checksum(): number {
    const asks = this.#asks;
    const bids = this.#bids;
    const askTop = Math.min(CHECKSUM_LEVELS, asks.length);
    const bidTop = Math.min(CHECKSUM_LEVELS, bids.length);
    const askStart = Math.min(asks.dirtyFrom, askTop);
    const asksChanged = asks.dirtyFrom < CHECKSUM_LEVELS;
    if (!asksChanged && bids.dirtyFrom >= CHECKSUM_LEVELS) return this.#checksum;
    const askStates = this.#askStates;
    const bidStates = this.#bidStates;
    askStates[0] = CRC32_INITIAL;
    bidStates[0] = asks.feedLevels(askStates, askStart, askTop);
    const bidStart = asksChanged ? 0 : Math.min(bids.dirtyFrom, bidTop);
    const crc = bids.feedLevels(bidStates, bidStart, bidTop);
    asks.markClean();
    bids.markClean();
    this.#checksum = crc32Finish(crc);
    return this.#checksum;
  }

  /** Best bid price as a number; NaN when the side is empty. */
  bestBidPrice(): number {
    return this.#bids.length === 0 ? Number.NaN : this.#bids.priceAt(0) / POWERS_OF_TEN[this.pricePrecision]!;
  }

  /** Best ask price as a number; NaN when the side is empty. */
  bestAskPrice(): number {
    return this.#asks.length === 0 ? Number.NaN : this.#asks.priceAt(0) / POWERS_OF_TEN[this.pricePrecision]!;
  }

  bestBidQuantity(): number {
    return this.#bids.length === 0 ? Number.NaN : this.#bids.quantityAt(0) / POWERS_OF_TEN[this.quantityPrecision]!;
  }

  bestAskQuantity(): number {
    return this.#asks.length === 0 ? Number.NaN : this.#asks.quantityAt(0) / POWERS_OF_TEN[this.quantityPrecision]!;
  }

  /** Scaled price and quantity at a level (index 0 = best), exact below 2^53. */
  scaledLevel(side: 'bid' | 'ask', index: number): { readonly price: number; readonly quantity: number } | undefined {
    const book = side === 'bid' ? this.#bids : this.#asks;
    return index < book.length ? { price: book.priceAt(index), quantity: book.quantityAt(index) } : undefined;
  }

  bids(depth?: number): readonly BookLevel[] {
    return this.#levels(this.#bids, depth);
  }

  asks(depth?: number): readonly BookLevel[] {
    return this.#levels(this.#asks, depth);
  }

  bestBid(): BookLevel | undefined {
    return this.#bids.length === 0 ? undefined : { price: this.bestBidPrice(), quantity: this.bestBidQuantity() };
  }

  bestAsk(): BookLevel | undefined {
    return this.#asks.length === 0 ? undefined : { price: this.bestAskPrice(), quantity: this.bestAskQuantity() };
  }

  #levels(side: BookSide, depth: number | undefined): BookLevel[] {
    const count = Math.min(depth ?? side.length, side.length);
    const levels = new Array<BookLevel>(count);
    for (let index = 0; index < count; index++) {
      levels[index] = {
        price: side.priceAt(index) / POWERS_OF_TEN[this.pricePrecision]!,
        quantity: side.quantityAt(index) / POWERS_OF_TEN[this.quantityPrecision]!,
      };
    }
    return levels;
  }
}
