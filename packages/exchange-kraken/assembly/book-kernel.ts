/*
 * The L2 book's sides and Kraken's checksum over them, in WebAssembly (AssemblyScript, compiled by
 * scripts/build-book-kernel.mjs into src/book/kernel/book-kernel-wasm.ts), and the busiest
 * message, a compact `book` update, read and applied in one call (applyCompactUpdate, at the
 * end). In JavaScript the same work cost V8's type checks, tagging and bounds checks, and the
 * scanner and the book interfered (bench/README.md, session 21; the decision record
 * docs/decisions/2026-11-27-book-kernel-webassembly.md).
 *
 * src/book/book-side.ts (a side's handle) documents the data structure; src/book/l2-book.ts
 * calls the rest. Over raw memory:
 *
 * - A side is a block of SIDE_BYTES at a handle, with its levels in a separate store of STRIDE
 *   bytes a level: the sort key as one number, the key exactly in two parts, the quantity in two
 *   parts (f64 each), then the level's checksum contribution and digit count (i32; the count is
 *   -1 while not worked out).
 * - Levels are stored best last, in the middle of the store; an insert or delete moves the
 *   fewer levels on its side; bids are stored negated so both sides sort ascending.
 * - Memory is allocated with the runtime's heap (TLSF). JavaScript reads none of it and writes
 *   only the message area (messageAddress), through a view it makes again after memory.grow.
 */

// ------------------------------------------------------------------ layout

/** Bytes per level in a store. */
const STRIDE: i32 = 48;
const KEY: i32 = 0;
const KEY_HIGH: i32 = 8;
const KEY_LOW: i32 = 16;
const QUANTITY_HIGH: i32 = 24;
const QUANTITY_LOW: i32 = 32;
const CONTRIBUTION: i32 = 40;
const DIGITS: i32 = 44;

/** A side's fields, as byte offsets from its handle. */
const SIDE_STORE: i32 = 0;
const SIDE_CAPACITY: i32 = 4;
const SIDE_START: i32 = 8;
const SIDE_LENGTH: i32 = 12;
const SIDE_SIGN: i32 = 16;
const SIDE_DIRTY_FROM: i32 = 20;
const SIDE_TOP_REGISTER: i32 = 24;
const SIDE_TOP_DIGITS: i32 = 28;
/** The run's register before each of the top ten levels and after the last (11 i32). */
const SIDE_STATES: i32 = 32;
/** The digits fed before each of the top ten levels and after the last (11 i32). */
const SIDE_LENGTHS: i32 = 76;
/** The ask side's join of the two runs (see checksum): its inputs, its value and the checksum. */
const SIDE_JOINED_REGISTER: i32 = 120;
const SIDE_JOINED_DIGITS: i32 = 124;
const SIDE_JOINED: i32 = 128;
const SIDE_CHECKSUM: i32 = 132;
/** The book's symbol as Kraken writes it (on the ask side; see setSymbol): its length, then its bytes. */
const SIDE_SYMBOL_LENGTH: i32 = 136;
const SIDE_SYMBOL: i32 = 140;
const SYMBOL_CAPACITY: i32 = 60;
const SIDE_BYTES: i32 = 200;

/** Levels Kraken's checksum covers; their contributions are worked out as soon as they are set. */
const EAGER_LEVELS: i32 = 10;
/** The dirty-from index when nothing changed since the run was last brought up to date. */
const CLEAN: i32 = 0x3fffffff;
/** Levels below this many from the top are found by walking down from the best one. */
const LINEAR_SEARCH_LEVELS: i32 = 32;
/** 10^8, the base of the two parts. */
const CHUNK: f64 = 100_000_000;
/** Above this, a key as one number is rounded, and equal keys are told apart by their two parts. */
const EXACT_KEY_LIMIT: f64 = 9_007_199_254_740_991;

// ------------------------------------------------------------------ CRC-32 tables

/** The slicing tables of the IEEE polynomial (reflected): four of 256 i32, one per byte of a word. */
let byteTables: usize = 0;
/**
 * advance by n zero bytes for n < 64, one table of 512 bytes each: eight nibble positions × 16
 * i32. Eight lookups a step where byte tables take four, but a book's few digit counts then stay
 * in the L1 cache together (ten 4 KB byte tables did not: bench/README.md).
 */
let directTables: usize = 0;
/** advance by 64·q zero bytes for q = 1 … 32, nibble tables as above. */
let multipleTables: usize = 0;
/** The ASCII bytes of 00 … 99, first digit in the lower byte (100 u16). */
let digitPairs: usize = 0;

const NIBBLE_TABLE_BYTES: i32 = 512;

@inline function step(crc: i32): i32 {
  return load<i32>(byteTables + (<usize>(crc & 0xff) << 2)) ^ (crc >>> 8);
}

