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
 *
 * Each schema gets a function of its own, generated when the formatter is made: its fields are
 * written in order by straight-line code, not by walking the schema and switching on each kind
 * for every event (measured on the writer thread: about half its formatting time). A Decimal's
 * text is written from its digit groups as decimal.js's toString writes it (`digitsToString`
 * and `finiteToString`): the groups after the first padded to seven digits, the last one's
 * trailing zeros dropped, an exponent when `e <= toExpNeg` or `e >= toExpPos`, and a '-' for
 * any negative value, zero included ('-0', which JSON-form payloads keep too). Only a Decimal
 * that is not finite is made into a decimal.js object for its text.
 */
export const FIELD_FORMATTER_SOURCE = `
const HEADER = '\\u00021';
const FIELD = '\\u001f';
const ENTRY = '\\u001e';
const PAIR = '\\u001d';
const ABSENT = '\\u0000';
const TO_EXP_NEG = Decimal.toExpNeg;
const TO_EXP_POS = Decimal.toExpPos;
const PADDING = ['', '0', '00', '000', '0000', '00000', '000000'];
/** The text of a finite Decimal from its count digit groups at numbers[at], then its exponent and sign. */
function wordsText(numbers, at, count) {
  if (count < 1) throw new Error('journal field formatter: a Decimal with ' + String(count) + ' digit groups');
  const e = numbers[at + count];
  const s = numbers[at + count + 1];
  const last = at + count - 1;
  let word = numbers[at];
  let digits = '';
  if (count > 1) {
    digits += word;
    for (let index = at + 1; index < last; index++) {
      const text = '' + numbers[index];
      digits += PADDING[7 - text.length] + text;
    }
    word = numbers[last];
    digits += PADDING[7 - ('' + word).length];
  }
  if (word !== 0) while (word % 10 === 0) word /= 10;
  digits += word;
  const length = digits.length;
  let text;
  if (e <= TO_EXP_NEG || e >= TO_EXP_POS) {
    text = (length > 1 ? digits.charAt(0) + '.' + digits.slice(1) : digits) + (e < 0 ? 'e' : 'e+') + e;
  } else if (e < 0) {
    text = '0.' + '0'.repeat(-e - 1) + digits;
  } else if (e >= length) {
    text = digits + '0'.repeat(e + 1 - length);
  } else {
    text = e + 1 < length ? digits.slice(0, e + 1) + '.' + digits.slice(e + 1) : digits;
  }
  return s < 0 ? '-' + text : text;
}
/** The text of a Decimal that is not finite (NaN, ±Infinity), from its exponent and sign. */
function nonFiniteText(e, s) {
  const value = Object.create(Decimal.prototype);
  value.constructor = Decimal;
  value.d = null;
  value.e = e;
  value.s = s;
  return value.toString();
}
/** Statements that read one Decimal (its count already in c) and leave its text in v. */
function decimalStatements(c, v) {
  return 'if (' + c + ' >= 0) { ' + v + ' = wordsText(numbers, n, ' + c + '); n += ' + c + ' + 2; } ' +
    'else if (' + c + ' === -2) ' + v + ' = texts[t++]; ' +
    'else if (' + c + ' === -3) { ' + v + ' = nonFiniteText(numbers[n], numbers[n + 1]); n += 2; } ' +
    'else throw new Error("journal field formatter: a Decimal marked " + String(' + c + '));';
}
/** Statements that read one field of a scalar kind and append it to out. */
function fieldStatements(kind) {
  switch (kind) {
    case 'string':
    case 'string?':
      return '{ const v = texts[t++]; out += FIELD + (v === undefined ? ABSENT : v); }';
    case 'number':
    case 'number?':
      return '{ const v = numbers[n++]; out += FIELD + (v !== v ? ABSENT : "" + v); }';
    case 'boolean':
      return 'out += FIELD + (numbers[n++] === 1 ? "1" : "0");';
    case 'decimal':
    case 'decimal?':
      return '{ const c = numbers[n++]; let v = ABSENT; if (c !== -1) { ' + decimalStatements('c', 'v') + ' } out += FIELD + v; }';
    case 'numbers?':
      return '{ const c = numbers[n++]; if (c < 0) out += FIELD + ABSENT; else { let v = ""; ' +
        'for (let entry = 0; entry < c; entry++) v += (entry === 0 ? "" : ENTRY) + texts[t++] + PAIR + numbers[n++]; out += FIELD + v; } }';
    case 'decimals':
      return '{ const c = numbers[n++]; let v = ""; for (let entry = 0; entry < c; entry++) { ' +
        'const key = texts[t++]; const d = numbers[n++]; let text; ' + decimalStatements('d', 'text') + ' ' +
        'v += (entry === 0 ? "" : ENTRY) + key + PAIR + text; } out += FIELD + v; }';
    default:
      throw new Error('journal field formatter: unknown field kind ' + String(kind));
  }
}
/** A schema's scalar kinds in writing order: nested objects' fields in place. */
function scalarKinds(kinds, into) {
  for (const kind of kinds) {
    if (typeof kind === 'object') scalarKinds(kind.kinds, into);
    else into.push(kind);
  }
  return into;
}
/** The formatter of one event type: its first field, the type, checked; then every other field appended. */
function compile(type, shape) {
  const kinds = scalarKinds(shape.kinds, []);
  if (kinds[0] !== 'string') throw new Error('journal field formatter: the ' + type + ' schema does not start with its type');
  const lines = [
    'let n = at.numbers;',
    'let t = at.texts;',
    'const first = texts[t++];',
    'if (first !== type) throw new Error("journal field formatter: the values read as a " + String(first) + " event, expected " + type);',
    // The header and the type share the first field.
    'let out = HEADER + first;',
  ];
  for (let index = 1; index < kinds.length; index++) lines.push(fieldStatements(kinds[index]));
  lines.push('at.numbers = n;', 'at.texts = t;', 'return out;');
  return new Function('FIELD', 'ENTRY', 'PAIR', 'ABSENT', 'HEADER', 'wordsText', 'nonFiniteText', 'type',
    'return function format(numbers, texts, at) {\\n' + lines.join('\\n') + '\\n};')(FIELD, ENTRY, PAIR, ABSENT, HEADER, wordsText, nonFiniteText, type);
}
const formatters = new Map();
for (const type of Object.keys(schemas)) formatters.set(type, compile(type, schemas[type]));
return function formatEvent(type, numbers, texts, at) {
  const format = formatters.get(type);
  if (format === undefined) throw new Error('journal field formatter: no compact form for event type ' + String(type));
  return format(numbers, texts, at);
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

  /** Makes room for `count` more numbers, for a writer that stores into `numbers` itself. */
  reserve(count: number): void {
    while (this.numberCount + count > this.numbers.length) this.grow();
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
