import { afterEach, describe, expect, it } from 'vitest';
import type { BookHealth } from '../book/book-keeper.js';
import type { L2Book } from '../book/l2-book.js';
import type { L3Book } from '../book/l3-book.js';
import { KrakenRestClient } from '../rest/rest-client.js';
import { KrakenWsClient } from '../ws/kraken-ws-client.js';
import type { KrakenSimulator } from './kraken-simulator.js';
import { KEY, SPEC_SECRET, settle, startTestSimulator, warningsLogger } from './simulator-test-fixtures.js';

/*
 * The level3 channel end to end: the adapter's private WebSocket client subscribes to it on the
 * simulator (authenticated, with a token), keeps an L3Book from the snapshot and the add / modify /
 * delete updates, and checks Kraken's level3 checksum on every message.
 */

let sim: KrakenSimulator | undefined;
const clients: KrakenWsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await sim?.stop();
  sim = undefined;
});


const precisions = () => ({ pricePrecision: 1, quantityPrecision: 8 });


describe('level3 through the private WebSocket client, against the simulator', () => {
  it('keeps every order from the snapshot and updates, every checksum verified, the same book as the book channel', async () => {
    sim = await startTestSimulator();
    const rest = new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET } });
    const warnings: string[] = [];
    let verified = 0;
    let level3: L3Book | undefined;
    const privateClient = new KrakenWsClient({
      access: 'private', url: sim.wsAuthUrl, getToken: async () => (await rest.getWebSocketsToken()).token, precisions, logger: warningsLogger(warnings),
      handlers: { onLevel3: (book) => { verified++; level3 = book; } },
    });
    let l2: L2Book | undefined;
    const publicClient = new KrakenWsClient({ url: sim.wsUrl, precisions, handlers: { onBook: (book) => void (l2 = book) } });
    clients.push(privateClient, publicClient);
    await privateClient.connect();
    await publicClient.connect();
    await privateClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'], depth: 10 });
    await publicClient.subscribe({ channel: 'book', symbols: ['BTC/USD'], depth: 10 });
    await settle(() => verified > 0 && l2 !== undefined);
    expect(verified).toBe(1);

    for (let step = 0; step < 12; step++) sim.step();
    await settle(() => verified > 30 && level3 !== undefined && l2 !== undefined && level3.bids(1)[0]?.price === l2.scaledLevel('bid', 0)?.price && level3.asks(1)[0]?.price === l2.scaledLevel('ask', 0)?.price);
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Every update verified: no mismatch was logged, so no resubscription happened.
    expect(warnings).toEqual([]);
    expect(verified).toBeGreaterThan(30);
    // The market fell to 39,000 and rose to 41,000 (the fixture's bars); both books followed it alike.
    const asLevels = (levels: ReturnType<L3Book['bids']>) => levels.map((level) => ({ price: level.price, quantity: level.orders.reduce((sum, order) => sum + order.quantity, 0) }));
    const l2Levels = (side: 'bid' | 'ask') => Array.from({ length: 10 }, (_, index) => l2!.scaledLevel(side, index));
    expect(asLevels(level3!.bids())).toEqual(l2Levels('bid'));
    expect(asLevels(level3!.asks())).toEqual(l2Levels('ask'));
    expect(level3!.bids(1)[0]!.price).toBe(410_000);

    // Subscribing again as it is keeps the book (Kraken sends no new snapshot): updates go on verifying.
    await privateClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'], depth: 10 });
    const before = verified;
    for (let step = 0; step < 12; step++) sim.step();
    await settle(() => verified > before + 5);
    expect(verified).toBeGreaterThan(before + 5);
    expect(warnings).toEqual([]);
  });

  it('drops the book on a checksum mismatch and subscribes again for a fresh snapshot, then verifies on', async () => {
    sim = await startTestSimulator();
    const rest = new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: KEY, apiSecret: SPEC_SECRET } });
    const warnings: string[] = [];
    const health: BookHealth[] = [];
    let verified = 0;
    const privateClient = new KrakenWsClient({
      access: 'private', url: sim.wsAuthUrl, getToken: async () => (await rest.getWebSocketsToken()).token, precisions, logger: warningsLogger(warnings),
      handlers: { onLevel3: () => void verified++, onBookHealth: (report) => void health.push(report) },
    });
    clients.push(privateClient);
    await privateClient.connect();
    await privateClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'] });
    await settle(() => verified === 1);
    sim.corruptNextBookChecksum();
    sim.step();
    await settle(() => warnings.length > 0);
    expect(warnings).toEqual(['Kraken level3 checksum mismatch; dropping the book and subscribing again']);
    const afterMismatch = verified;
    // The fresh snapshot verifies, and so do the updates after it.
    await settle(() => verified > afterMismatch);
    for (let step = 0; step < 12; step++) sim.step();
    await settle(() => verified > afterMismatch + 20);
    expect(verified).toBeGreaterThan(afterMismatch + 20);
    expect(warnings).toHaveLength(1);
    // Reported as book health, as the L2 book's are: the first snapshot, the resync, the fresh snapshot.
    expect(health.map((report) => [report.book, report.status, report.reason ?? null, report.mismatches, report.resyncs])).toEqual([
      ['l3', 'synced', null, 0, 0],
      ['l3', 'resync', 'checksum', 1, 1],
      ['l3', 'synced', null, 1, 1],
    ]);
    expect(health[1]).toMatchObject({ instrumentId: 'BTC/USD', symbol: 'BTC/USD', expectedChecksum: expect.any(Number), computedChecksum: expect.any(Number) });
    expect(privateClient.level3Health('BTC/USD')).toMatchObject({ status: 'synced', mismatches: 1, resyncs: 1, book: 'l3' });
  });

  it('refuses level3 without a token or on the public endpoint, as Kraken does', async () => {
    sim = await startTestSimulator();
    const publicClient = new KrakenWsClient({ url: sim.wsUrl, precisions });
    clients.push(publicClient);
    await expect(publicClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'] })).rejects.toThrow(/private channels need a client with access "private"/);
    const privateClient = new KrakenWsClient({ access: 'private', url: sim.wsAuthUrl, getToken: async () => 'not-a-token', precisions, maxReconnectAttempts: 1 });
    clients.push(privateClient);
    await privateClient.connect();
    await expect(privateClient.subscribe({ channel: 'level3', symbols: ['BTC/USD'] })).rejects.toThrow(/Invalid token/);
  });
});