/** The register `crc` advanced through a nibble table (eight lookups, independent of each other). */
@inline function advanceThrough(table: usize, crc: i32): i32 {
  return (
    load<i32>(table + (<usize>(crc & 15) << 2)) ^
    load<i32>(table + 64 + (<usize>((crc >>> 4) & 15) << 2)) ^
    load<i32>(table + 128 + (<usize>((crc >>> 8) & 15) << 2)) ^
    load<i32>(table + 192 + (<usize>((crc >>> 12) & 15) << 2)) ^
    load<i32>(table + 256 + (<usize>((crc >>> 16) & 15) << 2)) ^
    load<i32>(table + 320 + (<usize>((crc >>> 20) & 15) << 2)) ^
    load<i32>(table + 384 + (<usize>((crc >>> 24) & 15) << 2)) ^
    load<i32>(table + 448 + (<usize>(crc >>> 28) << 2))
  );
}

/** The register after `length` zero bytes. */
function advance(crc: i32, length: i32): i32 {
  let multiples = length >>> 6;
  while (multiples > 32) {
    crc = advanceThrough(multipleTables + 31 * NIBBLE_TABLE_BYTES, crc);
    multiples -= 32;
  }
  if (multiples > 0) crc = advanceThrough(multipleTables + <usize>((multiples - 1) * NIBBLE_TABLE_BYTES), crc);
  return advanceThrough(directTables + <usize>((length & 63) * NIBBLE_TABLE_BYTES), crc);
}

/** Builds the tables once; later calls do nothing. */
function init(): void {
  if (byteTables != 0) return;
  byteTables = heap.alloc(4096);
  for (let index = 0; index < 256; index++) {
    let value = <u32>index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    store<i32>(byteTables + (<usize>index << 2), <i32>value);
  }
  for (let table = 1; table < 4; table++) {
    for (let index = 0; index < 256; index++) {
      const previous = load<i32>(byteTables + (<usize>(table - 1) << 10) + (<usize>index << 2));
      store<i32>(byteTables + (<usize>table << 10) + (<usize>index << 2), step(previous));
    }
  }
  directTables = heap.alloc(64 * NIBBLE_TABLE_BYTES);
  for (let position = 0; position < 8; position++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let value = nibble << (4 * position);
      for (let length = 0; length < 64; length++) {
        store<i32>(directTables + <usize>(length * NIBBLE_TABLE_BYTES) + (<usize>position << 6) + (<usize>nibble << 2), value);
        value = step(value);
      }
    }
  }
  multipleTables = heap.alloc(32 * NIBBLE_TABLE_BYTES);
  // 64 bytes: one step, then the direct table of 63. Each later multiple is the one before
  // advanced by 64 more, once that first table is whole.
  for (let entry = 0; entry < 128; entry++) {
    const value = (entry & 15) << (4 * (entry >>> 4));
    store<i32>(multipleTables + (<usize>entry << 2), advanceThrough(directTables + 63 * NIBBLE_TABLE_BYTES, step(value)));
  }
  for (let multiple = 2; multiple <= 32; multiple++) {
    const table = multipleTables + <usize>((multiple - 1) * NIBBLE_TABLE_BYTES);
    for (let entry = 0; entry < 128; entry++) {
      store<i32>(table + (<usize>entry << 2), advanceThrough(multipleTables, load<i32>(table - NIBBLE_TABLE_BYTES + (<usize>entry << 2))));
    }
  }
  digitPairs = heap.alloc(200);
  for (let value = 0; value < 100; value++) store<u16>(digitPairs + (<usize>value << 1), <u16>((48 + value / 10) | ((48 + (value % 10)) << 8)));
}

// ------------------------------------------------------------------ a level's contribution

/** How many digits the feeds below fed since it was last set to 0. */
let fedDigits: i32 = 0;

/**
 * Feeds `count` (1 to 4) bytes at once, the first in the lowest byte of `bytes`: slicing-by-n,
 * one lookup per byte, all of them independent.
 */
@inline function feedBytes(crc: i32, bytes: u32, count: i32): i32 {
  const word = <u32>crc ^ bytes;
  const tables = byteTables;
  fedDigits += count;
  if (count == 4) {
    return (
      load<i32>(tables + 3072 + (<usize>(word & 0xff) << 2)) ^
      load<i32>(tables + 2048 + (<usize>((word >>> 8) & 0xff) << 2)) ^
      load<i32>(tables + 1024 + (<usize>((word >>> 16) & 0xff) << 2)) ^
      load<i32>(tables + (<usize>(word >>> 24) << 2))
    );
  }
  if (count == 3) {
    return (
      (crc >>> 24) ^
      load<i32>(tables + 2048 + (<usize>(word & 0xff) << 2)) ^
      load<i32>(tables + 1024 + (<usize>((word >>> 8) & 0xff) << 2)) ^
      load<i32>(tables + (<usize>((word >>> 16) & 0xff) << 2))
    );
  }
  if (count == 2) return (crc >>> 16) ^ load<i32>(tables + 1024 + (<usize>(word & 0xff) << 2)) ^ load<i32>(tables + (<usize>((word >>> 8) & 0xff) << 2));
  return (crc >>> 8) ^ load<i32>(tables + (<usize>(word & 0xff) << 2));
}

/** The ASCII bytes of 0 ≤ quad < 10^4 zero-padded to four digits, first digit in the lowest byte. */
@inline function quadBytes(quad: u32): u32 {
  const high = quad / 100;
  return <u32>load<u16>(digitPairs + (<usize>high << 1)) | (<u32>load<u16>(digitPairs + (<usize>(quad - high * 100) << 1)) << 16);
}

