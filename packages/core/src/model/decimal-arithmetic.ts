import type { Decimal as DecimalJs } from 'decimal.js';
import { Decimal, EXACT_POWERS_OF_TEN, compareDecimals, decimalOfParts, decimalToNumber, digitsOfWord, significantDigits, trailingZeroDigits, type DecimalParts } from './decimal.js';

/*
 * Exact sums, differences, products and roundings of kbot's Decimals, done on decimal.js's own
 * digit words without going through its general code: every fill adds, subtracts and multiplies
 * money dozens of times, and decimal.js spends about 200–300 ns on each (a copy of its argument,
 * array copies, the rounding pass) where the arithmetic itself is a few word operations.
 *
 * Each function returns exactly the Decimal decimal.js would: the same value in the same
 * normalised form (sign `s`, decimal exponent `e`, base-1e7 words `d` aligned to the decimal
 * point, no leading or trailing zero words). The fast path takes operands of kbot's own Decimal
 * (precision 40) of up to 7 words, which every decimal.js result is. A sum, difference or
 * product is worked out exactly and, when it has more than 40 digits, rounded as decimal.js
 * rounds it (kbot's rounding mode at 40 digits). NaN, infinities, Decimals of another
 * configuration and longer operands go to decimal.js itself.
 * Checked against decimal.js on random and edge-case operands (decimal-arithmetic.test.ts).
 */

/** kbot's own Decimal (precision 40), not a Decimal of another decimal.js configuration. */
function isKbotDecimal(value: Decimal): boolean {
  // decimal.js sets `constructor` on every instance to the configuration that made it.
  return (value as unknown as { readonly constructor: unknown }).constructor === Decimal;
}

const BASE = 1e7;
const WORD_DIGITS = 7;
/**
 * Digits a result may have and come back unrounded: the precision kbot's Decimal is configured
 * with (40). A result with more takes decimal.js's path, which rounds it.
 */
const EXACT_DIGITS = 40;
/** Words that always hold at most 40 digits (5 × 7 = 35): no digit count needed. */
const ALWAYS_EXACT_WORDS = 5;
/**
 * Operand words the fast paths read: any Decimal of up to 40 digits, as decimal.js's results are
 * (40 digits span at most 7 words: 1 + 6 × 7 = 43 places).
 */
const MAX_OPERAND_WORDS = 7;
/** Most words an exact sum or product may span before it is rounded to 40 digits. */
const MAX_SPAN = 16;

/** Scratch for one operation's words, most significant first; never escapes a call. */
const SCRATCH_WORDS = 32;
const scratch = new Float64Array(SCRATCH_WORDS);

/**
 * The operand's words when the fast path may read it: finite, kbot's Decimal, short enough, and
 * kbot's Decimal still configured to 40 digits (a caller may `Decimal.set` it).
 */
function wordsOf(value: Decimal): readonly number[] | null {
  const words = (value as unknown as DecimalParts).d;
  if (words === null || words.length > MAX_OPERAND_WORDS || !isKbotDecimal(value) || Decimal.precision !== EXACT_DIGITS) return null;
  return words;
}

/** Whether normalised words hold at most 40 significant digits. */
function atMostExactDigits(words: readonly number[]): boolean {
  const count = words.length;
  return count <= ALWAYS_EXACT_WORDS || significantDigits(words[0]!, count, words[count - 1]!) <= EXACT_DIGITS;
}

/** decimal.js's zero of the given sign. */
function zero(sign: number): Decimal {
  return decimalOfParts(sign, 0, [0]);
}

/** What decimal.js makes of x − x: zero, negative under ROUND_FLOOR only, so that one takes its path. */
function zeroSum(): Decimal | undefined {
  return Decimal.rounding === Decimal.ROUND_FLOOR ? undefined : zero(1);
}

/** `value` with the other sign (a copy of its words: Decimals never share them). */
function negatedCopy(value: Decimal): Decimal {
  const parts = value as unknown as DecimalParts;
  return decimalOfParts(-parts.s, parts.e, parts.d!.slice());
}

