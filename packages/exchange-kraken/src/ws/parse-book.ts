import { parseRfc3339Range } from './parse-timestamp.js';

/*
 * The `book` channel without JSON.parse. Kraken sends prices and quantities as JSON numbers,
 * whose trailing zeros and exact digits JSON.parse would turn into binary floats, and the book
 * is the busiest channel. So this scanner walks the message text, recording where each price
 * and quantity token starts and ends; the book reads those digits straight into scaled integers.
 * Kraken's own compact layout is matched piece by piece first (the fast path, about as fast as
 * JSON.parse without building any object); any other valid layout (spacing, key order, extra
 * fields, string numbers) goes through a general scanner. The scan objects are reused from
 * message to message: scanning allocates nothing beyond the symbol text when a symbol changes.
 */

export type BookScanResult = 'book' | 'not-book' | 'malformed';

/** One `data[]` entry of a book message: one symbol's levels. */
export class BookEntryScan {
  symbol = '';
  /** Four offsets per bid level into the message text: price start, price end, qty start, qty end. */
  bids: Int32Array = new Int32Array(64);
  bidCount = 0;
  asks: Int32Array = new Int32Array(64);
  askCount = 0;
  /** Kraken's CRC-32; -1 when the entry has none. */
  checksum = -1;
  /** Kraken's timestamp in epoch ms; NaN when the entry has none (recorded snapshots lack it). */
  timestamp = Number.NaN;

  reset(): void {
    this.bidCount = 0;
    this.askCount = 0;
    this.checksum = -1;
    this.timestamp = Number.NaN;
  }
}

/** A scanned book message; valid until the next scan into the same object. */
export class BookMessageScan {
  type: 'snapshot' | 'update' = 'update';
  readonly entries: BookEntryScan[] = [];
  entryCount = 0;
  /** Why the message was `malformed`, with the character offset. */
  error = '';

