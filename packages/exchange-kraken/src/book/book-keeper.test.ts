import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { BookMessageScan, scanBookMessage } from '../ws/parse-book.js';
import { BookKeeper, type BookHealth } from './book-keeper.js';
import { crc32OfText } from './crc32.js';
import { L2Book } from './l2-book.js';

const shared = process.env.KBOT_SHARED_DATA ?? '';

/** The raw text of the JSON object that starts at `start`; the recording has no braces inside strings. */
function objectText(text: string, start: number): string {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(start, index + 1);
  }
  throw new Error(`unterminated object at ${start}`);
}

/** The recording's messages as Kraken's raw text (pretty-printed), snapshot first: no float ever touches them. */
function recordedMessages(): string[] {
  const text = readFileSync(join(shared, 'ws/kraken/v2/python-kraken-sdk-2023/orderbook-v2.json'), 'utf8');
  const messages = [objectText(text, text.indexOf('{', text.indexOf('"init"')))];
  let at = text.indexOf('[', text.indexOf('"updates"')) + 1;
  for (;;) {
    const next = text.indexOf('{', at);
    if (next === -1) break;
    const message = objectText(text, next);
    messages.push(message);
    at = next + message.length;
  }
  return messages;
}

function keeperFor(symbol: string, depth: number, pricePrecision: number, quantityPrecision: number) {
  const health: BookHealth[] = [];
  const resyncs: [string, number][] = [];
  const books: L2Book[] = [];
  let verified = 0;
  let clock = 1_000;
  const keeper = new BookKeeper({
    onBook: (book) => {
      verified++;
      books.push(book);
    },
    onBookHealth: (event) => health.push(event),
    requestResync: (requested, requestedDepth) => resyncs.push([requested, requestedDepth]),
    now: () => clock,
  });
  keeper.track(symbol, { depth, pricePrecision, quantityPrecision });
  const scan = new BookMessageScan();
  const feed = (message: string | Uint8Array): void => {
    clock += 10;
    expect(scanBookMessage(message, scan)).toBe('book');
    keeper.apply(message, scan);
  };
  return { keeper, health, resyncs, books, feed, verified: () => verified };
}