/** Position (power of 1e7) of a Decimal's first word: floor(e / 7). */
function topPosition(e: number): number {
  return Math.floor(e / WORD_DIGITS);
}

/**
 * A Decimal from `count` words of `scratch` starting at `from` (first word nonzero, last word
 * nonzero), whose first word is at position `top`. Words are stored as small integers, the
 * element kind decimal.js's own arrays have.
 */
function makeDecimal(sign: number, top: number, from: number, count: number): Decimal {
  const w = scratch;
  let words: number[];
  switch (count) {
    case 1: words = [w[from]! | 0]; break;
    case 2: words = [w[from]! | 0, w[from + 1]! | 0]; break;
    case 3: words = [w[from]! | 0, w[from + 1]! | 0, w[from + 2]! | 0]; break;
    case 4: words = [w[from]! | 0, w[from + 1]! | 0, w[from + 2]! | 0, w[from + 3]! | 0]; break;
    default:
      words = [w[from]! | 0, w[from + 1]! | 0, w[from + 2]! | 0, w[from + 3]! | 0, w[from + 4]! | 0];
      for (let index = from + 5; index < from + count; index++) words.push(w[index]! | 0);
  }
  return decimalOfParts(sign, top * WORD_DIGITS + digitsOfWord(words[0]!) - 1, words);
}


/**
 * Writes the words of `scratch[0..length)` (position `top` first) as a Decimal after dropping
 * leading and trailing zero words; undefined when that leaves nothing. A result of more than 40
 * digits is rounded to 40 when `round` (a sum, difference or product: decimal.js rounds its exact
 * result so) and undefined otherwise (a text or a rounding, which decimal.js keeps whole).
 */
function finish(sign: number, top: number, length: number, round: boolean): Decimal | undefined {
  let from = 0;
  while (from < length && scratch[from] === 0) from++;
  let end = length;
  while (end > from && scratch[end - 1] === 0) end--;
  const count = end - from;
  if (count === 0) return undefined;
  if (count > ALWAYS_EXACT_WORDS && significantDigits(scratch[from]!, count, scratch[end - 1]!) > EXACT_DIGITS) {
    return round ? roundedToPrecision(makeDecimal(sign, top - from, from, count)) : undefined;
  }
  return makeDecimal(sign, top - from, from, count);
}

/**
 * `exact` rounded to 40 digits with kbot's rounding mode, as decimal.js's `finalise` rounds an
 * exact result at the precision; undefined from 10^40 up (rounding to tens and more is left to
 * decimal.js).
 */
function roundedToPrecision(exact: Decimal): Decimal | undefined {
  const places = EXACT_DIGITS - 1 - (exact as unknown as DecimalParts).e;
  return places < 0 ? undefined : decimalToPlaces(exact, places, Decimal.rounding as DecimalJs.Rounding);
}

/** |x| + |y| with the given sign; undefined when the fast path does not apply. */
function addMagnitudes(xd: readonly number[], xTop: number, yd: readonly number[], yTop: number, sign: number): Decimal | undefined {
  const top = xTop > yTop ? xTop : yTop;
  const xBottom = xTop - xd.length + 1;
  const yBottom = yTop - yd.length + 1;
  const bottom = xBottom < yBottom ? xBottom : yBottom;
  // One more word at the front for the carry.
  const length = top - bottom + 2;
  if (length > MAX_SPAN) return undefined;
  const w = scratch;
  for (let index = 0; index < length; index++) w[index] = 0;
  for (let index = 0; index < xd.length; index++) w[1 + top - xTop + index] = xd[index]!;
  for (let index = 0; index < yd.length; index++) w[1 + top - yTop + index] += yd[index]!;
  let carry = 0;
  for (let index = length - 1; index >= 0; index--) {
    const sum = w[index]! + carry;
    if (sum >= BASE) {
      w[index] = sum - BASE;
      carry = 1;
    } else {
      w[index] = sum;
      carry = 0;
    }
  }
  return finish(sign, top + 1, length, true);
}