/** Feeds the digits of 1 ≤ value < 10^4, without leading zeros. */
function feedSmall(crc: i32, value: u32): i32 {
  const count = value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : 4;
  // The quad's bytes with its leading zeros shifted out.
  return feedBytes(crc, quadBytes(value) >>> (32 - 8 * count), count);
}

/** Feeds the digits of 0 ≤ value < 10^8: zero-padded to 8 when `padded`, else without leading zeros (none for 0). */
function feedChunk(crc: i32, value: u32, padded: bool): i32 {
  const high = value / 10_000;
  const low = value - high * 10_000;
  if (padded) return feedBytes(feedBytes(crc, quadBytes(high), 4), quadBytes(low), 4);
  if (high == 0) return low == 0 ? crc : feedSmall(crc, low);
  return feedBytes(feedSmall(crc, high), quadBytes(low), 4);
}

/** Feeds the digits of a non-negative integer, without leading zeros. */
function feedInteger(crc: i32, value: u64): i32 {
  if (value < 100_000_000) return feedChunk(crc, <u32>value, false);
  const high = value / 100_000_000;
  return feedChunk(feedInteger(crc, high), <u32>(value - high * 100_000_000), true);
}

/**
 * Feeds the digits of `high × 10^8 + low` without leading zeros (none for 0): the low part is
 * zero-padded to eight digits once a high part precedes it.
 */
@inline function feedScaled(crc: i32, high: f64, low: f64): i32 {
  if (high == 0) return feedChunk(crc, <u32>low, false);
  return feedChunk(feedInteger(crc, <u64>high), <u32>low, true);
}

/** Works out and stores the contribution and digit count of the level at `at`; returns the count. */
function workOutContribution(sign: f64, at: usize): i32 {
  fedDigits = 0;
  let crc = feedScaled(0, sign * load<f64>(at + KEY_HIGH), sign * load<f64>(at + KEY_LOW));
  crc = feedScaled(crc, load<f64>(at + QUANTITY_HIGH), load<f64>(at + QUANTITY_LOW));
  store<i32>(at + CONTRIBUTION, crc);
  store<i32>(at + DIGITS, fedDigits);
  return fedDigits;
}

/** The contribution of a level (0 = best), worked out first if it is not yet. */
export function levelContribution(side: usize, index: i32): i32 {
  const at = levelAt(side, index);
  if (load<i32>(at + DIGITS) < 0) workOutContribution(sign(side), at);
  return load<i32>(at + CONTRIBUTION);
}

/** The digit count of a level (0 = best), worked out first if it is not yet. */
export function levelDigitCount(side: usize, index: i32): i32 {
  const at = levelAt(side, index);
  return load<i32>(at + DIGITS) < 0 ? workOutContribution(sign(side), at) : load<i32>(at + DIGITS);
}

// ------------------------------------------------------------------ sides

@inline function sign(side: usize): f64 {
  return <f64>load<i32>(side + SIDE_SIGN);
}

/** The address of the level in `slot`. */
@inline function slotAt(side: usize, slot: i32): usize {
  return load<usize>(side + SIDE_STORE) + <usize>(slot * STRIDE);
}

/** The address of the level at `index` (0 = best). */
@inline function levelAt(side: usize, index: i32): usize {
  return slotAt(side, load<i32>(side + SIDE_START) + load<i32>(side + SIDE_LENGTH) - 1 - index);
}

/**
 * A new empty side: `sign` 1 for asks, -1 for bids (stored negated); room for `capacity` levels
 * before the store grows; `runStart` the register its checksum run starts from.
 */
export function createSide(sideSign: i32, capacity: i32, runStart: i32): usize {
  init();
  const side = heap.alloc(SIDE_BYTES);
  memory.fill(side, 0, SIDE_BYTES);
  const slots = 2 * max(4, capacity);
  store<usize>(side + SIDE_STORE, heap.alloc(<usize>(slots * STRIDE)));
  store<i32>(side + SIDE_CAPACITY, slots);
  store<i32>(side + SIDE_START, slots >> 1);
  store<i32>(side + SIDE_SIGN, sideSign);
  store<i32>(side + SIDE_STATES, runStart);
  store<i32>(side + SIDE_TOP_REGISTER, runStart);
  store<i32>(side + SIDE_JOINED_REGISTER, -1);
  store<i32>(side + SIDE_JOINED, -1);
  store<i32>(side + SIDE_SYMBOL_LENGTH, -1);
  return side;
}

/** Frees a side and its store. */
export function freeSide(side: usize): void {
  heap.free(load<usize>(side + SIDE_STORE));
  heap.free(side);
}

export function clear(side: usize): void {
  store<i32>(side + SIDE_LENGTH, 0);
  store<i32>(side + SIDE_START, load<i32>(side + SIDE_CAPACITY) >> 1);
  store<i32>(side + SIDE_DIRTY_FROM, 0);
}

export function length(side: usize): i32 {
  return load<i32>(side + SIDE_LENGTH);
}

/** Scaled price at `index` (0 = best) as one number; exact below 2^53. */
export function priceAt(side: usize, index: i32): f64 {
  const at = levelAt(side, index);
  return sign(side) * (load<f64>(at + KEY_HIGH) * CHUNK + load<f64>(at + KEY_LOW));
}

