import { MINUTE_MS, instrumentId, type Bar, type BookView, type MarketDataSink, type Quote, type Trade } from '@kbot/core';
import { RecordingLogger, type RecordedLogLine } from '@kbot/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { SCRIPT, eventually, startScriptedSimulator } from './kraken-test-harness.js';
import { KrakenMarketDataClient, type KrakenMarketDataSource } from './market-data-client.js';
import type { KrakenMarketDataRest } from './rest-fallback/rest-market-data-fallback.js';
import { TcpGate } from './rest-fallback/tcp-gate.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { OhlcResult } from './rest/types.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import { START } from './simulator/simulator-test-fixtures.js';

const BTC = instrumentId('BTC/USD');
const GAP_MS = 40;

/** Everything delivered, each with where the client said its data came from at that moment. */
class Collector implements MarketDataSink {
  readonly bars: { bar: Bar; source: KrakenMarketDataSource }[] = [];
  readonly trades: { trade: Trade; source: KrakenMarketDataSource }[] = [];
  readonly quotes: { quote: Quote; source: KrakenMarketDataSource }[] = [];
  constructor(private readonly client: () => KrakenMarketDataClient) {}
  onBar(bar: Bar): void {
    this.bars.push({ bar, source: this.client().source });
  }
  onTrade(trade: Trade): void {
    this.trades.push({ trade, source: this.client().source });
  }
  onQuote(quote: Quote): void {
    this.quotes.push({ quote, source: this.client().source });
  }
  onBook(_book: BookView): void {}
  indexes(): number[] {
    return this.bars.map(({ bar }) => (bar.openTime - START) / MINUTE_MS);
  }
}

interface Call {
  readonly endpoint: 'OHLC' | 'Trades' | 'Ticker';
  readonly startedAt: number;
  answer?: unknown;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Session {
  sim: KrakenSimulator;
  gate: TcpGate;
  client: KrakenMarketDataClient;
  sink: Collector;
  calls: Call[];
  logs: readonly RecordedLogLine[];
  switches: { state: string; source: KrakenMarketDataSource; at: number }[];
}

/** A market-data client whose WebSocket reaches the simulator through a gate the test can shut; REST goes straight to it. */
async function setUp(options: { gateShut?: boolean } = {}): Promise<Session> {
  const sim = await startScriptedSimulator();
  cleanups.push(() => sim.stop());
  const gate = await TcpGate.start(sim.port);
  cleanups.push(() => gate.close());
  if (options.gateShut === true) gate.shut();
  // One attempt per call: the pacing measured below is then every request that reached Kraken.
  const rest = new KrakenRestClient({ baseUrl: sim.restUrl, maxAttempts: 1 });
  const calls: Call[] = [];
  const recorded = <T>(endpoint: Call['endpoint'], request: () => Promise<T>): Promise<T> => {
    const call: Call = { endpoint, startedAt: Date.now() };
    calls.push(call);
    return request().then((answer) => {
      call.answer = answer;
      return answer;
    });
  };
  const polled: KrakenMarketDataRest = {
    ohlc: (params) => recorded('OHLC', () => rest.ohlc(params)),
    trades: (params) => recorded('Trades', () => rest.trades(params)),
    ticker: (params) => recorded('Ticker', () => rest.ticker(params)),
  };
  const logger = new RecordingLogger();
  const logs = logger.lines;
  const switches: Session['switches'] = [];
  let previous: KrakenMarketDataSource | undefined;
  const client: KrakenMarketDataClient = new KrakenMarketDataClient({
    instruments: new KrakenInstrumentProvider(rest),
    url: sim.wsUrl.replace(`:${sim.port}/`, `:${gate.port}/`),
    logger,
    barCheckIntervalMs: 20,
    venueTime: async () => (await rest.time()).unixtime * 1000,
    webSocket: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 50, random: () => 0.5 },
    rest: polled,
    restFallback: { graceMs: 100, requestGapMs: GAP_MS },
    onConnectionState: (state, detail) => {
      if (detail.source !== previous) switches.push({ state, source: detail.source, at: Date.now() });
      previous = detail.source;
    },
  });
  cleanups.push(() => client.close());
  const sink = new Collector(() => client);
  return { sim, gate, client, sink, calls, logs, switches };
}

/** Script row → the bar Kraken's candles make of it (volume 50 per bar in the harness). */
function scripted(index: number): Pick<Bar, 'instrumentId' | 'interval' | 'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume'> {
  const [open, high, low, close] = SCRIPT[index]!;
  return { instrumentId: BTC, interval: MINUTE_MS, openTime: START + index * MINUTE_MS, open, high, low, close, volume: 50 };
}

