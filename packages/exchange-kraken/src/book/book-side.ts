import { crc32Advance, crc32Scaled, scaledDigitCount } from './crc32.js';
import { SCALE_CHUNK } from './scaled-decimal.js';

const CLEAN = 0x3fffffff;
/**
 * Numbers per level in the store: sort key (high, low), quantity (high, low), then the level's
 * checksum contribution (what its digits feed into a zero CRC register; NaN until first needed)
 * and its digit count (see crc32Advance).
 */
const STRIDE = 6;
/** Levels below this many from the top are found by walking down from the best one. */
const LINEAR_SEARCH_LEVELS = 8;
/** Shifts of up to this many levels are done in a loop: cheaper than a copyWithin call. */
const SHORT_SHIFT_LEVELS = 16;

/**
 * One side of an L2 book: price levels as two-part scaled integers (`high × 10^8 + low`, see
 * scaled-decimal.ts; both parts are exact in a double), six numbers per level in one
 * Float64Array. Bids are stored negated so both sides sort ascending (best first) and share one
 * search.
 *
 * Kraken's updates land near the top of the book, so the levels are stored best *last*, in the
 * middle of a buffer with room on both ends: an insert or delete near the top moves only the few
 * levels above it, a level added at the bottom takes the free slot below the worst, and dropping
 * levels beyond the subscribed depth just moves the start. When one end runs out of room the
 * block is moved back to the middle (or the buffer doubles), which a long run pays rarely.
 */
export class BookSide {
  #store: Float64Array;
  /** Slot of the worst level; the best is at `#start + #length - 1`. */
  #start: number;
  #length = 0;
  readonly #sign: 1 | -1;
  // Lowest index changed since markClean(): levels above it keep their checksum contribution.
  #dirtyFrom = 0;

  constructor(
    readonly side: 'bid' | 'ask',
    initialCapacity = 16,
  ) {
    this.#sign = side === 'bid' ? -1 : 1;
    // Twice the expected levels: room to add at the top and at the bottom without moving the block.
    const capacity = 2 * Math.max(4, initialCapacity);
    this.#store = new Float64Array(capacity * STRIDE);
    this.#start = capacity >> 1;
  }

  get length(): number {
    return this.#length;
  }

  clear(): void {
    this.#length = 0;
    this.#start = this.#capacity() >> 1;
    this.#dirtyFrom = 0;
  }

  /** Lowest level index changed (set, inserted or deleted) since the last markClean(). */
  get dirtyFrom(): number {
    return this.#dirtyFrom;
  }

  markClean(): void {
    this.#dirtyFrom = CLEAN;
  }