/** Scaled quantity at `index` (0 = best) as one number; exact below 2^53. */
export function quantityAt(side: usize, index: i32): f64 {
  const at = levelAt(side, index);
  return load<f64>(at + QUANTITY_HIGH) * CHUNK + load<f64>(at + QUANTITY_LOW);
}

/** Whether the level in `slot`, whose key as one number equals the sought one, is below (keyHigh, keyLow). */
function below(side: usize, slot: i32, keyHigh: f64, keyLow: f64): bool {
  const at = slotAt(side, slot);
  const high = load<f64>(at + KEY_HIGH);
  return high < keyHigh || (high == keyHigh && load<f64>(at + KEY_LOW) < keyLow);
}

/** Moves `count` levels from slot `from` to slot `to` (overlapping ranges are fine). */
@inline function move(side: usize, from: i32, to: i32, count: i32): void {
  if (count == 0) return;
  const levels = load<usize>(side + SIDE_STORE);
  memory.copy(levels + <usize>(to * STRIDE), levels + <usize>(from * STRIDE), <usize>(count * STRIDE));
}

/** Moves the levels to the middle of the store, doubling it first when they fill more than half. */
function recenter(side: usize): void {
  let capacity = load<i32>(side + SIDE_CAPACITY);
  const count = load<i32>(side + SIDE_LENGTH);
  const first = load<i32>(side + SIDE_START);
  const levels = load<usize>(side + SIDE_STORE);
  if (count * 2 > capacity) {
    capacity *= 2;
    const start = (capacity - count) >> 1;
    const grown = heap.alloc(<usize>(capacity * STRIDE));
    memory.copy(grown + <usize>(start * STRIDE), levels + <usize>(first * STRIDE), <usize>(count * STRIDE));
    heap.free(levels);
    store<usize>(side + SIDE_STORE, grown);
    store<i32>(side + SIDE_CAPACITY, capacity);
    store<i32>(side + SIDE_START, start);
    return;
  }
  const start = (capacity - count) >> 1;
  memory.copy(levels + <usize>(start * STRIDE), levels + <usize>(first * STRIDE), <usize>(count * STRIDE));
  store<i32>(side + SIDE_START, start);
}

/**
 * Makes room for a new level at `index` (0 = best; `slot` is the slot the level at `index` has
 * now, or the slot below the worst when `index` is the length) with the given key; returns its slot.
 */
function insert(side: usize, index: i32, slot: i32, key: f64, keyHigh: f64, keyLow: f64): i32 {
  const count = load<i32>(side + SIDE_LENGTH);
  const up = index <= count - index;
  if (up ? load<i32>(side + SIDE_START) + count == load<i32>(side + SIDE_CAPACITY) : load<i32>(side + SIDE_START) == 0) {
    recenter(side);
    slot = load<i32>(side + SIDE_START) + count - 1 - index;
  }
  let target = slot;
  const start = load<i32>(side + SIDE_START);
  if (up) {
    target = slot + 1;
    move(side, target, target + 1, index);
  } else {
    move(side, start, start - 1, count - index);
    store<i32>(side + SIDE_START, start - 1);
  }
  store<i32>(side + SIDE_LENGTH, count + 1);
  const at = slotAt(side, target);
  store<f64>(at + KEY, key);
  store<f64>(at + KEY_HIGH, keyHigh);
  store<f64>(at + KEY_LOW, keyLow);
  return target;
}

/**
 * Sets a level to a new aggregate quantity; quantity 0 deletes the level (a no-op when the price
 * is not in the book). Prices and quantities are two-part scaled integers `high × 10^8 + low`.
 */