const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

/** The newest row of the last OHLC answer, as [open time index, close]. */
function lastOhlcRow(calls: readonly Call[]): [number, number] | undefined {
  const answer = calls.filter((call) => call.endpoint === 'OHLC' && call.answer !== undefined).at(-1)?.answer as OhlcResult | undefined;
  if (answer === undefined) return undefined;
  const rows = Object.entries(answer).find(([key]) => key !== 'last')![1] as readonly (readonly unknown[])[];
  const row = rows.at(-1)!;
  return [((row[0] as number) * 1000 - START) / MINUTE_MS, Number(row[4])];
}

describe('KrakenMarketDataClient REST fallback against the simulator', () => {
  it('keeps closed bars coming over REST while the WebSocket is down, each bar once and in order across both switches', async () => {
    const { sim, gate, client, sink, calls, logs, switches } = await setUp();
    await client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }, { instrumentId: BTC, kind: 'trades' }, { instrumentId: BTC, kind: 'quotes' }], sink);
    sim.step();
    sim.step();
    await eventually(() => sink.bars.length >= 2, 'bars 9 and 10 over the WebSocket');
    expect(client.source).toBe('websocket');
    expect(calls).toEqual([]); // no polling while the WebSocket works

    // The port is blocked: the socket drops and every reconnect fails. Bar 11 is complete at the
    // venue, but its candle on the WebSocket may be missing trades: it must come from REST.
    gate.shut();
    await eventually(() => client.source === 'rest', 'the switch to REST');
    await eventually(() => sink.bars.length >= 3, 'bar 11 over REST');
    for (let step = 0; step < 4; step++) {
      sim.step();
      await eventually(() => sink.bars.length >= 4 + step, `bar ${12 + step} over REST`);
    }

    // Half of bar 16 (a rising bar: open, low, then high and close in its second half) is out.
    // REST lists its forming candle; it must not be delivered until the interval is over.
    sim.advance(30_000);
    const before = calls.filter((call) => call.endpoint === 'OHLC').length;
    await eventually(() => calls.filter((call) => call.endpoint === 'OHLC' && call.answer !== undefined).length >= before + 3, 'three OHLC polls of the forming bar');
    expect(lastOhlcRow(calls)).toEqual([16, 39_490]); // Kraken's last row: bar 16 so far
    expect(sink.indexes().at(-1)).toBe(15);
    sim.advance(30_000);
    await eventually(() => sink.bars.length >= 8, 'bar 16 once its interval is over');
    expect(sink.bars.at(-1)!.bar).toMatchObject(scripted(16));

    // Trades come over REST too; let them catch up with bar 16's last trade (59.999 s into it):
    // trades made between the last poll and the resubscription are the one thing a switch back
    // can miss (the trade channel has no snapshot), and this market is paused meanwhile.
    await eventually(() => sink.trades.some((entry) => entry.trade.time === START + 17 * MINUTE_MS - 1), "bar 16's last trade over REST");

    // The WebSocket returns: polling stops, the resubscription's snapshot repeats bars 11-16,
    // and none of them is delivered again.
    gate.open();
    await eventually(() => client.source === 'websocket', 'the switch back to the WebSocket');
    const requestsAtReturn = client.restRequests;
    await eventually(() => sink.quotes.some((entry) => entry.source === 'websocket' && entry.quote.time > START + 16 * MINUTE_MS), 'the resubscribed ticker');
    await settle(100);
    sim.step();
    sim.step();
    sim.step();
    await eventually(() => sink.bars.length >= 10, 'bars 17 and 18 over the WebSocket');
    await settle();

    expect(sink.indexes()).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    sink.bars.forEach(({ bar }, position) => expect(bar).toMatchObject(scripted(9 + position)));
    expect(sink.bars.map((entry) => entry.source)).toEqual(['websocket', 'websocket', 'rest', 'rest', 'rest', 'rest', 'rest', 'rest', 'websocket', 'websocket']);
    expect(client.restRequests).toBe(requestsAtReturn); // nothing polled once the WebSocket was back

    // Trades: every trade id once, none missing, REST in the middle.
    const ids = sink.trades.map((entry) => Number(entry.trade.tradeId));
    expect(ids.length).toBeGreaterThan(30);
    expect(ids.every((id, index) => index === 0 || id === ids[index - 1]! + 1)).toBe(true);
    expect(sink.trades.some((entry) => entry.source === 'rest' && entry.trade.price === 40_600)).toBe(true); // bar 16's high
    // Quotes: top of book from Ticker while polling.
    const restQuotes = sink.quotes.filter((entry) => entry.source === 'rest').map((entry) => entry.quote);
    expect(restQuotes.length).toBeGreaterThan(0);
    expect(restQuotes.every((quote) => quote.instrumentId === BTC && quote.bid < quote.ask && quote.bidSize > 0)).toBe(true);

    // Reported once per switch, through onConnectionState and the log.
    expect(switches.map(({ state, source }) => `${state}:${source}`)).toEqual(['connecting:none', 'open:websocket', 'reconnecting:none', 'reconnecting:rest', 'open:websocket']);
    const switchLines = logs.filter((line) => /polling REST|REST polling stopped/.test(line.message));
    expect(switchLines.map((line) => [line.level, line.fields?.source])).toEqual([
      ['warn', 'rest'],
      ['info', 'websocket'],
    ]);
    expect(switchLines[0]!.fields).toMatchObject({ requestGapMs: GAP_MS, subscriptions: 3 });
  });

  it(`paces REST requests at least requestGapMs apart, from start to start, and only while the WebSocket is down`, async () => {
    const { sim, gate, client, sink, calls, switches } = await setUp();
    await client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }, { instrumentId: BTC, kind: 'trades' }, { instrumentId: BTC, kind: 'quotes' }], sink);
    sim.step();
    await eventually(() => sink.bars.length >= 1, 'bar 9');
    gate.shut();
    await eventually(() => calls.length >= 12, 'four rounds of polling');
    gate.open();
    await eventually(() => client.source === 'websocket', 'the switch back');
    await settle(4 * GAP_MS);

    const polling = switches.find((entry) => entry.source === 'rest')!;
    const back = switches.filter((entry) => entry.source === 'websocket').at(-1)!;
    const starts = calls.map((call) => call.startedAt);
    expect(starts[0]).toBeGreaterThanOrEqual(polling.at);
    expect(starts.at(-1)!).toBeLessThanOrEqual(back.at);
    const gaps = starts.slice(1).map((start, index) => start - starts[index]!);
    // The recorder reads the clock a moment after the poller did: allow the millisecond between.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(GAP_MS - 1);
    // One round is one request per subscription, in a fixed order.
    expect(calls.slice(0, 6).map((call) => call.endpoint)).toEqual(['OHLC', 'Trades', 'Ticker', 'OHLC', 'Trades', 'Ticker']);
  });

  it('serves a client that never reaches the WebSocket over REST, starting like a subscription: no history, then each closed bar', async () => {
    const { sim, client, sink, calls } = await setUp({ gateShut: true });
    // subscribe() waits for the WebSocket; the data flows over REST meanwhile.
    const subscribed = client.subscribe([{ instrumentId: BTC, kind: 'bars', interval: MINUTE_MS }], sink);
    subscribed.catch(() => undefined); // rejected by close() at the end
    await eventually(() => client.source === 'rest', 'the switch to REST');
    await eventually(() => calls.filter((call) => call.answer !== undefined).length >= 2, 'two OHLC answers');
    // The simulator stands at the end of bar 9: its candle is the newest, and closed.
    expect(sink.indexes()).toEqual([9]);
    sim.step();
    sim.step();
    await eventually(() => sink.bars.length >= 3, 'bars 10 and 11');
    await settle(3 * GAP_MS);
    expect(sink.indexes()).toEqual([9, 10, 11]);
    sink.bars.forEach(({ bar }, position) => expect(bar).toMatchObject(scripted(9 + position)));
  });

  it('does not poll without a REST client or with restFallback: false, and refuses bad settings', async () => {
    const sim = await startScriptedSimulator();
    cleanups.push(() => sim.stop());
    const rest = new KrakenRestClient({ baseUrl: sim.restUrl });
    const instruments = new KrakenInstrumentProvider(rest);
    expect(() => new KrakenMarketDataClient({ instruments, url: sim.wsUrl, rest, restFallback: { graceMs: -1, requestGapMs: 0 } })).toThrow(
      /restFallback\.graceMs: received -1, expected 0 or more milliseconds[\s\S]*restFallback\.requestGapMs: received 0, expected more than 0 milliseconds/,
    );
    const off = new KrakenMarketDataClient({ instruments, url: sim.wsUrl, rest, restFallback: false });
    cleanups.push(() => off.close());
    expect(off.source).toBe('none');
    expect(off.restRequests).toBe(0);
  });
});
