import type { InstrumentId } from '@kbot/core';
import { wsInstrumentId } from './ws-fields.js';

/*
 * A reader of Kraken's busy scalar channels (`ticker`, `trade`) without JSON.parse. Their
 * entries are flat objects of numbers and strings, and a quote or trade needs a handful of
 * them; JSON.parse would build an object with every field, a string for every text and the
 * arrays around them, only for most of it to be dropped. This reads the message text in place:
 * keys are compared where they stand, strings are offsets, and numbers are read into doubles
 * directly. It reads compact JSON only: whitespace, escapes, nested values or anything else
 * unusual make a read fail, the caller gives the message up, and it goes to the general parsers,
 * which read any valid JSON and report what is wrong with it.
 *
 * Numbers come out as the very doubles JSON.parse gives: plain digits that make an integer of at
 * most 2^53 - 1, with at most 22 of them after the point, are that exact integer divided by an
 * exact power of ten, one correctly rounded operation; any other number is read by Number() from
 * its text.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/** A JSON number token, as a regular expression source (RFC 8259 §6). */
export const JSON_NUMBER_SOURCE = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;

/** 10^0 … 10^22: every one is exact as a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);

/** What the last value read was. */
export const NUMBER_VALUE = 1;
export const STRING_VALUE = 2;
export const TRUE_VALUE = 3;
export const FALSE_VALUE = 4;
export const NULL_VALUE = 5;
export type ValueKind = typeof NUMBER_VALUE | typeof STRING_VALUE | typeof TRUE_VALUE | typeof FALSE_VALUE | typeof NULL_VALUE;

/** The reading position in one message and what was read last. Reused from message to message. */
export class FlatEntryScanner {
  text = '';
  position = 0;
  /** The last key read: `text[keyStart, keyEnd)`, without the quotes. */
  keyStart = 0;
  keyEnd = 0;
  /** The last value read. */
  kind: ValueKind = NULL_VALUE;
  /** Its value, when a number that was read. */
  numberValue = 0;
  /** Its text: the number's token, or the string's content without the quotes. */
  valueStart = 0;
  valueEnd = 0;

  // The last symbol read and its id: a feed names the same few symbols over and over, so a
  // symbol is compared where it stands instead of being copied out for a lookup.
  #lastSymbol = '';
  #lastInstrumentId = '' as InstrumentId;

  /** Starts reading `text` at its beginning. */
  start(text: string): void {
    this.text = text;
    this.position = 0;
  }

  /** Moves past `literal` when the text continues with it; false (and not moved) when it does not. */
  skip(literal: string): boolean {
    if (!this.text.startsWith(literal, this.position)) return false;
    this.position += literal.length;
    return true;
  }

  /** The next character's code, moving past it (NaN at the end of the text). */
  next(): number {
    return this.text.charCodeAt(this.position++);
  }

  /** Reads `"key":`; false when the key is not a plain string (an escape, a control character, the end) or no ':' follows. */
  key(): boolean {
    const text = this.text;
    let index = this.position;
    if (text.charCodeAt(index) !== QUOTE) return false;
    const start = ++index;
    for (;;) {
      const code = text.charCodeAt(index);
      if (code === QUOTE) break;
      // NaN (the end) fails `code >= 32` too.
      if (code === BACKSLASH || !(code >= 32)) return false;
      index++;
    }
    if (text.charCodeAt(index + 1) !== COLON) return false;
    this.keyStart = start;
    this.keyEnd = index;
    this.position = index + 2;
    return true;
  }

  /** Whether the last key is `name`. */
  keyIs(name: string): boolean {
    return this.keyEnd - this.keyStart === name.length && this.text.startsWith(name, this.keyStart);
  }

  /** Whether the last value is the string `literal`. */
  stringIs(literal: string): boolean {
    return this.kind === STRING_VALUE && this.valueEnd - this.valueStart === literal.length && this.text.startsWith(literal, this.valueStart);
  }

  /** The instrument id of the symbol at `text[start, end)` (a string value's offsets); undefined when it is not a symbol such as `BTC/USD`. */
  instrumentIdAt(start: number, end: number): InstrumentId | undefined {
    const last = this.#lastSymbol;
    if (end - start === last.length && last.length > 0 && this.text.startsWith(last, start)) return this.#lastInstrumentId;
    const symbol = this.text.slice(start, end);
    let id: InstrumentId;
    try {
      id = wsInstrumentId(symbol, 'symbol');
    } catch {
      return undefined;
    }
    this.#lastSymbol = symbol;
    this.#lastInstrumentId = id;
    return id;
  }

