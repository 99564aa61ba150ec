import { crc32Scaled } from './crc32.js';
import { SCALE_CHUNK } from './scaled-decimal.js';

const CLEAN = 0x3fffffff;

/**
 * One side of an L2 book: price levels as two-part scaled integers (`high × 10^8 + low`, see
 * scaled-decimal.ts), best first, in parallel typed arrays. Bids are stored negated so both sides
 * sort ascending and share one binary search. Inserts and deletes shift with `copyWithin` (a
 * memmove); Kraken's updates land near the top, and even a full depth-1000 shift is a few kilobytes.
 */
export class BookSide {
  // Sort keys: the price for asks, minus the price for bids, compared as (high, low).
  #keyHigh: Float64Array;
  #keyLow: Int32Array;
  #quantityHigh: Float64Array;
  #quantityLow: Int32Array;
  #length = 0;
  readonly #sign: 1 | -1;
  // Lowest index changed since markClean(): levels above it keep their checksum contribution.
  #dirtyFrom = 0;

  constructor(
    readonly side: 'bid' | 'ask',
    initialCapacity = 16,
  ) {
    this.#sign = side === 'bid' ? -1 : 1;
    const capacity = Math.max(4, initialCapacity);
    this.#keyHigh = new Float64Array(capacity);
    this.#keyLow = new Int32Array(capacity);
    this.#quantityHigh = new Float64Array(capacity);
    this.#quantityLow = new Int32Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  clear(): void {
    this.#length = 0;
    this.#dirtyFrom = 0;
  }

  /** Lowest level index changed (set, inserted or deleted) since the last markClean(). */
  get dirtyFrom(): number {
    return this.#dirtyFrom;
  }

  markClean(): void {
    this.#dirtyFrom = CLEAN;
  }

  /** Scaled price at `index` (0 = best) as one number; exact below 2^53. */
  priceAt(index: number): number {
    return this.#sign * (this.#keyHigh[index]! * SCALE_CHUNK + this.#keyLow[index]!);
  }

  /** Scaled quantity at `index` (0 = best) as one number; exact below 2^53. */
  quantityAt(index: number): number {
    return this.#quantityHigh[index]! * SCALE_CHUNK + this.#quantityLow[index]!;
  }

  /** First index whose key is not below (keyHigh, keyLow). */
  #lowerBound(keyHigh: number, keyLow: number): number {
    const highs = this.#keyHigh;
    const lows = this.#keyLow;
    let first = 0;
    let last = this.#length;
    while (first < last) {
      const middle = (first + last) >>> 1;
      const high = highs[middle]!;
      if (high < keyHigh || (high === keyHigh && lows[middle]! < keyLow)) first = middle + 1;
      else last = middle;
    }
    return first;
  }

  /**
   * Sets a level to a new aggregate quantity (Kraken sends totals, not deltas); quantity 0 deletes
   * the level. Deleting a price that is not in the book is a no-op: Kraken may delete a level that
   * already scrolled out of the subscribed depth.
   */
  set(priceHigh: number, priceLow: number, quantityHigh: number, quantityLow: number): void {
    const keyHigh = this.#sign * priceHigh;
    const keyLow = this.#sign * priceLow;
    const index = this.#lowerBound(keyHigh, keyLow);
    const length = this.#length;
    const found = index < length && this.#keyHigh[index] === keyHigh && this.#keyLow[index] === keyLow;
    if (quantityHigh === 0 && quantityLow === 0) {
      if (!found) return;
      if (index < this.#dirtyFrom) this.#dirtyFrom = index;
      this.#keyHigh.copyWithin(index, index + 1, length);
      this.#keyLow.copyWithin(index, index + 1, length);
      this.#quantityHigh.copyWithin(index, index + 1, length);
      this.#quantityLow.copyWithin(index, index + 1, length);
      this.#length = length - 1;
      return;
    }
    if (index < this.#dirtyFrom) this.#dirtyFrom = index;
    if (!found) {
      if (length === this.#keyHigh.length) this.#grow();
      if (index < length) {
        this.#keyHigh.copyWithin(index + 1, index, length);
        this.#keyLow.copyWithin(index + 1, index, length);
        this.#quantityHigh.copyWithin(index + 1, index, length);
        this.#quantityLow.copyWithin(index + 1, index, length);
      }
      this.#keyHigh[index] = keyHigh;
      this.#keyLow[index] = keyLow;
      this.#length = length + 1;
    }
    this.#quantityHigh[index] = quantityHigh;
    this.#quantityLow[index] = quantityLow;
  }

  /** Drops the worst levels beyond `depth`: Kraken never sends deletes for levels that scroll out of range. */
  truncate(depth: number): void {
    if (this.#length > depth) this.#length = depth;
  }

  /** Feeds one level's price digits, then its quantity digits, into a running CRC-32. */
  feedLevel(crc: number, index: number): number {
    const sign = this.#sign;
    return crc32Scaled(crc32Scaled(crc, sign * this.#keyHigh[index]!, sign * this.#keyLow[index]!), this.#quantityHigh[index]!, this.#quantityLow[index]!);
  }

  #grow(): void {
    const capacity = this.#keyHigh.length * 2;
    const keyHigh = new Float64Array(capacity);
    const keyLow = new Int32Array(capacity);
    const quantityHigh = new Float64Array(capacity);
    const quantityLow = new Int32Array(capacity);
    keyHigh.set(this.#keyHigh);
    keyLow.set(this.#keyLow);
    quantityHigh.set(this.#quantityHigh);
    quantityLow.set(this.#quantityLow);
    this.#keyHigh = keyHigh;
    this.#keyLow = keyLow;
    this.#quantityHigh = quantityHigh;
    this.#quantityLow = quantityLow;
  }
}
