/*
 * CRC-32 (IEEE 802.3 polynomial, as zlib and PNG use it) fed with bytes or with the decimal
 * digits of integers. The book checksum runs on every book message, so nothing here allocates
 * or builds a string: the running value is the *inverted* register (start with CRC32_INITIAL,
 * finish with crc32Finish), and integers are fed up to four digits at a time (their ASCII bytes
 * from a table of digit pairs) through slicing tables (about 2.5× faster than a digit-at-a-time
 * loop, measured).
 */

const TABLE = new Int32Array(256);
const TABLE_1 = new Int32Array(256);
const TABLE_2 = new Int32Array(256);
const TABLE_3 = new Int32Array(256);
for (let index = 0; index < 256; index++) {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  TABLE[index] = value;
}
for (let index = 0; index < 256; index++) {
  TABLE_1[index] = (TABLE[index]! >>> 8) ^ TABLE[TABLE[index]! & 0xff]!;
  TABLE_2[index] = (TABLE_1[index]! >>> 8) ^ TABLE[TABLE_1[index]! & 0xff]!;
  TABLE_3[index] = (TABLE_2[index]! >>> 8) ^ TABLE[TABLE_2[index]! & 0xff]!;
}

/** The ASCII bytes of 00 … 99, first digit in the lowest byte: 400 bytes (a 0000–9999 table took 40 KB of cache). */
const DIGIT_PAIRS = new Int32Array(100);
for (let value = 0; value < 100; value++) DIGIT_PAIRS[value] = (48 + Math.floor(value / 10)) | ((48 + (value % 10)) << 8);

/** The ASCII bytes of 0 ≤ quad < 10^4 zero-padded to four digits, first digit in the lowest byte. */
function quadBytes(quad: number): number {
  const high = (quad / 100) | 0;
  return DIGIT_PAIRS[high]! | (DIGIT_PAIRS[quad - high * 100]! << 16);
}

/** The register before the first byte. */
export const CRC32_INITIAL = -1;

export function crc32Byte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
}

/** The unsigned CRC-32 of everything fed so far. */
export function crc32Finish(crc: number): number {
  return (crc ^ -1) >>> 0;
}

/**
 * Feeds `count` (1 to 4) bytes at once, the first in the lowest byte of `bytes`: slicing-by-n,
 * one lookup per byte and all of them independent, where a byte at a time chains them.
 */
function feedBytes(crc: number, bytes: number, count: number): number {
  const word = crc ^ bytes;
  if (count === 4) return TABLE_3[word & 0xff]! ^ TABLE_2[(word >>> 8) & 0xff]! ^ TABLE_1[(word >>> 16) & 0xff]! ^ TABLE[word >>> 24]!;
  if (count === 3) return (crc >>> 24) ^ TABLE_2[word & 0xff]! ^ TABLE_1[(word >>> 8) & 0xff]! ^ TABLE[(word >>> 16) & 0xff]!;
  if (count === 2) return (crc >>> 16) ^ TABLE_1[word & 0xff]! ^ TABLE[(word >>> 8) & 0xff]!;
  return (crc >>> 8) ^ TABLE[word & 0xff]!;
}

/** Feeds the four digits of 0 ≤ quad < 10^4, zero-padded. */
function feedQuad(crc: number, quad: number): number {
  return feedBytes(crc, quadBytes(quad), 4);
}

/** Feeds the digits of 1 ≤ value < 10^4, without leading zeros. */
function feedSmall(crc: number, value: number): number {
  const count = value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : 4;
  // The quad's bytes with its leading zeros shifted out.
  return feedBytes(crc, quadBytes(value) >>> (32 - 8 * count), count);
}

