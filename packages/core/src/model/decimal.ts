import { Decimal as DecimalJs } from 'decimal.js';
import { InvariantError } from '../errors/errors.js';
// A cycle: decimal-arithmetic.ts builds on this module. Neither uses the other's bindings while
// it loads, only inside functions, so either may load first.
import { decimalFromNumber, decimalFromText } from './decimal-arithmetic.js';

/**
 * kbot's money type. A clone of decimal.js with enough precision for any price × quantity
 * on Kraken (40 significant digits) and banker's rounding for internal arithmetic. Instances
 * share decimal.js's prototype, so `instanceof` holds across clones; rounding to an
 * instrument's tick or lot happens only at the exchange boundary (see `instrument.ts`).
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = DecimalJs;

/** What callers may hand to any money-taking API: a Decimal or its exact decimal string. */
export type DecimalLike = Decimal | string | number;

/**
 * A Decimal from decimal.js's parts (sign, decimal exponent, base-1e7 digit words aligned to the
 * point, normalised): an instance of decimal.js's prototype with the own properties its
 * constructor gives (`constructor`, `s`, `e`, `d`, in that order), so every Decimal method and
 * `instanceof` work on it. decimal.js's own constructor costs 70–140 ns even given 0 to
 * overwrite (it checks and parses its argument); this costs what allocating the object does.
 * For decimal-arithmetic.ts, which checks the parts it passes.
 */
export function decimalOfParts(sign: number, exponent: number, words: number[]): Decimal {
  return new (DecimalOfParts as unknown as new (sign: number, exponent: number, words: number[]) => Decimal)(sign, exponent, words);
}

function DecimalOfParts(this: { constructor: unknown; s: number; e: number; d: number[] }, sign: number, exponent: number, words: number[]): void {
  this.constructor = Decimal;
  this.s = sign;
  this.e = exponent;
  this.d = words;
}
DecimalOfParts.prototype = Decimal.prototype;

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/*
 * Decimals made from text, by that text. A strategy submits the same quantity and prices near
 * the market over and over, and parsing one costs about 0.5–1 µs, a large share of an order's
 * time from signal to socket (`pnpm bench latency`). A Decimal never changes once made, so one
 * instance can serve every caller. The cache is cleared when full, which bounds its memory
 * without bookkeeping on the hot path.
 */
const parsedTexts = new Map<string, Decimal>();
const PARSED_TEXTS_LIMIT = 1024;

/**
 * Converts input to a Decimal, naming the field when the value is not a finite number.
 * Numbers are accepted for convenience (configs, tests) and converted through their shortest
 * round-trip text, which is exact for every value that was written as a literal.
 */
export function toDecimal(value: DecimalLike, field = 'value'): Decimal {
  if (value instanceof DecimalJs) {
    if (!value.isFinite()) throw new InvariantError(`${field}: received ${value.toString()}, expected a finite decimal`);
    return value as Decimal;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvariantError(`${field}: received ${value}, expected a finite number`);
    return decimalFromNumber(value);
  }
  if (typeof value === 'string') {
    const known = parsedTexts.get(value);
    if (known !== undefined) return known;
    const text = value.trim();
    if (DECIMAL_TEXT.test(text)) {
      const parsed = decimalFromText(text);
      if (parsedTexts.size >= PARSED_TEXTS_LIMIT) parsedTexts.clear();
      parsedTexts.set(value, parsed);
      return parsed;
    }
  }
  throw new InvariantError(`${field}: received ${JSON.stringify(value)}, expected a decimal number or decimal string`);
}

export function isDecimal(value: unknown): value is Decimal {
  return value instanceof DecimalJs;
}

/** Decimal → plain string without exponent, the form kbot writes to reports and journals. */
export function decimalString(value: Decimal): string {
  return value.toFixed();
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) <= 0 ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) >= 0 ? a : b;
}

/** decimal.js's representation: sign, exponent and base-1e7 digit words (null when NaN or ±Infinity). */
export interface DecimalParts {
  readonly s: number;
  readonly e: number;
  readonly d: readonly number[] | null;
}