export function set(side: usize, priceHigh: f64, priceLow: f64, quantityHigh: f64, quantityLow: f64): void {
  const sideSign = sign(side);
  const keyHigh = sideSign * priceHigh;
  const keyLow = sideSign * priceLow;
  const key = sideSign * (priceHigh * CHUNK + priceLow);
  const exact = key <= EXACT_KEY_LIMIT && key >= -EXACT_KEY_LIMIT;
  const levels = load<usize>(side + SIDE_STORE);
  const count = load<i32>(side + SIDE_LENGTH);
  const start = load<i32>(side + SIDE_START);
  const top = start + count - 1;
  let index = 0;
  let slot = top;
  const worstKey = load<f64>(levels + <usize>(start * STRIDE));
  if (count > LINEAR_SEARCH_LEVELS && (worstKey < key || (worstKey == key && !exact && below(side, start, keyHigh, keyLow)))) {
    // Below the worst level: a level scrolling into range at the bottom, sent with a delete.
    index = count;
    slot = start - 1;
  } else {
    // Near the top, where Kraken's updates land: walk down from the best level.
    const linear = count < LINEAR_SEARCH_LEVELS ? count : LINEAR_SEARCH_LEVELS;
    while (index < linear && load<f64>(levels + <usize>(slot * STRIDE)) < key) {
      index++;
      slot--;
    }
    if (!exact) {
      while (index < linear && load<f64>(levels + <usize>(slot * STRIDE)) == key && below(side, slot, keyHigh, keyLow)) {
        index++;
        slot--;
      }
    }
    if (index == linear && linear < count) {
      // Between: a binary search.
      let first = linear;
      let last = count;
      while (first < last) {
        const middle = (first + last) >>> 1;
        const middleKey = load<f64>(levels + <usize>((top - middle) * STRIDE));
        if (middleKey < key || (middleKey == key && !exact && below(side, top - middle, keyHigh, keyLow))) first = middle + 1;
        else last = middle;
      }
      index = first;
      slot = top - first;
    }
  }
  const at = levels + <usize>(slot * STRIDE);
  const found = index < count && load<f64>(at + KEY_LOW) == keyLow && load<f64>(at + KEY_HIGH) == keyHigh;
  if (quantityHigh == 0 && quantityLow == 0) {
    if (!found) return;
    if (index < load<i32>(side + SIDE_DIRTY_FROM)) store<i32>(side + SIDE_DIRTY_FROM, index);
    // Removes the level, moving whichever part of the book is smaller.
    if (index <= count - 1 - index) move(side, slot + 1, slot, index);
    else {
      move(side, start, start + 1, count - 1 - index);
      store<i32>(side + SIDE_START, start + 1);
    }
    store<i32>(side + SIDE_LENGTH, count - 1);
    if (index < EAGER_LEVELS && count > EAGER_LEVELS) {
      // The level that was eleventh is now tenth: fed on the next checksum.
      const scrolledIn = levelAt(side, EAGER_LEVELS - 1);
      if (load<i32>(scrolledIn + DIGITS) < 0) workOutContribution(sideSign, scrolledIn);
    }
    return;
  }
  if (index < load<i32>(side + SIDE_DIRTY_FROM)) store<i32>(side + SIDE_DIRTY_FROM, index);
  if (!found) slot = insert(side, index, slot, key, keyHigh, keyLow);
  const level = slotAt(side, slot);
  store<f64>(level + QUANTITY_HIGH, quantityHigh);
  store<f64>(level + QUANTITY_LOW, quantityLow);
  if (index < EAGER_LEVELS) workOutContribution(sideSign, level);
  else store<i32>(level + DIGITS, -1);
}

/** Drops the worst levels beyond `depth`. */
export function truncate(side: usize, depth: i32): void {
  const count = load<i32>(side + SIDE_LENGTH);
  if (count > depth) {
    store<i32>(side + SIDE_START, load<i32>(side + SIDE_START) + count - depth);
    store<i32>(side + SIDE_LENGTH, depth);
  }
}

// ------------------------------------------------------------------ the checksum

/**
 * Brings the run over the top ten levels up to date: fed again from the first level changed
 * since the last run (each level: the register advanced over its digits, then its contribution),
 * then marked clean.
 */
export function updateTopRun(side: usize): void {
  const dirty = load<i32>(side + SIDE_DIRTY_FROM);
  if (dirty >= EAGER_LEVELS) return;
  const count = load<i32>(side + SIDE_LENGTH);
  const top = count < EAGER_LEVELS ? count : EAGER_LEVELS;
  const from = dirty < top ? dirty : top;
  const sideSign = sign(side);
  let crc = load<i32>(side + SIDE_STATES + (from << 2));
  let digits = load<i32>(side + SIDE_LENGTHS + (from << 2));
  let at = levelAt(side, from);
  for (let index = from; index < top; index++, at -= STRIDE) {
    let levelDigits = load<i32>(at + DIGITS);
    if (levelDigits < 0) levelDigits = workOutContribution(sideSign, at);
    crc = advanceThrough(directTables + <usize>(levelDigits * NIBBLE_TABLE_BYTES), crc) ^ load<i32>(at + CONTRIBUTION);
    digits += levelDigits;
    store<i32>(side + SIDE_STATES + ((index + 1) << 2), crc);
    store<i32>(side + SIDE_LENGTHS + ((index + 1) << 2), digits);
  }
  store<i32>(side + SIDE_TOP_REGISTER, crc);
  store<i32>(side + SIDE_TOP_DIGITS, digits);
  store<i32>(side + SIDE_DIRTY_FROM, CLEAN);
}

export function topRegister(side: usize): i32 {
  return load<i32>(side + SIDE_TOP_REGISTER);
}

export function topDigits(side: usize): i32 {
  return load<i32>(side + SIDE_TOP_DIGITS);
}

/**
 * Kraken's checksum of a book, as a signed 32-bit integer: the asks' run (from the initial
 * register) joined with the bids' run (from a zero register) by one advance over the bids'
 * digits, which is kept for as long as both stay the same. `asks` keeps the join.
 */
export function checksum(asks: usize, bids: usize): i32 {
  return checksumOf(asks, bids);
}

/** Truncates both sides to `depth`, then checksum(asks, bids). */
export function truncateAndChecksum(asks: usize, bids: usize, depth: i32): i32 {
  truncate(asks, depth);
  truncate(bids, depth);
  return checksumOf(asks, bids);
}

