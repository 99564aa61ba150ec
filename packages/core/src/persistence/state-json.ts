import { InvariantError } from '../errors/errors.js';
import { toDecimal, type Decimal } from '../model/decimal.js';
import type { EpochMs } from '../model/time.js';

/*
 * Readers for state kept as plain JSON in snapshots (engine, portfolio, risk policies). A snapshot
 * is read back by a later process, perhaps a later kbot: every field is checked, and a bad one
 * throws an InvariantError naming its path, what was there and what was expected, so a corrupt
 * or foreign store is refused rather than half-restored.
 */

export function invalidStateField(path: string, received: unknown, expected: string): InvariantError {
  return new InvariantError(`${path}: received ${JSON.stringify(received) ?? String(received)}, expected ${expected}`);
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidStateField(path, value, 'an object');
  return value as Record<string, unknown>;
}

export function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalidStateField(path, value, 'an array');
  return value;
}

export function textAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw invalidStateField(path, value, 'a non-empty string');
  return value;
}

export function optionalTextAt(value: unknown, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidStateField(path, value, 'a string or null');
  return value;
}

/** Money and quantities are kept as exact decimal strings. */
export function decimalAt(value: unknown, path: string): Decimal {
  if (typeof value !== 'string') throw invalidStateField(path, value, 'a decimal string');
  try {
    return toDecimal(value, path);
  } catch {
    throw invalidStateField(path, value, 'a decimal string');
  }
}

export function optionalDecimalAt(value: unknown, path: string): Decimal | undefined {
  return value === null || value === undefined ? undefined : decimalAt(value, path);
}

export function timeAt(value: unknown, path: string): EpochMs {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidStateField(path, value, 'epoch milliseconds');
  return value;
}

/** A record of time lists (`{ "BTC/USD": [t1, t2] }`, e.g. a policy's times per instrument) as a Map; a bad entry names its path. */
export function timeListsAt(value: unknown, path: string): Map<string, EpochMs[]> {
  const lists = new Map<string, EpochMs[]>();
  for (const [key, times] of Object.entries(objectAt(value, path))) {
    const listPath = `${path}.${key}`;
    lists.set(key, arrayAt(times, listPath).map((time, index) => timeAt(time, `${listPath}[${index}]`)));
  }
  return lists;
}

export function wholeNumberAt(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalidStateField(path, value, 'a whole number of 0 or more');
  return value as number;
}

/** `{ key: "decimal" }` → a map of Decimals. */
export function decimalRecordAt(value: unknown, path: string): Map<string, Decimal> {
  const record = new Map<string, Decimal>();
  for (const [key, amount] of Object.entries(objectAt(value, path))) record.set(key, decimalAt(amount, `${path}.${key}`));
  return record;
}

/** A map of Decimals → `{ key: "decimal" }`, exact. */
export function decimalRecordToJson(map: ReadonlyMap<string, Decimal>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, amount] of map) record[key] = amount.toFixed();
  return record;
}