/** Compares |x| and |y| given their exponents: 1, 0 or -1. */
function compareMagnitudes(xd: readonly number[], xe: number, yd: readonly number[], ye: number): number {
  if (xe !== ye) return xe > ye ? 1 : -1;
  const shared = xd.length < yd.length ? xd.length : yd.length;
  for (let index = 0; index < shared; index++) {
    if (xd[index] !== yd[index]) return xd[index]! > yd[index]! ? 1 : -1;
  }
  return xd.length === yd.length ? 0 : xd.length > yd.length ? 1 : -1;
}

/** |x| − |y| for |x| > |y|, with the given sign; undefined when the fast path does not apply. */
function subtractMagnitudes(xd: readonly number[], xTop: number, yd: readonly number[], yTop: number, sign: number): Decimal | undefined {
  // |x| > |y| puts x's first word at or above y's.
  const top = xTop;
  const xBottom = xTop - xd.length + 1;
  const yBottom = yTop - yd.length + 1;
  const bottom = xBottom < yBottom ? xBottom : yBottom;
  const length = top - bottom + 1;
  if (length > MAX_SPAN) return undefined;
  const w = scratch;
  for (let index = 0; index < length; index++) w[index] = 0;
  for (let index = 0; index < xd.length; index++) w[index] = xd[index]!;
  for (let index = 0; index < yd.length; index++) w[top - yTop + index] -= yd[index]!;
  let borrow = 0;
  for (let index = length - 1; index >= 0; index--) {
    const difference = w[index]! - borrow;
    if (difference < 0) {
      w[index] = difference + BASE;
      borrow = 1;
    } else {
      w[index] = difference;
      borrow = 0;
    }
  }
  return finish(sign, top, length, true);
}

/** x + y·ySign: the shared body of plus and minus; undefined when decimal.js must do it. */
function combine(x: Decimal, y: Decimal, ySign: number): Decimal | undefined {
  const xd = wordsOf(x);
  const yd = wordsOf(y);
  if (xd === null || yd === null) return undefined;
  const xp = x as unknown as DecimalParts;
  const yp = y as unknown as DecimalParts;
  const xs = xp.s;
  const ys = yp.s * ySign;
  const xZero = xd[0] === 0;
  const yZero = yd[0] === 0;
  if (xZero || yZero) {
    // decimal.js: x + 0 is x and 0 + y is y, rounded to 40 digits (so a longer one takes its
    // path); zeros of one sign add up to that zero, of opposite signs to the rounding mode's.
    if (yZero) return xZero && xs !== ys ? zeroSum() : atMostExactDigits(xd) ? x : undefined;
    if (!atMostExactDigits(yd)) return undefined;
    return ySign === 1 ? y : negatedCopy(y);
  }
  const xTop = topPosition(xp.e);
  const yTop = topPosition(yp.e);
  if (xs === ys) return addMagnitudes(xd, xTop, yd, yTop, xs);
  const order = compareMagnitudes(xd, xp.e, yd, yp.e);
  if (order === 0) return zeroSum();
  return order > 0 ? subtractMagnitudes(xd, xTop, yd, yTop, xs) : subtractMagnitudes(yd, yTop, xd, xTop, ys);
}

/** `a.plus(b)`: the same Decimal, computed on the words. */
export function decimalPlus(a: Decimal, b: Decimal): Decimal {
  return combine(a, b, 1) ?? a.plus(b);
}

/** `a.minus(b)`: the same Decimal, computed on the words. */
export function decimalMinus(a: Decimal, b: Decimal): Decimal {
  return combine(a, b, -1) ?? a.minus(b);
}

