import type { BookLevel, BookView, EpochMs, InstrumentId } from '@kbot/core';
import { BookSide } from './book-side.js';
import { CRC32_INITIAL } from './crc32.js';
import { COMPACT_UPDATE_DECLINED, bookKernel, kernelMessageArea } from './kernel/book-kernel.js';
import { POWERS_OF_TEN, SCALE_CHUNK, parseScaled, scaledFromDigits, scaledResult } from './scaled-decimal.js';

export { COMPACT_UPDATE_APPLIED, COMPACT_UPDATE_DECLINED, COMPACT_UPDATE_MISMATCH } from './kernel/book-kernel.js';

/** How many levels per side Kraken's L2 checksum covers (spec §9.2). */
export const CHECKSUM_LEVELS = 10;

/**
 * SCALE_CHUNK as a const enum for the hot path: the build inlines its value as a literal, where a
 * module-level `const` becomes a variable the optimizing compiler loads and checks on every use.
 */
const enum Inline {
  Chunk = 100_000_000,
}

/** Where a scanned level's number text is, for the numbers the scanner could not read (BookMessageScan). */
export interface LevelTextSource {
  /** The text the level offsets index; may be made on the call, so it is asked for only when needed. */
  text(): string;
}

/**
 * One entry of a scanned book message, as BookEntryScan holds it: each side's token bounds, the
 * numbers the scanner read (value and decimals, then the same for the quantity) and count, and
 * Kraken's checksum (negative when the message had none).
 */
export interface ScannedBookEntry {
  readonly bids: Int32Array;
  readonly bidValues: Float64Array;
  readonly bidCount: number;
  readonly asks: Int32Array;
  readonly askValues: Float64Array;
  readonly askCount: number;
  readonly checksum: number;
}