  #capacity(): number {
    return this.#store.length / STRIDE;
  }

  /** Offset in the store of the level at `index` (0 = best). */
  #offset(index: number): number {
    return (this.#start + this.#length - 1 - index) * STRIDE;
  }

  /** Scaled price at `index` (0 = best) as one number; exact below 2^53. */
  priceAt(index: number): number {
    const at = this.#offset(index);
    return this.#sign * (this.#store[at]! * SCALE_CHUNK + this.#store[at + 1]!);
  }

  /** Scaled quantity at `index` (0 = best) as one number; exact below 2^53. */
  quantityAt(index: number): number {
    const at = this.#offset(index);
    return this.#store[at + 2]! * SCALE_CHUNK + this.#store[at + 3]!;
  }

  /** The index (0 = best) of the first level whose key is not below (keyHigh, keyLow). */
  #lowerBound(keyHigh: number, keyLow: number): number {
    const store = this.#store;
    const length = this.#length;
    const top = (this.#start + length - 1) * STRIDE;
    // Near the top, where Kraken's updates land: walk down from the best level.
    const linear = length < LINEAR_SEARCH_LEVELS ? length : LINEAR_SEARCH_LEVELS;
    for (let index = 0; index < linear; index++) {
      const at = top - index * STRIDE;
      const high = store[at]!;
      if (high > keyHigh || (high === keyHigh && store[at + 1]! >= keyLow)) return index;
    }
    // Below the worst level: a level scrolling into range at the bottom.
    const worst = this.#start * STRIDE;
    const worstHigh = store[worst]!;
    if (worstHigh < keyHigh || (worstHigh === keyHigh && store[worst + 1]! < keyLow)) return length;
    // Gallop down (16, 32, 64, …) to a range that holds it, then search that range.
    let first = linear;
    let last = linear * 2;
    while (last < length) {
      const at = top - last * STRIDE;
      const high = store[at]!;
      if (high > keyHigh || (high === keyHigh && store[at + 1]! >= keyLow)) break;
      first = last + 1;
      last *= 2;
    }
    if (last > length) last = length;
    while (first < last) {
      const middle = (first + last) >>> 1;
      const at = top - middle * STRIDE;
      const high = store[at]!;
      if (high < keyHigh || (high === keyHigh && store[at + 1]! < keyLow)) first = middle + 1;
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
    let at = this.#offset(index);
    const found = index < length && this.#store[at] === keyHigh && this.#store[at + 1] === keyLow;
    if (quantityHigh === 0 && quantityLow === 0) {
      if (!found) return;
      if (index < this.#dirtyFrom) this.#dirtyFrom = index;
      this.#remove(index);
      return;
    }
    if (index < this.#dirtyFrom) this.#dirtyFrom = index;
    if (!found) at = this.#insert(index, keyHigh, keyLow);
    const store = this.#store;
    store[at + 2] = quantityHigh;
    store[at + 3] = quantityLow;
    store[at + 4] = Number.NaN;
  }

  /** Drops the worst levels beyond `depth`: Kraken never sends deletes for levels that scroll out of range. */
  truncate(depth: number): void {
    if (this.#length > depth) {
      this.#start += this.#length - depth;
      this.#length = depth;
    }
  }

  /**
   * Feeds levels `from` to `to - 1` (0 = best) into a running CRC-32, each level's price digits
   * then its quantity digits: `states[from]` is the register before level `from`, and the
   * register after each level `i` is written to `states[i + 1]`. Returns the last register.
   */
  feedLevels(states: Int32Array, from: number, to: number): number {
    const store = this.#store;
    let crc = states[from]!;
    let at = this.#offset(from);
    for (let index = from; index < to; index++, at -= STRIDE) {
      let contribution = store[at + 4]!;
      if (contribution !== contribution) contribution = this.#contribution(at);
      crc = crc32Advance(crc, store[at + 5]!) ^ contribution;
      states[index + 1] = crc;
    }
    return crc;
  }

  /** Works out and stores what the level at store offset `at` feeds into a zero register, and its digit count. */
  #contribution(at: number): number {
    const store = this.#store;
    const sign = this.#sign;
    const priceHigh = sign * store[at]!;
    const priceLow = sign * store[at + 1]!;
    const quantityHigh = store[at + 2]!;
    const quantityLow = store[at + 3]!;
    const contribution = crc32Scaled(crc32Scaled(0, priceHigh, priceLow), quantityHigh, quantityLow);
    store[at + 4] = contribution;
    store[at + 5] = scaledDigitCount(priceHigh, priceLow) + scaledDigitCount(quantityHigh, quantityLow);
    return contribution;
  }

  /** Makes room for a new level at `index` (0 = best) with the given key; returns its store offset. */
  #insert(index: number, keyHigh: number, keyLow: number): number {
    const above = index; // levels better than the new one
    const below = this.#length - index;
    let end = this.#start + this.#length; // first slot past the best level
    if (above <= below) {
      if (end === this.#capacity()) {
        this.#recenter();
        end = this.#start + this.#length;
      }
      // The `above` better levels move up one slot; the new level takes the slot they leave.
      this.#move(end - above, end - above + 1, above);
      this.#length++;
    } else {
      if (this.#start === 0) {
        this.#recenter();
        end = this.#start + this.#length;
      }
      // The `below` worse levels move down one slot.
      this.#move(this.#start, this.#start - 1, below);
      this.#start--;
      this.#length++;
    }
    const at = this.#offset(index);
    this.#store[at] = keyHigh;
    this.#store[at + 1] = keyLow;
    return at;
  }

  /** Removes the level at `index`, moving whichever part of the book is smaller. */
  #remove(index: number): void {
    const above = index;
    const below = this.#length - index - 1;
    const slot = this.#start + this.#length - 1 - index;
    if (above <= below) this.#move(slot + 1, slot, above);
    else {
      this.#move(this.#start, this.#start + 1, below);
      this.#start++;
    }
    this.#length--;
  }

  /** Moves `count` levels from slot `from` to slot `to` (overlapping ranges are fine). */
  #move(from: number, to: number, count: number): void {
    if (count === 0) return;
    const store = this.#store;
    if (count > SHORT_SHIFT_LEVELS) {
      store.copyWithin(to * STRIDE, from * STRIDE, (from + count) * STRIDE);
      return;
    }
    const source = from * STRIDE;
    const target = to * STRIDE;
    const size = count * STRIDE;
    if (target > source) for (let offset = size - 1; offset >= 0; offset--) store[target + offset] = store[source + offset]!;
    else for (let offset = 0; offset < size; offset++) store[target + offset] = store[source + offset]!;
  }

  /** Moves the levels to the middle of the buffer, doubling it first when they fill more than half. */
  #recenter(): void {
    let capacity = this.#capacity();
    const length = this.#length;
    if (length * 2 > capacity) {
      capacity *= 2;
      const grown = new Float64Array(capacity * STRIDE);
      const start = (capacity - length) >> 1;
      grown.set(this.#store.subarray(this.#start * STRIDE, (this.#start + length) * STRIDE), start * STRIDE);
      this.#store = grown;
      this.#start = start;
      return;
    }
    const start = (capacity - length) >> 1;
    this.#store.copyWithin(start * STRIDE, this.#start * STRIDE, (this.#start + length) * STRIDE);
    this.#start = start;
  }
}
