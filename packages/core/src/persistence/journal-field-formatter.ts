import type { Decimal } from '../model/decimal.js';

/*
 * The second half of writing a compact journal payload (journal-payload.ts): from an event's
 * field values, flattened in its schema's order, to the payload text. The first half (checking
 * the event against its schema and flattening it) needs the event's objects, so it runs where
 * the event is; this half needs only the flattened values, so a journal writer thread can run it
 * (journal-writer-thread.ts), away from the engine's thread, where it is most of the cost.
 *
 * It is source text, made into a function both here (`createFieldFormatter`) and inside the
 * writer thread, so both threads write with the very same code. A function of this module could
 * not be handed to the thread: the bundle of the published package rewrites function bodies
 * (its helpers, `require`), and a thread started from text cannot resolve them.
 *
 * The flattened values go into two streams: numbers into a Float64Array (no number is boxed,
 * and the writer thread receives the array's memory without a copy) and texts into an array.
 * Per schema field kind:
 * - string, string?: the text (undefined when absent);
 * - number: the number; number?: the number, or NaN when absent (a written number is finite);
 * - boolean: 1 or 0;
 * - decimal, decimal?: the count of the Decimal's digit groups (`d`), the groups, its exponent
 *   (`e`) and sign (`s`), read straight from a Decimal of kbot's configuration; -3 then `e` and
 *   `s` for a Decimal that is not finite; -2 and its text in the texts for a Decimal of another
 *   configuration (its toString may place an exponent elsewhere); -1 when absent;
 * - numbers? (a record of numbers): the entry count (-1 when absent), then per entry its key in
 *   the texts and its number;
 * - decimals (a record of Decimals): the entry count, then per entry its key in the texts and
 *   the Decimal as above;
 * - a nested object: its fields, in its schema's order.
 */

/** Where a reader of the two streams is: the next number and the next text. */
export interface StreamPosition {
  numbers: number;
  texts: number;
}

/** A schema as plain data, as the writer thread receives it: field names and kinds, nested schemas inline. */
export interface PlainSchema {
  readonly keys: readonly string[];
  readonly kinds: readonly (string | PlainSchema)[];
}

/**
 * Writes the payload of one event of `type` from the streams at `at`, and moves `at` past its
 * values. The event's type is its first text.
 */
export type FieldFormatter = (type: string, numbers: Float64Array, texts: readonly (string | undefined)[], at: StreamPosition) => string;

/**
 * Body of `(Decimal, schemas) => FieldFormatter`. `Decimal` is a decimal.js constructor with
 * kbot's configuration (its toString decides when a text uses an exponent); `schemas` maps each
 * event type with a compact form to its PlainSchema.
 */
export const FIELD_FORMATTER_SOURCE = `
const HEADER = '\\u00021';
const FIELD = '\\u001f';
const ENTRY = '\\u001e';
const PAIR = '\\u001d';
const ABSENT = '\\u0000';
const prototype = Decimal.prototype;
let numbers;
let texts;
let n = 0;
let t = 0;
function decimalText(count) {
  if (count === -2) return texts[t++];
  const value = Object.create(prototype);
  value.constructor = Decimal;
  if (count === -3) {
    value.d = null;
  } else {
    const d = new Array(count);
    for (let group = 0; group < count; group++) d[group] = numbers[n++];
    value.d = d;
  }
  value.e = numbers[n++];
  value.s = numbers[n++];
  // Decimal's toString keeps every digit; only negative zero needs help to survive.
  return value.isZero() && value.isNegative() ? '-0' : value.toString();
}
function formatObject(kinds, parts) {
  for (let field = 0; field < kinds.length; field++) {
    const kind = kinds[field];
    if (typeof kind === 'object') {
      formatObject(kind.kinds, parts);
      continue;
    }
    switch (kind) {
      case 'string':
      case 'string?': {
        const value = texts[t++];
        parts.push(value === undefined ? ABSENT : value);
        break;
      }
      case 'number':
      case 'number?': {
        const value = numbers[n++];
        parts.push(Number.isNaN(value) ? ABSENT : String(value));
        break;
      }
      case 'boolean':
        parts.push(numbers[n++] === 1 ? '1' : '0');
        break;
      case 'decimal':
      case 'decimal?': {
        const count = numbers[n++];
        parts.push(count === -1 ? ABSENT : decimalText(count));
        break;
      }
      case 'numbers?': {
        const count = numbers[n++];
        if (count < 0) {
          parts.push(ABSENT);
          break;
        }
        let text = '';
        for (let entry = 0; entry < count; entry++) text += (entry === 0 ? '' : ENTRY) + texts[t++] + PAIR + String(numbers[n++]);
        parts.push(text);
        break;
      }
      case 'decimals': {
        const count = numbers[n++];
        let text = '';
        for (let entry = 0; entry < count; entry++) {
          const key = texts[t++];
          text += (entry === 0 ? '' : ENTRY) + key + PAIR + decimalText(numbers[n++]);
        }
        parts.push(text);
        break;
      }
      default:
        throw new Error('journal field formatter: unknown field kind ' + String(kind));
    }
  }
}
return function formatEvent(type, numberStream, textStream, at) {
  const shape = schemas[type];
  if (shape === undefined) throw new Error('journal field formatter: no compact form for event type ' + String(type));
  numbers = numberStream;
  texts = textStream;
  n = at.numbers;
  t = at.texts;
  const parts = [];
  try {
    formatObject(shape.kinds, parts);
  } finally {
    numbers = undefined;
    texts = undefined;
  }
  if (parts[0] !== type) throw new Error('journal field formatter: the values read as a ' + String(parts[0]) + ' event, expected ' + type);
  at.numbers = n;
  at.texts = t;
  // The header and the type share the first field.
  parts[0] = HEADER + parts[0];
  return parts.join(FIELD);
};
`;

/** The formatter on this thread, for `decimal` (kbot's Decimal constructor) and the schemas. */
export function createFieldFormatter(decimal: typeof Decimal, schemas: Readonly<Record<string, PlainSchema>>): FieldFormatter {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- one source for both threads (see above)
  return new Function('Decimal', 'schemas', FIELD_FORMATTER_SOURCE)(decimal, schemas) as FieldFormatter;
}

/**
 * The two streams being written: numbers into a Float64Array that grows by doubling, texts into
 * an array. `take` hands both over and starts empty ones.
 */
export class FieldStreams {
  numbers: Float64Array;
  numberCount = 0;
  texts: (string | undefined)[] = [];

  constructor(capacity = 4096) {
    this.numbers = new Float64Array(capacity);
  }

  number(value: number): void {
    if (this.numberCount === this.numbers.length) this.grow();
    this.numbers[this.numberCount++] = value;
  }

  text(value: string | undefined): void {
    this.texts.push(value);
  }

  /** Back to `numberCount` numbers and `textCount` texts (what was written after them is dropped). */
  truncate(numberCount: number, textCount: number): void {
    this.numberCount = numberCount;
    this.texts.length = textCount;
  }

  /** The numbers written (a view on the buffer, which the caller may transfer) and the texts; the streams start again empty. */
  take(): { readonly numbers: Float64Array; readonly texts: (string | undefined)[] } {
    const taken = { numbers: this.numbers.subarray(0, this.numberCount), texts: this.texts };
    this.numbers = new Float64Array(this.numbers.length);
    this.numberCount = 0;
    this.texts = [];
    return taken;
  }

  private grow(): void {
    const larger = new Float64Array(this.numbers.length * 2);
    larger.set(this.numbers);
    this.numbers = larger;
  }
}