// The recording lives in ../shared/data, which is not part of the repository; without it there is nothing to replay.
describe.skipIf(!shared)('BookKeeper on the recorded Kraken v2 BTC/USD book (python-kraken-sdk, depth 10)', () => {
  it('reproduces all 510 checksums: the snapshot and 509 updates', () => {
    const messages = recordedMessages();
    expect(messages).toHaveLength(510);
    const run = keeperFor('BTC/USD', 10, 1, 8);
    for (const message of messages) run.feed(message);
    expect(run.verified()).toBe(510);
    expect(run.resyncs).toEqual([]);
    // And from the same messages as the bytes a socket delivers.
    const fromBytes = keeperFor('BTC/USD', 10, 1, 8);
    for (const message of messages) fromBytes.feed(Buffer.from(message));
    expect(fromBytes.verified()).toBe(510);
    expect(fromBytes.resyncs).toEqual([]);
    expect(run.health.map((event) => event.status)).toEqual(['synced']);
    const book = run.keeper.book('BTC/USD')!;
    expect(book.bidCount).toBe(10);
    expect(book.askCount).toBe(10);
    expect(book.bestBidPrice()).toBeLessThan(book.bestAskPrice());
    expect(book.time).toBe(Date.parse('2023-07-30T15:30:49.008Z')); // the last update's stamp, sub-millisecond digits truncated
  });

  it("reproduces them again from Kraken's compact wire layout (the scanner's fast path)", () => {
    // Re-serialised compactly, as Kraken sends them; JSON.stringify drops trailing zeros, as the wire does.
    const messages = recordedMessages().map((message) => JSON.stringify(JSON.parse(message)));
    expect(messages[1]).toMatch(/^\{"channel":"book","type":"update","data":\[\{"symbol":"BTC\/USD","bids":\[/);
    const run = keeperFor('BTC/USD', 10, 1, 8);
    for (const message of messages) run.feed(message);
    expect(run.verified()).toBe(510);
    expect(run.resyncs).toEqual([]);
    // And from the same messages as the bytes a socket delivers.
    const fromBytes = keeperFor('BTC/USD', 10, 1, 8);
    for (const message of messages) fromBytes.feed(Buffer.from(message));
    expect(fromBytes.verified()).toBe(510);
    expect(fromBytes.resyncs).toEqual([]);
  });

  it("verifies Kraken's documented checksum example file (3310070434)", () => {
    const message = readFileSync(join(shared, 'ws/kraken/v2/book_snapshot_checksum_example.json'), 'utf8');
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(message);
    expect(run.verified()).toBe(1);
    expect(run.keeper.book('BTC/USD')!.checksum()).toBe(3310070434);
  });

  it('truncation to the subscribed depth matters: tracked at 25 instead of 10, the feed is resynced', () => {
    const messages = recordedMessages();
    const run = keeperFor('BTC/USD', 25, 1, 8);
    for (const message of messages) run.feed(message);
    expect(run.resyncs.length).toBeGreaterThan(0);
    expect(run.health[1]).toMatchObject({ status: 'resync', reason: 'checksum', mismatches: 1, resyncs: 1 });
  });

  it('detects a corrupted quantity as a mismatch, drops the book, asks for a resync and recovers on the next snapshot', () => {
    const messages = recordedMessages();
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(messages[0]!);
    run.feed(messages[1]!);
    // Corrupt one quantity of update 2 by one unit of its last decimal.
    const original = messages[2]!;
    const match = /"qty":\s*([0-9.e-]+)/.exec(original)!;
    const token = match[1]!;
    const corruptedToken = token.endsWith('0') ? `${token.slice(0, -1)}1` : `${token.slice(0, -1)}${(Number(token.at(-1)) + 1) % 10}`;
    const corrupted = original.replace(match[0], match[0].replace(token, corruptedToken));
    expect(corrupted).not.toBe(original);
    run.feed(corrupted);
    expect(run.resyncs).toEqual([['BTC/USD', 10]]);
    const event = run.health.at(-1)!;
    expect(event).toMatchObject({ instrumentId: instrumentId('BTC/USD'), status: 'resync', reason: 'checksum', mismatches: 1, resyncs: 1, ageMs: 20 });
    expect(event.expectedChecksum).not.toBe(event.computedChecksum);
    expect(run.keeper.book('BTC/USD')!.bidCount + run.keeper.book('BTC/USD')!.askCount).toBe(0);
    // Updates before the fresh snapshot are ignored, not applied to an empty book.
    const before = run.verified();
    run.feed(messages[3]!);
    expect(run.verified()).toBe(before);
    // The resubscription's snapshot restores the book; replaying the recording from it verifies again.
    run.feed(messages[0]!);
    expect(run.health.at(-1)).toMatchObject({ status: 'synced', mismatches: 1, resyncs: 1 });
    run.feed(messages[1]!);
    run.feed(messages[2]!);
    expect(run.resyncs).toHaveLength(1);
    expect(run.verified()).toBe(before + 3);
  });

  it('resynchronises when the instrument precision changes under a live book', () => {
    const messages = recordedMessages();
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(messages[0]!);
    run.keeper.track('BTC/USD', { depth: 10, pricePrecision: 2, quantityPrecision: 8 });
    expect(run.health.at(-1)).toMatchObject({ status: 'resync', reason: 'precision-changed' });
    expect(run.resyncs).toEqual([['BTC/USD', 10]]);
  });
});

describe('BookKeeper', () => {
  const SNAPSHOT_A =
    '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},' +
    '{"price":45282.1,"qty":0.10000000},{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},' +
    '{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},{"price":45276.6,"qty":0.15445238}],' +
    '"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},{"price":45289.6,"qty":1.54560911},' +
    '{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},' +
    '{"price":45297.5,"qty":0.09945542},{"price":45299.5,"qty":0.18772827}],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}';

  it("verifies the docs' checksum snapshot and stamps the book with Kraken's time", () => {
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(SNAPSHOT_A);
    expect(run.verified()).toBe(1);
    expect(run.keeper.book('BTC/USD')!.time).toBe(Date.parse('2023-10-06T17:35:55.440Z'));
    expect(run.health).toEqual([{ instrumentId: 'BTC/USD', symbol: 'BTC/USD', time: 1010, book: 'l2', status: 'synced', mismatches: 0, resyncs: 0, ageMs: 0 }]);
  });

  it('resyncs on a level it cannot read at the precision instead of guessing', () => {
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(SNAPSHOT_A);
    run.feed('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.55,"qty":1}],"asks":[],"checksum":1}]}');
    expect(run.health.at(-1)).toMatchObject({ status: 'resync', reason: 'unreadable-level', mismatches: 0, resyncs: 1 });
  });

  it('ignores books of symbols it does not track', () => {
    const run = keeperFor('ETH/USD', 10, 2, 8);
    run.feed(SNAPSHOT_A);
    expect(run.verified()).toBe(0);
    expect(run.resyncs).toEqual([]);
  });

  it("verifies every update read by the scanner's fast path, and catches a wrong checksum or quantity there", () => {
    // A model book of scaled integers (precisions 1 and 8) starting from SNAPSHOT_A, and updates
    // near the top in Kraken's compact layout, each with the checksum of the model's text.
    const model = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    const levels = /"bids":\[(.*?)\],"asks":\[(.*?)\]/.exec(SNAPSHOT_A)!;
    for (const [side, list] of [['bids', levels[1]!], ['asks', levels[2]!]] as const) {
      for (const [, price, quantity] of list.matchAll(/"price":([0-9.]+),"qty":([0-9.]+)/g)) model[side].set(Math.round(Number(price) * 10), Math.round(Number(quantity) * 1e8));
    }
    const sorted = (side: 'bids' | 'asks'): [number, number][] => [...model[side].entries()].sort((a, b) => (side === 'asks' ? a[0] - b[0] : b[0] - a[0]));
    const checksum = (): number => crc32OfText([...sorted('asks').slice(0, 10), ...sorted('bids').slice(0, 10)].map(([price, quantity]) => `${price}${quantity}`).join(''));
    // Kraken's number text: trailing zeros dropped, whole values as `4.0`.
    const text = (scaled: number, decimals: number): string => {
      const digits = String(scaled).padStart(decimals + 1, '0');
      const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
      return `${digits.slice(0, digits.length - decimals)}.${fraction === '' ? '0' : fraction}`;
    };
    const level = ([price, quantity]: [number, number]): string => `{"price":${text(price, 1)},"qty":${text(quantity, 8)}}`;
    const update = (bids: [number, number][], asks: [number, number][], sum: number, second: number): string =>
      `{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[${bids.map(level).join(',')}],"asks":[${asks.map(level).join(',')}],"checksum":${sum},"timestamp":"2023-10-06T17:36:${String(second).padStart(2, '0')}.123456Z"}]}`;
    let seed = 5;
    const random = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const run = keeperFor('BTC/USD', 10, 1, 8);
    const scan = new BookMessageScan();
    run.feed(SNAPSHOT_A);
    let unsignedHigh = 0;
    for (let step = 0; step < 400; step++) {
      const changed: Record<'bids' | 'asks', [number, number][]> = { bids: [], asks: [] };
      for (const side of random() < 0.3 ? (['bids', 'asks'] as const) : random() < 0.5 ? (['bids'] as const) : (['asks'] as const)) {
        const ordered = sorted(side);
        const at = Math.min(ordered.length - 1, Math.floor(random() * 12));
        const action = random();
        if (action < 0.3 && ordered.length > 3) {
          model[side].delete(ordered[at]![0]);
          changed[side].push([ordered[at]![0], 0]);
        } else if (action < 0.6) {
          // A new level one tick better than `at` (inside the spread at the top), if that price is free.
          const price = ordered[at]![0] + (side === 'bids' ? 1 : -1);
          if (!model[side].has(price) && !model[side === 'bids' ? 'asks' : 'bids'].has(price)) {
            const quantity = 1 + Math.floor(random() * 2e9);
            model[side].set(price, quantity);
            changed[side].push([price, quantity]);
          }
        } else {
          const quantity = 1 + Math.floor(random() * 10 ** (1 + Math.floor(random() * 9)));
          model[side].set(ordered[at]![0], quantity);
          changed[side].push([ordered[at]![0], quantity]);
        }
      }
      // Like Kraken, the book keeps the subscribed depth.
      for (const side of ['bids', 'asks'] as const) model[side] = new Map(sorted(side).slice(0, 10));
      const sum = checksum();
      if (sum > 0x7fffffff) unsignedHigh++;
      const message = update(changed.bids, changed.asks, sum, step % 60);
      expect(scanBookMessage(message, scan)).toBe('book');
      expect(scan.valuesSource, message).toBe(message);
      run.feed(message);
    }
    expect(run.verified()).toBe(401);
    expect(run.resyncs).toEqual([]);
    // Checksums above 2^31 were among them (the book compares them as signed 32-bit values).
    expect(unsignedHigh).toBeGreaterThan(50);

    // An update whose checksum is one off, then one whose quantity is one unit off: both caught.
    const [price, quantity] = sorted('asks')[2]!;
    model.asks.set(price, quantity + 7);
    const good = checksum();
    run.feed(update([], [[price, quantity + 7]], good + 1 > 0xffffffff ? 0 : good + 1, 1));
    expect(run.health.at(-1)).toMatchObject({ status: 'resync', reason: 'checksum', mismatches: 1, expectedChecksum: good + 1 > 0xffffffff ? 0 : good + 1, computedChecksum: good });
    run.feed(SNAPSHOT_A);
    // The snapshot's ask 45286.6 × 1.54571109 sent as 1.54571110 with the snapshot's own checksum.
    run.feed(update([], [[452866, 154571110]], 3310070434, 2));
    expect(run.health.at(-1)).toMatchObject({ status: 'resync', reason: 'checksum', mismatches: 2, resyncs: 2, expectedChecksum: 3310070434 });
    expect(run.resyncs).toHaveLength(2);
  });

  it('drops every book on resetAll until the next snapshot', () => {
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(SNAPSHOT_A);
    run.keeper.resetAll();
    expect(run.keeper.book('BTC/USD')!.bidCount).toBe(0);
    run.feed('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":1}],"asks":[],"checksum":1}]}');
    expect(run.verified()).toBe(1);
    expect(run.resyncs).toEqual([]);
  });

  it('reports each verified book as a disconnected resync when asked to, once, and not a book still waiting', () => {
    const run = keeperFor('BTC/USD', 10, 1, 8);
    run.feed(SNAPSHOT_A);
    run.keeper.resetAll(true);
    run.keeper.resetAll(true);
    expect(run.health.map((report) => [report.status, report.reason ?? null, report.resyncs])).toEqual([['synced', null, 0], ['resync', 'disconnected', 1]]);
    // The reconnection resubscribes itself: no resync is asked for.
    expect(run.resyncs).toEqual([]);
  });

  it('keeps the same book from the bytes a socket delivers as from their text, and catches the same mismatches', () => {
    // A reference book fed with decimal strings gives each message's true checksum.
    const reference = new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 10 });
    const message = (type: string, bids: [string, string][], asks: [string, string][], wrong = false): string => {
      if (type === 'snapshot') reference.clear();
      for (const [price, quantity] of bids) reference.setLevel('bid', price, quantity);
      for (const [price, quantity] of asks) reference.setLevel('ask', price, quantity);
      reference.truncate();
      const sum = (reference.checksum() + (wrong ? 1 : 0)) % 2 ** 32;
      const levels = (side: [string, string][]): string => side.map(([price, quantity]) => `{"price":${price},"qty":${quantity}}`).join(',');
      return `{"channel":"book","type":"${type}","data":[{"symbol":"BTC/USD","bids":[${levels(bids)}],"asks":[${levels(asks)}],"checksum":${sum},"timestamp":"2023-10-06T17:36:01.123456Z"}]}`;
    };
    const bids = Array.from({ length: 12 }, (_, index): [string, string] => [(45000 - index).toFixed(1), (0.5 + index).toFixed(8)]);
    const asks = Array.from({ length: 12 }, (_, index): [string, string] => [(45001 + index).toFixed(1), (1.25 + index).toFixed(3)]);
    const messages = [
      message('snapshot', bids, asks),
      message('update', [['44999.5', '0.00000001']], []),
      // Numbers the scanner leaves to their text: an exponent, and more than 15 digits.
      message('update', [], [['45001.0', '5.1e-05']]),
      message('update', [['45000.0', '12.00000000000000000']], [['45002.0', '123456789.12345678']]),
      message('update', [['44999.5', '0']], [['45001.0', '0']]),
    ];
    const fromText = keeperFor('BTC/USD', 10, 1, 8);
    const fromBytes = keeperFor('BTC/USD', 10, 1, 8);
    for (const text of messages) {
      fromText.feed(text);
      fromBytes.feed(Buffer.from(text));
      const [textBook, bytesBook] = [fromText.keeper.book('BTC/USD')!, fromBytes.keeper.book('BTC/USD')!];
      expect(bytesBook.bids(), text).toEqual(textBook.bids());
      expect(bytesBook.asks(), text).toEqual(textBook.asks());
    }
    expect(fromBytes.verified()).toBe(messages.length);
    expect(fromBytes.resyncs).toEqual([]);
    expect(fromBytes.keeper.book('BTC/USD')!.scaledLevel('ask', 0)).toEqual({ price: 450020, quantity: 12345678912345678 });
    // A checksum one off is caught from the bytes as from the text.
    const wrong = message('update', [['44998.0', '3']], [], true);
    fromText.feed(wrong);
    fromBytes.feed(Buffer.from(wrong));
    expect(fromBytes.health.at(-1)).toMatchObject({ status: 'resync', reason: 'checksum', mismatches: 1 });
    expect(fromBytes.health).toEqual(fromText.health);
    expect(fromBytes.resyncs).toEqual([['BTC/USD', 10]]);
  });
});