/** Feeds the digits of 0 ≤ value < 10^8: zero-padded to 8 when `padded`, else without leading zeros (none for 0). */
function feedChunk(crc: number, value: number, padded: boolean): number {
  const high = (value / 10_000) | 0;
  const low = (value | 0) - high * 10_000;
  if (padded) return feedQuad(feedQuad(crc, high), low);
  if (high === 0) return low === 0 ? crc : feedSmall(crc, low);
  return feedQuad(feedSmall(crc, high), low);
}

const CHUNK = 100_000_000;

/**
 * Feeds the ASCII digits of a non-negative safe integer, without leading zeros: exactly the text
 * Kraken's checksum wants from a scaled price or quantity ("0.00100000" → "100000"). Zero feeds
 * nothing, as stripping every leading zero of "0.0" leaves nothing.
 */
export function crc32Integer(crc: number, value: number): number {
  if (value < CHUNK) return feedChunk(crc, value, false);
  let high = Math.floor(value / CHUNK);
  let low = value - high * CHUNK;
  // Guard the division's rounding so both parts are exact.
  if (low < 0) {
    high -= 1;
    low += CHUNK;
  } else if (low >= CHUNK) {
    high += 1;
    low -= CHUNK;
  }
  return feedChunk(crc32Integer(crc, high), low, true);
}

/**
 * Feeds the digits of a two-part scaled integer `high × 10^8 + low` (see scaled-decimal.ts),
 * without leading zeros: the low part is zero-padded to 8 digits once a high part precedes it.
 */
export function crc32Scaled(crc: number, high: number, low: number): number {
  if (high === 0) return feedChunk(crc, low, false);
  return feedChunk(crc32Integer(crc, high), low, true);
}

/** How many digits crc32Integer feeds for a non-negative safe integer (none for 0). */
export function integerDigitCount(value: number): number {
  if (value < 100_000_000) {
    if (value < 10_000) return value < 100 ? (value < 1 ? 0 : value < 10 ? 1 : 2) : value < 1_000 ? 3 : 4;
    return value < 1_000_000 ? (value < 100_000 ? 5 : 6) : value < 10_000_000 ? 7 : 8;
  }
  let count = 8;
  for (let rest = Math.floor(value / 100_000_000); rest >= 1; rest = Math.floor(rest / 10)) count++;
  return count;
}

/** How many digits crc32Scaled feeds for `high × 10^8 + low` (none for 0). */
export function scaledDigitCount(high: number, low: number): number {
  return high === 0 ? integerDigitCount(low) : integerDigitCount(high) + 8;
}

/** How many digits the last crc32LevelContribution fed. */
export const levelDigits = { count: 0 };

/*
 * A level's contribution (what its digits feed into a zero register) is linear in its digits:
 * it is the XOR, over each pair of digits, of what that pair followed by the k digits after it
 * feeds into a zero register. So it is read from tables of digit pairs by that distance k, one
 * lookup per pair and none depending on another, where feeding the digits chains two slicing
 * steps per number and an advance (measured: about a third less time per level, and no table
 * of ASCII bytes, masks or advance to look up).
 */
const enum Pairs {
  /** Entries per distance: the pairs 00–99, then 100 + d for a lone digit d (a number's first digit when its count is odd), then zeros. */
  Stride = 128,
  /** The entry for a pair beyond a number's digits: 0, it feeds nothing. */
  Absent = 110,
  /** Distances with a table: a quantity's pairs are 0–14 digits from the end, a price's up to 14 further than the quantity's digits (at most 16 below 10^16). */
  Distances = 32,
}

/** PAIR_TABLES[k × 128 + entry]: see Pairs. */
const PAIR_TABLES = new Int32Array(Pairs.Distances * Pairs.Stride);
for (let entry = 0; entry < Pairs.Absent; entry++) {
  let crc = 0;
  if (entry < 100) crc = crc32Byte(crc32Byte(0, 48 + Math.floor(entry / 10)), 48 + (entry % 10));
  else crc = crc32Byte(0, 48 + entry - 100);
  PAIR_TABLES[entry] = crc;
  // Distance k from k - 1: one more zero byte after the digits.
  for (let distance = 1; distance < Pairs.Distances; distance++) {
    crc = TABLE[crc & 0xff]! ^ (crc >>> 8);
    PAIR_TABLES[distance * Pairs.Stride + entry] = crc;
  }
}