/** `a.times(b)`: the same Decimal, computed on the words. */
export function decimalTimes(a: Decimal, b: Decimal): Decimal {
  const xd = wordsOf(a);
  const yd = wordsOf(b);
  if (xd === null || yd === null) return a.times(b);
  const xp = a as unknown as DecimalParts;
  const yp = b as unknown as DecimalParts;
  // decimal.js: a product with a zero is the zero of the product's sign.
  if (xd[0] === 0 || yd[0] === 0) return zero(xp.s * yp.s);
  const xLength = xd.length;
  const yLength = yd.length;
  // The product has xLength + yLength words at most (the first may be zero).
  const length = xLength + yLength;
  if (length > MAX_SPAN) return a.times(b);
  const w = scratch;
  for (let index = 0; index < length; index++) w[index] = 0;
  // Word products are below 1e14 and at most 7 add up in one place: exact in a double.
  for (let i = 0; i < xLength; i++) {
    const xWord = xd[i]!;
    for (let j = 0; j < yLength; j++) w[i + j + 1] += xWord * yd[j]!;
  }
  let carry = 0;
  for (let index = length - 1; index >= 0; index--) {
    const value = w[index]! + carry;
    carry = Math.floor(value / BASE);
    let word = value - carry * BASE;
    // The division rounds; correct the quotient if that put the word out of range.
    if (word < 0) {
      carry -= 1;
      word += BASE;
    } else if (word >= BASE) {
      carry += 1;
      word -= BASE;
    }
    w[index] = word;
  }
  return finish(xp.s * yp.s, topPosition(xp.e) + topPosition(yp.e) + 1, length, true) ?? a.times(b);
}

/**
 * `value.toDecimalPlaces(places, rounding)` (rounding: a decimal.js rounding mode, 0 to 8): the
 * same Decimal, rounded on the words when the value keeps at least one nonzero word. A value
 * that already has at most `places` decimals comes back as it is (decimal.js returns an equal copy).
 */
export function decimalToPlaces(value: Decimal, places: number, rounding: DecimalJs.Rounding): Decimal {
  const parts = value as unknown as DecimalParts;
  const words = parts.d;
  if (words === null || words[0] === 0 || !isKbotDecimal(value) || !Number.isInteger(places) || places < 0 || places > 1e9) {
    return value.toDecimalPlaces(places, rounding);
  }
  const length = words.length;
  const top = topPosition(parts.e);
  // Position of the word holding the last decimal kept, and the digits of that word below it.
  const cutPosition = Math.floor(-places / WORD_DIGITS);
  const cutDigits = -places - cutPosition * WORD_DIGITS;
  const cutIndex = top - cutPosition;
  // Nothing to drop below the cut.
  if (cutIndex >= length - 1) {
    if (cutIndex > length - 1) return value;
    const last = words[length - 1]!;
    if (last % EXACT_POWERS_OF_TEN[cutDigits]! === 0) return value;
  }
  // Every nonzero digit is below the cut (the result is zero or one unit): decimal.js's path.
  if (cutIndex < 0 || length > MAX_SPAN) return value.toDecimalPlaces(places, rounding);

  const unit = EXACT_POWERS_OF_TEN[cutDigits]!;
  const cutWord = words[cutIndex]!;
  const dropped = cutWord % unit;
  const kept = cutWord - dropped;
  // The dropped part against half a unit: -1 below, 0 exactly half, 1 above.
  let versusHalf: number;
  const restNonzero = cutIndex + 1 < length;
  if (cutDigits > 0) {
    const half = unit / 2;
    versusHalf = dropped > half ? 1 : dropped < half ? -1 : restNonzero ? 1 : 0;
  } else {
    // The cut is at a word boundary: the dropped part is the words after this one.
    const next = restNonzero ? words[cutIndex + 1]! : 0;
    versusHalf = next > BASE / 2 ? 1 : next < BASE / 2 ? -1 : cutIndex + 2 < length ? 1 : 0;
  }
  const droppedNonzero = dropped !== 0 || restNonzero;
  if (!droppedNonzero) return value;
  const negative = parts.s < 0;
  const lastKeptDigit = Math.floor(kept / unit) % 10;
  let roundUp: boolean;
  switch (rounding) {
    case 0: roundUp = true; break; // ROUND_UP: away from zero
    case 1: roundUp = false; break; // ROUND_DOWN: towards zero
    case 2: roundUp = !negative; break; // ROUND_CEIL
    case 3: roundUp = negative; break; // ROUND_FLOOR
    case 4: roundUp = versusHalf >= 0; break; // ROUND_HALF_UP
    case 5: roundUp = versusHalf > 0; break; // ROUND_HALF_DOWN
    case 6: roundUp = versusHalf > 0 || (versusHalf === 0 && lastKeptDigit % 2 === 1); break; // ROUND_HALF_EVEN
    case 7: roundUp = versusHalf > 0 || (versusHalf === 0 && !negative); break; // ROUND_HALF_CEIL
    case 8: roundUp = versusHalf > 0 || (versusHalf === 0 && negative); break; // ROUND_HALF_FLOOR
    default: return value.toDecimalPlaces(places, rounding);
  }
  // Words 0..cutIndex of the magnitude, with the cut word truncated, into scratch at 1 (0 takes a carry).
  const w = scratch;
  w[0] = 0;
  for (let index = 0; index < cutIndex; index++) w[index + 1] = words[index]!;
  w[cutIndex + 1] = kept;
  if (roundUp) {
    let index = cutIndex + 1;
    let sum = w[index]! + unit;
    while (sum >= BASE) {
      w[index] = sum - BASE;
      index--;
      sum = w[index]! + 1;
    }
    w[index] = sum;
  }
  return finish(parts.s, top + 1, cutIndex + 2, false) ?? value.toDecimalPlaces(places, rounding);
}

