import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BookKeeper } from '../book/book-keeper.js';
import type { L2Book } from '../book/l2-book.js';
import { BookMessageScan, scanBookMessage } from '../ws/parse-book.js';
import type { KrakenSimulator } from './kraken-simulator.js';
import { readRecordedBookStream } from './recorded-book-stream.js';
import { KEY, ReferenceBook, SPEC_SECRET, WsProbe, signedPost, startTestSimulator } from './simulator-test-fixtures.js';

const shared = process.env.KBOT_SHARED_DATA ?? '';
const V2 = join(shared, 'ws/kraken/v2/python-kraken-sdk-2023/orderbook-v2.json');
const V1 = join(shared, 'ws/kraken/v1-cryptofeed-2021-04-17/KRAKEN.ws.50.0');

let sim: KrakenSimulator | undefined;
const probes: WsProbe[] = [];
afterEach(async () => {
  for (const probe of probes.splice(0)) probe.close();
  await sim?.stop();
  sim = undefined;
});

/** The recording's own messages through the adapter's BookKeeper, which checks Kraken's checksums. */
function keptFromRecording(): { book: L2Book; verified: number; resyncs: number } {
  const recording = JSON.parse(readFileSync(V2, 'utf8')) as { init: unknown; updates: unknown[] };
  let verified = 0;
  let resyncs = 0;
  const keeper = new BookKeeper({ onBook: () => void verified++, requestResync: () => void resyncs++ });
  const book = keeper.track('BTC/USD', { depth: 10, pricePrecision: 1, quantityPrecision: 8 });
  const scan = new BookMessageScan();
  for (const message of [recording.init, ...recording.updates]) {
    const text = JSON.stringify(message);
    expect(scanBookMessage(text, scan)).toBe('book');
    keeper.apply(text, scan);
  }
  return { book, verified, resyncs };
}

// The recordings live in ../shared/data, which is not part of the repository; without it there is nothing to replay.
describe.skipIf(!shared)('the simulator replaying a recorded Kraken book stream', () => {
  it('reads the v2 recording (python-kraken-sdk): the snapshot, then 509 updates in time order, depth 10', () => {
    const stream = readRecordedBookStream(V2);
    expect(stream).toMatchObject({ format: 'kraken-ws-v2-book', instrumentId: 'BTC/USD', depth: 10 });
    expect(stream.events).toHaveLength(510);
    expect(stream.events.map((event) => event.snapshot).filter(Boolean)).toHaveLength(1);
    expect(stream.events[0]!.snapshot).toBe(true);
    expect(stream.events[1]!.time).toBe(Date.parse('2023-07-30T15:29:58.343Z'));
    expect(stream.events.every((event, index) => index === 0 || event.time >= stream.events[index - 1]!.time)).toBe(true);
  });

  it('reads one pair of the v1 recording (cryptofeed, ten pairs of book-1000), XBT named BTC', () => {
    const stream = readRecordedBookStream(V1, { pair: 'XMR/USD' });
    expect(stream).toMatchObject({ format: 'kraken-ws-v1-cryptofeed', instrumentId: 'XMR/USD' });
    expect(stream.events[0]!.snapshot).toBe(true);
    expect(stream.depth).toBeGreaterThan(100);
    expect(stream.events.length).toBeGreaterThan(10);
    expect(readRecordedBookStream(V1, { pair: 'BTC/CHF' }).instrumentId).toBe('BTC/CHF');
    expect(() => readRecordedBookStream(V1, { pair: 'BTC/USD' })).toThrow(`${V1}: no book snapshot of BTC/USD, expected a cryptofeed recording of Kraken v1 book-N messages`);
  });

  it('serves the recorded book on the book channel, every checksum right, ending on the book Kraken sent', async () => {
    sim = await startTestSimulator({ market: { sources: [{ bookStream: V2 }] } });
    const ws = await WsProbe.connect(sim.wsUrl);
    probes.push(ws);
    await ws.request({ method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 }, req_id: 1 });
    const snapshot = await ws.next((message) => message.channel === 'book' && message.type === 'snapshot');
    const served = new ReferenceBook(10, 1, 8);
    served.apply(snapshot.data[0]);
    expect(served.checksum()).toBe(snapshot.data[0].checksum);
    // Kraken's own snapshot checksum: the simulator starts from the recorded book.
    const recording = JSON.parse(readFileSync(V2, 'utf8')) as { init: { data: { checksum: number }[] } };
    expect(snapshot.data[0].checksum).toBe(recording.init.data[0]!.checksum);

    let steps = 0;
    while (sim.step()) steps++;
    expect(steps).toBeGreaterThan(100);
    await ws.flush();
    const updates = ws.messages.filter((message) => message.channel === 'book' && message.type === 'update');
    expect(updates.length).toBeGreaterThan(100);
    for (const update of updates) {
      served.apply(update.data[0]);
      expect(served.checksum()).toBe(update.data[0].checksum);
    }

    const kept = keptFromRecording();
    expect(kept).toMatchObject({ verified: 510, resyncs: 0 });
    const top = (levels: readonly { price: number; quantity: number }[]) => levels.map((level) => [level.price.toFixed(1), level.quantity.toFixed(8)]);
    expect(top(kept.book.bids(10))).toEqual(served.sorted('bids'));
    expect(top(kept.book.asks(10))).toEqual(served.sorted('asks'));
    // Kraken's last checksum of the recording is the simulator's last one.
    expect(updates.at(-1)!.data[0].checksum).toBe(kept.book.checksum());
  });

  it('fills a market buy at the recorded best ask', async () => {
    sim = await startTestSimulator({ market: { sources: [{ bookStream: V2 }] } });
    const placed = await signedPost(sim, 'AddOrder', { ordertype: 'market', type: 'buy', volume: '0.001', pair: 'XBTUSD' }, { key: KEY, secret: SPEC_SECRET });
    expect(placed.body.error).toEqual([]);
    const txid = placed.body.result.txid[0] as string;
    const order = (await signedPost(sim, 'QueryOrders', { txid }, { key: KEY, secret: SPEC_SECRET })).body.result[txid];
    const recording = JSON.parse(readFileSync(V2, 'utf8')) as { init: { data: { asks: { price: number }[] }[] } };
    expect(order).toMatchObject({ status: 'closed', vol_exec: '0.00100000' });
    expect(Number(order.price)).toBe(recording.init.data[0]!.asks[0]!.price);
  });

  it('refuses a recording it cannot read, naming the file, the message and what it expected', () => {
    const folder = mkdtempSync(join(tmpdir(), 'kbot-recorded-'));
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ init: { channel: 'book', type: 'snapshot', data: [{ symbol: 'BTC/USD', bids: [{ price: 'x', qty: 1 }], asks: [] }] }, updates: [] }));
    expect(() => readRecordedBookStream(bad)).toThrow(`${bad}: init.data[0].bids[0] is {"price":"x","qty":1}, expected { price > 0, qty >= 0 } as numbers`);
    writeFileSync(bad, JSON.stringify({ init: { channel: 'ticker', type: 'snapshot', data: [] }, updates: [] }));
    expect(() => readRecordedBookStream(bad)).toThrow(`${bad}: init is {"channel":"ticker","type":"snapshot","data":[]}, expected a Kraken v2 book message`);
  });
});