/**
 * PAIR_OFFSETS[count × 4 + j]: what to add to pair j (from the last digits) of a number with
 * `count` digits (0–8) to index its entry: 0 for two digits, 100 for a lone first digit, and
 * Absent for a pair before the first digit (its value is then 0): no branch on the count.
 */
const PAIR_OFFSETS = new Int32Array(36);
for (let count = 0; count <= 8; count++) {
  for (let pair = 0; pair < 4; pair++) PAIR_OFFSETS[count * 4 + pair] = count >= 2 * pair + 2 ? 0 : count === 2 * pair + 1 ? 100 : Pairs.Absent;
}

/** 10^0 … 10^8, for counting digits. */
const DECIMAL_POWERS = Int32Array.of(1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000);

// Digits of the last pairsBelowChunk number (a module variable: the function returns the register).
let pairDigits = 0;

/**
 * What the digits of 0 ≤ value < 10^8 feed into a zero register when `after` digits follow them
 * (into the same register): without leading zeros (none for 0), or all eight when `padded`.
 * Their count goes to pairDigits.
 */
function pairsBelowChunk(value: number, after: number, padded: boolean): number {
  const number = value | 0;
  let count = 8;
  if (!padded) {
    // The digit count: ⌊log10⌋ from the bit length (exact or one short), then corrected.
    const estimate = ((32 - Math.clz32(number)) * 1233) >>> 12;
    count = estimate + ((DECIMAL_POWERS[estimate]! - 1 - number) >>> 31);
  }
  pairDigits = count;
  const high = (number / 10_000) | 0;
  const low = number - high * 10_000;
  const pair1 = (low / 100) | 0;
  const pair3 = (high / 100) | 0;
  const offsets = PAIR_OFFSETS;
  const at = count * 4;
  // Module variables are loaded once into locals: each use of one is a load and a check.
  const tables = PAIR_TABLES;
  const base = after * Pairs.Stride;
  return (
    tables[base + low - pair1 * 100 + offsets[at]!]! ^
    tables[base + 2 * Pairs.Stride + pair1 + offsets[at + 1]!]! ^
    tables[base + 4 * Pairs.Stride + high - pair3 * 100 + offsets[at + 2]!]! ^
    tables[base + 6 * Pairs.Stride + pair3 + offsets[at + 3]!]!
  );
}

/**
 * What a two-part scaled integer `high × 10^8 + low` (see scaled-decimal.ts) without leading
 * zeros feeds into a zero register with `after` digits after it; its digit count in pairDigits.
 * Beyond the tables (high ≥ 10^8, past 2^53, or more than 16 digits after) it is fed digit by digit.
 */
function pairsScaled(high: number, low: number, after: number): number {
  // Up to 16 digits after: the number's pairs are at most 30 digits from the end, all with a table.
  if (after <= 16) {
    if (high === 0) return pairsBelowChunk(low, after, false);
    if (high < 100_000_000) {
      const lowPart = pairsBelowChunk(low, after, true);
      const highPart = pairsBelowChunk(high, after + 8, false);
      pairDigits += 8;
      return lowPart ^ highPart;
    }
  }
  pairDigits = scaledDigitCount(high, low);
  return crc32Advance(crc32Scaled(0, high, low), after);
}

/**
 * What a book level's digits (its price's, then its quantity's, each a two-part scaled integer
 * without leading zeros) feed into a zero register, and their count in levelDigits.count: the
 * same as crc32Scaled(crc32Scaled(0, …price), …quantity) and the two scaledDigitCounts. The
 * advance table for that many digits (ADVANCE_TABLES) is built by then.
 */
