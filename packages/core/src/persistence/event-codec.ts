import { InvariantError } from '../errors/errors.js';
import { Decimal, isDecimal } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';

/*
 * A lossless JSON form for journaled events and other stored values. Plain JSON would turn a
 * Decimal into a string (or a lossy number), drop keys whose value is undefined, and write NaN
 * as null; this codec keeps all of them by writing such values as one-key tagged objects:
 *
 *   Decimal          {"$decimal":"40010.5"}   (every digit, exponent form for extreme values)
 *   undefined        {"$undefined":true}
 *   NaN, ±Infinity,  {"$number":"NaN"}        (also "-0", which JSON would write as 0)
 *   bigint           {"$bigint":"123"}
 *
 * A real key that starts with `$` is written with one more `$` in front (`$x` → `$$x`), so a
 * tag can never be confused with data. Decoding builds Decimals with kbot's Decimal and freezes
 * every object and array, as events are frozen when they are made.
 */

const DOLLAR = 36;

const TAG_DECIMAL = '$decimal';
const TAG_UNDEFINED = '$undefined';
const TAG_NUMBER = '$number';
const TAG_BIGINT = '$bigint';

/** Every journaled event type: decoding refuses anything else. A Record, so a new type must be added here. */
const JOURNALED_TYPES: Record<JournaledEvent['type'], true> = {
  'order-submitted': true,
  'order-denied': true,
  'order-accepted': true,
  'order-rejected': true,
  'order-filled': true,
  'order-cancel-requested': true,
  'order-cancel-rejected': true,
  'order-canceled': true,
  'order-expired': true,
  'position-opened': true,
  'position-changed': true,
  'position-closed': true,
  'trading-state-changed': true,
  'strategy-state-changed': true,
  'engine-started': true,
  'engine-stopped': true,
};

/** The journaled event types, in no particular order. */
export const JOURNALED_EVENT_TYPES: readonly JournaledEvent['type'][] = Object.freeze(Object.keys(JOURNALED_TYPES) as JournaledEvent['type'][]);

export function isJournaledEventType(type: unknown): type is JournaledEvent['type'] {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(JOURNALED_TYPES, type);
}

/** A Decimal's exact text; negative zero as '-0' (both the JSON and the compact journal forms use it). */
export function decimalText(value: Decimal): string {
  // Decimal's toString keeps every digit; only negative zero needs help to survive.
  return value.isZero() && value.isNegative() ? '-0' : value.toString();
}

/** A key starting with `$` gets a second one, so no user key can pose as a tag. */
function escapedKey(key: string): string {
  return key.charCodeAt(0) === DOLLAR ? `$${key}` : key;
}

const PLAIN_DATA = 'plain data (objects, arrays, strings, numbers, booleans, null, undefined, bigints, Decimals)';

function refuse(key: string, what: string): never {
  throw new InvariantError(`cannot store ${key === '' ? 'the value' : `key ${JSON.stringify(key)}`}: received a ${what}, expected ${PLAIN_DATA}`);
}

/*
 * Encoding is two steps: `plain` copies the value into plain JSON data (Decimals and the other
 * values JSON cannot hold become tagged objects, `$` keys are escaped, anything that would not
 * come back as it went in is refused), then one native JSON.stringify writes it. Building the
 * text by concatenation instead left long chains of small strings that cost more to flatten and
 * collect than to make (about 40 µs an event against a few; `pnpm bench backtest`, the SQLite
 * journal row), and a JSON.stringify replacer, called per key, measured twice as slow again.
 */
function plain(value: unknown, key: string): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG_NUMBER]: Object.is(value, -0) ? '-0' : String(value) };
    case 'undefined':
      return UNDEFINED_TAG;
    case 'bigint':
      return { [TAG_BIGINT]: value.toString() };
    case 'object': {
      if (value === null) return null;
      if (isDecimal(value)) return { [TAG_DECIMAL]: decimalText(value) };
      if (Array.isArray(value)) {
        const items = new Array<unknown>(value.length);
        for (let index = 0; index < value.length; index++) items[index] = plain(value[index], key);
        return items;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) refuse(key, (value as object).constructor?.name ?? 'non-plain object');
      const copy: Record<string, unknown> = {};
      for (const name of Object.keys(value)) {
        const item = plain((value as Record<string, unknown>)[name], name);
        const escaped = escapedKey(name);
        // An own "__proto__" key must stay a key, not set the copy's prototype.
        if (escaped === '__proto__') Object.defineProperty(copy, escaped, { value: item, enumerable: true, writable: true, configurable: true });
        else copy[escaped] = item;
      }
      return copy;
    }
    default:
      return refuse(key, typeof value);
  }
}