/**
 * `a.comparedTo(b)` without allocating: 1, 0 or -1 (NaN when either is NaN). decimal.js copies
 * its argument into a new Decimal (a digit array included) for every comparison, which measured
 * about 200 ns against 10 ns here; an order makes dozens of comparisons between its signal and its
 * fills. It reads decimal.js's normalised form (no leading or trailing zero words, `e` the decimal
 * exponent), the same fields its own comparison reads; NaN and infinities take decimal.js's path.
 */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const x = a as unknown as DecimalParts;
  const y = b as unknown as DecimalParts;
  const xd = x.d;
  const yd = y.d;
  if (xd === null || yd === null) return a.comparedTo(b);
  const xs = x.s;
  const ys = y.s;
  if (xd[0] === 0 || yd[0] === 0) return xd[0] !== 0 ? xs : yd[0] !== 0 ? -ys : 0;
  if (xs !== ys) return xs;
  const negative = xs < 0;
  if (x.e !== y.e) return x.e > y.e !== negative ? 1 : -1;
  const xLength = xd.length;
  const yLength = yd.length;
  const shared = xLength < yLength ? xLength : yLength;
  for (let index = 0; index < shared; index++) {
    const xWord = xd[index]!;
    const yWord = yd[index]!;
    if (xWord !== yWord) return xWord > yWord !== negative ? 1 : -1;
  }
  return xLength === yLength ? 0 : xLength > yLength !== negative ? 1 : -1;
}

/** `a < b` (false when either is NaN), without decimal.js's allocation; see compareDecimals. */
export function decimalLessThan(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) < 0;
}

/** `a <= b` (false when either is NaN). */
export function decimalAtMost(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) <= 0;
}

/** `a > b` (false when either is NaN). */
export function decimalGreaterThan(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) > 0;
}

/** `a >= b` (false when either is NaN). */
export function decimalAtLeast(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) >= 0;
}

/** `a == b` by value (false when either is NaN). */
export function decimalEquals(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) === 0;
}

/** 10^0 … 10^22: every one an exact double, the range where one multiplication or division by them rounds once. */
export const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => Number(`1e${power}`));

/** Decimal digits of a nonzero digit word (1 to 7). */
export function digitsOfWord(word: number): number {
  return word >= 1e6 ? 7 : word >= 1e5 ? 6 : word >= 1e4 ? 5 : word >= 1e3 ? 4 : word >= 1e2 ? 3 : word >= 10 ? 2 : 1;
}

/** Zero digits at the end of a nonzero digit word (0 to 6). */
export function trailingZeroDigits(word: number): number {
  let zeros = 0;
  while (word % 10 === 0) {
    word /= 10;
    zeros++;
  }
  return zeros;
}

/**
 * Significant digits of normalised words from `first` to `last` (`count` of them): the words are
 * aligned to the point, so the last word's trailing zeros are places, not digits
 * (4906.614157858 is [4906, 6141578, 5800000], 13 digits in 18 places).
 */
export function significantDigits(first: number, count: number, last: number): number {
  return count === 1 ? digitsOfWord(first) : digitsOfWord(first) + 7 * (count - 1) - trailingZeroDigits(last);
}

/**
 * `value.toNumber()`, the same double, without making the decimal text and reading it back
 * (which costs about 360 ns; balances keep a number mirror updated on every fill). A Decimal of
 * at most 15 digits and a power of ten within ±22 is an exact integer times or divided by an
 * exact power of ten, and one IEEE operation rounds that correctly: the double the text would
 * give (Clinger's fast path). Anything else takes decimal.js's path.
 */
export function decimalToNumber(value: Decimal): number {
  const parts = value as unknown as DecimalParts;
  const words = parts.d;
  if (words === null || words.length > 3) return value.toNumber();
  const first = words[0]!;
  if (first === 0) return parts.s < 0 ? -0 : 0;
  const count = words.length;
  // The last word's trailing zeros are places, not digits (see significantDigits).
  const trailingZeros = count > 1 ? trailingZeroDigits(words[count - 1]!) : 0;
  const firstDigits = digitsOfWord(first);
  if (firstDigits + 7 * (count - 1) - trailingZeros > 15) return value.toNumber();
  const last = words[count - 1]! / EXACT_POWERS_OF_TEN[trailingZeros]!;
  // At most 15 digits: every step below is an exact integer.
  let significand = first;
  if (count > 1) {
    for (let index = 1; index < count - 1; index++) significand = significand * 1e7 + words[index]!;
    significand = significand * EXACT_POWERS_OF_TEN[7 - trailingZeros]! + last;
  }
  const power = parts.e - (firstDigits - 1) - 7 * (count - 1) + trailingZeros;
  if (power >= 0) return power > 22 ? value.toNumber() : parts.s * (significand * EXACT_POWERS_OF_TEN[power]!);
  return power < -22 ? value.toNumber() : parts.s * (significand / EXACT_POWERS_OF_TEN[-power]!);
}