export function crc32LevelContribution(priceHigh: number, priceLow: number, quantityHigh: number, quantityLow: number): number {
  // The quantity (digits last, none after it), then the price with the quantity's digits after
  // it, through one call site: V8 inlines a function once per call site while the caller's budget
  // of inlined bytecode lasts, and two copies of pairsBelowChunk left this a call from the book.
  let contribution = 0;
  let after = 0;
  for (let part = 0; part < 2; part++) {
    const high = part === 0 ? quantityHigh : priceHigh;
    const low = part === 0 ? quantityLow : priceLow;
    // A number below 10^8 with at most 24 digits after it has its pairs within 30 digits of the end: all with a table.
    contribution ^= high === 0 && after <= 24 ? pairsBelowChunk(low, after, false) : pairsScaled(high, low, after);
    after += pairDigits;
  }
  levelDigits.count = after;
  // The level's advance table, built the first time a level has this many digits (a call only then).
  if (after >= advanceBuilt) ensureAdvanceTable(after);
  return contribution;
}

/*
 * The register update is linear over GF(2): feeding bytes S of length n to a register r gives
 * advance_n(r) XOR feed(0, S), where advance_n is feeding n zero bytes. So the book keeps, per
 * level, what its digits feed into a zero register and how many there are; a level that did not
 * change then costs one advance (four table lookups, like one slicing-by-4 step) instead of
 * feeding its digits again, whatever the digits before it were. The same identity joins two
 * runs of levels fed separately: the asks' register advanced over the bids' digits, XOR the
 * bids fed into a zero register (see checksum in assembly/book-kernel.ts).
 */

/**
 * Lengths with their own advance table: a level's digits (two values of at most 23 digits each)
 * always fit. Longer advances take several steps (see crc32Advance).
 */
export const ADVANCE_DIRECT_LENGTHS = 64;

/**
 * advance_n for n < ADVANCE_DIRECT_LENGTHS as one flat array: four 256-entry tables (one per
 * register byte) per length, table n at n × 1024, so the book's loop indexes one array. Built up
 * to the longest length needed so far (a level's digit count).
 */
export const ADVANCE_TABLES = new Int32Array(ADVANCE_DIRECT_LENGTHS * 1024);
let advanceBuilt = 1;
for (let part = 0; part < 4; part++) for (let byte = 0; byte < 256; byte++) ADVANCE_TABLES[part * 256 + byte] = byte << (8 * part);

/** Builds the advance tables up to `length` (< ADVANCE_DIRECT_LENGTHS) if they are not yet. */
export function ensureAdvanceTable(length: number): void {
  for (; advanceBuilt <= length; advanceBuilt++) {
    // advance_n(r) = advance_1(advance_{n-1}(r)); the previous table gives the inner part.
    const previous = (advanceBuilt - 1) * 1024;
    const base = advanceBuilt * 1024;
    for (let entry = 0; entry < 1024; entry++) {
      const inner = ADVANCE_TABLES[previous + entry]!;
      ADVANCE_TABLES[base + entry] = TABLE[inner & 0xff]! ^ (inner >>> 8);
    }
  }
}
// The digit counts of values below 10^8 (crc32LevelContribution joins over those).
ensureAdvanceTable(8);

/*
 * Advances of ADVANCE_DIRECT_LENGTHS bytes or more go through nibble tables, eight 16-entry tables per length (512 bytes where a
 * byte table takes 4 KB): first by a multiple of ADVANCE_DIRECT_LENGTHS, from tables built on
 * first use, then by the rest.
 */
const NIBBLE_TABLES = new Int32Array(ADVANCE_DIRECT_LENGTHS * 128);
let nibblesBuilt = 1;
for (let nibble = 0; nibble < 8; nibble++) for (let value = 0; value < 16; value++) NIBBLE_TABLES[nibble * 16 + value] = value << (4 * nibble);