/** Largest integer divisor whose remainder, times 1e7 plus a word, stays below 2^53. */
const MAX_SHORT_DIVISOR = 900_719_925;
/** Significant digits a quotient is worked out to before rounding: one more than kbot's 40. */
const QUOTIENT_DIGITS = EXACT_DIGITS + 1;

/**
 * `a.dividedBy(b)`: the same Decimal (decimal.js's quotient correctly rounded to 40 digits, half
 * to even), by short division on the words when b has at most 9 significant digits, which every
 * quantity and most prices have. Averages divide by quantities on every fill, and decimal.js's
 * long division costs about 2–5 µs. Anything else (zeros, longer divisors) is decimal.js's.
 */
export function decimalDividedBy(a: Decimal, b: Decimal): Decimal {
  const xd = wordsOf(a);
  const yd = wordsOf(b);
  if (xd === null || yd === null || xd[0] === 0 || yd[0] === 0 || Decimal.rounding !== Decimal.ROUND_HALF_EVEN) return a.dividedBy(b);
  // b = divisor × 10^power, the divisor an integer without trailing zeros (a quantity such as
  // 1.23456789 spans three words, [1, 2345678, 9000000], and is the divisor 123456789).
  const count = yd.length;
  let divisor = 0;
  for (let index = 0; index < count - 1; index++) {
    divisor = divisor * BASE + yd[index]!;
    if (divisor > MAX_SHORT_DIVISOR) return a.dividedBy(b);
  }
  const trailingZeros = trailingZeroDigits(yd[count - 1]!);
  divisor = divisor * EXACT_POWERS_OF_TEN[WORD_DIGITS - trailingZeros]! + yd[count - 1]! / EXACT_POWERS_OF_TEN[trailingZeros]!;
  if (divisor > MAX_SHORT_DIVISOR) return a.dividedBy(b);
  const power = WORD_DIGITS * (topPosition((b as unknown as DecimalParts).e) - count + 1) + trailingZeros;
  // Dividing by 10^power: whole words shift positions; the rest (10^shift, 0 < shift < 7) scales
  // the dividend up by 10^(7 - shift) and shifts one word more.
  const wordShift = Math.floor(power / WORD_DIGITS);
  const shift = power - WORD_DIGITS * wordShift;
  const scale = shift === 0 ? 1 : EXACT_POWERS_OF_TEN[WORD_DIGITS - shift]!;
  const xTop = topPosition((a as unknown as DecimalParts).e);
  // The dividend's words times `scale`, from scratch[1] (scratch[0] takes the carry).
  const w = scratch;
  const length = xd.length;
  let carry = 0;
  for (let index = length - 1; index >= 0; index--) {
    const value = xd[index]! * scale + carry;
    carry = Math.floor(value / BASE);
    w[index + 1] = value - carry * BASE;
  }
  w[0] = carry;
  // Position of the quotient's word 0 (the carry word): the dividend's top + 1, less the shifts.
  const quotientTop = xTop + 1 - wordShift - (shift === 0 ? 0 : 1);
  // Short division, word by word, into the quotient words (written into scratch past the
  // dividend's at most 8 words: up to 8 words and the sticky one), until 41 significant digits
  // or an exact end.
  const out = MAX_OPERAND_WORDS + 2;
  let remainder = 0;
  let produced = 0;
  let digits = 0;
  let leading = 0;
  for (let index = 0; digits < QUOTIENT_DIGITS && (index <= length || remainder !== 0); index++) {
    const current = remainder * BASE + (index <= length ? w[index]! : 0);
    let word = Math.floor(current / divisor);
    remainder = current - word * divisor;
    if (remainder < 0) {
      word -= 1;
      remainder += divisor;
    } else if (remainder >= divisor) {
      word += 1;
      remainder -= divisor;
    }
    if (produced === 0 && word === 0) {
      leading++;
      continue;
    }
    w[out + produced++] = word;
    digits += produced === 1 ? digitsOfWord(word) : WORD_DIGITS;
    if (produced > 8) return a.dividedBy(b);
  }
  const sign = (a as unknown as DecimalParts).s * (b as unknown as DecimalParts).s;
  // Digits left over (dividend words not yet read, or a remainder): the true quotient goes on.
  let sticky = remainder !== 0;
  for (let index = leading + produced; !sticky && index <= length; index++) sticky = w[index] !== 0;
  if (sticky) w[out + produced++] = 1;
  let end = out + produced;
  while (w[end - 1] === 0) end--;
  const unrounded = makeDecimal(sign, quotientTop - leading, out, end - out);
  if (digits <= EXACT_DIGITS && !sticky) return unrounded;
  // Round at the 40th significant digit (half to even, checked above); the sticky word (a 1 below
  // every digit worked out) makes a dropped part of exactly one half count as above it, as the
  // rest of the quotient does.
  return roundedToPrecision(unrounded) ?? a.dividedBy(b);
}

