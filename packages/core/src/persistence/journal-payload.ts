import { InvariantError } from '../errors/errors.js';
import { Decimal } from '../model/decimal.js';
import type { JournaledEvent } from '../model/events.js';
import { decodeEvent, encodeEvent } from './event-codec.js';
import { compileFlattener, type Flattener } from './journal-flattener.js';
import { createFieldFormatter, FieldStreams, type PlainSchema, type StreamPosition } from './journal-field-formatter.js';

/*
 * The journal's payload for its busiest events: the order and position events, a few of them per
 * order. Written as JSON (event-codec.ts), such an event is about 900 bytes and costs about 12 µs
 * to encode, most of it copying the event into tagged plain objects and stringifying them
 * (docs/decisions/2026-11-26-compact-journal-payloads.md). Here the fields are written in a fixed
 * order, without their names, as text separated by a control character: about 300 bytes and a
 * third of the time.
 *
 *   \u0002 1 <type> \u001f <field> \u001f <field> ...
 *
 * A field is a string as it is, a Decimal as its exact text ('-0' for negative zero), a number as
 * its shortest round-trip text, a boolean as 1 or 0, an absent (undefined) value as \u0000, and a
 * record (features, fees) as its entries joined by \u001e, key and value joined by \u001d.
 * Nested objects (the order, the fill) are written field by field in place.
 *
 * Only an event that matches its type's schema exactly is written so: the same keys in the same
 * order on every object, every value of the expected kind, no control character in any text, no
 * number that its text would not bring back (-0, NaN, ±Infinity). Anything else, including an event
 * type without a schema or a field added to the model later, is written as JSON, which keeps
 * everything. So the decoder gives back the same event, keys in the same order, frozen, either way.
 */

const HEADER = '\u00021';
const FIELD = '\u001f';
const ENTRY = '\u001e';
const PAIR = '\u001d';
const ABSENT = '\u0000';

type Scalar = 'string' | 'string?' | 'decimal' | 'decimal?' | 'number' | 'number?' | 'boolean' | 'numbers?' | 'decimals';
type Kind = Scalar | Schema;

interface Schema {
  readonly keys: readonly string[];
  readonly kinds: readonly Kind[];
}

function schema(fields: Record<string, Kind>): Schema {
  return Object.freeze({ keys: Object.freeze(Object.keys(fields)), kinds: Object.freeze(Object.values(fields)) });
}

// The key orders are those the engine builds its objects in (frozenOrder, Engine.buildCommand,
// Engine.processFill, Portfolio.freeze and its round trip, Engine.emit's callers).

const COMMAND_FIELDS = {
  clientOrderId: 'string', strategyId: 'string', instrumentId: 'string', side: 'string', type: 'string',
  quantity: 'decimal', price: 'decimal?', triggerPrice: 'decimal?', postOnly: 'boolean', reduceOnly: 'boolean',
  timeInForce: 'string', expireAt: 'number?', tag: 'string?', features: 'numbers?', createdAt: 'number',
} as const satisfies Record<string, Kind>;

const COMMAND = schema(COMMAND_FIELDS);

const ORDER = schema({
  ...COMMAND_FIELDS,
  status: 'string', venueOrderId: 'string?', filledQuantity: 'decimal', averageFillPrice: 'decimal?', fees: 'decimals',
  updatedAt: 'number', reason: 'string?',
});

const FILL = schema({
  tradeId: 'string', clientOrderId: 'string', venueOrderId: 'string?', instrumentId: 'string', side: 'string',
  quantity: 'decimal', price: 'decimal', fee: 'decimal', feeAsset: 'string', liquidity: 'string', time: 'number', strategyId: 'string',
});

const POSITION = schema({
  instrumentId: 'string', quantity: 'decimal', averageEntryPrice: 'decimal', costBasis: 'decimal', realizedPnl: 'decimal',
  feesPaid: 'decimal', openedAt: 'number?', updatedAt: 'number',
});

