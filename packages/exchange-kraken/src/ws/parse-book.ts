import { parseRfc3339Bytes, parseRfc3339Range } from './parse-timestamp.js';

/*
 * The `book` channel without JSON.parse. Kraken sends prices and quantities as JSON numbers,
 * whose trailing zeros and exact digits JSON.parse would turn into binary floats, and the book
 * is the busiest channel. So this scanner walks the message, recording where each price and
 * quantity token starts and ends; the book reads those digits straight into scaled integers.
 * A message is either text or the bytes a WebSocket received (UTF-8): reading the bytes saves
 * decoding them into text and encoding that text back into bytes for the fast path.
 * Kraken's own compact layout is matched piece by piece first, over a byte copy of the message
 * (the fast path, which also reads the plain numbers it passes, so the book need not read them
 * again); any other valid layout (spacing, key order, extra fields, string numbers) goes through
 * a general scanner over text. The scan objects are reused from message to message: scanning
 * allocates nothing beyond the symbol text when a symbol changes (and, for a message given as
 * bytes, its text when the fast path cannot read it or a reader needs the text).
 */

export type BookScanResult = 'book' | 'not-book' | 'malformed';

/** One `data[]` entry of a book message: one symbol's levels. */
export class BookEntryScan {
  symbol = '';
  /**
   * Four offsets per bid level into the scan's text (BookMessageScan.text(); after the fast path
   * over bytes, byte offsets, which index that text the same): price start, price end, qty start, qty end.
   */
  bids: Int32Array = new Int32Array(64);
  bidCount = 0;
  asks: Int32Array = new Int32Array(64);
  askCount = 0;
  /** Kraken's CRC-32; -1 when the entry has none. */
  checksum = -1;
  /** Kraken's timestamp in epoch ms; NaN when the entry has none (recorded snapshots lack it). */
  timestamp = Number.NaN;
  /**
   * When the fast path read the message (see BookMessageScan.valuesSource): four numbers per bid
   * level, price digits as an integer, price decimals, quantity digits, quantity decimals, so
   * `29430.2` is 294302 and 1. Decimals are -1 when the token is not plain digits with at most
   * one '.' and 15 digits: read its text instead.
   */
  bidValues: Float64Array = new Float64Array(64);
  askValues: Float64Array = new Float64Array(64);
  /** `symbol` as little-endian words of its bytes, for the fast path's comparison with the next message's. */
  symbolWords: Int32Array = new Int32Array(4);
  /** The length of `symbolWords`' symbol; -1 when not known (the general scanner changed the symbol). */
  symbolBytesLength = -1;

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
  /**
   * The message (text or bytes, as given) the fast path read, whose entries' `bidValues` and
   * `askValues` hold the level numbers already read; undefined when the general scanner read
   * the last message (offsets only).
   */
  valuesSource: string | Uint8Array | undefined = undefined;
  /** The fast path's copy of the message: one byte per character (text) or the bytes, then a 0. */
  bytes: Uint8Array = new Uint8Array(1024);
  /** `bytes`, for reading four at a time. */
  view: DataView = new DataView(this.bytes.buffer);
  /** The text the entries' offsets index; '' until made, for bytes read by the fast path. */
  #text = '';
  /** The length of the message in `bytes` when `#text` is still to be made from them; -1 otherwise. */
  #pendingLength = -1;

  entry(index: number): BookEntryScan {
    return this.entries[index]!;
  }

  /**
   * The text the entries' offsets index: the message itself when it was text; when it was
   * bytes, the text the general scanner read (decoded as UTF-8), or, after the fast path (which
   * offsets bytes), the bytes one character each, made on first call (the fast path passed only
   * ASCII where the offsets point, so the numbers read the same).
   */
  text(): string {
    if (this.#pendingLength >= 0) {
      this.#text = oneCharPerByte.decode(this.bytes.subarray(0, this.#pendingLength));
      this.#pendingLength = -1;
    }
    return this.#text;
  }

  /**
   * What text() returns: `text`, or (with `text` '') the first `pendingLength` bytes, decoded when asked.
   * @internal Set by scanBookMessage for the message it scans; public only because the scanner is
   * a module function. Calling it from outside makes the scan's offsets point into other text.
   */
  setText(text: string, pendingLength: number): void {
    this.#text = text;
    this.#pendingLength = pendingLength;
  }
}

