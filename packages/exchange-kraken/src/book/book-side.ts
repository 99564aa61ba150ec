import { ADVANCE_TABLES, crc32LevelContribution, levelDigits } from './crc32.js';

/*
 * The store's layout and the search's limits as a const enum: the build inlines their values as
 * literals, where a module-level `const` becomes a variable the optimizing compiler loads and
 * checks on every use.
 *
 * Six doubles per level in one buffer: the sort key as one number (Key), the same key exactly in
 * two parts (KeyHigh, KeyLow), the quantity in two parts (QuantityHigh, QuantityLow), and in the
 * sixth, read through an Int32Array over the same buffer, the level's checksum contribution
 * (Contribution: what its digits feed into a zero CRC register) and its digit count (Digits, -1
 * while not worked out; see crc32Advance in crc32.ts): integers the checksum reads without
 * converting a double. One buffer, so moving levels is one copyWithin for all their numbers.
 */
const enum Layout {
  Stride = 6,
  Key = 0,
  KeyHigh = 1,
  KeyLow = 2,
  QuantityHigh = 3,
  QuantityLow = 4,
  /** Int32 entries per level in the view over the same buffer; the last two are the sixth double's. */
  IntStride = 12,
  Contribution = 10,
  Digits = 11,
  /**
   * Levels from the best whose contribution is worked out as soon as they are set or scroll in:
   * the ten Kraken's checksum covers (CHECKSUM_LEVELS in l2-book.ts), fed on every message.
   * Deeper levels are worked out when first fed.
   */
  EagerLevels = 10,
  /** `dirtyFrom` when nothing changed since markClean(). */
  Clean = 0x3fffffff,
  /** Levels below this many from the top are found by walking down from the best one. */
  LinearSearchLevels = 32,
  /** 10^8, the base of the two parts (SCALE_CHUNK in scaled-decimal.ts). */
  Chunk = 100_000_000,
  /** Above this, a key as one number is rounded, and equal keys are told apart by their two parts (2^53 - 1). */
  ExactKeyLimit = 9_007_199_254_740_991,
}

/**
 * One side of an L2 book: price levels as two-part scaled integers (`high × 10^8 + low`, see
 * scaled-decimal.ts; both parts are exact in a double), five numbers and two checksum integers
 * per level in one buffer (see Layout). Bids are stored negated so both
 * sides sort ascending (best first) and share one search. Each level also keeps its key as one number, `high × 10^8 + low`, exact below 2^53 and
 * rounded (but still in order) above: a search compares one number per level, and only when two
 * such numbers are equal beyond 2^53 does it compare the two parts.
 *
 * Kraken's updates land near the top of the book, so the levels are stored best *last*, in the
 * middle of a buffer with room on both ends: an insert or delete near the top moves only the few
 * levels above it, a level added at the bottom takes the free slot below the worst, and dropping
 * levels beyond the subscribed depth just moves the start. When one end runs out of room the
 * block is moved back to the middle (or the buffer doubles), which a long run pays rarely.
 */
export class BookSide {
  #store: Float64Array;
  /** The store's buffer as integers: contribution and digit count per slot (see Layout). */
  #checksums: Int32Array;
  /** Slot of the worst level; the best is at `#start + #length - 1`. */
  #start: number;
  #length = 0;
  readonly #sign: 1 | -1;
  // Lowest index changed since markClean(): levels above it keep their checksum contribution.
  #dirtyFrom = 0;
  // The run over the top ten levels (see updateTopRun): register and digit count before each level.
  readonly #topStates = new Int32Array(Layout.EagerLevels + 1);
  readonly #topLengths = new Int32Array(Layout.EagerLevels + 1);
  /** The register after the top ten levels (or all, when fewer), as of the last updateTopRun(). */
  topRegister: number;
  /** How many digits the top ten levels feed, as of the last updateTopRun(). */
  topDigits = 0;

  /**
   * `runStart` is the register the run over the top ten levels starts from (see updateTopRun):
   * the CRC's initial register for the side whose digits come first, 0 for one joined after it.
   */
  constructor(
    readonly side: 'bid' | 'ask',
    initialCapacity = 16,
    runStart = 0,
  ) {
    this.#sign = side === 'bid' ? -1 : 1;
    this.#topStates[0] = runStart;
    this.topRegister = runStart;
    // Twice the expected levels: room to add at the top and at the bottom without moving the block.
    const capacity = 2 * Math.max(4, initialCapacity);
    this.#store = new Float64Array(capacity * Layout.Stride);
    this.#checksums = new Int32Array(this.#store.buffer);
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
    this.#dirtyFrom = Layout.Clean;
  }

