import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { BookHealth } from '../book/book-keeper.js';
import type { L2Book } from '../book/l2-book.js';
import type { L3Book } from '../book/l3-book.js';
import { KrakenRestClient } from '../rest/rest-client.js';
import { KrakenWsClient } from '../ws/kraken-ws-client.js';
import type { KrakenSimulator } from './kraken-simulator.js';
import { level3Checksum, Level3Queues, splitLevel } from './level3-queues.js';
import { KEY, SPEC_SECRET, WsProbe, scriptedBars, settle, startTestSimulator, warningsLogger } from './simulator-test-fixtures.js';

const precision = { priceDecimals: 1, qtyDecimals: 8 };
const qtys = (queues: Level3Queues, side: 'bid' | 'ask') => queues.levels(side).map((level) => [level.price, level.orders.map((order) => order.qty)]);

describe('splitLevel', () => {
  it('splits a level into 1–4 orders of at least one unit that sum exactly to it, the same way every time', () => {
    const counts = new Set<number>();
    for (let price = 399_000; price < 401_000; price += 7) {
      for (const qty of [1, 2, 3, 5, 99, 12_345_678, 75_000_000, 100_000_000, 123_456_789_012]) {
        const parts = splitLevel(price, qty);
        expect(parts.reduce((sum, part) => sum + part, 0)).toBe(qty);
        expect(parts.length).toBeGreaterThanOrEqual(1);
        expect(parts.length).toBeLessThanOrEqual(Math.min(4, qty));
        expect(parts.every((part) => Number.isInteger(part) && part >= 1)).toBe(true);
        expect(splitLevel(price, qty)).toEqual(parts);
        counts.add(parts.length);
      }
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
    expect(splitLevel(1005, 0)).toEqual([]);
  });
});

describe('Level3Queues', () => {
  // 100.5 × 0.75 splits into four orders, 101.0 × 1 and 100.0 × 0.6 into one each.
  const start = () => new Level3Queues(precision, 10, [{ price: 1000, qty: 60_000_000 }], [{ price: 1005, qty: 75_000_000 }, { price: 1010, qty: 100_000_000 }], 1_000);

  it('shows each level as its queue, every order with its own id and timestamp, in the snapshot', () => {
    const queues = start();
    expect(qtys(queues, 'ask')).toEqual([[1005, [19_565_219, 13_043_478, 16_304_347, 26_086_956]], [1010, [100_000_000]]]);
    const { asks, bids } = queues.snapshot();
    expect(asks.map((order) => [order.price, order.qty])).toEqual([[1005, 19_565_219], [1005, 13_043_478], [1005, 16_304_347], [1005, 26_086_956], [1010, 100_000_000]]);
    expect(new Set([...asks, ...bids].map((order) => order.orderId)).size).toBe(6);
    expect([...asks, ...bids].every((order) => order.event === undefined && order.timestamp === 1_000)).toBe(true);
  });

  it('adds growth at the back of the queue', () => {
    const queues = start();
    const update = queues.update([{ price: 1000, qty: 70_000_000 }], [{ price: 1005, qty: 75_000_000 }, { price: 1010, qty: 100_000_000 }], 2_000);
    expect(update.asks).toEqual([]);
    expect(update.bids).toEqual([{ event: 'add', orderId: expect.stringMatching(/^L-bid-1000-\d+$/), price: 1000, qty: 10_000_000, timestamp: 2_000 }]);
    expect(qtys(queues, 'bid')).toEqual([[1000, [60_000_000, 10_000_000]]]);
  });

  it('takes a shrink from the front of the queue: the oldest orders fill first (delete, then modify)', () => {
    const queues = start();
    const [first, second] = queues.levels('ask')[0]!.orders.map((order) => order.orderId);
    const update = queues.update([{ price: 1000, qty: 60_000_000 }], [{ price: 1005, qty: 50_000_000 }, { price: 1010, qty: 100_000_000 }], 2_000);
    expect(update.bids).toEqual([]);
    expect(update.asks.map(({ event, orderId, qty }) => [event, orderId, qty])).toEqual([['delete', first, 19_565_219], ['modify', second, 7_608_697]]);
    expect(qtys(queues, 'ask')).toEqual([[1005, [7_608_697, 16_304_347, 26_086_956]], [1010, [100_000_000]]]);
  });

  it('deletes every order of a level that vanished', () => {
    const queues = start();
    const ids = queues.levels('ask')[0]!.orders.map((order) => order.orderId);
    const update = queues.update([{ price: 1000, qty: 60_000_000 }], [{ price: 1010, qty: 100_000_000 }], 2_000);
    expect(update.asks.map(({ event, orderId }) => [event, orderId])).toEqual(ids.map((id) => ['delete', id]));
    expect(qtys(queues, 'ask')).toEqual([[1010, [100_000_000]]]);
  });

  it('publishes only the subscribed depth: a level scrolling in arrives as adds of its queue, one scrolling out gets no deletes', () => {
    const queues = new Level3Queues(precision, 1, [], [{ price: 1005, qty: 75_000_000 }, { price: 1010, qty: 100_000_000 }], 1_000);
    expect(queues.snapshot().asks.map((order) => order.price)).toEqual([1005, 1005, 1005, 1005]);
    // 101.0 changes out of sight: nothing to send.
    expect(queues.update([], [{ price: 1005, qty: 75_000_000 }, { price: 1010, qty: 90_000_000 }], 2_000).asks).toEqual([]);
    // A better ask scrolls 100.5 out: its orders are not deleted (the client truncates).
    const better = queues.update([], [{ price: 1004, qty: 1 }, { price: 1005, qty: 75_000_000 }, { price: 1010, qty: 90_000_000 }], 3_000);
    expect(better.asks.map(({ event, price, qty }) => [event, price, qty])).toEqual([['add', 1004, 1]]);
    // 100.4 goes: its delete, and 100.5 scrolls back in with its whole queue as adds.
    const back = queues.update([], [{ price: 1005, qty: 75_000_000 }, { price: 1010, qty: 90_000_000 }], 4_000);
    expect(back.asks.map(({ event, price, qty }) => [event, price, qty])).toEqual([
      ['delete', 1004, 1],
      ['add', 1005, 19_565_219],
      ['add', 1005, 13_043_478],
      ['add', 1005, 16_304_347],
      ['add', 1005, 26_086_956],
    ]);
  });

  it("computes Kraken's level3 checksum over every order in queue order", () => {
    const queues = start();
    queues.update([{ price: 1000, qty: 70_000_000 }], [{ price: 1005, qty: 50_000_000 }, { price: 1010, qty: 100_000_000 }], 2_000);
    // asks ascending, each order as price + qty ('.' and leading zeros removed):
    //   100.5 0.07608697 → 10057608697, 100.5 0.16304347 → 100516304347, 100.5 0.26086956 → 100526086956,
    //   101.0 1.00000000 → 1010100000000
    // then bids descending: 100.0 0.60000000 → 100060000000, 100.0 0.10000000 → 100010000000
    const digits = '10057608697' + '100516304347' + '100526086956' + '1010100000000' + '100060000000' + '100010000000';
    expect(queues.checksum()).toBe(zlibCrc32(digits));
  });

  it("reproduces the official level3 checksum example (spec §9.3: 1063832831)", () => {
    const level = (price: number, ...orderQtys: number[]) => ({ price, orders: orderQtys.map((qty) => ({ qty })) });
    const asks = [
      level(449395, 452308393, 111261, 100000, 1000000), level(449500, 10334926), level(449530, 64537), level(449550, 250000), level(449596, 35630000, 35630000),
      level(449601, 338072), level(449602, 88967575), level(449670, 314392283), level(449785, 6778960), level(449792, 35630000),
    ];
    const bids = [
      level(449394, 88968699, 45210000, 10000000, 14296323, 25000000, 10292988, 33880000, 128140860), level(449371, 3346877), level(449347, 35630000),
      level(449302, 22734299, 1000000, 5550000, 70000000, 15000000), level(449280, 105240), level(449196, 33870000), level(449195, 7610000), level(449120, 35630000),
      level(449097, 6690000), level(449019, 88982),
    ];
    expect(level3Checksum(precision, asks, bids)).toBe(1063832831);
  });
});

// ------------------------------------------------------------------ end to end

let sim: KrakenSimulator | undefined;
const clients: KrakenWsClient[] = [];
const probes: WsProbe[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const probe of probes.splice(0)) probe.close();
  await sim?.stop();
  sim = undefined;
});


