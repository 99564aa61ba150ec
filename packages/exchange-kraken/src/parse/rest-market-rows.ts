import { ExchangeError } from '@kbot/core';

/*
 * Readers shared by the parsers of Kraken's public market-data answers (OHLC, Trades, Ticker),
 * which key their rows by Kraken's own pair name (`XXBTZUSD`) next to a `last` cursor.
 */

/** A price, size or time as Kraken sends it (a decimal string or a JSON number) → a finite number. */
export function restNumber(value: unknown, field: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(value)}, expected a number or decimal string`);
  return number;
}

/**
 * The one array of rows in a `{ "<PAIRID>": [...], "last": ... }` answer. Kraken names the pair
 * its own way (`XXBTZUSD` for a request of `XBTUSD`), so the key is not checked, only that there
 * is exactly one.
 */
export function restPairRows(result: unknown, endpoint: string, pair: string): readonly unknown[] {
  if (typeof result !== 'object' || result === null) {
    throw new ExchangeError('bad-response', `Kraken ${endpoint} ${pair}: received ${JSON.stringify(result)}, expected an object of rows keyed by pair`);
  }
  const lists = Object.entries(result).filter(([key]) => key !== 'last');
  if (lists.length !== 1 || !Array.isArray(lists[0]![1])) {
    throw new ExchangeError('bad-response', `Kraken ${endpoint} ${pair}: received the keys ${JSON.stringify(Object.keys(result))}, expected one pair's rows and "last"`);
  }
  return lists[0]![1] as readonly unknown[];
}

/** A row that must be an array of at least `length` fields. */
export function restRow(row: unknown, length: number, field: string): readonly unknown[] {
  if (!Array.isArray(row) || row.length < length) throw new ExchangeError('bad-response', `Kraken ${field}: received ${JSON.stringify(row)}, expected an array of ${length} fields`);
  return row;
}