  #capacity(): number {
    return this.#store.length / Layout.Stride;
  }

  /** Slot of the level at `index` (0 = best). */
  #slot(index: number): number {
    return this.#start + this.#length - 1 - index;
  }

  /** Scaled price at `index` (0 = best) as one number; exact below 2^53. */
  priceAt(index: number): number {
    const at = this.#slot(index) * Layout.Stride;
    return this.#sign * (this.#store[at + Layout.KeyHigh]! * Layout.Chunk + this.#store[at + Layout.KeyLow]!);
  }

  /** Scaled quantity at `index` (0 = best) as one number; exact below 2^53. */
  quantityAt(index: number): number {
    const at = this.#slot(index) * Layout.Stride;
    return this.#store[at + Layout.QuantityHigh]! * Layout.Chunk + this.#store[at + Layout.QuantityLow]!;
  }

  /**
   * Sets a level to a new aggregate quantity (Kraken sends totals, not deltas); quantity 0 deletes
   * the level. Deleting a price that is not in the book is a no-op: Kraken may delete a level that
   * already scrolled out of the subscribed depth.
   */
  set(priceHigh: number, priceLow: number, quantityHigh: number, quantityLow: number): void {
    const sign = this.#sign;
    const keyHigh = sign * priceHigh;
    const keyLow = sign * priceLow;
    const key = sign * (priceHigh * Layout.Chunk + priceLow);
    const exact = key <= Layout.ExactKeyLimit && key >= -Layout.ExactKeyLimit;
    const store = this.#store;
    const length = this.#length;
    const start = this.#start;
    const top = start + length - 1;
    // The level's index (0 = best) and slot: the first level whose key is not below the sought one.
    let index = 0;
    let slot = top;
    const worstKey = store[start * Layout.Stride]!;
    if (length > Layout.LinearSearchLevels && (worstKey < key || (worstKey === key && !exact && this.#below(start, keyHigh, keyLow)))) {
      // Below the worst level: a level scrolling into range at the bottom, sent with a delete.
      index = length;
      slot = start - 1;
    } else {
      // Near the top, where Kraken's updates land: walk down from the best level.
      const linear = length < Layout.LinearSearchLevels ? length : Layout.LinearSearchLevels;
      while (index < linear && store[slot * Layout.Stride]! < key) {
        index++;
        slot--;
      }
      if (!exact) {
        while (index < linear && store[slot * Layout.Stride] === key && this.#below(slot, keyHigh, keyLow)) {
          index++;
          slot--;
        }
      }
      if (index === linear && linear < length) {
        // Between: a binary search.
        let first = linear;
        let last = length;
        while (first < last) {
          const middle = (first + last) >>> 1;
          const middleKey = store[(top - middle) * Layout.Stride]!;
          if (middleKey < key || (middleKey === key && !exact && this.#below(top - middle, keyHigh, keyLow))) first = middle + 1;
          else last = middle;
        }
        index = first;
        slot = top - first;
      }
    }
    const at = slot * Layout.Stride;
    const found = index < length && store[at + Layout.KeyLow] === keyLow && store[at + Layout.KeyHigh] === keyHigh;
    if (quantityHigh === 0 && quantityLow === 0) {
      if (!found) return;
      if (index < this.#dirtyFrom) this.#dirtyFrom = index;
      // Removes the level, moving whichever part of the book is smaller.
      if (index <= length - 1 - index) this.#move(slot + 1, slot, index);
      else {
        this.#move(start, start + 1, length - 1 - index);
        this.#start = start + 1;
      }
      this.#length = length - 1;
      if (index < Layout.EagerLevels && length > Layout.EagerLevels) {
        // The level that was eleventh is now tenth: fed on the next checksum.
        const scrolledIn = this.#slot(Layout.EagerLevels - 1);
        if (this.#checksums[scrolledIn * Layout.IntStride + Layout.Digits]! < 0) this.#workOutContribution(scrolledIn);
      }
      return;
    }
    if (index < this.#dirtyFrom) this.#dirtyFrom = index;
    if (!found) slot = this.#insert(index, slot, key, keyHigh, keyLow);
    const levels = this.#store;
    const offset = slot * Layout.Stride;
    levels[offset + Layout.QuantityHigh] = quantityHigh;
    levels[offset + Layout.QuantityLow] = quantityLow;
    // Worked out now for the levels the checksum feeds on every message: measured about 20 ns a
    // message faster than working them out in the checksum's loop (replaying the book benchmark).
    if (index < Layout.EagerLevels) this.#workOutContribution(slot);
    else this.#checksums[slot * Layout.IntStride + Layout.Digits] = -1;
  }

  /** Whether the level in `slot`, whose key as one number equals the sought one, is below (keyHigh, keyLow). */
  #below(slot: number, keyHigh: number, keyLow: number): boolean {
    const at = slot * Layout.Stride;
    const high = this.#store[at + Layout.KeyHigh]!;
    return high < keyHigh || (high === keyHigh && this.#store[at + Layout.KeyLow]! < keyLow);
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
   * then its quantity digits: `states[from]` is the register before level `from` and
   * `lengths[from]` the digits fed before it; the register and digit count after each level `i`
   * are written to `states[i + 1]` and `lengths[i + 1]`. Returns the last register.
   */
  feedLevels(states: Int32Array, lengths: Int32Array, from: number, to: number): number {
    const checksums = this.#checksums;
    const tables = ADVANCE_TABLES;
    let crc = states[from]!;
    let length = lengths[from]!;
    let at = this.#slot(from) * Layout.IntStride;
    for (let index = from; index < to; index++, at -= Layout.IntStride) {
      let digits = checksums[at + Layout.Digits]!;
      if (digits < 0) digits = this.#workOutContribution(this.#slot(index));
      // crc32Advance(crc, digits), inlined: a level's digits always have a direct table.
      const base = digits << 10;
      crc =
        tables[base + (crc & 0xff)]! ^
        tables[base + 256 + ((crc >>> 8) & 0xff)]! ^
        tables[base + 512 + ((crc >>> 16) & 0xff)]! ^
        tables[base + 768 + (crc >>> 24)]! ^
        checksums[at + Layout.Contribution]!;
      length += digits;
      states[index + 1] = crc;
      lengths[index + 1] = length;
    }
    return crc;
  }

  /**
   * Brings the run over the top ten levels (the ones Kraken's checksum covers) up to date:
   * fed again from the first level changed since markClean(), then marked clean. Its register
   * and digit count are then in topRegister and topDigits.
   */
  updateTopRun(): void {
    const dirty = this.#dirtyFrom;
    if (dirty >= Layout.EagerLevels) return;
    const top = this.#length < Layout.EagerLevels ? this.#length : Layout.EagerLevels;
    const lengths = this.#topLengths;
    this.topRegister = this.feedLevels(this.#topStates, lengths, dirty < top ? dirty : top, top);
    this.topDigits = lengths[top]!;
    this.#dirtyFrom = Layout.Clean;
  }

  /** Works out and stores the contribution and digit count of the level in `slot`; returns the count. */
  #workOutContribution(slot: number): number {
    const store = this.#store;
    const sign = this.#sign;
    const offset = slot * Layout.Stride;
    const contribution = crc32LevelContribution(
      sign * store[offset + Layout.KeyHigh]!,
      sign * store[offset + Layout.KeyLow]!,
      store[offset + Layout.QuantityHigh]!,
      store[offset + Layout.QuantityLow]!,
    );
    const digits = levelDigits.count;
    const at = slot * Layout.IntStride;
    this.#checksums[at + Layout.Contribution] = contribution;
    this.#checksums[at + Layout.Digits] = digits;
    return digits;
  }

  /**
   * Makes room for a new level at `index` (0 = best; `slot` is the slot the level at `index` has
   * now, or the slot below the worst when `index` is the length) with the given key; returns its
   * slot.
   */
  #insert(index: number, slot: number, key: number, keyHigh: number, keyLow: number): number {
    // The `above` better levels move up one slot, or the `below` worse ones down, whichever are fewer.
    const up = index <= this.#length - index;
    if (up ? this.#start + this.#length === this.#capacity() : this.#start === 0) {
      // No room on that end (rare): the block moves back to the middle first.
      this.#recenter();
      slot = this.#slot(index);
    }
    let target = slot;
    if (up) {
      // The new level takes the slot the better levels leave.
      target = slot + 1;
      this.#move(target, target + 1, index);
    } else {
      // The new level takes the slot of the one at `index`.
      this.#move(this.#start, this.#start - 1, this.#length - index);
      this.#start--;
    }
    this.#length++;
    const store = this.#store;
    const at = target * Layout.Stride;
    store[at + Layout.Key] = key;
    store[at + Layout.KeyHigh] = keyHigh;
    store[at + Layout.KeyLow] = keyLow;
    return target;
  }

  /**
   * Moves `count` levels from slot `from` to slot `to` (overlapping ranges are fine): one
   * copyWithin (a memmove) for their numbers and checksum integers alike, which share the buffer.
   */
  #move(from: number, to: number, count: number): void {
    if (count === 0) return;
    this.#store.copyWithin(to * Layout.Stride, from * Layout.Stride, (from + count) * Layout.Stride);
  }

  /** Moves the levels to the middle of the buffer, doubling it first when they fill more than half. */
  #recenter(): void {
    let capacity = this.#capacity();
    const length = this.#length;
    const first = this.#start;
    if (length * 2 > capacity) {
      capacity *= 2;
      const start = (capacity - length) >> 1;
      const grown = new Float64Array(capacity * Layout.Stride);
      // Same element type: copied bit for bit (the checksum integers in the sixth doubles too).
      grown.set(this.#store.subarray(first * Layout.Stride, (first + length) * Layout.Stride), start * Layout.Stride);
      this.#store = grown;
      this.#checksums = new Int32Array(grown.buffer);
      this.#start = start;
      return;
    }
    const start = (capacity - length) >> 1;
    this.#store.copyWithin(start * Layout.Stride, first * Layout.Stride, (first + length) * Layout.Stride);
    this.#start = start;
  }
}
