import { Decimal, ExchangeError, instrumentId, type EpochMs, type InstrumentId } from '@kbot/core';
import { JsonNumber } from './lossless-json.js';
import { parseRfc3339 } from './parse-timestamp.js';

/*
 * Readers for WebSocket v2 payload fields. They accept what the lossless parser produces
 * (JsonNumber) and what JSON.parse produces (number), and strings for numbers, since Kraken has
 * sent both. A wrong field is an ExchangeError (bad-response) naming channel, field and value.
 */

function received(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** The error for a field that is not what Kraken documents. */
export function wsFieldError(field: string, value: unknown, expected: string): ExchangeError {
  return new ExchangeError('bad-response', `Kraken WebSocket ${field}: received ${received(value)}, expected ${expected}`);
}

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

export function wsRecord(value: unknown, field: string): Readonly<Record<string, unknown>> {
  if (!isRecord(value)) throw wsFieldError(field, value, 'an object');
  return value;
}

export function wsArray(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw wsFieldError(field, value, 'an array');
  return value;
}

export function wsString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw wsFieldError(field, value, 'a non-empty string');
  return value;
}

/**
 * An optional text field: absent, null or empty is "not given". Kraken sends empty strings for
 * optional fields (a ledger entry's `subtype`, say); refusing one would drop the whole message.
 */
export function wsOptionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : wsString(value, field);
}

/** A number field as a float: for market data, where numbers are the model (core's market-data.ts). */
export function wsNumber(value: unknown, field: string): number {
  let number = Number.NaN;
  if (typeof value === 'number') number = value;
  else if (value instanceof JsonNumber) number = value.toNumber();
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) number = Number(value);
  if (!Number.isFinite(number)) throw wsFieldError(field, value, 'a number');
  return number;
}

/** A number field as an exact Decimal, read from its source text when the lossless parser produced it. */
export function wsDecimal(value: unknown, field: string): Decimal {
  let text: string | undefined;
  if (value instanceof JsonNumber) text = value.text;
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  if (text === undefined) throw wsFieldError(field, value, 'a decimal number');
  return new Decimal(text);
}

export function wsOptionalDecimal(value: unknown, field: string): Decimal | undefined {
  return value === undefined || value === null ? undefined : wsDecimal(value, field);
}

/** A whole-number field; ids beyond 2^53 must use wsIntegerText instead. */
export function wsInteger(value: unknown, field: string): number {
  const number = wsNumber(value, field);
  if (!Number.isSafeInteger(number)) throw wsFieldError(field, value, 'a whole number');
  return number;
}

/** A whole number kept as text, exact at any size (`connection_id` is a uint64). */
export function wsIntegerText(value: unknown, field: string): string {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!/^-?\d+$/.test(text)) throw wsFieldError(field, value, 'a whole number');
  return text;
}

export function wsBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw wsFieldError(field, value, 'true or false');
  return value;
}

/** An RFC3339 timestamp → epoch ms. */
export function wsTime(value: unknown, field: string): EpochMs {
  const time = typeof value === 'string' ? parseRfc3339(value) : Number.NaN;
  if (Number.isNaN(time)) throw wsFieldError(field, value, 'an RFC3339 time such as 2023-10-06T17:35:55.440295Z');
  return time;
}

/** The `timestamp` of an entry, or `fallback` (the receive time) when Kraken left it out. */
export function wsTimeOr(value: unknown, field: string, fallback: EpochMs): EpochMs {
  return value === undefined || value === null ? fallback : wsTime(value, field);
}

// Symbols already read, and their ids: every ticker and trade message names one, and reading it
// (trim, upper case, pattern) costs more than a lookup. Bounded, as symbols come from the wire.
const knownSymbols = new Map<string, InstrumentId>();
const KNOWN_SYMBOLS_LIMIT = 4096;

/** A v2 symbol (`BTC/USD`) → kbot's instrument id. */
export function wsInstrumentId(value: unknown, field: string): InstrumentId {
  const symbol = wsString(value, field);
  const known = knownSymbols.get(symbol);
  if (known !== undefined) return known;
  let id: InstrumentId;
  try {
    id = instrumentId(symbol);
  } catch {
    throw wsFieldError(field, value, 'a symbol such as "BTC/USD"');
  }
  if (knownSymbols.size >= KNOWN_SYMBOLS_LIMIT) knownSymbols.clear();
  knownSymbols.set(symbol, id);
  return id;
}