const ROUND_TRIP = schema({
  instrumentId: 'string', openedAt: 'number', closedAt: 'number', quantity: 'decimal', averageEntryPrice: 'decimal',
  averageExitPrice: 'decimal', grossPnl: 'decimal', fees: 'decimal', netPnl: 'decimal', returnFraction: 'decimal', fills: 'number',
});

const EVENT_HEAD = { type: 'string', time: 'number', sequence: 'number' } as const satisfies Record<string, Kind>;
const ORDER_EVENT_HEAD = { ...EVENT_HEAD, clientOrderId: 'string', strategyId: 'string', instrumentId: 'string', order: ORDER } as const satisfies Record<string, Kind>;

const EVENTS: ReadonlyMap<string, Schema> = new Map([
  ['order-submitted', schema({ ...ORDER_EVENT_HEAD, command: COMMAND })],
  ['order-accepted', schema(ORDER_EVENT_HEAD)],
  ['order-filled', schema({ ...ORDER_EVENT_HEAD, fill: FILL })],
  ['order-cancel-requested', schema(ORDER_EVENT_HEAD)],
  ['order-canceled', schema(ORDER_EVENT_HEAD)],
  ['order-expired', schema(ORDER_EVENT_HEAD)],
  ['order-rejected', schema({ ...ORDER_EVENT_HEAD, reason: 'string' })],
  ['order-cancel-rejected', schema({ ...ORDER_EVENT_HEAD, reason: 'string' })],
  ['order-denied', schema({ ...ORDER_EVENT_HEAD, code: 'string', reason: 'string', policy: 'string' })],
  ['position-opened', schema({ ...EVENT_HEAD, position: POSITION })],
  ['position-changed', schema({ ...EVENT_HEAD, position: POSITION, fill: FILL })],
  ['position-closed', schema({ ...EVENT_HEAD, position: POSITION, roundTrip: ROUND_TRIP, strategyId: 'string' })],
]);

// ---------------------------------------------------------------- encoding

/** The schemas as plain data, for the field formatter here and in a journal writer thread. */
export const PLAIN_SCHEMAS: Readonly<Record<string, PlainSchema>> = Object.freeze(Object.fromEntries(EVENTS));

/** The compact payloads' formatter on this thread (the writer thread makes its own from the same source). */
export const formatFields = createFieldFormatter(Decimal, PLAIN_SCHEMAS);

/** Each event type's flattener (journal-flattener.ts), generated once. */
const FLATTENERS: ReadonlyMap<string, Flattener> = new Map([...EVENTS].map(([type, shape]) => [type, compileFlattener(shape)]));

/**
 * Checks `event` against its type's schema and, when it fits exactly, writes its field values to
 * `out` for the field formatter (journal-field-formatter.ts) and returns true. Otherwise `out` is
 * left as it was and the event needs the JSON form (`encodeEvent`).
 */
export function flattenJournalEvent(event: JournaledEvent, out: FieldStreams): boolean {
  const flatten = FLATTENERS.get(event.type);
  if (flatten === undefined) return false;
  const numberCount = out.numberCount;
  const textCount = out.texts.length;
  if (flatten(event, out)) return true;
  out.truncate(numberCount, textCount);
  return false;
}

/** Streams of the event being encoded on this thread; reused, so encoding allocates no buffer. */
const scratch = new FieldStreams(256);
const scratchPosition: StreamPosition = { numbers: 0, texts: 0 };

/**
 * The journal payload of `event`: the compact form when the event fits its type's schema
 * exactly, else the JSON form of event-codec.ts. Either decodes with `decodeJournalPayload`.
 */
export function encodeJournalPayload(event: JournaledEvent): string {
  scratch.truncate(0, 0);
  let text: string;
  if (flattenJournalEvent(event, scratch)) {
    scratchPosition.numbers = 0;
    scratchPosition.texts = 0;
    text = formatFields(event.type, scratch.numbers, scratch.texts, scratchPosition);
  } else {
    text = encodeEvent(event);
  }
  scratch.truncate(0, 0);
  return text;
}

/** True when `payload` is in the compact form (the JSON form starts with '{'). */
export function isCompactPayload(payload: string): boolean {
  return payload.startsWith(HEADER);
}

