import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { BookMessageScan, scanBookMessage } from '../ws/parse-book.js';
import { BookKeeper, type BookHealth } from './book-keeper.js';
import { L2Book } from './l2-book.js';

const shared = process.env.KBOT_SHARED_DATA ?? '';

/** A keeper fed as KrakenWsClient feeds it: `applyBytes` first when `fast`, else always the scan and apply(). */
function keeperFor(fast: boolean, symbols: string[] = ['BTC/USD'], depth = 10) {
  const health: BookHealth[] = [];
  const resyncs: [string, number][] = [];
  let verified = 0;
  let clock = 1_000;
  let oneCall = 0;
  const keeper = new BookKeeper({
    onBook: () => verified++,
    onBookHealth: (event) => health.push(event),
    requestResync: (symbol, requestedDepth) => resyncs.push([symbol, requestedDepth]),
    now: () => clock,
  });
  for (const symbol of symbols) keeper.track(symbol, { depth, pricePrecision: 1, quantityPrecision: 8 });
  const scan = new BookMessageScan();
  const feed = (text: string): boolean => {
    clock += 10;
    const bytes = Buffer.from(text);
    if (fast && keeper.applyBytes(bytes)) {
      oneCall++;
      return true;
    }
    expect(scanBookMessage(bytes, scan)).toBe('book');
    keeper.apply(bytes, scan);
    return false;
  };
  return { keeper, health, resyncs, feed, verified: () => verified, oneCall: () => oneCall };
}

/** Feeds both keepers and expects the same books, reports and resync requests after every message. */
function expectSame(fast: ReturnType<typeof keeperFor>, plain: ReturnType<typeof keeperFor>, symbols: string[], label: string): void {
  for (const symbol of symbols) {
    const [a, b] = [fast.keeper.book(symbol)!, plain.keeper.book(symbol)!];
    expect(a.bids(), `${label}: ${symbol} bids`).toEqual(b.bids());
    expect(a.asks(), `${label}: ${symbol} asks`).toEqual(b.asks());
    expect(a.checksum(), `${label}: ${symbol} checksum`).toBe(b.checksum());
    expect(a.time, `${label}: ${symbol} time`).toBe(b.time);
  }
  expect(fast.health, label).toEqual(plain.health);
  expect(fast.resyncs, label).toEqual(plain.resyncs);
  expect(fast.verified(), label).toBe(plain.verified());
}

/** Deterministic numbers in [0, 1). */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** Messages in Kraken's compact layout with true checksums, from a reference book fed the same levels. */
function messageWriter(symbol: string, depth: number) {
  const reference = new L2Book({ instrumentId: instrumentId(symbol), pricePrecision: 1, quantityPrecision: 8, depth });
  return (type: 'snapshot' | 'update', bids: [string, string][], asks: [string, string][], timestamp: string, options: { wrong?: boolean; checksum?: boolean } = {}): string => {
    if (type === 'snapshot') reference.clear();
    for (const [price, quantity] of bids) reference.setLevel('bid', price, quantity);
    for (const [price, quantity] of asks) reference.setLevel('ask', price, quantity);
    reference.truncate();
    const sum = (reference.checksum() + (options.wrong === true ? 1 : 0)) % 2 ** 32;
    const levels = (side: [string, string][]): string => side.map(([price, quantity]) => `{"price":${price},"qty":${quantity}}`).join(',');
    const checksum = options.checksum === false ? '' : `,"checksum":${sum}`;
    const time = timestamp === '' ? '' : `,"timestamp":"${timestamp}"`;
    return `{"channel":"book","type":"${type}","data":[{"symbol":"${symbol}","bids":[${levels(bids)}],"asks":[${levels(asks)}]${checksum}${time}}]}`;
  };
}