/** One UTF-16 unit per byte ('latin1' is windows-1252 in TextDecoder, also one unit per byte). */
const oneCharPerByte = new TextDecoder('latin1');
/** A WebSocket message's text; ignoreBOM keeps a leading BOM, as Buffer.toString('utf8') does. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/*
 * Characters and the fast path's words as const enums: the build inlines their values as
 * literals, where a module-level `const` becomes a variable the optimizing compiler loads and
 * checks on every use (measured: a tenth of the fast path's time).
 */
const enum Char {
  Quote = 34,
  Backslash = 92,
  Colon = 58,
  Comma = 44,
  Dot = 46,
  OpenObject = 123,
  CloseObject = 125,
  OpenArray = 91,
  CloseArray = 93,
  Z = 90,
}

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
    if (code === Char.Quote) return true;
    if (code === Char.Backslash) position++;
  }
}

function isNumberChar(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45 || code === 43 || code === 46 || code === 101 || code === 69;
}

function skipValue(): boolean {
  skipSpace();
  const code = text.charCodeAt(position);
  if (code === Char.Quote) return skipString();
  if (code === Char.OpenObject || code === Char.OpenArray) {
    let depth = 0;
    for (;;) {
      const inner = text.charCodeAt(position);
      if (Number.isNaN(inner)) return fail('unterminated object or array');
      if (inner === Char.Quote) {
        if (!skipString()) return false;
        continue;
      }
      position++;
      if (inner === Char.OpenObject || inner === Char.OpenArray) depth++;
      else if ((inner === Char.CloseObject || inner === Char.CloseArray) && --depth === 0) return true;
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
  if (text.charCodeAt(position) !== Char.Colon) return fail("expected ':'");
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
  if (text.charCodeAt(position) !== Char.Quote) {
    fail('expected a key');
    return KEY_OTHER;
  }
  const start = position + 1;
  let key = candidateKey(text.charCodeAt(start), text.charCodeAt(start + 1));
  if (key === -1) key = text.charCodeAt(start + 2) === 97 /* a */ ? KEY_CHANNEL : KEY_CHECKSUM;
  if (key !== KEY_OTHER) {
    const literal = KEY_TEXTS[key]!;
    if (text.charCodeAt(start + literal.length) === Char.Quote && sameText(start, literal)) {
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
  if (code === Char.Comma) {
    position++;
    skipSpace();
    return true;
  }
  if (code === close) {
    position++;
    return false;
  }
  fail(close === Char.CloseArray ? "expected ',' or ']'" : "expected ',' or '}'");
  return false;
}

/** At `[`: true and past `[` and space. */
function openArray(): boolean {
  if (text.charCodeAt(position) !== Char.OpenArray) return fail("expected '['");
  position++;
  skipSpace();
  return true;
}

function openObject(): boolean {
  if (text.charCodeAt(position) !== Char.OpenObject) return fail("expected '{'");
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
  if (code === Char.Quote) {
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
    text.charCodeAt(position) !== Char.Quote ||
    text.charCodeAt(position + 6) !== Char.Quote ||
    text.charCodeAt(position + 7) !== Char.Colon ||
    !sameText(position + 1, 'price') ||
    !readNumberToken(position + 8)
  ) {
    return false;
  }
  priceStart = tokenStart;
  priceEnd = tokenEnd;
  if (
    text.charCodeAt(position) !== Char.Comma ||
    text.charCodeAt(position + 1) !== Char.Quote ||
    text.charCodeAt(position + 5) !== Char.Quote ||
    text.charCodeAt(position + 6) !== Char.Colon ||
    !sameText(position + 2, 'qty') ||
    !readNumberToken(position + 7) ||
    text.charCodeAt(position) !== Char.CloseObject
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
  if (text.charCodeAt(position) === Char.CloseObject) {
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
  } while (nextElement(Char.CloseObject));
  return failure === undefined;
}

/** At `[` of `bids`/`asks`: records each level's token bounds; returns the new offsets array (grown if needed). */
function readLevels(offsets: Int32Array, setCount: (count: number) => void): Int32Array | undefined {
  if (!openArray()) return undefined;
  let levels = offsets;
  let count = 0;
  if (text.charCodeAt(position) === Char.CloseArray) {
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
  } while (nextElement(Char.CloseArray));
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
  if (text.charCodeAt(position) !== Char.Quote) return fail('symbol: expected a string');
  const start = position + 1;
  if (!skipString()) return false;
  const end = position - 1;
  // Reuse the previous text when the symbol repeats, which is nearly always.
  const previous = entry.symbol;
  if (previous.length !== end - start || !text.startsWith(previous, start)) {
    entry.symbol = text.slice(start, end);
    entry.symbolBytesLength = -1; // the fast path's copy no longer matches
  }
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
  if (text.charCodeAt(position) === Char.CloseObject) {
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
      if (text.charCodeAt(position) !== Char.Quote) return fail('timestamp: expected a string');
      const start = position + 1;
      if (!skipString()) return false;
      entry.timestamp = parseRfc3339Range(text, start, position - 1);
    } else if (!skipValue()) {
      return false;
    }
  } while (nextElement(Char.CloseObject));
  if (failure !== undefined) return false;
  if (!sawSymbol) return fail('a book entry without symbol');
  return true;
}

function readData(scan: BookMessageScan): boolean {
  if (!openArray()) return false;
  scan.entryCount = 0;
  if (text.charCodeAt(position) === Char.CloseArray) {
    position++;
    return true;
  }
  do {
    if (scan.entryCount === scan.entries.length) scan.entries.push(new BookEntryScan());
    const entry = scan.entries[scan.entryCount]!;
    if (!readEntry(entry)) return false;
    scan.entryCount++;
  } while (nextElement(Char.CloseArray));
  return failure === undefined;
}

// ---- the fast path: Kraken's own compact layout, read as bytes --------------------------------
// A character of a string costs several times a byte of a Uint8Array to read (the string's
// representation is checked on every charCodeAt: 2.8 against 1.0 ns a character here), and a
// book message is read character by character. So an ASCII message is first copied into the
// scan's byte buffer (one native call) and the fast path reads the bytes; offsets are the same in
// both, since every character is one byte. A message received as bytes is copied as it is (its
// offsets then index the bytes, and the text made one character per byte, see
// BookMessageScan.text()); the fast path passes only ASCII where offsets point, and hands a
// symbol beyond ASCII to the general scanner. The fixed parts of the layout are compared four bytes
// at a time, the numbers are read in place, and message and cursor are locals, which the
// optimizing compiler keeps in registers.

const encoder = new TextEncoder();

/** Masks keeping the first 0–4 bytes of a little-endian word. */
const BYTE_MASKS = [0, 0xff, 0xffff, 0xffffff, -1];

/** An ASCII literal as little-endian 32-bit words, the last one masked to the literal's length. */
class AsciiLiteral {
  readonly length: number;
  readonly words: Int32Array;
  /** Index of the last word, which is compared under `lastMask`. */
  readonly last: number;
  readonly lastMask: number;

  constructor(text: string) {
    this.length = text.length;
    this.words = new Int32Array(Math.ceil(text.length / 4));
    for (let index = 0; index < text.length; index++) this.words[index >> 2]! |= text.charCodeAt(index) << (8 * (index & 3));
    this.last = this.words.length - 1;
    this.lastMask = BYTE_MASKS[text.length - 4 * this.last]!;
  }
}

// The pieces of Kraken's layout between the values.
const SNAPSHOT_HEAD = new AsciiLiteral('{"channel":"book","type":"snapshot","data":[{"symbol":"');
const NEXT_SYMBOL_KEY = new AsciiLiteral('{"symbol":"');
/**
 * The keys read on every message as little-endian words of their bytes (what
 * `DataView.getInt32(at, true)` reads there), compared in code word by word; a word of fewer
 * than four bytes is compared under a mask. A level's keys: `{"price":` is the words `{"pr`,
 * `ice"` and a ':'; `,"qty":` the word `,"qt` and `y":`. The tests' Kraken-layout messages only
 * take the fast path when these are right.
 */
const enum Word {
  Price0 = 0x7270227b, // {"pr
  Price1 = 0x22656369, // ice"
  Qty0 = 0x7471222c, // ,"qt
  Qty1 = 0x3a2279, // y":
  Bids0 = 0x62222c22, // ","b
  Bids1 = 0x22736469, // ids"
  Bids2 = 0x5b3a, // :[
  BidsLength = 10,
  Asks0 = 0x7361222c, // ,"as
  Asks1 = 0x3a22736b, // ks":
  Asks2 = 0x5b, // [
  AsksLength = 9,
  Checksum0 = 0x6863222c, // ,"ch
  Checksum1 = 0x736b6365, // ecks
  Checksum2 = 0x3a226d75, // um":
  ChecksumLength = 12,
  Timestamp0 = 0x6974222c, // ,"ti
  Timestamp1 = 0x7473656d, // mest
  Timestamp2 = 0x22706d61, // amp"
  Timestamp3 = 0x223a, // :"
  TimestampLength = 14,
  /** The length of Kraken's timestamps, `2023-07-30T15:29:58.343415Z`. */
  TimestampValueLength = 27,
  /** Bytes 26 and 27 after a timestamp's start as the top half of a little-endian word: `Z"`. */
  TimestampTail = 0x225a,
  // The head of an update, `{"channel":"book","type":"update","data":[{"symbol":"`, 53 bytes.
  Update0 = 0x6863227b, // {"ch
  Update1 = 0x656e6e61, // anne
  Update2 = 0x223a226c, // l":"
  Update3 = 0x6b6f6f62, // book
  Update4 = 0x74222c22, // ","t
  Update5 = 0x22657079, // ype"
  Update6 = 0x7075223a, // :"up
  Update7 = 0x65746164, // date
  Update8 = 0x64222c22, // ","d
  Update9 = 0x22617461, // ata"
  Update10 = 0x227b5b3a, // :[{"
  Update11 = 0x626d7973, // symb
  Update12 = 0x3a226c6f, // ol":
  UpdateLength = 53,
}

/** Whether the bytes start with the head of an update (the head is at offset 0: inside the buffer, which holds at least 1024 bytes). */
function updateHeadAt(view: DataView): boolean {
  return (
    view.getInt32(0, true) === Word.Update0 &&
    view.getInt32(4, true) === Word.Update1 &&
    view.getInt32(8, true) === Word.Update2 &&
    view.getInt32(12, true) === Word.Update3 &&
    view.getInt32(16, true) === Word.Update4 &&
    view.getInt32(20, true) === Word.Update5 &&
    view.getInt32(24, true) === Word.Update6 &&
    view.getInt32(28, true) === Word.Update7 &&
    view.getInt32(32, true) === Word.Update8 &&
    view.getInt32(36, true) === Word.Update9 &&
    view.getInt32(40, true) === Word.Update10 &&
    view.getInt32(44, true) === Word.Update11 &&
    view.getInt32(48, true) === Word.Update12 &&
    view.getUint8(52) === Char.Quote
  );
}

/**
 * Whether `literal` is written at `at`, compared four bytes at a time. The bytes after the
 * message are a 0 and old data, so a literal that runs past the end fails at the 0. Every
 * position the fast path reaches is inside the message or at its end (each step passes bytes it
 * matched, and the 0 stops every number), and the buffer holds at least 1024 bytes and three per
 * character plus one (see copyAscii), so a literal read there stays inside the buffer: no bounds
 * check is needed here (reading a DataView's length is not free).
 */
function literalAt(view: DataView, at: number, literal: AsciiLiteral): boolean {
  const words = literal.words;
  const last = literal.last;
  for (let index = 0; index < last; index++) if (view.getInt32(at + 4 * index, true) !== words[index]) return false;
  return (view.getInt32(at + 4 * last, true) & literal.lastMask) === words[last];
}

/** The end of the number token starting at `at` (digits, sign, '.', exponent); `at` itself when there is none. */
function numberEnd(bytes: Uint8Array, at: number): number {
  let index = at;
  for (;;) {
    const code = bytes[index]!;
    if ((code >= 48 && code <= 57) || code === 46 || code === 101 || code === 45 || code === 43 || code === 69) index++;
    else return index;
  }
}

/** Whether a number token goes on after its plain digits: an exponent, a sign or a second '.' (the text decides). */
function numberGoesOn(code: number): boolean {
  return code === 101 || code === 69 || code === 45 || code === 43 || code === 46;
}

/**
 * Reads `{"price":N,"qty":N},…]` starting at `at` (just after `[`) into the entry's bid or ask
 * offsets and values. Returns the position after `]`, or -1 for anything else (the general
 * scanner decides). Each number is read once, digit by digit: its integer and fraction digits as
 * one integer and the count of fraction digits; a token that is not plain (more than 15 digits,
 * an exponent) gets decimals -1 and is read from its text by the book.
 */
function readLevelsFast(bytes: Uint8Array, view: DataView, wordLimit: number, at: number, entry: BookEntryScan, bids: boolean): number {
  let levels = bids ? entry.bids : entry.asks;
  let values = bids ? entry.bidValues : entry.askValues;
  let count = 0;
  let position = at;
  if (bytes[position] === Char.CloseArray) {
    position++;
  } else {
    for (;;) {
      // {"price":
      if (
        position > wordLimit ||
        view.getInt32(position, true) !== Word.Price0 ||
        view.getInt32(position + 4, true) !== Word.Price1 ||
        bytes[position + 8] !== Char.Colon
      ) {
        return -1;
      }
      const priceStart = position + 9;
      let index = priceStart;
      let value = 0;
      let code = bytes[index]!;
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = bytes[++index]!;
      }
      let digits = index - priceStart;
      let priceDecimals = 0;
      if (code === Char.Dot) {
        const fractionStart = ++index;
        code = bytes[index]!;
        while (code >= 48 && code <= 57) {
          value = value * 10 + (code - 48);
          code = bytes[++index]!;
        }
        priceDecimals = index - fractionStart;
        digits += priceDecimals;
      }
      let priceEnd = index;
      const priceDigits = value;
      if (digits === 0 || digits > 15 || numberGoesOn(code)) {
        if (digits === 0 && !numberGoesOn(code)) return -1;
        priceDecimals = -1;
        priceEnd = numberEnd(bytes, index);
      }
      // ,"qty":
      if (priceEnd > wordLimit || view.getInt32(priceEnd, true) !== Word.Qty0 || (view.getInt32(priceEnd + 4, true) & 0xffffff) !== Word.Qty1) return -1;
      const quantityStart = priceEnd + 7;
      index = quantityStart;
      value = 0;
      code = bytes[index]!;
      while (code >= 48 && code <= 57) {
        value = value * 10 + (code - 48);
        code = bytes[++index]!;
      }
      digits = index - quantityStart;
      let quantityDecimals = 0;
      if (code === Char.Dot) {
        const fractionStart = ++index;
        code = bytes[index]!;
        while (code >= 48 && code <= 57) {
          value = value * 10 + (code - 48);
          code = bytes[++index]!;
        }
        quantityDecimals = index - fractionStart;
        digits += quantityDecimals;
      }
      let quantityEnd = index;
      if (digits === 0 || digits > 15 || numberGoesOn(code)) {
        if (digits === 0 && !numberGoesOn(code)) return -1;
        quantityDecimals = -1;
        quantityEnd = numberEnd(bytes, index);
      }
      if (bytes[quantityEnd] !== Char.CloseObject) return -1;
      if ((count + 1) * 4 > levels.length) {
        const grown = new Int32Array(levels.length * 2);
        grown.set(levels);
        levels = grown;
        const grownValues = new Float64Array(values.length * 2);
        grownValues.set(values);
        values = grownValues;
      }
      const slot = count * 4;
      levels[slot] = priceStart;
      levels[slot + 1] = priceEnd;
      levels[slot + 2] = quantityStart;
      levels[slot + 3] = quantityEnd;
      values[slot] = priceDigits;
      values[slot + 1] = priceDecimals;
      values[slot + 2] = value;
      values[slot + 3] = quantityDecimals;
      count++;
      const next = bytes[quantityEnd + 1];
      position = quantityEnd + 2;
      if (next === Char.CloseArray) break;
      if (next !== Char.Comma) return -1;
    }
  }
  if (bids) {
    entry.bids = levels;
    entry.bidValues = values;
    entry.bidCount = count;
  } else {
    entry.asks = levels;
    entry.askValues = values;
    entry.askCount = count;
  }
  return position;
}

/** The checksum's digits at `at` into `entry.checksum`; the position after them, or -1. */
function readChecksumFast(bytes: Uint8Array, at: number, entry: BookEntryScan): number {
  let value = 0;
  let index = at;
  let code = bytes[index]!;
  while (code >= 48 && code <= 57) {
    value = value * 10 + (code - 48);
    code = bytes[++index]!;
  }
  // An unsigned 32-bit value has at most ten digits; more (or a larger value) is not a checksum.
  if (index === at || index - at > 10 || value > 0xffffffff) return -1;
  entry.checksum = value;
  return index;
}

/**
 * Reads the symbol at `start` (after its opening quote) into the entry; the position of its
 * closing quote, or -1. Messages nearly always repeat the last symbol, so that one is compared
 * where it should be, four bytes at a time, before anything is searched.
 */
function readSymbolFast(bytes: Uint8Array, view: DataView, start: number, scan: BookMessageScan, entry: BookEntryScan): number {
  const known = entry.symbolBytesLength;
  if (known > 0 && bytes[start + known] === Char.Quote) {
    // The known symbol has no backslash, so matching bytes followed by a quote are exactly it.
    const words = entry.symbolWords;
    const whole = known >> 2;
    let word = 0;
    while (word < whole && view.getInt32(start + 4 * word, true) === words[word]) word++;
    const rest = known & 3;
    if (word === whole && (rest === 0 || (view.getInt32(start + 4 * whole, true) & ((1 << (8 * rest)) - 1)) === words[whole])) return start + known;
  }
  let end = start;
  for (;;) {
    const code = bytes[end]!;
    if (code === Char.Quote) break;
    // Beyond ASCII (only in bytes: text with any is not copied) the general scanner decodes it.
    if (code === Char.Backslash || code === 0 || code > 127) return -1;
    end++;
  }
  const length = end - start;
  entry.symbol = scan.text().slice(start, end);
  const words = new Int32Array((length >> 2) + 1);
  for (let index = 0; index < length; index++) words[index >> 2]! |= bytes[start + index]! << (8 * (index & 3));
  entry.symbolWords = words;
  entry.symbolBytesLength = length;
  return end;
}

/**
 * Whether all four bytes of a little-endian word are ASCII digits. A byte in '0'..'9' neither
 * borrows in `word - '0000'` nor carries in `word + 0x46464646`, and keeps its top bit clear in
 * both; any other byte sets its own top bit in one of them (a borrow or carry only ever starts
 * at such a byte, so it cannot hide one).
 */
function allDigits(word: number): boolean {
  return (((word - 0x30303030) | (word + 0x46464646)) & 0x80808080) === 0;
}

// The second of the last Kraken timestamp read: its first 20 bytes (`2023-07-30T15:29:58.`) as
// words, and its epoch ms. Book messages come many times a second, so the next one nearly always
// repeats it, and only its milliseconds are left to read.
const secondWords = new Int32Array(5);
let secondMs = Number.NaN;

/**
 * The timestamp `bytes[start, end)` into `entry.timestamp`, for Kraken's usual form within the
 * second of the last one read (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, six fraction digits): its
 * milliseconds, later digits truncated, as parseRfc3339Bytes does. Small enough for the compiler
 * to inline into the scan; anything else goes to readTimestampOther. The value is stored, not
 * returned, so no heap number is made for it.
 */
function readTimestampFast(bytes: Uint8Array, view: DataView, scan: BookMessageScan, start: number, end: number, entry: BookEntryScan): void {
  // A module variable is loaded once into a local: each use of one is a load and a check.
  const second = secondWords;
  if (
    end - start === Word.TimestampValueLength &&
    view.getInt32(start, true) === second[0] &&
    view.getInt32(start + 4, true) === second[1] &&
    view.getInt32(start + 8, true) === second[2] &&
    view.getInt32(start + 12, true) === second[3] &&
    view.getInt32(start + 16, true) === second[4]
  ) {
    // Bytes 20–23 and 24–25 are the fraction's digits, 26 the 'Z' and 27 the closing quote:
    // tested a word at a time instead of a digit at a time (see allDigits).
    const fraction = view.getInt32(start + 20, true);
    const tail = view.getInt32(start + 24, true);
    if (tail >>> 16 === Word.TimestampTail && allDigits(fraction) && allDigits((tail & 0xffff) | 0x30300000)) {
      entry.timestamp = secondMs + ((fraction & 0xff) - 48) * 100 + (((fraction >>> 8) & 0xff) - 48) * 10 + (((fraction >>> 16) & 0xff) - 48);
      return;
    }
  }
  readTimestampOther(bytes, view, scan, start, end, entry);
}

/**
 * readTimestampFast for any other timestamp: Kraken's form with three to nine fraction digits
 * within the last second is read here; anything else goes to parseRfc3339Bytes, whose answer
 * then teaches the second.
 */
function readTimestampOther(bytes: Uint8Array, view: DataView, scan: BookMessageScan, start: number, end: number, entry: BookEntryScan): void {
  const second = secondWords;
  if (
    end - start >= 24 &&
    view.getInt32(start, true) === second[0] &&
    view.getInt32(start + 4, true) === second[1] &&
    view.getInt32(start + 8, true) === second[2] &&
    view.getInt32(start + 12, true) === second[3] &&
    view.getInt32(start + 16, true) === second[4]
  ) {
    let index = start + 20;
    let millis = 0;
    let code = bytes[index]!;
    while (code >= 48 && code <= 57) {
      if (index < start + 23) millis = millis * 10 + (code - 48);
      code = bytes[++index]!;
    }
    const digits = index - start - 20;
    if (digits >= 3 && digits <= 9 && code === Char.Z && index + 1 === end) {
      entry.timestamp = secondMs + millis;
      return;
    }
  }
  const time = parseRfc3339Bytes(bytes, view, scan.text(), start, end);
  entry.timestamp = time;
  if (time === time && end - start >= 24 && end - start <= 30 && bytes[end - 1] === Char.Z && bytes[start + 19] === Char.Dot && bytes[start + 16] === Char.Colon) {
    // A valid time with the fraction Kraken writes (its digits are all between the '.' and the 'Z').
    let millis = 0;
    for (let index = start + 20; index < start + 23; index++) millis = millis * 10 + (bytes[index]! - 48);
    secondMs = time - millis;
    for (let word = 0; word < 5; word++) second[word] = view.getInt32(start + 4 * word, true);
  }
}

/**
 * The message exactly as Kraken writes it — `{"channel":"book","type":…,"data":[{"symbol":…,
 * "bids":[…],"asks":[…],"checksum":…,"timestamp":…}]}`, compact, in this key order — checked
 * piece by piece over `bytes` (the message's `length` bytes, then a 0). Anything else
 * (spacing, key order, extra fields, escapes, numbers in strings) returns false and goes through
 * the general scanner, which reads any valid layout.
 */
function scanCompact(bytes: Uint8Array, view: DataView, length: number, scan: BookMessageScan): boolean {
  // A level's word reads stop 8 bytes short of the buffer's end; past that the general scanner reads.
  const wordLimit = bytes.length - 8;
  let position: number;
  if (updateHeadAt(view)) {
    scan.type = 'update';
    position = Word.UpdateLength;
  } else if (literalAt(view, 0, SNAPSHOT_HEAD)) {
    scan.type = 'snapshot';
    position = SNAPSHOT_HEAD.length;
  } else {
    return false;
  }
  scan.entryCount = 0;
  for (;;) {
    if (scan.entryCount === scan.entries.length) scan.entries.push(new BookEntryScan());
    const entry = scan.entries[scan.entryCount]!;
    entry.reset();
    position = readSymbolFast(bytes, view, position, scan, entry);
    if (position < 0 || view.getInt32(position, true) !== Word.Bids0 || view.getInt32(position + 4, true) !== Word.Bids1 || (view.getInt32(position + 8, true) & 0xffff) !== Word.Bids2) {
      return false;
    }
    position = readLevelsFast(bytes, view, wordLimit, position + Word.BidsLength, entry, true);
    if (position < 0 || view.getInt32(position, true) !== Word.Asks0 || view.getInt32(position + 4, true) !== Word.Asks1 || bytes[position + 8] !== Word.Asks2) return false;
    position = readLevelsFast(bytes, view, wordLimit, position + Word.AsksLength, entry, false);
    if (position < 0) return false;
    if (view.getInt32(position, true) === Word.Checksum0 && view.getInt32(position + 4, true) === Word.Checksum1 && view.getInt32(position + 8, true) === Word.Checksum2) {
      position = readChecksumFast(bytes, position + Word.ChecksumLength, entry);
      if (position < 0) return false;
    }
    if (
      view.getInt32(position, true) === Word.Timestamp0 &&
      view.getInt32(position + 4, true) === Word.Timestamp1 &&
      view.getInt32(position + 8, true) === Word.Timestamp2 &&
      (view.getInt32(position + 12, true) & 0xffff) === Word.Timestamp3
    ) {
      const start = position + Word.TimestampLength;
      let end = start + Word.TimestampValueLength;
      if (bytes[end] !== Char.Quote || bytes[end - 1] !== 90 /* Z */) {
        // Not Kraken's usual length: find the closing quote.
        end = start;
        for (;;) {
          const code = bytes[end]!;
          if (code === Char.Quote) break;
          if (code === 0) return false;
          end++;
        }
      }
      readTimestampFast(bytes, view, scan, start, end, entry);
      position = end + 1;
    }
    if (bytes[position] !== Char.CloseObject) return false;
    scan.entryCount++;
    const next = bytes[position + 1];
    position += 2;
    if (next === Char.CloseArray) break;
    if (next !== Char.Comma || !literalAt(view, position, NEXT_SYMBOL_KEY)) return false;
    position += NEXT_SYMBOL_KEY.length;
  }
  return bytes[position] === Char.CloseObject && position + 1 === length;
}

/** Grows the scan's byte buffer to at least `needed` bytes. */
function reserveBytes(scan: BookMessageScan, needed: number): void {
  if (scan.bytes.length < needed) {
    scan.bytes = new Uint8Array(Math.max(needed, scan.bytes.length * 2));
    scan.view = new DataView(scan.bytes.buffer);
  }
}

/** Copies an ASCII message into the scan's byte buffer, then a 0; false (nothing usable) when it is not ASCII. */
function copyAscii(message: string, scan: BookMessageScan): boolean {
  // Room for the worst case (3 UTF-8 bytes per UTF-16 unit) plus the 0, so the copy is never cut
  // short and `written === length` holds exactly when every character is ASCII.
  reserveBytes(scan, message.length * 3 + 1);
  const { read, written } = encoder.encodeInto(message, scan.bytes);
  if (read !== message.length || written !== message.length) return false;
  scan.bytes[written] = 0;
  return true;
}

/**
 * Copies a message's bytes into the scan's byte buffer, then a 0. A copy (one native memcpy, a
 * fraction of what encoding text took) rather than reading the caller's bytes in place: the fast
 * path relies on the 0 after the message and on room after it to read four bytes at a time.
 */
function copyBytes(message: Uint8Array, scan: BookMessageScan): void {
  const length = message.length;
  // The same room as for text (copyAscii): at least three bytes per message byte, plus the 0.
  reserveBytes(scan, length * 3 + 1);
  scan.bytes.set(message);
  scan.bytes[length] = 0;
}

/** Whether `bytes` start with the ASCII text `prefix`, compared byte by byte (nothing is decoded). */
export function startsWithAscii(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (bytes[index] !== prefix.charCodeAt(index)) return false;
  return true;
}

/** How Kraken starts every channel message. */
const CHANNEL_KEY = '{"channel":"';

/**
 * Scans one WebSocket message, as text or as the UTF-8 bytes received (the same result either
 * way; bytes save the decoding). `book` when it is a `book` channel snapshot or update (the result
 * is in `scan`), `not-book` for any other message (nothing is read beyond the channel name when
 * `channel` comes first, as Kraken sends it), `malformed` when a book message cannot be read
 * (`scan.error` says where, in characters of the text).
 */
export function scanBookMessage(message: string | Uint8Array, scan: BookMessageScan): BookScanResult {
  scan.valuesSource = undefined;
  if (typeof message === 'string') {
    scan.setText(message, -1);
    // Kraken puts `channel` first: any other channel is known from its first letter.
    if (message.charCodeAt(12) !== 98 /* b */ && message.startsWith('{"channel":"')) return 'not-book';
    if (copyAscii(message, scan) && scanCompact(scan.bytes, scan.view, message.length, scan)) {
      scan.valuesSource = message;
      return 'book';
    }
    return scanGeneral(message, scan);
  }
  if (message[12] !== 98 /* b */ && startsWithAscii(message, CHANNEL_KEY)) return 'not-book';
  copyBytes(message, scan);
  // The fast path's offsets index the bytes: its text, if a reader asks for it, is one character per byte.
  scan.setText('', message.length);
  if (scanCompact(scan.bytes, scan.view, message.length, scan)) {
    scan.valuesSource = message;
    return 'book';
  }
  const text = utf8.decode(message);
  scan.setText(text, -1);
  return scanGeneral(text, scan);
}

/** The general scanner: any valid layout of a book message, over its text. */
function scanGeneral(message: string, scan: BookMessageScan): BookScanResult {
  text = message;
  position = 0;
  failure = undefined;
  let channelIsBook = false;
  let sawType = false;
  let sawData = false;
  skipSpace();
  if (text.charCodeAt(position) !== Char.OpenObject) return 'not-book';
  position++;
  skipSpace();
  let result: BookScanResult = 'book';
  if (text.charCodeAt(position) === Char.CloseObject) return 'not-book';
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
  } while (nextElement(Char.CloseObject));
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
