import { DataError } from '../errors/errors.js';
import { parseUtcDate } from './utc-date.js';

const MAX_FIELDS = 64;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;
const PLUS = 43;
const MINUS = 45;
const COMMA = 44;

/** Exact powers of ten: 10^k is exactly representable for k <= 22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
/** Up to 15 digits the mantissa stays below 2^53, so it is an exact integer. */
const MAX_FAST_DIGITS = 15;

/** Characters `Number()` accepts as a radix prefix after a leading 0 (`0x10`, `0b1`, `0o7`). */
function isRadixLetter(code: number): boolean {
  return code === 120 || code === 88 || code === 98 || code === 66 || code === 111 || code === 79;
}

/**
 * The ASCII bytes `bytes[start, end)` as a number when they are a plain decimal literal, exponent
 * notation included (`1E+1`, `1.916e-05`); NaN otherwise (empty, padded, `0x10`, `Infinity`,
 * `12abc`). Overflow (`1e999`) gives ±Infinity for the caller to reject.
 *
 * The common case (optional minus, at most 15 digits, optional point) is parsed in place: with an
 * exact integer mantissa M and an exact 10^k, the one IEEE division M / 10^k is correctly rounded,
 * so the result is bit-for-bit what Number() gives (Clinger's fast path). Everything else
 * (exponents, long mantissas) goes through Number() after checks that close the doors it leaves
 * open ('', padding, radix prefixes).
 */
export function strictNumber(bytes: Uint8Array, start: number, end: number): number {
  let position = start;
  let negative = false;
  if (position < end && bytes[position] === MINUS) {
    negative = true;
    position++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; position < end; position++) {
    const code = bytes[position]!;
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      mantissa = mantissa * 10 + (code - DIGIT_0);
      digits++;
      if (fractionDigits >= 0) fractionDigits++;
    } else if (code === DOT && fractionDigits < 0) {
      fractionDigits = 0;
    } else {
      break;
    }
  }
  if (position === end && digits > 0 && digits <= MAX_FAST_DIGITS) {
    const value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
    return negative ? -value : value;
  }
  return slowNumber(bytes, start, end);
}

function slowNumber(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  const first = bytes[start]!;
  const last = bytes[end - 1]!;
  if (
    !((first >= DIGIT_0 && first <= DIGIT_9) || first === DOT || first === MINUS || first === PLUS) ||
    !((last >= DIGIT_0 && last <= DIGIT_9) || last === DOT) ||
    (first === DIGIT_0 && end - start > 2 && isRadixLetter(bytes[start + 1]!))
  ) {
    return NaN;
  }
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
}

/**
 * Splits one CSV line (bytes of a LineReader window) into field boundaries and turns fields into
 * numbers with strict checks, without copying. One instance is reused for every line of a file.
 *
 * Quoting is not supported: none of the market data formats read here quote their fields.
 */
export class CsvFields {
  readonly file: string;
  bytes: Uint8Array = new Uint8Array(0);
  lineNumber = 0;
  count = 0;
  /** Column names for messages; `column N` when absent. */
  names: readonly string[] = [];
  private readonly starts = new Int32Array(MAX_FIELDS);
  private readonly ends = new Int32Array(MAX_FIELDS);
  /** Sequential reading (begin / nextNumber / finish): where the next field starts, and where the line ends. */
  private cursor = 0;
  private lineEnd = 0;
  private expectedCount = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** Sets the current line (`bytes[start, end)`) and returns its number of fields (at most 64 are kept). */
  split(bytes: Uint8Array, start: number, end: number, lineNumber: number): number {
    this.bytes = bytes;
    this.lineNumber = lineNumber;
    const starts = this.starts;
    const ends = this.ends;
    let count = 0;
    let fieldStart = start;
    for (let position = start; position < end; position++) {
      if (bytes[position] === COMMA) {
        if (count < MAX_FIELDS) {
          starts[count] = fieldStart;
          ends[count] = position;
        }
        count++;
        fieldStart = position + 1;
      }
    }
    if (count < MAX_FIELDS) {
      starts[count] = fieldStart;
      ends[count] = end;
    }
    this.count = count + 1;
    return this.count;
  }