  entry(index: number): BookEntryScan {
    return this.entries[index]!;
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

class Malformed {
  constructor(
    readonly message: string,
    readonly at: number,
  ) {}
}

/** The scanner's cursor; module-level state keeps the walk free of closures and allocations. */
let text = '';
let position = 0;
let failure: Malformed | undefined;

function fail(message: string): false {
  if (failure === undefined) failure = new Malformed(message, position);
  return false;
}

function skipSpace(): void {
  let code = text.charCodeAt(position);
  while (code === 32 || code === 10 || code === 13 || code === 9) code = text.charCodeAt(++position);
}

/** At a `"`: moves past the closing quote. */
function skipString(): boolean {
  position++;
  for (;;) {
    const code = text.charCodeAt(position);
    if (Number.isNaN(code)) return fail('unterminated string');
    position++;
    if (code === QUOTE) return true;
    if (code === BACKSLASH) position++;
  }
}

function isNumberChar(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45 || code === 43 || code === 46 || code === 101 || code === 69;
}

function skipValue(): boolean {
  skipSpace();
  const code = text.charCodeAt(position);
  if (code === QUOTE) return skipString();
  if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
    let depth = 0;
    for (;;) {
      const inner = text.charCodeAt(position);
      if (Number.isNaN(inner)) return fail('unterminated object or array');
      if (inner === QUOTE) {
        if (!skipString()) return false;
        continue;
      }
      position++;
      if (inner === OPEN_OBJECT || inner === OPEN_ARRAY) depth++;
      else if ((inner === CLOSE_OBJECT || inner === CLOSE_ARRAY) && --depth === 0) return true;
    }
  }
  if (text.startsWith('true', position)) position += 4;
  else if (text.startsWith('false', position)) position += 5;
  else if (text.startsWith('null', position)) position += 4;
  else if (isNumberChar(code)) while (isNumberChar(text.charCodeAt(position))) position++;
  else return fail('expected a value');
  return true;
}

/** After a key's closing quote: skips `:` and following space. */
function expectColon(): boolean {
  skipSpace();
  if (text.charCodeAt(position) !== COLON) return fail("expected ':'");
  position++;
  skipSpace();
  return true;
}

// The keys a book message is read for; every other key is skipped with its value.
const KEY_OTHER = 0;
const KEY_CHANNEL = 1;
const KEY_TYPE = 2;
const KEY_DATA = 3;
const KEY_SYMBOL = 4;
const KEY_BIDS = 5;
const KEY_ASKS = 6;
const KEY_CHECKSUM = 7;
const KEY_TIMESTAMP = 8;
const KEY_PRICE = 9;
const KEY_QTY = 10;

function sameText(start: number, literal: string): boolean {
  for (let index = 1; index < literal.length; index++) if (text.charCodeAt(start + index) !== literal.charCodeAt(index)) return false;
  return true;
}

/** Each known key's text, by key id. */
const KEY_TEXTS = ['', 'channel', 'type', 'data', 'symbol', 'bids', 'asks', 'checksum', 'timestamp', 'price', 'qty'];

/** The known key that a key starting with these two letters could be (first letter, then second to split c… and t…). */
function candidateKey(first: number, second: number): number {
  switch (first) {
    case 97 /* a */:
      return KEY_ASKS;
    case 98 /* b */:
      return KEY_BIDS;
    case 99 /* c */:
      return second === 104 /* h */ ? -1 : KEY_OTHER; // channel or checksum: the third letter decides
    case 100 /* d */:
      return KEY_DATA;
    case 112 /* p */:
      return KEY_PRICE;
    case 113 /* q */:
      return KEY_QTY;
    case 115 /* s */:
      return KEY_SYMBOL;
    case 116 /* t */:
      return second === 121 /* y */ ? KEY_TYPE : second === 105 /* i */ ? KEY_TIMESTAMP : KEY_OTHER;
    default:
      return KEY_OTHER;
  }
}

/**
 * At a key's opening quote: reads the key, the colon and following space, and returns which
 * known key it is. The first letters pick the one candidate, which is then confirmed letter by
 * letter where its closing quote must be; only other keys are scanned to their end.
 */
function readKey(): number {
  if (text.charCodeAt(position) !== QUOTE) {
    fail('expected a key');
    return KEY_OTHER;
  }
  const start = position + 1;
  let key = candidateKey(text.charCodeAt(start), text.charCodeAt(start + 1));
  if (key === -1) key = text.charCodeAt(start + 2) === 97 /* a */ ? KEY_CHANNEL : KEY_CHECKSUM;
  if (key !== KEY_OTHER) {
    const literal = KEY_TEXTS[key]!;
    if (text.charCodeAt(start + literal.length) === QUOTE && sameText(start, literal)) {
      position = start + literal.length + 1;
      return expectColon() ? key : KEY_OTHER;
    }
  }
  if (!skipString()) return KEY_OTHER;
  expectColon();
  return KEY_OTHER;
}

/**
 * After an element: `,` (true, more follow) or the closing bracket (false, cursor past it).
 * Sets failure on anything else.
 */
function nextElement(close: number): boolean {
  skipSpace();
  const code = text.charCodeAt(position);
  if (code === COMMA) {
    position++;
    skipSpace();
    return true;
  }
  if (code === close) {
    position++;
    return false;
  }
  fail(close === CLOSE_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
  return false;
}

/** At `[`: true and past `[` and space. */
function openArray(): boolean {
  if (text.charCodeAt(position) !== OPEN_ARRAY) return fail("expected '['");
  position++;
  skipSpace();
  return true;
}

function openObject(): boolean {
  if (text.charCodeAt(position) !== OPEN_OBJECT) return fail("expected '{'");
  position++;
  skipSpace();
  return true;
}

// Token bounds of the value just read by readNumberToken.
let tokenStart = 0;
let tokenEnd = 0;

/** A number token at `at` (default: the cursor), or a string holding one (Kraken has sent both); bounds exclude quotes. */
function readNumberToken(at = position): boolean {
  position = at;
  const code = text.charCodeAt(position);
  if (code === QUOTE) {
    tokenStart = position + 1;
    if (!skipString()) return false;
    tokenEnd = position - 1;
    return true;
  }
  if (!isNumberChar(code)) return fail('expected a number');
  tokenStart = position;
  while (isNumberChar(text.charCodeAt(position))) position++;
  tokenEnd = position;
  return true;
}

// Token bounds of the level just read by readLevelFast / readLevelFields; -1 when absent.
let priceStart = -1;
let priceEnd = -1;
let quantityStart = -1;
let quantityEnd = -1;

/** Kraken's own layout, `{"price":N,"qty":N}` (cursor after `{`), without the general key loop. */
function readLevelFast(): boolean {
  if (
    text.charCodeAt(position) !== QUOTE ||
    text.charCodeAt(position + 6) !== QUOTE ||
    text.charCodeAt(position + 7) !== COLON ||
    !sameText(position + 1, 'price') ||
    !readNumberToken(position + 8)
  ) {
    return false;
  }
  priceStart = tokenStart;
  priceEnd = tokenEnd;
  if (
    text.charCodeAt(position) !== COMMA ||
    text.charCodeAt(position + 1) !== QUOTE ||
    text.charCodeAt(position + 5) !== QUOTE ||
    text.charCodeAt(position + 6) !== COLON ||
    !sameText(position + 2, 'qty') ||
    !readNumberToken(position + 7) ||
    text.charCodeAt(position) !== CLOSE_OBJECT
  ) {
    return false;
  }
  quantityStart = tokenStart;
  quantityEnd = tokenEnd;
  position++;
  return true;
}

/** Any layout: keys in any order, whitespace, unknown fields (cursor after `{`). */
function readLevelFields(): boolean {
  priceStart = -1;
  quantityStart = -1;
  if (text.charCodeAt(position) === CLOSE_OBJECT) {
    position++;
    return true;
  }
  do {
    const key = readKey();
    if (failure !== undefined) return false;
    if (key === KEY_PRICE) {
      if (!readNumberToken()) return false;
      priceStart = tokenStart;
      priceEnd = tokenEnd;
    } else if (key === KEY_QTY) {
      if (!readNumberToken()) return false;
      quantityStart = tokenStart;
      quantityEnd = tokenEnd;
    } else if (!skipValue()) {
      return false;
    }
  } while (nextElement(CLOSE_OBJECT));
  return failure === undefined;
}

/** At `[` of `bids`/`asks`: records each level's token bounds; returns the new offsets array (grown if needed). */
function readLevels(offsets: Int32Array, setCount: (count: number) => void): Int32Array | undefined {
  if (!openArray()) return undefined;
  let levels = offsets;
  let count = 0;
  if (text.charCodeAt(position) === CLOSE_ARRAY) {
    position++;
    setCount(0);
    return levels;
  }
  do {
    if (!openObject()) return undefined;
    const objectStart = position;
    if (!readLevelFast()) {
      failure = undefined;
      position = objectStart;
      if (!readLevelFields()) return undefined;
    }
    if (priceStart < 0 || quantityStart < 0) {
      fail('a level without price or qty');
      return undefined;
    }
    if ((count + 1) * 4 > levels.length) {
      const grown = new Int32Array(levels.length * 2);
      grown.set(levels);
      levels = grown;
    }
    const at = count * 4;
    levels[at] = priceStart;
    levels[at + 1] = priceEnd;
    levels[at + 2] = quantityStart;
    levels[at + 3] = quantityEnd;
    count++;
  } while (nextElement(CLOSE_ARRAY));
  if (failure !== undefined) return undefined;
  setCount(count);
  return levels;
}

let currentEntry: BookEntryScan;
const setBidCount = (count: number): void => {
  currentEntry.bidCount = count;
};
const setAskCount = (count: number): void => {
  currentEntry.askCount = count;
};

function readSymbol(entry: BookEntryScan): boolean {
  if (text.charCodeAt(position) !== QUOTE) return fail('symbol: expected a string');
  const start = position + 1;
  if (!skipString()) return false;
  const end = position - 1;
  // Reuse the previous text when the symbol repeats, which is nearly always.
  const previous = entry.symbol;
  if (previous.length !== end - start || !text.startsWith(previous, start)) entry.symbol = text.slice(start, end);
  return true;
}

function readChecksum(entry: BookEntryScan): boolean {
  if (!readNumberToken()) return false;
  let value = 0;
  for (let index = tokenStart; index < tokenEnd; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return fail('checksum: expected an unsigned integer');
    value = value * 10 + digit;
  }
  if (tokenEnd === tokenStart || value > 0xffffffff) return fail('checksum: expected an unsigned 32-bit integer');
  entry.checksum = value;
  return true;
}

function readEntry(entry: BookEntryScan): boolean {
  entry.reset();
  currentEntry = entry;
  if (!openObject()) return false;
  if (text.charCodeAt(position) === CLOSE_OBJECT) {
    position++;
    return fail('an empty book entry');
  }
  // The symbol text is kept from the previous message for reuse, so its presence is tracked here.
  let sawSymbol = false;
  do {
    const key = readKey();
    if (failure !== undefined) return false;
    if (key === KEY_BIDS) {
      const levels = readLevels(entry.bids, setBidCount);
      if (levels === undefined) return false;
      entry.bids = levels;
    } else if (key === KEY_ASKS) {
      const levels = readLevels(entry.asks, setAskCount);
      if (levels === undefined) return false;
      entry.asks = levels;
    } else if (key === KEY_SYMBOL) {
      if (!readSymbol(entry)) return false;
      sawSymbol = true;
    } else if (key === KEY_CHECKSUM) {
      if (!readChecksum(entry)) return false;
    } else if (key === KEY_TIMESTAMP) {
      if (text.charCodeAt(position) !== QUOTE) return fail('timestamp: expected a string');
      const start = position + 1;
      if (!skipString()) return false;
      entry.timestamp = parseRfc3339Range(text, start, position - 1);
    } else if (!skipValue()) {
      return false;
    }
  } while (nextElement(CLOSE_OBJECT));
  if (failure !== undefined) return false;
  if (!sawSymbol) return fail('a book entry without symbol');
  return true;
}

function readData(scan: BookMessageScan): boolean {
  if (!openArray()) return false;
  scan.entryCount = 0;
  if (text.charCodeAt(position) === CLOSE_ARRAY) {
    position++;
    return true;
  }
  do {
    if (scan.entryCount === scan.entries.length) scan.entries.push(new BookEntryScan());
    const entry = scan.entries[scan.entryCount]!;
    if (!readEntry(entry)) return false;
    scan.entryCount++;
  } while (nextElement(CLOSE_ARRAY));
  return failure === undefined;
}

/** Whether `literal` is written at `at`; a charCode loop, cheaper here than String#startsWith with a position (measured). */
function literalAt(literal: string, at: number): boolean {
  for (let index = 0; index < literal.length; index++) if (text.charCodeAt(at + index) !== literal.charCodeAt(index)) return false;
  return true;
}

/** Reads Kraken's levels in its own compact layout, `{"price":N,"qty":N},…]`; false on anything else. */
function readLevelsCompact(offsets: Int32Array, setCount: (count: number) => void): Int32Array | undefined {
  let levels = offsets;
  let count = 0;
  if (text.charCodeAt(position) === CLOSE_ARRAY) {
    position++;
    setCount(0);
    return levels;
  }
  for (;;) {
    if (!literalAt('{"price":', position) || !readNumberToken(position + 9)) return undefined;
    const start = tokenStart;
    const end = tokenEnd;
    if (!literalAt(',"qty":', position) || !readNumberToken(position + 7) || text.charCodeAt(position) !== CLOSE_OBJECT) return undefined;
    if ((count + 1) * 4 > levels.length) {
      const grown = new Int32Array(levels.length * 2);
      grown.set(levels);
      levels = grown;
    }
    const at = count * 4;
    levels[at] = start;
    levels[at + 1] = end;
    levels[at + 2] = tokenStart;
    levels[at + 3] = tokenEnd;
    count++;
    const next = text.charCodeAt(++position);
    position++;
    if (next === CLOSE_ARRAY) break;
    if (next !== COMMA) return undefined;
  }
  setCount(count);
  return levels;
}

/**
 * The message exactly as Kraken writes it — `{"channel":"book","type":…,"data":[{"symbol":…,
 * "bids":[…],"asks":[…],"checksum":…,"timestamp":…}]}`, compact, in this key order — checked
 * piece by piece with a few literal comparisons. Anything else (spacing, key order, extra
 * fields) returns false and goes through the general scanner, which reads any valid layout.
 */
function scanCompact(scan: BookMessageScan): boolean {
  if (!literalAt('{"channel":"book","type":"', 0)) return false;
  position = 26;
  if (literalAt('update","data":[', position)) {
    scan.type = 'update';
    position += 16;
  } else if (literalAt('snapshot","data":[', position)) {
    scan.type = 'snapshot';
    position += 18;
  } else {
    return false;
  }
  scan.entryCount = 0;
  for (;;) {
    if (scan.entryCount === scan.entries.length) scan.entries.push(new BookEntryScan());
    const entry = scan.entries[scan.entryCount]!;
    entry.reset();
    currentEntry = entry;
    if (!literalAt('{"symbol":', position)) return false;
    position += 10;
    if (!readSymbol(entry) || !literalAt(',"bids":[', position)) return false;
    position += 9;
    const bids = readLevelsCompact(entry.bids, setBidCount);
    if (bids === undefined) return false;
    entry.bids = bids;
    if (!literalAt(',"asks":[', position)) return false;
    position += 9;
    const asks = readLevelsCompact(entry.asks, setAskCount);
    if (asks === undefined) return false;
    entry.asks = asks;
    if (literalAt(',"checksum":', position)) {
      position += 12;
      if (!readChecksum(entry)) return false;
    }
    if (literalAt(',"timestamp":"', position)) {
      const start = position + 14;
      const end = text.indexOf('"', start);
      if (end < 0) return false;
      entry.timestamp = parseRfc3339Range(text, start, end);
      position = end + 1;
    }
    if (text.charCodeAt(position) !== CLOSE_OBJECT) return false;
    scan.entryCount++;
    const next = text.charCodeAt(++position);
    position++;
    if (next === CLOSE_ARRAY) break;
    if (next !== COMMA) return false;
  }
  return text.charCodeAt(position) === CLOSE_OBJECT && position + 1 === text.length;
}

/**
 * Scans one WebSocket message. `book` when it is a `book` channel snapshot or update (the result
 * is in `scan`), `not-book` for any other message (nothing is read beyond the channel name when
 * `channel` comes first, as Kraken sends it), `malformed` when a book message cannot be read
 * (`scan.error` says where).
 */
export function scanBookMessage(message: string, scan: BookMessageScan): BookScanResult {
  text = message;
  position = 0;
  failure = undefined;
  if (scanCompact(scan) && failure === undefined) {
    text = '';
    return 'book';
  }
  position = 0;
  failure = undefined;
  let channelIsBook = false;
  let sawType = false;
  let sawData = false;
  skipSpace();
  if (text.charCodeAt(position) !== OPEN_OBJECT) return 'not-book';
  position++;
  skipSpace();
  let result: BookScanResult = 'book';
  if (text.charCodeAt(position) === CLOSE_OBJECT) return 'not-book';
  do {
    const key = readKey();
    if (failure !== undefined) break;
    if (key === KEY_CHANNEL) {
      if (!text.startsWith('"book"', position)) {
        text = '';
        return 'not-book';
      }
      position += 6;
      channelIsBook = true;
    } else if (key === KEY_TYPE) {
      if (text.startsWith('"update"', position)) {
        scan.type = 'update';
        position += 8;
      } else if (text.startsWith('"snapshot"', position)) {
        scan.type = 'snapshot';
        position += 10;
      } else {
        fail('type: expected "snapshot" or "update"');
        break;
      }
      sawType = true;
    } else if (key === KEY_DATA) {
      if (!readData(scan)) break;
      sawData = true;
    } else if (!skipValue()) {
      break;
    }
  } while (nextElement(CLOSE_OBJECT));
  const problem = failure as Malformed | undefined;
  text = '';
  if (!channelIsBook) return 'not-book';
  if (problem !== undefined) {
    scan.error = `${problem.message} at character ${problem.at}`;
    result = 'malformed';
  } else if (!sawType || !sawData) {
    scan.error = sawType ? 'a book message without data' : 'a book message without type';
    result = 'malformed';
  }
  return result;
}