/** What L2Book.applyScannedEntry found: the entry applied and its checksum verified (or absent). */
export const SCANNED_ENTRY_APPLIED = 0;
/** A level was not a number at the book's precision. */
export const SCANNED_ENTRY_UNREADABLE = 1;
/** The book's checksum after the entry is not Kraken's. */
export const SCANNED_ENTRY_MISMATCH = 2;

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
  // The checksum in two runs joined at the end: the asks fed from the initial register, the bids
  // fed from a zero register. Each side keeps its run, so a change at level i recomputes that
  // side from i only; the book kernel joins them (bookKernel().checksum, assembly/book-kernel.ts).
  readonly #kernel = bookKernel();

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
    this.#bids = new BookSide('bid', options.depth + 32, 0);
    this.#asks = new BookSide('ask', options.depth + 32, CRC32_INITIAL);
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
   * The busiest path, one message's entry as the scanner read it: sets both sides' levels (bids
   * first) from the scanner's numbers, scaled here without a call per level (a number it could
   * not read exactly is read from `source`'s text), truncates to the depth, and verifies
   * `entry.checksum` (none when it is negative). Returns SCANNED_ENTRY_APPLIED,
   * SCANNED_ENTRY_UNREADABLE (a level is not a number at this book's precision: the levels before
   * it are set, the rest are not) or SCANNED_ENTRY_MISMATCH.
   *
   * The sets, the truncation and the checksum run in the book kernel (WebAssembly, see
   * book-side.ts), one call a level and one for the rest.
   */
  applyScannedEntry(source: LevelTextSource, entry: ScannedBookEntry): number {
    const pricePrecision = this.pricePrecision;
    const quantityPrecision = this.quantityPrecision;
    // A module variable is loaded once into a local: each use of one is a load and a check.
    const powers = POWERS_OF_TEN;
    let readable = true;
    for (let pass = 0; pass < 2 && readable; pass++) {
      const bid = pass === 0;
      const side = bid ? this.#bids : this.#asks;
      const offsets = bid ? entry.bids : entry.asks;
      const values = bid ? entry.bidValues : entry.askValues;
      const count = bid ? entry.bidCount : entry.askCount;
      for (let level = 0, at = 0; level < count; level++, at += 4) {
        // What scaledFromDigits does, inlined; anything it declines goes through the text.
        let priceHigh: number;
        let priceLow: number;
        const priceDecimals = values[at + 1]!;
        const price = priceDecimals >= 0 && priceDecimals <= pricePrecision ? values[at]! * powers[pricePrecision - priceDecimals]! : Number.NaN;
        if (price < Inline.Chunk) {
          priceHigh = 0;
          priceLow = price;
        } else if (price <= Number.MAX_SAFE_INTEGER ? scaledFromDigits(price, 0, 0) : parseScaled(source.text(), offsets[at]!, offsets[at + 1]!, pricePrecision)) {
          priceHigh = scaledResult.high;
          priceLow = scaledResult.low;
        } else {
          readable = false;
          break;
        }
        if (priceHigh === 0 && priceLow === 0) {
          readable = false;
          break;
        }
        let quantityHigh: number;
        let quantityLow: number;
        const quantityDecimals = values[at + 3]!;
        const quantity = quantityDecimals >= 0 && quantityDecimals <= quantityPrecision ? values[at + 2]! * powers[quantityPrecision - quantityDecimals]! : Number.NaN;
        if (quantity < Inline.Chunk) {
          quantityHigh = 0;
          quantityLow = quantity;
        } else if (quantity <= Number.MAX_SAFE_INTEGER ? scaledFromDigits(quantity, 0, 0) : parseScaled(source.text(), offsets[at + 2]!, offsets[at + 3]!, quantityPrecision)) {
          quantityHigh = scaledResult.high;
          quantityLow = scaledResult.low;
        } else {
          readable = false;
          break;
        }
        side.set(priceHigh, priceLow, quantityHigh, quantityLow);
      }
    }
    if (!readable) {
      this.truncate();
      return SCANNED_ENTRY_UNREADABLE;
    }
    const checksum = this.#kernel.truncateAndChecksum(this.#asks.handle, this.#bids.handle, this.depth);
    // `| 0`: Kraken's unsigned value as the signed one, so no heap number is made to pass it.
    return entry.checksum < 0 || checksum === (entry.checksum | 0) ? SCANNED_ENTRY_APPLIED : SCANNED_ENTRY_MISMATCH;
  }

  /**
   * The symbol Kraken writes in this book's messages (`BTC/USD`), for applyCompactUpdate. Without
   * it (or for a symbol that is not short ASCII) every update takes applyScannedEntry's path.
   */
  setWireSymbol(symbol: string): void {
    const area = kernelMessageArea();
    let ascii = symbol.length <= 60;
    for (let index = 0; index < symbol.length && ascii; index++) {
      const code = symbol.charCodeAt(index);
      ascii = code > 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c;
      area[index] = code;
    }
    this.#kernel.setSymbol(this.#asks.handle, ascii ? symbol.length : 0x7fffffff);
  }

  /**
   * An update message's bytes, read and applied by the book kernel in one call when it is
   * Kraken's compact layout for this book's symbol (setWireSymbol) with every number exact at the
   * book's precision: COMPACT_UPDATE_APPLIED or COMPACT_UPDATE_MISMATCH, the book changed as
   * applyScannedEntry would have changed it. COMPACT_UPDATE_DECLINED, nothing changed, for
   * anything else (the caller scans the message and uses applyScannedEntry). The message's
   * timestamp and checksum are then lastUpdateTime() and lastUpdateChecksum().
   */
  applyCompactUpdate(bytes: Uint8Array): number {
    const area = kernelMessageArea();
    const length = bytes.length;
    if (length + 16 > area.length) return COMPACT_UPDATE_DECLINED;
    area.set(bytes);
    area[length] = 0;
    return this.#kernel.applyCompactUpdate(length, this.#asks.handle, this.#bids.handle, this.pricePrecision, this.quantityPrecision, this.depth);
  }

  /** Kraken's timestamp (epoch ms) of the update applyCompactUpdate applied last; NaN when it had none. */
  lastUpdateTime(): number {
    return this.#kernel.lastUpdateTime();
  }

  /** The checksum the update applyCompactUpdate applied last carried (unsigned); -1 when it had none. */
  lastUpdateChecksum(): number {
    return this.#kernel.lastUpdateChecksum();
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
    return this.#updateChecksum() >>> 0;
  }

  /** Whether the book's checksum is `expected` (Kraken's unsigned 32-bit value, or the same bits as a signed one). */
  checksumMatches(expected: number): boolean {
    return this.#updateChecksum() === (expected | 0);
  }

  /** The checksum as a signed 32-bit integer (no heap number when it passes between calls). */
  #updateChecksum(): number {
    return this.#kernel.checksum(this.#asks.handle, this.#bids.handle);
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