function ensureNibbleTable(length: number): void {
  for (; nibblesBuilt <= length; nibblesBuilt++) {
    const previous = (nibblesBuilt - 1) * 128;
    const base = nibblesBuilt * 128;
    for (let entry = 0; entry < 128; entry++) {
      const inner = NIBBLE_TABLES[previous + entry]!;
      NIBBLE_TABLES[base + entry] = TABLE[inner & 0xff]! ^ (inner >>> 8);
    }
  }
}

/** The advance whose nibble table starts at `base` of `tables`. */
function advanceNibbles(tables: Int32Array, base: number, crc: number): number {
  return (
    tables[base + (crc & 15)]! ^
    tables[base + 16 + ((crc >>> 4) & 15)]! ^
    tables[base + 32 + ((crc >>> 8) & 15)]! ^
    tables[base + 48 + ((crc >>> 12) & 15)]! ^
    tables[base + 64 + ((crc >>> 16) & 15)]! ^
    tables[base + 80 + ((crc >>> 20) & 15)]! ^
    tables[base + 96 + ((crc >>> 24) & 15)]! ^
    tables[base + 112 + (crc >>> 28)]!
  );
}

/** advance_{q × ADVANCE_DIRECT_LENGTHS} for q = 1, 2, … as nibble tables, table q at (q - 1) × 128. */
let multipleTables = new Int32Array(4 * 128);
let multiplesBuilt = 0;

function buildMultiples(multiple: number): void {
  ensureNibbleTable(ADVANCE_DIRECT_LENGTHS - 1);
  if (multiple * 128 > multipleTables.length) {
    const grown = new Int32Array(Math.max(multiple, (2 * multipleTables.length) / 128) * 128);
    grown.set(multipleTables);
    multipleTables = grown;
  }
  for (; multiplesBuilt < multiple; multiplesBuilt++) {
    const base = multiplesBuilt * 128;
    for (let entry = 0; entry < 128; entry++) {
      // advance_{64q}(r) = advance_63(advance_1(advance_{64(q-1)}(r))), r the entry's nibble value.
      let value = multiplesBuilt === 0 ? (entry & 15) << (4 * (entry >> 4)) : multipleTables[base - 128 + entry]!;
      value = TABLE[value & 0xff]! ^ (value >>> 8);
      multipleTables[base + entry] = advanceNibbles(NIBBLE_TABLES, (ADVANCE_DIRECT_LENGTHS - 1) * 128, value);
    }
  }
}

/**
 * The register after `length` zero bytes. The L2 book's own advances run in its kernel
 * (assembly/book-kernel.ts); this one is the JavaScript reference its tests check it against.
 */
export function crc32Advance(crc: number, length: number): number {
  if (length < ADVANCE_DIRECT_LENGTHS) {
    ensureAdvanceTable(length);
    const base = length * 1024;
    const tables = ADVANCE_TABLES;
    return tables[base + (crc & 0xff)]! ^ tables[base + 256 + ((crc >>> 8) & 0xff)]! ^ tables[base + 512 + ((crc >>> 16) & 0xff)]! ^ tables[base + 768 + (crc >>> 24)]!;
  }
  const multiple = Math.floor(length / ADVANCE_DIRECT_LENGTHS);
  const rest = length - multiple * ADVANCE_DIRECT_LENGTHS;
  if (multiple > multiplesBuilt) buildMultiples(multiple);
  if (rest >= nibblesBuilt) ensureNibbleTable(rest);
  return advanceNibbles(NIBBLE_TABLES, rest * 128, advanceNibbles(multipleTables, (multiple - 1) * 128, crc));
}

/** CRC-32 of an ASCII/Latin-1 string; for tests and cold paths (the book feeds integers instead). */
export function crc32OfText(text: string): number {
  let crc = CRC32_INITIAL;
  for (let index = 0; index < text.length; index++) crc = crc32Byte(crc, text.charCodeAt(index) & 0xff);
  return crc32Finish(crc);
}
