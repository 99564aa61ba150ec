import { Decimal, ExchangeError, toDecimal } from '@kbot/core';

/**
 * Kraken sends numeric fields as strings or as numbers and has switched between the two, so
 * every reader accepts both. Failures name the payload field and what was expected.
 */
export function krakenDecimal(value: unknown, field: string): Decimal {
  if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') {
    try {
      return toDecimal(value, field);
    } catch {
      // fall through to the uniform message below
    }
  }
  throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(value)}, expected a decimal number or decimal string`);
}

export function krakenInteger(value: unknown, field: string): number {
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(value)}, expected a whole number`);
  }
  return number;
}

export function krakenString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(value)}, expected a non-empty string`);
  }
  return value;
}