@inline function checksumOf(asks: usize, bids: usize): i32 {
  if (load<i32>(asks + SIDE_DIRTY_FROM) >= EAGER_LEVELS && load<i32>(bids + SIDE_DIRTY_FROM) >= EAGER_LEVELS) {
    return load<i32>(asks + SIDE_CHECKSUM);
  }
  updateTopRun(asks);
  updateTopRun(bids);
  const askRegister = load<i32>(asks + SIDE_TOP_REGISTER);
  const bidDigits = load<i32>(bids + SIDE_TOP_DIGITS);
  if (askRegister != load<i32>(asks + SIDE_JOINED_REGISTER) || bidDigits != load<i32>(asks + SIDE_JOINED_DIGITS)) {
    store<i32>(asks + SIDE_JOINED_REGISTER, askRegister);
    store<i32>(asks + SIDE_JOINED_DIGITS, bidDigits);
    store<i32>(asks + SIDE_JOINED, advance(askRegister, bidDigits));
  }
  const value = ~(load<i32>(asks + SIDE_JOINED) ^ load<i32>(bids + SIDE_TOP_REGISTER));
  store<i32>(asks + SIDE_CHECKSUM, value);
  return value;
}

// ------------------------------------------------------------------ a compact update, scanned and applied in one call

/*
 * The busiest message, a `book` update of one symbol in Kraken's compact layout, read from its
 * bytes and applied here, so that a message costs one call: the same reading as the JavaScript
 * scanner's fast path (src/ws/parse-book.ts, scanCompact), for the same layout only. Anything
 * else — another layout, a snapshot, several symbols, a number that is not plain or not exact at
 * the book's precision, a timestamp not in Kraken's usual form — is declined before anything
 * changes, and the caller takes the JavaScript path.
 */

/** What applyCompactUpdate did. */
const APPLIED: i32 = 0;
const DECLINED: i32 = 1;
const MISMATCH: i32 = 2;

/** Bytes of the message area (the caller copies a message there, then a 0). */
const MESSAGE_CAPACITY: i32 = 65536;
/** Bytes after a message that the word reads may touch. */
const MESSAGE_SLACK: i32 = 16;
/** Levels one update may carry here (a longer one is declined). */
const UPDATE_LEVELS: i32 = 256;

let messageArea: usize = 0;
/** The levels read, in order (bids then asks): scaled price then scaled quantity, two f64 each. */
let updateLevels: usize = 0;
/** 10^0 … 10^18. */
let powersOfTen: usize = 0;
/** Kraken's timestamp of the last update applied, epoch ms (NaN when it had none), and its checksum (-1: none). */
let updateTime: f64 = NaN;
let updateChecksum: f64 = -1;
/** The second of the last timestamp read, as its first 20 bytes (`2023-07-30T15:29:58.`), and its epoch ms. */
let secondWords: usize = 0;
let secondMs: f64 = NaN;

function initUpdates(): void {
  if (messageArea != 0) return;
  messageArea = heap.alloc(<usize>(MESSAGE_CAPACITY + MESSAGE_SLACK));
  updateLevels = heap.alloc(<usize>(UPDATE_LEVELS << 4));
  powersOfTen = heap.alloc(19 << 3);
  let power: f64 = 1;
  for (let exponent = 0; exponent < 19; exponent++, power *= 10) store<f64>(powersOfTen + (<usize>exponent << 3), power);
  secondWords = heap.alloc(20);
  memory.fill(secondWords, 0, 20);
}

/** Where the caller copies a message (it never moves), and how many bytes fit. */
export function messageAddress(): usize {
  init();
  initUpdates();
  return messageArea;
}

export function messageCapacity(): i32 {
  return MESSAGE_CAPACITY;
}

/** The timestamp of the last update applyCompactUpdate applied, epoch ms; NaN when it had none. */
export function lastUpdateTime(): f64 {
  return updateTime;
}

/** The checksum the last update applyCompactUpdate applied carried (Kraken's unsigned value); -1 when it had none. */
export function lastUpdateChecksum(): f64 {
  return updateChecksum;
}

/**
 * Gives a book (its ask side) the symbol its updates carry: the first `length` bytes of the
 * message area. A symbol longer than the room kept for it is not stored, and the book's updates
 * then always take the JavaScript path.
 */
export function setSymbol(asks: usize, length: i32): void {
  if (length > SYMBOL_CAPACITY) {
    store<i32>(asks + SIDE_SYMBOL_LENGTH, -1);
    return;
  }
  memory.copy(asks + SIDE_SYMBOL, messageArea, <usize>length);
  store<i32>(asks + SIDE_SYMBOL_LENGTH, length);
}

@inline function word(at: usize): i32 {
  return load<i32>(at);
}

@inline function isDigit(code: i32): bool {
  return <u32>(code - 48) < 10;
}

/** The number read last by readNumber: its digits as one integer and how many are decimals (-1: not a plain number). */
let numberDigits: f64 = 0;
let numberDecimals: i32 = 0;

/**
 * Reads a JSON number token at `at` as the JavaScript fast path does: plain digits with at most
 * one '.', at most 15 digits in all; anything else (an exponent, a sign, more digits) leaves
 * numberDecimals -1. Returns the position after the digits.
 */