const UNDEFINED_TAG = Object.freeze({ [TAG_UNDEFINED]: true });


/**
 * Encodes any value built from plain objects, arrays, strings, numbers, booleans, null,
 * undefined, bigints and Decimals. Anything else (a Date, a Map, a class instance, a function)
 * throws an InvariantError naming the key, because it would not come back as it went in.
 */
export function encodeValue(value: unknown): string {
  try {
    return JSON.stringify(plain(value, ''));
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    // a cycle recurses until the stack runs out
    throw new InvariantError(`cannot encode value: ${(error as Error).message} (is it cyclic?)`, { cause: error });
  }
}

function decodeTag(tag: string, payload: unknown): unknown {
  switch (tag) {
    case TAG_DECIMAL:
      if (typeof payload !== 'string') throw new InvariantError(`${tag} holds ${JSON.stringify(payload)}, expected a decimal string`);
      try {
        return new Decimal(payload);
      } catch {
        throw new InvariantError(`${tag} holds ${JSON.stringify(payload)}, expected a decimal string`);
      }
    case TAG_UNDEFINED:
      return undefined;
    case TAG_NUMBER: {
      const number = payload === '-0' ? -0 : Number(payload);
      if (typeof payload !== 'string' || (Number.isNaN(number) && payload !== 'NaN')) throw new InvariantError(`${tag} holds ${JSON.stringify(payload)}, expected NaN, Infinity, -Infinity or -0`);
      return number;
    }
    case TAG_BIGINT:
      if (typeof payload !== 'string' || !/^-?\d+$/.test(payload)) throw new InvariantError(`${tag} holds ${JSON.stringify(payload)}, expected an integer string`);
      return BigInt(payload);
    default:
      throw new InvariantError(`unknown tag ${JSON.stringify(tag)}`);
  }
}

function revive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = revive(value[index]);
    return Object.freeze(value);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0]!.charCodeAt(0) === DOLLAR && keys[0]!.charCodeAt(1) !== DOLLAR) return decodeTag(keys[0]!, record[keys[0]!]);
  let hasEscaped = false;
  for (const key of keys) {
    if (key.charCodeAt(0) === DOLLAR) {
      if (key.charCodeAt(1) !== DOLLAR) throw new InvariantError(`key ${JSON.stringify(key)} is neither a tag nor escaped`);
      hasEscaped = true;
    }
    record[key] = revive(record[key]);
  }
  if (!hasEscaped) return Object.freeze(record);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(out, key.charCodeAt(0) === DOLLAR ? key.slice(1) : key, { value: record[key], enumerable: true, writable: false, configurable: false });
  }
  return Object.freeze(out);
}

/** Decodes what `encodeValue` wrote, frozen. Throws InvariantError (or SyntaxError for broken JSON) on anything else. */
export function decodeValue(text: string): unknown {
  return revive(JSON.parse(text));
}

/** Encodes one journaled event; the payload keeps every field, including the type and sequence. */
export function encodeEvent(event: JournaledEvent): string {
  if (!isJournaledEventType(event.type)) throw new InvariantError(`cannot journal an event of type ${JSON.stringify(event.type)}: it is not a journaled event type`);
  return encodeValue(event);
}

/**
 * Decodes one journaled event: Decimal fields are Decimals again, every part is frozen.
 * `where` names the source in the error (e.g. `trading_data/kbot.sqlite journal sequence 7`).
 */
export function decodeEvent(text: string, where = 'event'): JournaledEvent {
  let value: unknown;
  try {
    value = decodeValue(text);
  } catch (error) {
    throw new InvariantError(`${where}: cannot decode the stored event: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvariantError(`${where}: received ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}, expected an event object`);
  }
  const event = value as Record<string, unknown>;
  if (!isJournaledEventType(event['type'])) throw new InvariantError(`${where}: type: received ${JSON.stringify(event['type'])}, expected a journaled event type`);
  if (!Number.isSafeInteger(event['sequence']) || (event['sequence'] as number) < 1) {
    throw new InvariantError(`${where}: sequence: received ${JSON.stringify(event['sequence'])}, expected a whole number of 1 or more`);
  }
  if (typeof event['time'] !== 'number' || !Number.isFinite(event['time'])) throw new InvariantError(`${where}: time: received ${JSON.stringify(event['time'])}, expected epoch milliseconds`);
  return value as JournaledEvent;
}