const precisions = () => ({ pricePrecision: 1, quantityPrecision: 8 });


/** 50 minutes wandering a few dollars around 40,000 (levels scroll in and out of depth), then a jump. */
function wanderingBars(): [number, number, number, number][] {
  const rows: [number, number, number, number][] = [];
  let price = 40_000;
  for (let minute = 0; minute < 50; minute++) {
    const next = minute === 40 ? price + 25 : price + [1.5, -0.7, 2.3, -3.1, 0.4, -1.2][minute % 6]!;
    rows.push([price, Math.max(price, next) + 0.5, Math.min(price, next) - 0.5, next]);
    price = next;
  }
  return rows;
}

describe('level3 queues through the private WebSocket client, against the simulator', () => {
  for (const depth of [10, 100] as const) {
    it(`at depth ${depth}: every message verifies, levels hold several orders, and each level sums to the book channel's`, async () => {
      sim = await startTestSimulator({ market: { sources: [scriptedBars('BTC/USD', wanderingBars())], historyBars: 5 } });
      const rest = new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET } });
      const warnings: string[] = [];
      const health: BookHealth[] = [];
      let verified = 0;
      let level3: L3Book | undefined;
      let mostOrdersAtALevel = 0;
      const privateClient = new KrakenWsClient({
        access: 'private', url: sim.wsAuthUrl, getToken: async () => (await rest.getWebSocketsToken()).token, precisions, logger: warningsLogger(warnings),
        handlers: {
          onLevel3: (book) => {
            verified++;
            level3 = book;
            for (const level of [...book.bids(), ...book.asks()]) mostOrdersAtALevel = Math.max(mostOrdersAtALevel, level.orders.length);
          },
          onBookHealth: (report) => void health.push(report),
        },
      });
      let l2: L2Book | undefined;
      let l2Updates = 0;
      const publicClient = new KrakenWsClient({ url: sim.wsUrl, precisions, handlers: { onBook: (book) => { l2 = book; l2Updates++; } } });
      clients.push(privateClient, publicClient);
      await privateClient.connect();
      await publicClient.connect();
      await privateClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'], depth });
      await publicClient.subscribe({ channel: 'book', symbols: ['BTC/USD'], depth });
      // A raw socket beside them, to see which events went over the wire.
      const probe = await WsProbe.connect(sim.wsAuthUrl);
      probes.push(probe);
      probe.send({ method: 'subscribe', params: { channel: 'level3', symbol: ['BTC/USD'], depth, token: (await rest.getWebSocketsToken()).token } });
      await settle(() => verified > 0 && l2 !== undefined && probe.messages.some((message) => message.channel === 'level3'));
      expect(verified).toBe(1);

      let steps = 0;
      while (steps < 40 && sim.step()) steps++;
      expect(steps).toBeGreaterThanOrEqual(30);
      // Settled: both clients stop receiving, then the two books must agree.
      let seen = -1;
      while (seen !== verified + l2Updates) {
        seen = verified + l2Updates;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }

      const events = new Map<string, number>();
      for (const message of probe.messages.filter((message) => message.channel === 'level3' && message.type === 'update')) {
        for (const order of [...message.data[0].bids, ...message.data[0].asks]) events.set(order.event, (events.get(order.event) ?? 0) + 1);
      }
      expect([...events.keys()].sort()).toEqual(['add', 'delete', 'modify']);

      expect(warnings).toEqual([]);
      expect(health.map((report) => report.status)).toEqual(['synced']);
      expect(verified).toBeGreaterThan(steps);
      expect(mostOrdersAtALevel).toBeGreaterThan(1);
      const sums = (levels: ReturnType<L3Book['bids']>) => levels.map((level) => ({ price: level.price, quantity: level.orders.reduce((sum, order) => sum + order.quantity, 0) }));
      const l2Levels = (side: 'bid' | 'ask') => Array.from({ length: depth }, (_, index) => l2!.scaledLevel(side, index));
      expect(sums(level3!.bids())).toEqual(l2Levels('bid'));
      expect(sums(level3!.asks())).toEqual(l2Levels('ask'));
      expect(level3!.bids()).toHaveLength(depth);
      expect([...level3!.bids(), ...level3!.asks()].filter((level) => level.orders.length > 1).length).toBeGreaterThan(1);
      // Every order has its own id.
      const ids = [...level3!.bids(), ...level3!.asks()].flatMap((level) => level.orders.map((order) => order.orderId));
      expect(new Set(ids).size).toBe(ids.length);
    });
  }
});
