import { MINUTE_MS, instrumentId, type Bar, type BookView, type MarketDataSink, type Quote, type Trade } from '@kbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { BookHealth } from './book/book-keeper.js';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { SCRIPT, eventually, startScriptedSimulator } from './kraken-test-harness.js';
import { KrakenMarketDataClient, krakenBookDepth, krakenOhlcInterval } from './market-data-client.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import { START } from './simulator/simulator-test-fixtures.js';

const BTC = instrumentId('BTC/USD');

class Collector implements MarketDataSink {
  readonly bars: Bar[] = [];
  readonly trades: Trade[] = [];
  readonly quotes: Quote[] = [];
  readonly books: { bid: number | undefined; ask: number | undefined; levels: number }[] = [];
  onBar(bar: Bar): void {
    this.bars.push(bar);
  }
  onTrade(trade: Trade): void {
    this.trades.push(trade);
  }
  onQuote(quote: Quote): void {
    this.quotes.push(quote);
  }
  onBook(book: BookView): void {
    this.books.push({ bid: book.bestBid()?.price, ask: book.bestAsk()?.price, levels: book.bids().length });
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(options: { onBookHealth?: (health: BookHealth) => void; venueClock?: boolean; barGraceMs?: number } = {}): Promise<{ sim: KrakenSimulator; client: KrakenMarketDataClient }> {
  const sim = await startScriptedSimulator();
  cleanups.push(() => sim.stop());
  const rest = new KrakenRestClient({ baseUrl: sim.restUrl });
  const instruments = new KrakenInstrumentProvider(rest);
  const client = new KrakenMarketDataClient({
    instruments,
    url: sim.wsUrl,
    barCheckIntervalMs: 20,
    ...(options.venueClock === true ? { venueTime: async () => (await rest.time()).unixtime * 1000 } : {}),
    ...(options.barGraceMs === undefined ? {} : { barGraceMs: options.barGraceMs }),
    webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 50, random: () => 0.5 },
    ...(options.onBookHealth === undefined ? {} : { onBookHealth: options.onBookHealth }),
  });
  cleanups.push(() => client.close());
  return { sim, client };
}

/** Script row → the bar Kraken's candles make of it (the simulator reproduces the row exactly). */
function scripted(index: number): Pick<Bar, 'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume'> {
  const [open, high, low, close] = SCRIPT[index]!;
  return { openTime: START + index * MINUTE_MS, open, high, low, close, volume: 50 };
}

const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KrakenMarketDataClient against the simulator', () => {
  it('maps core subscriptions to Kraken channels and refuses what Kraken cannot serve', async () => {
    expect(krakenOhlcInterval(15 * MINUTE_MS)).toBe(15);
    expect(krakenOhlcInterval(2 * MINUTE_MS)).toBeUndefined();
    expect([krakenBookDepth(undefined), krakenBookDepth(10), krakenBookDepth(11), krakenBookDepth(1000), krakenBookDepth(1001)]).toEqual([10, 10, 25, 1000, undefined]);
    const { client } = await setUp();
    const sink = new Collector();
    await expect(client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: 2 * MINUTE_MS }], sink)).rejects.toThrow(/subscriptions\[0\]\.interval: received 120000 ms \(2m\), expected a Kraken candle interval/);
    await expect(client.subscribe([{ instrumentId: instrumentId('DOGE/EUR'), kind: 'trades' }], sink)).rejects.toThrow(/DOGE\/EUR, expected an instrument Kraken lists/);
  });

  it('emits each bar once, only when closed, with the OHLCV of the market', async () => {
    const { sim, client } = await setUp();
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }], sink);
    await settle(50);
    // The snapshot's history is not replayed; its last candle (bar 9) is the one forming.
    expect(sink.bars).toEqual([]);
    for (let step = 0; step < 4; step++) sim.step();
    await eventually(() => sink.bars.length >= 4, 'four closed bars');
    await settle();
    expect(sink.bars.map((bar) => (bar.openTime - START) / MINUTE_MS)).toEqual([9, 10, 11, 12]);
    expect(sink.bars[3]).toMatchObject({ instrumentId: BTC, interval: MINUTE_MS, ...scripted(12) });
    // Bar 13 has all its trades but no later candle yet: it is still "forming" and not emitted.
    expect(client.venueNow()).toBeGreaterThanOrEqual(START + 13 * MINUTE_MS);
  });

  it("closes a quiet bar by timer on the venue's clock, without a later candle", async () => {
    // The simulator stands at the end of bar 9 (its clock is manual); Kraken's Time says so.
    const { client } = await setUp({ venueClock: true, barGraceMs: 100 });
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }], sink);
    await eventually(() => sink.bars.length === 1, 'bar 9 closed by the timer', 3_000);
    expect(sink.bars[0]).toMatchObject(scripted(9));
    await settle(200);
    expect(sink.bars).toHaveLength(1);
  });

  it('after a dropped connection, resubscribes and emits the bars closed meanwhile, none twice', async () => {
    const { sim, client } = await setUp();
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }], sink);
    sim.step();
    sim.step();
    await eventually(() => sink.bars.length >= 2, 'bars 9 and 10');
    sim.dropConnections();
    sim.step();
    sim.step();
    sim.step();
    await eventually(() => sim.connections > 0, 'the reconnection');
    await eventually(() => sink.bars.length >= 5, 'the bars closed while disconnected');
    sim.step();
    await eventually(() => sink.bars.length >= 6, 'the next bar');
    await settle();
    expect(sink.bars.map((bar) => (bar.openTime - START) / MINUTE_MS)).toEqual([9, 10, 11, 12, 13, 14]);
    expect(sink.bars[2]).toMatchObject(scripted(11));
  });

  it('delivers trades and best bid/offer quotes as core types', async () => {
    const { sim, client } = await setUp();
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'trades' }, { instrumentId: BTC, kind: 'quotes' }], sink);
    await settle(50);
    expect(sink.trades).toEqual([]); // no snapshot of old trades
    sim.step();
    sim.step();
    sim.step();
    await eventually(() => sink.trades.length >= 12, 'the trades of three bars');
    const bar12 = sink.trades.filter((trade) => trade.time >= START + 12 * MINUTE_MS);
    expect(Math.min(...bar12.map((trade) => trade.price))).toBe(39_400);
    expect(sink.trades.every((trade) => trade.instrumentId === BTC && trade.quantity > 0)).toBe(true);
    await eventually(() => sink.quotes.length > 0, 'a quote');
    expect(sink.quotes.every((quote) => quote.bid < quote.ask)).toBe(true);
  });

  it('passes checksum-verified books and resynchronises a corrupted one without stopping', async () => {
    const health: BookHealth[] = [];
    const { sim, client } = await setUp({ onBookHealth: (event) => health.push(event) });
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10 }], sink);
    await eventually(() => sink.books.length > 0, 'the book snapshot');
    expect(sink.books[0]!.levels).toBe(10);
    sim.corruptNextBookChecksum();
    sim.step();
    await eventually(() => health.some((event) => event.status === 'resync'), 'a resync');
    await eventually(() => health.filter((event) => event.status === 'synced').length >= 2, 'a fresh snapshot');
    const before = sink.books.length;
    sim.step();
    await eventually(() => sink.books.length > before, 'books after the resync');
    expect(health.find((event) => event.status === 'resync')).toMatchObject({ reason: 'checksum', instrumentId: BTC });
    expect(client.bookHealth(BTC)).toMatchObject({ status: 'synced', mismatches: 1, resyncs: 1 });
    expect(sink.books.every((book) => book.bid !== undefined && book.ask !== undefined && book.bid < book.ask)).toBe(true);
  });

  it('stops delivering after unsubscribe', async () => {
    const { sim, client } = await setUp();
    const sink = new Collector();
    await client.subscribe([{ instrumentId: BTC, kind: 'trades' }], sink);
    sim.step();
    await eventually(() => sink.trades.length >= 4, 'trades');
    await client.unsubscribe([{ instrumentId: BTC, kind: 'trades' }]);
    const count = sink.trades.length;
    sim.step();
    await settle();
    expect(sink.trades.length).toBe(count);
  });
});
