import { Decimal as DecimalJs } from 'decimal.js';
import { InvariantError } from '../errors/errors.js';

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
    return new Decimal(value);
  }
  if (typeof value === 'string') {
    const known = parsedTexts.get(value);
    if (known !== undefined) return known;
    const text = value.trim();
    if (DECIMAL_TEXT.test(text)) {
      const parsed = new Decimal(text);
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
  return a.lessThanOrEqualTo(b) ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.greaterThanOrEqualTo(b) ? a : b;
}
