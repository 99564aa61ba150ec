/*
 * Book prices and quantities as scaled integers: 29430.2 at precision 1 is 294302, 0.001 at
 * precision 8 is 100000. Integers compare exactly, sort without a Decimal, and their digits are
 * what Kraken's checksum wants (the fixed-precision text with the '.' and leading zeros removed).
 *
 * A double holds integers exactly only up to 2^53 ≈ 9.007e15, and real books exceed that: a
 * 1e11 BTT quantity at qty_precision 5, or a 99999997.00000000 troll ask in an 8-decimal v1 feed.
 * So a scaled value is kept in two parts, `high × 10^8 + low` with 0 ≤ low < 10^8, each exact.
 */

/** The base of the two parts. */
export const SCALE_CHUNK = 100_000_000;

/** 10^0 … 10^22: every one is exact as a double. */
export const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);

// The high part stays far below 2^53, so appending a digit to it is always exact.
const HIGH_LIMIT = 1e15;

/** The result of the last successful parseScaled: the value is `high × 10^8 + low`. */
export const scaledResult = { high: 0, low: 0 };

let high = 0;
let low = 0;

/** Appends one decimal digit to (high, low); false on overflow. `low * 10 + digit` < 2^31, so `| 0` floors. */
function appendDigit(digit: number): boolean {
  const next = low * 10 + digit;
  const carry = (next / SCALE_CHUNK) | 0;
  low = next - carry * SCALE_CHUNK;
  high = high * 10 + carry;
  return high < HIGH_LIMIT;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Reads `source[start, end)` — a JSON number token such as `29430.2`, `4.0` or `5.1e-05`, or a
 * decimal string — as a non-negative integer scaled by 10^precision, digit by digit so nothing
 * passes through a binary float, into `scaledResult`. False when the text is not a non-negative
 * number, or carries non-zero digits beyond the precision (the instrument precision is stale).
 */
export function parseScaled(source: string, start: number, end: number, precision: number): boolean {
  // Fast path for what Kraken sends nearly always: plain digits with at most one '.', at most 15
  // digits (so the integer is exact in a double) and no more decimals than the precision.
  let value = 0;
  let dotAt = -1;
  let index = start;
  for (; index < end; index++) {
    const code = source.charCodeAt(index);
    if (code >= 48 && code <= 57) value = value * 10 + (code - 48);
    else if (code === 46 && dotAt < 0) dotAt = index;
    else break;
  }
  if (index === end) {
    const digits = dotAt < 0 ? end - start : end - start - 1;
    const fraction = dotAt < 0 ? 0 : end - dotAt - 1;
    if (digits > 0 && digits <= 15 && fraction <= precision) {
      // Exact whenever the result is at most 2^53: both factors are exact integers.
      const scaled = value * POWERS_OF_TEN[precision - fraction]!;
      if (scaled <= Number.MAX_SAFE_INTEGER) return splitScaled(scaled);
    }
  }
  return parseScaledGeneral(source, start, end, precision);
}

/**
 * A number already read as `digits` (an integer below 10^15) and `decimals` (the digits after
 * the '.'), scaled to `precision` into `scaledResult`: what parseScaled gives for its text. False
 * when this cannot be done exactly here (more decimals than the precision, or a result beyond
 * 2^53): parse the text instead.
 */
export function scaledFromDigits(digits: number, decimals: number, precision: number): boolean {
  if (decimals < 0 || decimals > precision) return false;
  const scaled = digits * POWERS_OF_TEN[precision - decimals]!;
  return scaled <= Number.MAX_SAFE_INTEGER && splitScaled(scaled);
}

/** Stores an exact integer below 2^53 in `scaledResult` as its two parts. */
function splitScaled(scaled: number): true {
  if (scaled < SCALE_CHUNK) {
    scaledResult.high = 0;
    scaledResult.low = scaled;
    return true;
  }
  let scaledHigh = Math.floor(scaled / SCALE_CHUNK);
  let scaledLow = scaled - scaledHigh * SCALE_CHUNK;
  // Guard the division's rounding so both parts are exact.
  if (scaledLow < 0) {
    scaledHigh -= 1;
    scaledLow += SCALE_CHUNK;
  } else if (scaledLow >= SCALE_CHUNK) {
    scaledHigh += 1;
    scaledLow -= SCALE_CHUNK;
  }
  scaledResult.high = scaledHigh;
  scaledResult.low = scaledLow;
  return true;
}

/** Any number text parseScaled accepts: signs, exponents, long digit strings, surplus zero decimals. */
function parseScaledGeneral(source: string, start: number, end: number, precision: number): boolean {
  high = 0;
  low = 0;
  let index = start;
  let code = index < end ? source.charCodeAt(index) : 0;
  if (code === 43 /* + */) index++;
  let fraction = 0; // fraction digits folded in
  let pendingZeros = 0; // fraction zeros not yet folded in: trailing zeros never need to be
  let digits = 0;
  let dot = false;
  for (; index < end; index++) {
    code = source.charCodeAt(index);
    if (isDigit(code)) {
      digits++;
      if (!dot) {
        if (!appendDigit(code - 48)) return false;
      } else if (code === 48) {
        pendingZeros++;
      } else {
        fraction += pendingZeros + 1;
        if (fraction > 40) return false;
        for (; pendingZeros > 0; pendingZeros--) if (!appendDigit(0)) return false;
        if (!appendDigit(code - 48)) return false;
      }
    } else if (code === 46 /* . */ && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits === 0) return false;
  let exponent = 0;
  if (index < end && (code === 101 /* e */ || code === 69 /* E */)) {
    index++;
    let exponentNegative = false;
    code = index < end ? source.charCodeAt(index) : 0;
    if (code === 45 || code === 43) {
      exponentNegative = code === 45;
      index++;
    }
    const exponentStart = index;
    for (; index < end; index++) {
      code = source.charCodeAt(index);
      if (!isDigit(code)) break;
      exponent = exponent * 10 + (code - 48);
      if (exponent > 400) return false;
    }
    if (index === exponentStart) return false;
    if (exponentNegative) exponent = -exponent;
  }
  if (index !== end) return false;
  if (high !== 0 || low !== 0) {
    let shift = precision - fraction + exponent;
    if (shift > 30) return false;
    for (; shift > 0; shift--) if (!appendDigit(0)) return false;
    // Digits beyond the precision may only be zeros: drop them one by one.
    for (; shift < 0; shift++) {
      const lastDigit = low % 10;
      if (lastDigit !== 0) return false;
      const highDigit = high % 10;
      low = low / 10 + highDigit * (SCALE_CHUNK / 10);
      high = (high - highDigit) / 10;
    }
  }
  scaledResult.high = high;
  scaledResult.low = low;
  return true;
}

/**
 * The same reading as one number: the scaled integer when it is at most 2^53 (exact), NaN
 * otherwise or when parseScaled refuses the text.
 */
export function parseScaledDecimal(source: string, start: number, end: number, precision: number): number {
  if (!parseScaled(source, start, end, precision)) return Number.NaN;
  const value = scaledResult.high * SCALE_CHUNK + scaledResult.low;
  return value <= Number.MAX_SAFE_INTEGER ? value : Number.NaN;
}

/**
 * Decimals written after the '.' in a decimal string (`"354.13000000"` → 8), for feeds such as
 * WebSocket v1 that send fixed-precision strings and no precision field.
 */
export function decimalsInText(text: string): number {
  const dot = text.indexOf('.');
  if (dot === -1) return 0;
  let end = dot + 1;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return end - dot - 1;
}