/** decimal.js keeps 7 digits a word: a product of Decimals with this many words in all has at most 35 digits, exact at 40. */
const EXACT_PRODUCT_WORDS = 5;

/**
 * `dividend / divisor`, skipping the long division when `hint` is the exact quotient. Averages
 * (entry price, exit price, fill price) are quotients whose answer is usually one fill's price,
 * and a 40-digit division costs about 2 µs against about 0.2 µs for the check. The check is
 * exact: `hint × divisor` is computed without rounding (at most 35 digits) and must equal
 * `dividend`; then the true quotient is `hint`, which decimal.js's correctly rounded division
 * would return too, so the result is the same Decimal value either way. `divisor` must not be zero.
 */
export function quotientWithHint(dividend: Decimal, divisor: Decimal, hint: Decimal | undefined): Decimal {
  if (hint !== undefined) {
    const hintWords = (hint as unknown as DecimalParts).d;
    const divisorWords = (divisor as unknown as DecimalParts).d;
    if (hintWords !== null && divisorWords !== null && hintWords.length + divisorWords.length <= EXACT_PRODUCT_WORDS && compareDecimals(decimalTimes(hint, divisor), dividend) === 0) {
      return hint;
    }
  }
  return decimalDividedBy(dividend, divisor);
}

/** Digit words of a finite Decimal (7 digits a word); Infinity for NaN and ±Infinity. */
function wordCount(value: Decimal): number {
  const words = (value as unknown as DecimalParts).d;
  return words === null ? Number.POSITIVE_INFINITY : words.length;
}

/**
 * `a × b < limit`, exactly, for order checks (an order's cost against the pair's minimum): when
 * the three have at most 14 digits each, doubles decide it unless the product is within a
 * billionth of the limit (their rounding error is below 1e-15); otherwise, or that close, the
 * exact product does (a 40-digit multiplication, about 0.3 µs).
 */