  /**
   * Reads one scalar value: a number (its value only when `read`), a plain string, true, false or
   * null. False for anything else (an object, an array, an escaped string, a malformed token).
   */
  value(read = true): boolean {
    const text = this.text;
    const index = this.position;
    const code = text.charCodeAt(index);
    if (code === QUOTE) return this.readString();
    if (code === MINUS || (code >= ZERO && code <= NINE)) return this.numberToken(read);
    if (code === 116 /* t */ && text.startsWith('true', index)) return this.literalToken(TRUE_VALUE, 4);
    if (code === 102 /* f */ && text.startsWith('false', index)) return this.literalToken(FALSE_VALUE, 5);
    if (code === 110 /* n */ && text.startsWith('null', index)) return this.literalToken(NULL_VALUE, 4);
    return false;
  }

  private literalToken(kind: ValueKind, length: number): boolean {
    this.kind = kind;
    this.valueStart = this.position;
    this.position += length;
    this.valueEnd = this.position;
    return true;
  }

  /**
   * Reads a number at the position (its value only when `read`: a field nobody needs is only
   * checked); false when no valid JSON number token is there.
   */
  readNumber(read: boolean): boolean {
    return this.numberToken(read);
  }

  /**
   * Moves past what the sticky `pattern` matches at the position (fields that are checked but not
   * read: a compiled pattern checks them faster than a loop over their characters); false when
   * it does not match there.
   */
  skipMatch(pattern: RegExp): boolean {
    pattern.lastIndex = this.position;
    if (!pattern.test(this.text)) return false;
    this.position = pattern.lastIndex;
    return true;
  }

  /** Reads a plain string (no escapes, no control characters) at the position; false when there is none. */
  readString(): boolean {
    const text = this.text;
    const index = this.position;
    if (text.charCodeAt(index) !== QUOTE) return false;
    let end = index + 1;
    for (;;) {
      const next = text.charCodeAt(end);
      if (next === QUOTE) break;
      if (next === BACKSLASH || !(next >= 32)) return false;
      end++;
    }
    this.kind = STRING_VALUE;
    this.valueStart = index + 1;
    this.valueEnd = end;
    this.position = end + 1;
    return true;
  }

  /** A JSON number token at the position: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. */
  private numberToken(read: boolean): boolean {
    const text = this.text;
    const start = this.position;
    let index = start;
    let code = text.charCodeAt(index);
    const negative = code === MINUS;
    if (negative) code = text.charCodeAt(++index);
    let digits = 0;
    let decimals = 0;
    if (code === ZERO) {
      code = text.charCodeAt(++index);
    } else if (code > ZERO && code <= NINE) {
      do {
        digits = digits * 10 + (code - ZERO);
        code = text.charCodeAt(++index);
      } while (code >= ZERO && code <= NINE);
    } else {
      return false;
    }
    if (code === DOT) {
      code = text.charCodeAt(++index);
      if (!(code >= ZERO && code <= NINE)) return false;
      do {
        digits = digits * 10 + (code - ZERO);
        decimals++;
        code = text.charCodeAt(++index);
      } while (code >= ZERO && code <= NINE);
    }
    let plain = true;
    if (code === LOWER_E || code === UPPER_E) {
      plain = false;
      code = text.charCodeAt(++index);
      if (code === PLUS || code === MINUS) code = text.charCodeAt(++index);
      if (!(code >= ZERO && code <= NINE)) return false;
      do code = text.charCodeAt(++index);
      while (code >= ZERO && code <= NINE);
    }
    if (read) {
      // `digits` is exact while it stays at or below 2^53 - 1; once past, it never comes back.
      if (plain && digits <= Number.MAX_SAFE_INTEGER && decimals <= 22) {
        const magnitude = decimals === 0 ? digits : digits / POWERS_OF_TEN[decimals]!;
        this.numberValue = negative ? -magnitude : magnitude;
      } else {
        this.numberValue = Number(text.slice(start, index));
      }
    }
    this.kind = NUMBER_VALUE;
    this.valueStart = start;
    this.valueEnd = index;
    this.position = index;
    return true;
  }
}
