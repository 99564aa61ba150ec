// The checksum-verified order book: Kraken WebSocket v2 `book` messages for a depth-1000 BTC/USD
// book (grown from a real recorded snapshot, updates near the top, true checksums), each one
// scanned, applied as scaled integers, truncated and verified, against a CRC-32 of exactly the
// bytes Kraken's checksum covers for each message (the floor: no book can verify for less), and
// against a naive book that builds the checksum text with toFixed and a regex (see README.md).
import { crc32 } from 'node:zlib';
import { BookKeeper, BookMessageScan, scanBookMessage } from '@kbot/exchange-kraken';
import { CHECKSUM_LEVELS, DEPTH, PRICE_PRECISION, QUANTITY_PRECISION, SYMBOL, generateBookMessages } from './book-fixture.mjs';
import { describe, log, measure, row } from './harness.mjs';

export const name = 'book';
export const description = 'depth-1000 BTC/USD book, every message scanned, applied and checksum-verified, vs CRC-32 of the same checksum bytes';

const MESSAGES = 200_000;
/** The naive book is slow: it is timed over the first messages only (its rate is what is compared). */
const NAIVE_MESSAGES = 40_000;
/** The targets: at least 0.4× the CRC-32 floor, and at least 1M messages/s. */
const FLOOR_TARGET = 0.4;
const RATE_TARGET = 1_000_000;

// ---------------------------------------------------------------- the floor: CRC-32 of the checksum bytes

/** zlib's CRC-32 (native) over each message's checksum bytes, compared with Kraken's value. */
function zlibFloor({ views, checksums }) {
  let verified = 0;
  for (let message = 0; message < views.length; message++) if (crc32(views[message]) === checksums[message]) verified++;
  return verified;
}

const TABLES = Array.from({ length: 8 }, () => new Int32Array(256));
for (let index = 0; index < 256; index++) {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  TABLES[0][index] = value;
}
for (let table = 1; table < 8; table++) for (let index = 0; index < 256; index++) TABLES[table][index] = (TABLES[table - 1][index] >>> 8) ^ TABLES[0][TABLES[table - 1][index] & 0xff];