function readNumber(at: usize): usize {
  let index = at;
  let value: f64 = 0;
  let code = <i32>load<u8>(index);
  while (isDigit(code)) {
    value = value * 10 + <f64>(code - 48);
    code = <i32>load<u8>(++index);
  }
  let digits = <i32>(index - at);
  let decimals = 0;
  if (code == 46) {
    const fraction = ++index;
    code = <i32>load<u8>(index);
    while (isDigit(code)) {
      value = value * 10 + <f64>(code - 48);
      code = <i32>load<u8>(++index);
    }
    decimals = <i32>(index - fraction);
    digits += decimals;
  }
  numberDigits = value;
  numberDecimals = digits == 0 || digits > 15 || code == 101 || code == 69 || code == 45 || code == 43 || code == 46 ? -1 : decimals;
  return index;
}

/** numberDigits at `precision` decimals as an exact integer, or -1 when it is not one below 2^53. */
@inline function scaledNumber(precision: i32): f64 {
  if (numberDecimals < 0 || numberDecimals > precision) return -1;
  const value = numberDigits * load<f64>(powersOfTen + (<usize>(precision - numberDecimals) << 3));
  return value <= EXACT_KEY_LIMIT ? value : -1;
}

/** How many levels readLevels has read so far (bids, then asks after them). */
let levelCount: i32 = 0;

/**
 * Reads `{"price":N,"qty":N},…]` at `at` (just after `[`), scaled to the precisions, into
 * updateLevels after the levels read before. The position after `]`, or 0 to decline.
 */
function readLevels(at: usize, end: usize, pricePrecision: i32, quantityPrecision: i32): usize {
  let position = at;
  if (load<u8>(position) == 93) return position + 1;
  for (;;) {
    // {"price":
    if (position + 9 > end || word(position) != 0x7270227b || word(position + 4) != 0x22656369 || load<u8>(position + 8) != 58) return 0;
    position = readNumber(position + 9);
    const price = scaledNumber(pricePrecision);
    // ,"qty":
    if (price <= 0 || position + 7 > end || word(position) != 0x7471222c || (word(position + 4) & 0xffffff) != 0x3a2279) return 0;
    position = readNumber(position + 7);
    const quantity = scaledNumber(quantityPrecision);
    if (quantity < 0 || load<u8>(position) != 125 || levelCount == UPDATE_LEVELS) return 0;
    const slot = updateLevels + (<usize>levelCount << 4);
    store<f64>(slot, price);
    store<f64>(slot + 8, quantity);
    levelCount++;
    const next = load<u8>(position + 1);
    position += 2;
    if (next == 93) return position;
    if (next != 44) return 0;
  }
  return 0; // (the loop returns)
}

/** Whether all four bytes of a little-endian word are ASCII digits (see allDigits in parse-book.ts). */
@inline function allDigits(value: i32): bool {
  return (((value - 0x30303030) | (value + 0x46464646)) & 0x80808080) == 0;
}

@inline function twoDigits(at: usize): i32 {
  return (<i32>load<u8>(at) - 48) * 10 + (<i32>load<u8>(at + 1) - 48);
}

/**
 * Kraken's usual timestamp at `start` (27 bytes, `YYYY-MM-DDTHH:MM:SS.ffffffZ`) as epoch ms, later
 * fraction digits truncated, as parseRfc3339Bytes reads it; NaN for any other form or an
 * impossible date, which the caller declines.
 */