  /**
   * Starts reading a line field by field with `nextNumber()`, which parses each number in the same
   * pass that finds its comma; for fixed layouts this is faster than `split` then `number`.
   */
  begin(bytes: Uint8Array, start: number, end: number, lineNumber: number, expectedCount: number): void {
    this.bytes = bytes;
    this.lineNumber = lineNumber;
    this.cursor = start;
    this.lineEnd = end;
    this.count = 0;
    this.expectedCount = expectedCount;
  }

  /** The next field as a finite number; a DataError when it is not one or the line has no more fields. */
  nextNumber(): number {
    const bytes = this.bytes;
    const end = this.lineEnd;
    const index = this.count;
    const start = this.cursor;
    if (start > end || index >= MAX_FIELDS) this.failCount();
    let position = start;
    let negative = false;
    if (position < end && bytes[position] === MINUS) {
      negative = true;
      position++;
    }
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = -1;
    for (; position < end; position++) {
      const code = bytes[position]!;
      if (code >= DIGIT_0 && code <= DIGIT_9) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        digits++;
        if (fractionDigits >= 0) fractionDigits++;
      } else if (code === DOT && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        break;
      }
    }
    let value: number;
    if ((position === end || bytes[position] === COMMA) && digits > 0 && digits <= MAX_FAST_DIGITS) {
      value = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
      if (negative) value = -value;
    } else {
      while (position < end && bytes[position] !== COMMA) position++;
      value = slowNumber(bytes, start, position);
    }
    this.starts[index] = start;
    this.ends[index] = position;
    this.count = index + 1;
    this.cursor = position + 1;
    if (value !== value) this.fail(index, start === position ? 'a number, found an empty field' : 'a number');
    if (value === Infinity || value === -Infinity) this.fail(index, 'a finite number');
    return value;
  }

  /** Ends sequential reading: a DataError when the line has more fields than expected. */
  finish(): void {
    if (this.cursor <= this.lineEnd) this.failCount();
  }

  private failCount(): never {
    let count = this.count;
    if (this.cursor <= this.lineEnd) {
      count++;
      for (let position = this.cursor; position < this.lineEnd; position++) if (this.bytes[position] === COMMA) count++;
    }
    const names = this.names.length > 0 ? ` (${this.names.join(',')})` : '';
    throw new DataError(this.file, this.lineNumber, `received ${count} columns, expected ${this.expectedCount}${names}`);
  }

  /** The field as text (for messages, dates and sides). */
  text(index: number): string {
    const start = this.starts[index]!;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, this.ends[index]! - start).toString('utf8');
  }

  /** The field's length in bytes. */
  length(index: number): number {
    return this.ends[index]! - this.starts[index]!;
  }

  /** The field as a UTC date (see parseUtcDate): epoch ms, or NaN when it is not a date. */
  date(index: number): number {
    return parseUtcDate(this.bytes, this.starts[index]!, this.ends[index]!);
  }

  /** The field's first byte, or -1 when it is empty. */
  firstByte(index: number): number {
    const start = this.starts[index]!;
    return start < this.ends[index]! ? this.bytes[start]! : -1;
  }

  /** The field as a finite number (see strictNumber), or a DataError naming the column. */
  number(index: number): number {
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    if (start === end) this.fail(index, 'a number, found an empty field');
    const value = strictNumber(this.bytes, start, end);
    if (value !== value) this.fail(index, 'a number');
    if (value === Infinity || value === -Infinity) this.fail(index, 'a finite number');
    return value;
  }

  /** Throws a DataError naming the column, the value found and what was expected. */
  fail(index: number, expected: string): never {
    throw new DataError(this.file, this.lineNumber, `${this.columnName(index)}: received ${JSON.stringify(this.text(index))}, expected ${expected}`);
  }

  columnName(index: number): string {
    const name = this.names[index];
    return name === undefined ? `column ${index + 1}` : `column ${index + 1} (${name})`;
  }
}