/** The same CRC-32 written in JavaScript, slicing-by-8 (eight bytes per step), over the same bytes. */
function javascriptFloor({ bytes, offsets, checksums }) {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let verified = 0;
  for (let message = 0; message < checksums.length; message++) {
    let crc = -1;
    let index = offsets[message];
    const end = offsets[message + 1];
    for (; index + 8 <= end; index += 8) {
      const first = crc ^ (bytes[index] | (bytes[index + 1] << 8) | (bytes[index + 2] << 16) | (bytes[index + 3] << 24));
      const second = bytes[index + 4] | (bytes[index + 5] << 8) | (bytes[index + 6] << 16) | (bytes[index + 7] << 24);
      crc =
        t7[first & 0xff] ^ t6[(first >>> 8) & 0xff] ^ t5[(first >>> 16) & 0xff] ^ t4[first >>> 24] ^
        t3[second & 0xff] ^ t2[(second >>> 8) & 0xff] ^ t1[(second >>> 16) & 0xff] ^ t0[second >>> 24];
    }
    for (; index < end; index++) crc = t0[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
    if ((crc ^ -1) >>> 0 === checksums[message]) verified++;
  }
  return verified;
}

// ---------------------------------------------------------------- the adapter's book path

/** One BookKeeper for every run: each run starts from the snapshot, which replaces the book. */
function bookPath(messages) {
  let verified = 0;
  let mismatches = 0;
  const keeper = new BookKeeper({
    onBook: () => {
      verified++;
    },
    onBookHealth: (health) => {
      if (health.reason !== undefined) mismatches++;
    },
  });
  keeper.track(SYMBOL, { depth: DEPTH, pricePrecision: PRICE_PRECISION, quantityPrecision: QUANTITY_PRECISION });
  const scan = new BookMessageScan();
  return {
    reset(snapshot) {
      if (scanBookMessage(snapshot, scan) !== 'book') throw new Error('book benchmark: the snapshot is not read as a book message');
      keeper.apply(snapshot, scan);
      verified = 0;
      mismatches = 0;
    },
    run() {
      // As KrakenWsClient does: the keeper's one-call path first, the scan and apply() for the rest.
      for (let index = 0; index < messages.length; index++) {
        const bytes = messages[index];
        if (keeper.applyBytes(bytes)) continue;
        if (scanBookMessage(bytes, scan) !== 'book') throw new Error(`book benchmark: message ${index} is not read as a book message`);
        keeper.apply(bytes, scan);
      }
      return { verified, mismatches };
    },
  };
}

// ---------------------------------------------------------------- the naive reference

/** A level's checksum text the naive way: fixed decimals, then the '.' and the leading zeros removed. */
function naiveDigits(value, decimals) {
  return value.toFixed(decimals).replace('.', '').replace(/^0+/, '');
}

/** Sorted arrays of { price, quantity } floats from JSON.parse, found by a linear walk from the top and changed with splice. */
function naiveSet(levels, price, quantity, better) {
  let index = 0;
  while (index < levels.length && better(levels[index].price, price)) index++;
  const found = index < levels.length && levels[index].price === price;
  if (quantity === 0) {
    if (found) levels.splice(index, 1);
  } else if (found) {
    levels[index].quantity = quantity;
  } else {
    levels.splice(index, 0, { price, quantity });
  }
}

const bidBetter = (level, price) => level > price;
const askBetter = (level, price) => level < price;

function naiveBook(snapshot) {
  const book = { bids: [], asks: [] };
  const apply = (text) => {
    const message = JSON.parse(text);
    const entry = message.data[0];
    if (message.type === 'snapshot') {
      book.bids = [];
      book.asks = [];
    }
    for (const level of entry.bids) naiveSet(book.bids, level.price, level.qty, bidBetter);
    for (const level of entry.asks) naiveSet(book.asks, level.price, level.qty, askBetter);
    if (book.bids.length > DEPTH) book.bids.length = DEPTH;
    if (book.asks.length > DEPTH) book.asks.length = DEPTH;
    let checksumText = '';
    for (const level of book.asks.slice(0, CHECKSUM_LEVELS)) checksumText += naiveDigits(level.price, PRICE_PRECISION) + naiveDigits(level.quantity, QUANTITY_PRECISION);
    for (const level of book.bids.slice(0, CHECKSUM_LEVELS)) checksumText += naiveDigits(level.price, PRICE_PRECISION) + naiveDigits(level.quantity, QUANTITY_PRECISION);
    return crc32(checksumText) === entry.checksum;
  };
  apply(snapshot);
  return apply;
}

function naivePath(snapshot, messages) {
  const apply = naiveBook(snapshot);
  let verified = 0;
  for (const text of messages) if (apply(text)) verified++;
  return verified;
}

// ---------------------------------------------------------------- run

function expectAllVerified(what, verified) {
  if (verified !== MESSAGES) throw new Error(`book benchmark: ${what} verified ${verified} of ${MESSAGES} checksums, expected all`);
}

export async function run({ warmup = 1, runs = 5 } = {}) {
  log(`book: generating a depth-${DEPTH} ${SYMBOL} book and ${MESSAGES.toLocaleString('en-US')} update messages (untimed)`);
  const fixture = generateBookMessages({ count: MESSAGES });
  // Messages as the ws library delivers them to the adapter: one Buffer each, which the adapter
  // scans without decoding them (KrakenWsClient). The naive book reads the same messages as text,
  // as before: JSON.parse needs a string, and decoding one is left out of its time as it was.
  const messages = fixture.messages.map((text) => Buffer.from(text));
  const texts = messages.map((bytes) => bytes.toString('utf8'));
  const snapshot = Buffer.from(fixture.snapshotMessage);
  const bytesPerMessage = messages.reduce((sum, bytes) => sum + bytes.length, 0) / MESSAGES;
  const checksumBytesPerMessage = fixture.checksumBytes.length / MESSAGES;
  log(`book: ${bytesPerMessage.toFixed(0)} bytes per message on average; the checksum covers ${checksumBytesPerMessage.toFixed(0)} bytes per message`);
  const floorInput = {
    bytes: fixture.checksumBytes,
    offsets: fixture.checksumOffsets,
    checksums: fixture.checksums,
    views: Array.from({ length: MESSAGES }, (_, index) => fixture.checksumBytes.subarray(fixture.checksumOffsets[index], fixture.checksumOffsets[index + 1])),
  };

  // Correctness first: the floors and the naive book must reproduce every checksum, or they are not the same work.
  expectAllVerified('the zlib floor', zlibFloor(floorInput));
  expectAllVerified('the JavaScript CRC-32', javascriptFloor(floorInput));
  expectAllVerified('the naive book', naivePath(fixture.snapshotMessage, texts));

  // These loops allocate (almost) nothing, so runs skip the harness's GC (see `measure`).
  log('book: CRC-32 floor (zlib) over each message\'s checksum bytes');
  const floor = await measure(() => zlibFloor(floorInput), { warmup: Math.max(warmup, 3), runs: Math.max(runs, 9), collectGarbage: false });
  log(describe('book: CRC-32 floor (zlib)', floor));
  log('book: CRC-32 in JavaScript (slicing-by-8) over the same bytes');
  const javascript = await measure(() => javascriptFloor(floorInput), { warmup: Math.max(warmup, 3), runs: Math.max(runs, 9), collectGarbage: false });
  log(describe('book: CRC-32 in JavaScript', javascript));

  log('book: the adapter\'s book (scan, apply, truncate, verify)');
  const path = bookPath(messages);
  const book = await measure(() => path.run(), { warmup: Math.max(warmup, 2), runs: Math.max(runs, 7), setup: () => path.reset(snapshot), collectGarbage: false });
  log(describe('book: adapter book', book));
  if (book.result.mismatches !== 0) throw new Error(`book benchmark: the adapter's book reported ${book.result.mismatches} checksum mismatches or resyncs`);
  expectAllVerified("the adapter's book", book.result.verified);

  log('book: naive book (JSON.parse, splice, toFixed + regex + concat, then CRC-32)');
  const naiveMessages = texts.slice(0, NAIVE_MESSAGES);
  const naive = await measure(() => naivePath(fixture.snapshotMessage, naiveMessages), { warmup, runs });
  log(describe('book: naive book', naive));
  if (naive.result !== NAIVE_MESSAGES) throw new Error(`book benchmark: the naive book verified ${naive.result} of ${NAIVE_MESSAGES} checksums, expected all`);

  const floorRate = MESSAGES / floor.median;
  const javascriptRate = MESSAGES / javascript.median;
  const bookRate = MESSAGES / book.median;
  const naiveRate = NAIVE_MESSAGES / naive.median;
  log(`book: the adapter's book verified ${bookRate >= RATE_TARGET ? 'at least' : 'FEWER than'} ${RATE_TARGET.toLocaleString('en-US')} messages/s (the issue's absolute target; this machine's speed decides it): ${Math.round(bookRate).toLocaleString('en-US')}`);
  return [
    row({ name: 'book.crc32-floor', value: floorRate, unit: 'msg/s' }),
    row({ name: 'book.crc32-javascript', value: javascriptRate, unit: 'msg/s', baseline: 'book.crc32-floor', baselineValue: floorRate }),
    row({ name: 'book.naive', value: naiveRate, unit: 'msg/s', baseline: 'book.crc32-floor', baselineValue: floorRate }),
    row({ name: 'book.verified', value: bookRate, unit: 'msg/s', baseline: 'book.crc32-floor', baselineValue: floorRate, target: FLOOR_TARGET }),
    row({ name: 'book.verified-vs-javascript-crc32', value: bookRate, unit: 'msg/s', baseline: 'book.crc32-javascript', baselineValue: javascriptRate }),
    row({ name: 'book.verified-vs-naive', value: bookRate, unit: 'msg/s', baseline: 'book.naive', baselineValue: naiveRate }),
  ];
}