describe('BookKeeper.applyBytes: a compact update read and applied in one kernel call', () => {
  it('keeps the same books as the scan over 5,000 generated updates near the top of a depth-25 book, with timestamps across seconds, days and a leap day', () => {
    const random = randomSource(77);
    const write = messageWriter('BTC/USD', 25);
    const fast = keeperFor(true, ['BTC/USD'], 25);
    const plain = keeperFor(false, ['BTC/USD'], 25);
    const bids = new Map<number, string>();
    const asks = new Map<number, string>();
    const snapshotBids = Array.from({ length: 40 }, (_, index): [string, string] => [(50_000 - index * 0.5).toFixed(1), (0.1 + index).toFixed(8)]);
    const snapshotAsks = Array.from({ length: 40 }, (_, index): [string, string] => [(50_000.5 + index * 0.5).toFixed(1), (0.2 + index).toFixed(8)]);
    for (const [price, quantity] of snapshotBids) bids.set(Number(price), quantity);
    for (const [price, quantity] of snapshotAsks) asks.set(Number(price), quantity);
    const snapshot = write('snapshot', snapshotBids, snapshotAsks, '2024-02-28T23:59:58.000000Z');
    fast.feed(snapshot);
    plain.feed(snapshot);
    // Ten updates a second of the clock, from 2024-02-28T23:59:58 over the leap day and on.
    let time = Date.UTC(2024, 1, 28, 23, 59, 58);
    for (let step = 0; step < 5_000; step++) {
      time += 100 + Math.floor(random() * 10) * 17_280; // now and then a jump of hours
      const micros = String(Math.floor(random() * 1_000_000)).padStart(6, '0');
      const stamp = `${new Date(time).toISOString().slice(0, 19)}.${micros}Z`;
      const change = (side: Map<number, string>, best: number, direction: number): [string, string][] => {
        const price = Math.round((best + direction * Math.floor(-Math.log(1 - random()) * 3) * 0.5) * 10) / 10;
        // Deletes while the side keeps a few levels, so it never runs dry.
        const quantity = random() < 0.3 && side.size > 20 ? '0' : (0.00000001 + random() * (random() < 0.1 ? 300 : 2)).toFixed(8);
        if (quantity === '0') side.delete(price);
        else side.set(price, quantity);
        return [[price.toFixed(1), quantity]];
      };
      const bestBid = Math.max(...bids.keys());
      const bestAsk = Math.min(...asks.keys());
      const message = random() < 0.5 ? write('update', change(bids, bestBid, -1), [], stamp) : write('update', [], change(asks, bestAsk, 1), stamp);
      fast.feed(message);
      plain.feed(message);
      if (step % 50 === 0) expectSame(fast, plain, ['BTC/USD'], `step ${step}`);
    }
    expectSame(fast, plain, ['BTC/USD'], 'end');
    expect(plain.resyncs).toEqual([]);
    expect(plain.verified()).toBe(5_001);
    // Every update went through the one call.
    expect(fast.oneCall()).toBe(5_000);
  });

  it('declines, changing nothing, anything but a compact update of the last book with exact numbers; the scan then gives the same result', () => {
    const write = messageWriter('BTC/USD', 10);
    const writeEth = messageWriter('ETH/USD', 10);
    const symbols = ['BTC/USD', 'ETH/USD'];
    const fast = keeperFor(true, symbols);
    const plain = keeperFor(false, symbols);
    const levels = (first: number, step: number): [string, string][] => Array.from({ length: 12 }, (_, index): [string, string] => [(first + index * step).toFixed(1), (1 + index).toFixed(8)]);
    const stamp = '2023-10-06T17:36:01.123456Z';
    const cases: [label: string, message: string, oneCall: boolean][] = [
      ['a snapshot', write('snapshot', levels(45_000, -1), levels(45_001, 1), stamp), false],
      ['an update after it', write('update', [['44999.5', '0.00000001']], [], stamp), true],
      ['an exponent', write('update', [], [['45001.0', '5.1e-05']], stamp), false],
      ['more than 15 digits', write('update', [['45000.0', '12.00000000000000000']], [], stamp), false],
      ['more decimals than the precision, all zeros', write('update', [['44998.50', '2']], [], stamp), false],
      ['no checksum', write('update', [['44997.5', '3']], [], stamp, { checksum: false }), true],
      ['no timestamp', write('update', [['44997.5', '4']], [], ''), true],
      ['three fraction digits', write('update', [['44997.5', '5']], [], '2023-10-06T17:36:02.123Z'), false],
      ['a lower-case zone', write('update', [['44997.5', '6']], [], '2023-10-06T17:36:02.123456z'), false],
      ['an impossible date', write('update', [['44997.5', '7']], [], '2023-02-29T17:36:02.123456Z'), false],
      ['a leap second', write('update', [['44997.5', '8']], [], '2016-12-31T23:59:60.500000Z'), true],
      ['a new day', write('update', [['44997.5', '9']], [], '2024-01-01T00:00:00.000001Z'), true],
      ['spaces', write('update', [['44996.5', '1']], [], stamp).replace('"bids":[', '"bids": ['), false],
      ['asks before bids', write('update', [['44996.5', '2']], [], stamp).replace(/"bids":\[(.*?)\],"asks":\[\]/, '"asks":[],"bids":[$1]'), false],
      ['another symbol', writeEth('snapshot', levels(2_000, -1), levels(2_001, 1), stamp), false],
      ['an update of that symbol', writeEth('update', [['1999.5', '1']], [], stamp), true],
      ['the first symbol again', write('update', [['44996.5', '3']], [], stamp), false],
      ['a delete', write('update', [['44996.5', '0']], [], stamp), true],
      ['a checksum one off', write('update', [['44995.5', '3']], [], stamp, { wrong: true }), true],
      ['an update while the book waits for its snapshot', write('update', [['44995.5', '4']], [], stamp), false],
    ];
    for (const [label, message, oneCall] of cases) {
      expect(fast.feed(message), label).toBe(oneCall);
      plain.feed(message);
      expectSame(fast, plain, symbols, label);
    }
    expect(fast.health.at(-1)).toMatchObject({ status: 'resync', reason: 'checksum', mismatches: 1 });
    expect(fast.resyncs).toEqual([['BTC/USD', 10]]);
  });
});

describe.skipIf(!shared)('BookKeeper.applyBytes on the recorded Kraken v2 BTC/USD book', () => {
  it("applies all 509 updates of the recording in Kraken's compact layout in one call each, every checksum verified", () => {
    const text = readFileSync(join(shared, 'ws/kraken/v2/python-kraken-sdk-2023/orderbook-v2.json'), 'utf8');
    const recording = JSON.parse(text) as { init: unknown; updates: unknown[] };
    const messages = [recording.init, ...recording.updates].map((message) => JSON.stringify(message));
    const fast = keeperFor(true);
    const plain = keeperFor(false);
    for (const [index, message] of messages.entries()) {
      fast.feed(message);
      plain.feed(message);
      expectSame(fast, plain, ['BTC/USD'], `message ${index}`);
    }
    expect(fast.verified()).toBe(510);
    expect(fast.resyncs).toEqual([]);
    expect(fast.oneCall()).toBe(509);
  });
});