// ---------------------------------------------------------------- decoding

interface Reader {
  readonly fields: string[];
  next: number;
  readonly where: string;
}

function bad(reader: Reader, path: string, received: string, expected: string): InvariantError {
  return new InvariantError(`${reader.where}: field ${path}: received ${JSON.stringify(received)}, expected ${expected}`);
}

function take(reader: Reader, path: string): string {
  if (reader.next >= reader.fields.length) throw new InvariantError(`${reader.where}: field ${path}: missing, the payload ends after ${reader.fields.length} fields`);
  return reader.fields[reader.next++]!;
}

function readDecimal(reader: Reader, path: string, text: string): Decimal {
  try {
    return new Decimal(text);
  } catch {
    throw bad(reader, path, text, 'a decimal number');
  }
}

function readNumber(reader: Reader, path: string, text: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw bad(reader, path, text, 'a finite number');
  return value;
}

function readRecord(reader: Reader, path: string, text: string, decimals: boolean): Readonly<Record<string, unknown>> {
  const record: Record<string, unknown> = {};
  if (text !== '') {
    for (const entry of text.split(ENTRY)) {
      const split = entry.indexOf(PAIR);
      if (split < 0) throw bad(reader, path, entry, 'key and value joined by \\u001d');
      const key = entry.slice(0, split);
      const value = entry.slice(split + 1);
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(record, key)) throw bad(reader, path, key, 'a key written once, other than __proto__');
      record[key] = decimals ? readDecimal(reader, `${path}.${key}`, value) : readNumber(reader, `${path}.${key}`, value);
    }
  }
  return Object.freeze(record);
}

function readScalar(reader: Reader, kind: Scalar, path: string): unknown {
  const text = take(reader, path);
  if (text === ABSENT) {
    if (kind.endsWith('?')) return undefined;
    throw bad(reader, path, text, `a value (${kind})`);
  }
  switch (kind) {
    case 'string':
    case 'string?':
      return text;
    case 'decimal':
    case 'decimal?':
      return readDecimal(reader, path, text);
    case 'number':
    case 'number?':
      return readNumber(reader, path, text);
    case 'boolean':
      if (text === '1') return true;
      if (text === '0') return false;
      throw bad(reader, path, text, '1 or 0');
    case 'numbers?':
      return readRecord(reader, path, text, false);
    case 'decimals':
      return readRecord(reader, path, text, true);
  }
}

function readObject(reader: Reader, shape: Schema, path: string): Readonly<Record<string, unknown>> {
  const object: Record<string, unknown> = {};
  const { keys, kinds } = shape;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const kind = kinds[index]!;
    const at = path === '' ? key : `${path}.${key}`;
    object[key] = typeof kind === 'object' ? readObject(reader, kind, at) : readScalar(reader, kind, at);
  }
  return Object.freeze(object);
}

/**
 * Decodes what `encodeJournalPayload` wrote, in either form: the same event, keys in the same
 * order, Decimals as Decimals, every part frozen. `where` names the source in errors (e.g.
 * `trading_data/kbot.sqlite journal sequence 7`); a payload that does not read throws an
 * InvariantError naming the field, the text found and what was expected.
 */
export function decodeJournalPayload(payload: string, where = 'event'): JournaledEvent {
  if (!isCompactPayload(payload)) return decodeEvent(payload, where);
  const fields = payload.slice(HEADER.length).split(FIELD);
  const type = fields[0]!;
  const shape = EVENTS.get(type);
  if (shape === undefined) throw new InvariantError(`${where}: field type: received ${JSON.stringify(type)}, expected a journaled event type with a compact form`);
  const reader: Reader = { fields, next: 0, where };
  const event = readObject(reader, shape, '');
  if (reader.next !== fields.length) throw new InvariantError(`${where}: ${fields.length} fields, expected ${reader.next} for ${type}`);
  const sequence = event['sequence'] as number;
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new InvariantError(`${where}: sequence: received ${JSON.stringify(sequence)}, expected a whole number of 1 or more`);
  return event as unknown as JournaledEvent;
}
