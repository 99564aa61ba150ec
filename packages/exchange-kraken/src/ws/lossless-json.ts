/*
 * JSON.parse turns `0.00825` into a binary float and `17843232920108168701` (a connection id)
 * into 17843232920108169000. Kraken's WebSocket v2 sends money as JSON numbers, so the channels
 * that end in Decimal (executions, balances) and the ids that exceed 2^53 are read with this
 * parser instead, which keeps every number as its exact source text. The book channel has its
 * own allocation-free scanner (parse-book.ts); this one is for the quieter channels.
 */

/** A JSON number kept as the text it was written with. */
export class JsonNumber {
  constructor(readonly text: string) {}

  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  position = 0;

  constructor(readonly text: string) {}

  fail(expected: string): never {
    const found = this.position < this.text.length ? JSON.stringify(this.text[this.position]) : 'the end';
    throw new SyntaxError(`JSON: expected ${expected} at character ${this.position}, found ${found}`);
  }

  space(): void {
    const text = this.text;
    let code = text.charCodeAt(this.position);
    while (code === 32 || code === 10 || code === 13 || code === 9) code = text.charCodeAt(++this.position);
  }

  value(): JsonValue {
    this.space();
    const code = this.text.charCodeAt(this.position);
    if (code === 123) return this.object();
    if (code === 91) return this.array();
    if (code === 34) return this.string();
    if (code === 116 && this.text.startsWith('true', this.position)) {
      this.position += 4;
      return true;
    }
    if (code === 102 && this.text.startsWith('false', this.position)) {
      this.position += 5;
      return false;
    }
    if (code === 110 && this.text.startsWith('null', this.position)) {
      this.position += 4;
      return null;
    }
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('a value');
    this.position += match[0].length;
    return new JsonNumber(match[0]);
  }

  string(): string {
    const start = this.position + 1;
    let index = start;
    let escaped = false;
    for (;;) {
      const code = this.text.charCodeAt(index);
      if (Number.isNaN(code)) {
        this.position = index;
        this.fail('a closing quote');
      }
      if (code === 34) break;
      if (code === 92) {
        escaped = true;
        index++;
      } else if (code < 32) {
        this.position = index;
        this.fail('no control character inside a string');
      }
      index++;
    }
    this.position = index + 1;
    const raw = this.text.slice(start, index);
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.position = start;
      return this.fail('a valid escape sequence');
    }
  }

  array(): JsonValue[] {
    this.position++;
    const items: JsonValue[] = [];
    this.space();
    if (this.text.charCodeAt(this.position) === 93) {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const code = this.text.charCodeAt(this.position++);
      if (code === 93) return items;
      if (code !== 44) {
        this.position--;
        this.fail("',' or ']'");
      }
    }
  }

  object(): JsonObject {
    this.position++;
    const result: Record<string, JsonValue> = {};
    this.space();
    if (this.text.charCodeAt(this.position) === 125) {
      this.position++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text.charCodeAt(this.position) !== 34) this.fail('a key');
      const key = this.string();
      this.space();
      if (this.text.charCodeAt(this.position) !== 58) this.fail("':'");
      this.position++;
      const value = this.value();
      // A "__proto__" key must become a plain property, never the prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.space();
      const code = this.text.charCodeAt(this.position++);
      if (code === 125) return result;
      if (code !== 44) {
        this.position--;
        this.fail("',' or '}'");
      }
    }
  }
}

/** Parses JSON text, numbers as JsonNumber. Throws SyntaxError naming the character offset. */
export function parseLosslessJson(text: string): JsonValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.space();
  if (parser.position !== text.length) parser.fail('the end of the text');
  return value;
}

/** Turns JsonNumber back into numbers everywhere, for payloads where floats are fine. */
export function toPlainJson(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return value.toNumber();
  if (Array.isArray(value)) return value.map((item: JsonValue) => toPlainJson(item));
  if (value !== null && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as JsonObject)) plain[key] = toPlainJson(item);
    return plain;
  }
  return value;
}