function readTimestamp(start: usize): f64 {
  const fraction = word(start + 20);
  if (!allDigits(fraction) || !isDigit(load<u8>(start + 24)) || !isDigit(load<u8>(start + 25)) || load<u8>(start + 26) != 90) return NaN;
  const millis = <f64>(((fraction & 0xff) - 48) * 100 + (((fraction >>> 8) & 0xff) - 48) * 10 + (((fraction >>> 16) & 0xff) - 48));
  if (
    secondMs == secondMs &&
    word(start) == load<i32>(secondWords) &&
    word(start + 4) == load<i32>(secondWords + 4) &&
    word(start + 8) == load<i32>(secondWords + 8) &&
    word(start + 12) == load<i32>(secondWords + 12) &&
    word(start + 16) == load<i32>(secondWords + 16)
  ) {
    return secondMs + millis;
  }
  // A new second: `YYYY-MM-DDTHH:MM:SS.` checked and worked out as wholeSecond does.
  if (!allDigits(word(start)) || load<u8>(start + 4) != 45 || load<u8>(start + 7) != 45 || load<u8>(start + 10) != 84) return NaN;
  if (load<u8>(start + 13) != 58 || load<u8>(start + 16) != 58 || load<u8>(start + 19) != 46) return NaN;
  for (let at: usize = 5; at < 19; at += 3) if (!isDigit(load<u8>(start + at)) || !isDigit(load<u8>(start + at + 1))) return NaN;
  const year = twoDigits(start) * 100 + twoDigits(start + 2);
  const month = twoDigits(start + 5);
  const day = twoDigits(start + 8);
  const hour = twoDigits(start + 11);
  const minute = twoDigits(start + 14);
  const second = twoDigits(start + 17);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return NaN;
  const leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  const monthDays = month == 2 ? (leap ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  if (day > monthDays) return NaN;
  // Days from the civil date (H. Hinnant's algorithm, as daysFromCivil in parse-timestamp.ts).
  const y = month <= 2 ? year - 1 : year;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yearOfEra = y - era * 400;
  const dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  const days = <f64>(era * 146097 + dayOfEra - 719468);
  secondMs = (days * 24 + <f64>hour) * 3_600_000 + <f64>minute * 60_000 + <f64>min(second, 59) * 1000;
  memory.copy(secondWords, start, 20);
  return secondMs + millis;
}

/**
 * Reads the update of `length` bytes in the message area (followed by a 0) and, when it is
 * Kraken's compact layout for the symbol of the book (`asks`, `bids`) with every number exact at
 * the precisions, applies it: its levels in order, bids first, then truncation to `depth`, then
 * the checksum, compared with the message's when it has one. APPLIED, MISMATCH (the book is
 * changed; the caller resynchronises) or DECLINED (nothing changed).
 */
export function applyCompactUpdate(length: i32, asks: usize, bids: usize, pricePrecision: i32, quantityPrecision: i32, depth: i32): i32 {
  const message = messageArea;
  const end = message + <usize>length;
  if (length + MESSAGE_SLACK > MESSAGE_CAPACITY || length < 60) return DECLINED;
  // {"channel":"book","type":"update","data":[{"symbol":"
  if (
    word(message) != 0x6863227b ||
    word(message + 4) != 0x656e6e61 ||
    word(message + 8) != 0x223a226c ||
    word(message + 12) != 0x6b6f6f62 ||
    word(message + 16) != 0x74222c22 ||
    word(message + 20) != 0x22657079 ||
    word(message + 24) != 0x7075223a ||
    word(message + 28) != 0x65746164 ||
    word(message + 32) != 0x64222c22 ||
    word(message + 36) != 0x22617461 ||
    word(message + 40) != 0x227b5b3a ||
    word(message + 44) != 0x626d7973 ||
    word(message + 48) != 0x3a226c6f ||
    load<u8>(message + 52) != 34
  ) {
    return DECLINED;
  }
  // The book's symbol, then its closing quote.
  const symbolLength = load<i32>(asks + SIDE_SYMBOL_LENGTH);
  if (symbolLength < 0 || <i32>(end - message) < 53 + symbolLength + 1) return DECLINED;
  for (let index = 0; index < symbolLength; index++) {
    if (load<u8>(message + 53 + <usize>index) != load<u8>(asks + SIDE_SYMBOL + <usize>index)) return DECLINED;
  }
  let position = message + 53 + <usize>symbolLength;
  // ","bids":[
  if (load<u8>(position) != 34 || word(position) != 0x62222c22 || word(position + 4) != 0x22736469 || (word(position + 8) & 0xffff) != 0x5b3a) return DECLINED;
  levelCount = 0;
  position = readLevels(position + 10, end, pricePrecision, quantityPrecision);
  if (position == 0) return DECLINED;
  const bidCount = levelCount;
  // ,"asks":[
  if (word(position) != 0x7361222c || word(position + 4) != 0x3a22736b || load<u8>(position + 8) != 0x5b) return DECLINED;
  position = readLevels(position + 9, end, pricePrecision, quantityPrecision);
  if (position == 0) return DECLINED;
  // ,"checksum":N (optional)
  let expected: i64 = -1;
  if (word(position) == 0x6863222c && word(position + 4) == 0x736b6365 && word(position + 8) == 0x3a226d75) {
    const start = position + 12;
    position = readNumber(start);
    // An unsigned 32-bit integer: at most ten digits, as readChecksumFast takes it.
    if (numberDecimals != 0 || position - start > 10 || numberDigits > 4294967295) return DECLINED;
    expected = <i64>numberDigits;
  }
  // ,"timestamp":"…" (optional)
  let time: f64 = NaN;
  if (word(position) == 0x6974222c && word(position + 4) == 0x7473656d && word(position + 8) == 0x22706d61 && (word(position + 12) & 0xffff) == 0x223a) {
    const start = position + 14;
    if (start + 28 > end || load<u8>(start + 27) != 34) return DECLINED;
    time = readTimestamp(start);
    if (time != time) return DECLINED;
    position = start + 28;
  }
  // }]}
  if (load<u8>(position) != 125 || load<u8>(position + 1) != 93 || load<u8>(position + 2) != 125 || position + 3 != end) return DECLINED;
  for (let level = 0; level < levelCount; level++) {
    const slot = updateLevels + (<usize>level << 4);
    // Both below 2^53, so exact as integers: the parts by integer division.
    const price = <u64>load<f64>(slot);
    const quantity = <u64>load<f64>(slot + 8);
    const priceHigh = price / 100_000_000;
    const quantityHigh = quantity / 100_000_000;
    set(
      level < bidCount ? bids : asks,
      <f64>priceHigh,
      <f64>(price - priceHigh * 100_000_000),
      <f64>quantityHigh,
      <f64>(quantity - quantityHigh * 100_000_000),
    );
  }
  truncate(asks, depth);
  truncate(bids, depth);
  updateTime = time;
  updateChecksum = <f64>expected;
  if (expected < 0) return APPLIED;
  return checksumOf(asks, bids) == <i32>expected ? APPLIED : MISMATCH;
}