export function decimalProductBelow(a: Decimal, b: Decimal, limit: Decimal): boolean {
  if (wordCount(a) <= 2 && wordCount(b) <= 2 && wordCount(limit) <= 2) {
    const product = decimalToNumber(a) * decimalToNumber(b);
    const bound = decimalToNumber(limit);
    if (product > bound + Math.abs(bound) * 1e-9 + Number.MIN_VALUE) return false;
    if (product < bound - Math.abs(bound) * 1e-9 - Number.MIN_VALUE) return true;
  }
  return compareDecimals(decimalTimes(a, b), limit) < 0;
}

/**
 * `new Decimal(value)`: the same Decimal, read from the number's shortest text (as decimal.js
 * does) into digit words here. decimal.js's constructor costs about 0.4–0.6 µs for a price (it
 * checks its argument, makes the text and parses it with regular expressions), and the venue
 * and strategies turn market prices, which are numbers, into Decimals on every order. Texts in
 * exponent form (below 1e-6 or from 1e21) take decimal.js's path.
 */
export function decimalFromNumber(value: number): Decimal {
  if (!Number.isFinite(value) || value === 0 || Decimal.precision !== EXACT_DIGITS) return new Decimal(value);
  const sign = value < 0 ? -1 : 1;
  const magnitude = value < 0 ? -value : value;
  if (magnitude < BASE && Number.isInteger(magnitude)) return decimalOfParts(sign, digitsOfWord(magnitude) - 1, [magnitude | 0]);
  return wordsFromText(String(magnitude), 0, sign) ?? new Decimal(value);
}

/**
 * `new Decimal(text)` for a plain decimal text (`[+-]digits[.digits]`, `digits.` or `.digits`):
 * the same Decimal, its digits read into words here (decimal.js's parser runs regular
 * expressions and costs about 0.5–1 µs for a price). Other texts (exponents, `Infinity`, more
 * than 40 digits, zeros, anything invalid) go to decimal.js, which also throws what it throws.
 */
export function decimalFromText(text: string): Decimal {
  if (Decimal.precision !== EXACT_DIGITS) return new Decimal(text);
  const first = text.charCodeAt(0);
  const negative = first === 45; // '-'
  const start = negative || first === 43 ? 1 : 0; // '+'
  return wordsFromText(text, start, negative ? -1 : 1) ?? new Decimal(text);
}

/**
 * The Decimal of `text` from `start` on, digits with at most one '.', at least one digit;
 * undefined for anything else, for zero and for more than 40 digits. Integer digits go into
 * words from the point leftwards, fraction digits from the point rightwards.
 */
function wordsFromText(text: string, start: number, sign: number): Decimal | undefined {
  const length = text.length;
  let point = -1;
  for (let index = start; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46 && point === -1) point = index;
    else if (code < 48 || code > 57) return undefined;
  }
  if (point === -1) point = length;
  const integerDigits = point - start;
  const fractionDigits = point === length ? 0 : length - point - 1;
  if (integerDigits + fractionDigits === 0) return undefined;
  const integerWords = Math.ceil(integerDigits / WORD_DIGITS);
  const fractionWords = Math.ceil(fractionDigits / WORD_DIGITS);
  if (integerWords + fractionWords > SCRATCH_WORDS) return undefined;
  const w = scratch;
  let at = 0;
  let word = 0;
  let digitsInWord = integerDigits - WORD_DIGITS * (integerWords - 1);
  for (let index = start; index < point; index++) {
    word = word * 10 + (text.charCodeAt(index) - 48);
    if (--digitsInWord === 0) {
      w[at++] = word;
      word = 0;
      digitsInWord = WORD_DIGITS;
    }
  }
  digitsInWord = WORD_DIGITS;
  for (let index = point + 1; index < length; index++) {
    word = word * 10 + (text.charCodeAt(index) - 48);
    if (--digitsInWord === 0) {
      w[at++] = word;
      word = 0;
      digitsInWord = WORD_DIGITS;
    }
  }
  if (digitsInWord < WORD_DIGITS) w[at++] = word * EXACT_POWERS_OF_TEN[digitsInWord]!;
  return finish(sign, integerWords - 1, integerWords + fractionWords, false);
}
