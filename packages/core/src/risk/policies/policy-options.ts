import { ConfigError } from '../../errors/errors.js';
import { describeReceived } from '../../config/zod-issues.js';
import { Decimal, isDecimal, type DecimalLike } from '../../model/decimal.js';

/*
 * Option checks for the policy factories. Factories are called from configs and from code, so a
 * bad value is a ConfigError naming the config key (`risk.dailyLossQuote`), what it got and what
 * it expected, the same way the config loader reports problems.
 */

function invalid(path: string, value: unknown, expected: string): ConfigError {
  return new ConfigError([{ path, received: isDecimal(value) ? value.toString() : describeReceived(value), expected }]);
}

function parseDecimal(value: DecimalLike, path: string, expected: string): Decimal {
  try {
    const parsed = isDecimal(value) ? value : new Decimal(typeof value === 'string' ? value.trim() : value);
    if (parsed.isFinite()) return parsed;
  } catch {
    // falls through to the error below, which names the key
  }
  throw invalid(path, value, expected);
}

/** A money amount above zero. */
export function positiveAmount(value: DecimalLike, path: string): Decimal {
  const parsed = parseDecimal(value, path, 'a positive decimal amount such as "100"');
  if (!parsed.greaterThan(0)) throw invalid(path, value, 'a positive decimal amount such as "100"');
  return parsed;
}

/** A money amount of zero or more. */
export function nonNegativeAmount(value: DecimalLike, path: string): Decimal {
  const parsed = parseDecimal(value, path, 'a decimal amount of 0 or more such as "100"');
  if (parsed.isNegative()) throw invalid(path, value, 'a decimal amount of 0 or more such as "100"');
  return parsed;
}

/** A finite number above zero, at most `max` when given. */
export function positiveNumber(value: number, path: string, max?: number): number {
  const expected = max === undefined ? 'a number above 0' : `a number above 0 and at most ${max}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (max !== undefined && value > max)) throw invalid(path, value, expected);
  return value;
}

/** A whole number of at least `min`. */
export function integerAtLeast(value: number, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(path, value, `an integer ≥ ${min}`);
  return value;
}
