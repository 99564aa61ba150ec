import { Decimal as DecimalJs } from 'decimal.js';
import { Decimal } from '../model/decimal.js';
import { decimalText } from './event-codec.js';
import type { FieldStreams, PlainSchema } from './journal-field-formatter.js';

/*
 * The first half of writing a compact journal payload (journal-payload.ts): checking an event
 * against its type's schema and writing its field values, in the schema's order, into the
 * streams the field formatter reads (journal-field-formatter.ts). It runs on the engine's thread
 * for every journaled event, so each schema gets a function of its own, generated once: its
 * fields are read by name, each with the one check its kind needs, written out in order, rather
 * than looked up by key and dispatched on their kind one by one (measured: about a quarter less
 * time per event; bench/README.md, `backtest.engine-sqlite-journal`).
 *
 * What it accepts is unchanged: a plain object (nested ones too) with exactly the schema's keys
 * in the schema's order, every value of its kind, no control character in any text, no number
 * that its text would not bring back (-0, NaN, ±Infinity). For anything else it returns false
 * and the caller writes the JSON form.
 */

/** Writes an event's fields into `out`; false (with `out` possibly part-written) when it does not fit its schema. */
export type Flattener = (event: unknown, out: FieldStreams) => boolean;

/** A text that can go into the payload as it is: no control character (they separate fields). */
function isText(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  // A loop, not a regular expression: most of these texts are a few characters, where the call
  // to the regular expression costs more than the scan.
  for (let index = 0; index < value.length; index++) if (value.charCodeAt(index) < 0x20) return false;
  return true;
}

/** A number whose shortest text brings back exactly it (so not -0, NaN or ±Infinity). */
function isPlainNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A Decimal into the streams. One of kbot's configuration goes as its digit groups, exponent and
 * sign (no text is made here); one of another configuration as its text, since its toString may
 * place an exponent elsewhere.
 */
function writeDecimal(value: Decimal, out: FieldStreams): void {
  if (value.constructor !== Decimal) {
    out.number(-2);
    out.text(decimalText(value));
    return;
  }
  const internal = value as unknown as { readonly d: readonly number[] | null; readonly e: number; readonly s: number };
  const groups = internal.d;
  const count = groups === null ? 0 : groups.length;
  // Written into the array directly, room made once: a Decimal is most of an event's numbers.
  out.reserve(count + 3);
  const numbers = out.numbers;
  let at = out.numberCount;
  if (groups === null) {
    numbers[at++] = -3;
  } else {
    numbers[at++] = count;
    for (let index = 0; index < count; index++) numbers[at++] = groups[index]!;
  }
  numbers[at++] = internal.e;
  numbers[at++] = internal.s;
  out.numberCount = at;
}

/** A record's entries (count, then keys and values); false when a key or value cannot be written. */
function flattenRecord(record: Record<string, unknown>, decimals: boolean, out: FieldStreams): boolean {
  const countAt = out.numberCount;
  out.number(0);
  let count = 0;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key) || !isText(key) || key === '__proto__') return false;
    const value = record[key];
    out.text(key);
    if (decimals) {
      if (!(value instanceof DecimalJs)) return false;
      writeDecimal(value as Decimal, out);
    } else {
      if (!isPlainNumber(value)) return false;
      out.number(value);
    }
    count++;
  }
  out.numbers[countAt] = count;
  return true;
}

/**
 * The statements that check and write one value `v` of a scalar kind. A text field remembers, in
 * `m`, the last text it found valid: most texts repeat from one event to the next (the pair, the
 * strategy, the side, an order's id across its events), and the same text need not be scanned
 * again.
 */
function scalarStatements(kind: string, v: string, m: string): string {
  switch (kind) {
    case 'string':
      return `if (${v} !== ${m}) { if (!isText(${v})) return false; ${m} = ${v}; } out.text(${v});`;
    case 'string?':
      return `if (${v} === undefined) out.text(undefined); else { if (${v} !== ${m}) { if (!isText(${v})) return false; ${m} = ${v}; } out.text(${v}); }`;
    case 'decimal':
      return `if (!(${v} instanceof DecimalJs)) return false; writeDecimal(${v}, out);`;
    case 'decimal?':
      return `if (${v} === undefined) out.number(-1); else if (${v} instanceof DecimalJs) writeDecimal(${v}, out); else return false;`;
    case 'number':
      return `if (!isPlainNumber(${v})) return false; out.number(${v});`;
    case 'number?':
      return `if (${v} === undefined) out.number(NaN); else if (isPlainNumber(${v})) out.number(${v}); else return false;`;
    case 'boolean':
      return `if (typeof ${v} !== 'boolean') return false; out.number(${v} ? 1 : 0);`;
    case 'numbers?':
      return `if (${v} === undefined) out.number(-1); else if (!isRecord(${v}) || !flattenRecord(${v}, false, out)) return false;`;
    case 'decimals':
      return `if (!isRecord(${v}) || !flattenRecord(${v}, true, out)) return false;`;
    default:
      throw new TypeError(`journal schema: kind ${JSON.stringify(kind)} is not one the flattener knows`);
  }
}

/**
 * The flattener of one schema, as generated code: for each object, a check that it is a plain
 * object whose keys are the schema's in order (for...in, which V8 runs from the shape's cached
 * key list), then each field read by name and written.
 */
export function compileFlattener(schema: PlainSchema): Flattener {
  const keyLists: (readonly string[])[] = [];
  const lines: string[] = [];
  let names = 0;
  let memos = 0;
  const object = (expression: string, shape: PlainSchema): void => {
    const o = `o${names++}`;
    const keys = `K${keyLists.length}`;
    keyLists.push(shape.keys);
    lines.push(`const ${o} = ${expression};`, `if (!isRecord(${o})) return false;`);
    lines.push(`{ let i = 0; for (const key in ${o}) { if (key !== ${keys}[i]) return false; i++; } if (i !== ${shape.keys.length}) return false; }`);
    shape.keys.forEach((key, index) => {
      const kind = shape.kinds[index]!;
      const read = `${o}[${JSON.stringify(key)}]`;
      if (typeof kind === 'object') return object(read, kind);
      const v = `v${names++}`;
      const m = kind === 'string' || kind === 'string?' ? `m${memos++}` : '';
      lines.push(`const ${v} = ${read};`, scalarStatements(kind, v, m));
    });
  };
  object('event', schema);
  const source = [
    ...keyLists.map((keys, index) => `const K${index} = ${JSON.stringify(keys)};`),
    // Each starts as a value no text equals, so its field's first text is always checked.
    ...Array.from({ length: memos }, (_, index) => `let m${index} = null;`),
    'return function flatten(event, out) {',
    ...lines,
    'return true;',
    '};',
  ].join('\n');
  // Generated once per schema when the module loads; the helpers are passed in, so the code
  // refers to nothing the bundle renames.
  const build = new Function('DecimalJs', 'isText', 'isPlainNumber', 'isRecord', 'writeDecimal', 'flattenRecord', source) as (...helpers: unknown[]) => Flattener;
  return build(DecimalJs, isText, isPlainNumber, isRecord, writeDecimal, flattenRecord);
}
