import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ExchangeError, MINUTE_MS, instrumentId, krakenSpotInstruments, type Bar, type InstrumentId, type InstrumentProvider } from '@kbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { KrakenInstrumentProvider } from './instrument-provider.js';
import { SCRIPT, simulatorExchange, startScriptedSimulator } from './kraken-test-harness.js';
import { KrakenMarketDataClient } from './market-data-client.js';
import type { KrakenMarketDataRest } from './rest-fallback/rest-market-data-fallback.js';
import { KrakenRestClient } from './rest/rest-client.js';
import type { OhlcResult } from './rest/types.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';
import { START, flat, scriptedBars } from './simulator/simulator-test-fixtures.js';

const BTC = instrumentId('BTC/USD');
const GAP_MS = 100;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type OhlcParams = Parameters<KrakenMarketDataRest['ohlc']>[0];

interface OhlcCall {
  readonly params: OhlcParams;
  readonly startedAt: number;
  answer?: OhlcResult;
}

/** A REST client for the market-data client that records every OHLC request and its answer. */
function recording(ohlc: (params: OhlcParams) => Promise<OhlcResult>): { rest: KrakenMarketDataRest; calls: OhlcCall[] } {
  const calls: OhlcCall[] = [];
  const unused = () => Promise.reject(new Error('not used by recentBars'));
  const rest: KrakenMarketDataRest = {
    ohlc: async (params) => {
      const call: OhlcCall = { params, startedAt: Date.now() };
      calls.push(call);
      call.answer = await ohlc(params);
      return call.answer;
    },
    trades: unused,
    ticker: unused,
  };
  return { rest, calls };
}

/** The simulator's market and a market-data client whose REST goes to it; nothing is subscribed (no WebSocket). */
async function setUp(simulator?: KrakenSimulator): Promise<{ sim: KrakenSimulator; client: KrakenMarketDataClient; calls: OhlcCall[] }> {
  const sim = simulator ?? (await startScriptedSimulator());
  cleanups.push(() => sim.stop());
  const rest = new KrakenRestClient({ baseUrl: sim.restUrl, maxAttempts: 1 });
  const { rest: recorded, calls } = recording((params) => rest.ohlc(params));
  const client = new KrakenMarketDataClient({ instruments: new KrakenInstrumentProvider(rest), url: sim.wsUrl, rest: recorded, restFallback: { requestGapMs: GAP_MS } });
  cleanups.push(() => client.close());
  return { sim, client, calls };
}

/** The bars the scripted simulator replays (the harness gives each a volume of 50 and 8 trades), in order. */
function replayed(): Bar[] {
  return [...scriptedBars('BTC/USD', SCRIPT, undefined, 50)];
}

/** One bar of `interval` made of consecutive one-minute bars, as Kraken's candles are. */
function combined(bars: readonly Bar[], interval: number): Bar {
  return {
    instrumentId: bars[0]!.instrumentId,
    interval,
    openTime: bars[0]!.openTime,
    open: bars[0]!.open,
    high: Math.max(...bars.map((bar) => bar.high)),
    low: Math.min(...bars.map((bar) => bar.low)),
    close: bars.at(-1)!.close,
    volume: bars.reduce((sum, bar) => sum + bar.volume, 0),
    trades: bars.reduce((sum, bar) => sum + (bar.trades ?? 0), 0),
  };
}

const rowTimes = (call: OhlcCall | undefined) => (Object.entries(call!.answer!).find(([key]) => key !== 'last')![1] as readonly (readonly unknown[])[]).map((row) => ((row[0] as number) * 1000 - START) / MINUTE_MS);

describe('KrakenMarketDataClient.recentBars against the simulator', () => {
  it("returns the simulator's closed bars, oldest first, equal in values and open times, without the forming candle", async () => {
    const { sim, client, calls } = await setUp();
    // 10 bars of history are replayed; half of bar 10 is out: Kraken's last row is its candle so far.
    sim.advance(30_000);
    const bars = await client.recentBars(BTC, MINUTE_MS, 100);
    expect(rowTimes(calls[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(bars).toEqual(replayed().slice(0, 10));

    // Once its interval is over, bar 10 is history too.
    sim.advance(30_000);
    expect(await client.recentBars(BTC, MINUTE_MS, 100)).toEqual(replayed().slice(0, 11));
    expect(calls.map((call) => call.params)).toEqual([
      { pair: 'XBTUSD', interval: 1 },
      { pair: 'XBTUSD', interval: 1 },
    ]);
  });

  it('gives the newest `count` bars, of any Kraken interval', async () => {
    const { sim, client } = await setUp();
    sim.step();
    sim.step(); // bars 10 and 11 replayed: 12 closed bars
    expect(await client.recentBars(BTC, MINUTE_MS, 3)).toEqual(replayed().slice(9, 12));
    expect(await client.recentBars(BTC, MINUTE_MS, 1)).toEqual(replayed().slice(11, 12));
    // Five-minute candles 0-4 and 5-9 are closed; 10-14 is forming (bars 10 and 11 so far).
    const minutes = replayed();
    expect(await client.recentBars(BTC, 5 * MINUTE_MS, 10)).toEqual([combined(minutes.slice(0, 5), 5 * MINUTE_MS), combined(minutes.slice(5, 10), 5 * MINUTE_MS)]);
  });

  it('returns what Kraken keeps when more is asked for: 719 closed bars from one request, without paging back', async () => {
    const rows = [...flat(40_000, 300), ...flat(41_000, 300), ...flat(42_000, 200)];
    const sim = await startScriptedSimulator({ market: { sources: [scriptedBars('BTC/USD', rows, undefined, 50)], historyBars: 760 } });
    const { client, calls } = await setUp(sim);
    sim.advance(30_000); // bar 760 forming: Kraken lists bars 41 to 760
    const bars = await client.recentBars(BTC, MINUTE_MS, 5_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toEqual({ pair: 'XBTUSD', interval: 1 });
    expect(rowTimes(calls[0])).toHaveLength(720);
    expect(bars).toHaveLength(719);
    const all = [...scriptedBars('BTC/USD', rows, undefined, 50)];
    expect(bars).toEqual(all.slice(41, 760));
  });

  it('paces its requests with the REST fallback, requestGapMs apart from start to start, also when asked all at once', async () => {
    const { client, calls } = await setUp();
    const answers = await Promise.all([MINUTE_MS, 5 * MINUTE_MS, 15 * MINUTE_MS, MINUTE_MS].map((interval) => client.recentBars(BTC, interval, 10)));
    expect(answers.map((bars) => bars.length)).toEqual([10, 2, 0, 10]);
    const starts = calls.map((call) => call.startedAt).sort((a, b) => a - b);
    expect(starts).toHaveLength(4);
    for (let index = 1; index < starts.length; index++) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(GAP_MS);
  });

  it("throws Kraken's refusal as an ExchangeError, and the next request waits two gaps", async () => {
    const { sim, client, calls } = await setUp();
    sim.rejectNext('OHLC', 'EService:Unavailable');
    const failure = await client.recentBars(BTC, MINUTE_MS, 5).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ExchangeError);
    expect(failure).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(await client.recentBars(BTC, MINUTE_MS, 5)).toEqual(replayed().slice(5, 10));
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(2 * GAP_MS);
  });

  it('refuses arguments Kraken cannot serve, naming the field, the value and what was expected, before any OHLC request', async () => {
    const { client, calls } = await setUp();
    const refusal = (instrument: string, interval: number, count: number): Promise<ConfigError> =>
      client.recentBars(instrument as InstrumentId, interval, count).then(
        (bars) => {
          throw new Error(`expected a refusal, received ${bars.length} bars`);
        },
        (error: unknown) => error as ConfigError,
      );

    const interval = await refusal('BTC/USD', 7 * MINUTE_MS, 10);
    expect(interval).toBeInstanceOf(ConfigError);
    expect(interval.issues).toEqual([{ path: 'recentBars.interval', received: '420000 ms (7m)', expected: 'a Kraken candle interval: 1m, 5m, 15m, 30m, 1h, 4h, 1d, 1w, 15d' }]);
    expect((await refusal('BTC/USD', Number.NaN, 10)).issues[0]).toMatchObject({ path: 'recentBars.interval', received: 'NaN' });

    for (const count of [0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await refusal('BTC/USD', MINUTE_MS, count)).issues).toEqual([{ path: 'recentBars.count', received: String(count), expected: 'a whole number of bars above 0' }]);
    }
    expect(String(await refusal('BTC/USD', MINUTE_MS, 0))).toContain('recentBars.count: received 0, expected a whole number of bars above 0');

    expect((await refusal('DOGE/USD', MINUTE_MS, 10)).issues).toEqual([{ path: 'recentBars.instrumentId', received: 'DOGE/USD', expected: 'an instrument Kraken lists (AssetPairs)' }]);
    expect((await refusal('BTCUSD', MINUTE_MS, 10)).issues).toEqual([{ path: 'recentBars.instrumentId', received: '"BTCUSD"', expected: 'BASE/QUOTE such as "BTC/USD"' }]);
    // Every problem at once.
    expect((await refusal('DOGE/USD', 7 * MINUTE_MS, 0)).issues.map((issue) => issue.path)).toEqual(['recentBars.interval', 'recentBars.count', 'recentBars.instrumentId']);
    expect(calls).toEqual([]);
  });

  it("is served by the plugin's exchange as it is wired for sessions", async () => {
    const sim = await startScriptedSimulator();
    cleanups.push(() => sim.stop());
    const exchange = simulatorExchange(sim, {}, { mode: 'paper' });
    cleanups.push(() => exchange.close());
    sim.advance(30_000);
    expect(await exchange.data.recentBars(BTC, MINUTE_MS, 4)).toEqual(replayed().slice(6, 10));
  });

  it('needs a REST client, and refuses once closed', async () => {
    const { sim, client } = await setUp();
    const restless = new KrakenMarketDataClient({ instruments: new KrakenInstrumentProvider(new KrakenRestClient({ baseUrl: sim.restUrl })), url: sim.wsUrl });
    cleanups.push(() => restless.close());
    await expect(restless.recentBars(BTC, MINUTE_MS, 10)).rejects.toThrow("rest: received nothing, expected a REST client: recent bars come from Kraken's REST OHLC endpoint");
    await client.close();
    await expect(client.recentBars(BTC, MINUTE_MS, 10)).rejects.toThrow('recentBars: received a closed client, expected a client that has not been closed');
  });
});

// A real answer of Kraken's REST OHLC (720 one-minute candles of XBTUSD, saved as CSV in
// ../shared/data, which is not part of the repository), sent back as Kraken sends it.
const shared = process.env.KBOT_SHARED_DATA ?? '';

function recordedOhlc(): { result: OhlcResult; rows: string[][] } {
  const lines = readFileSync(join(shared, 'ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_minute.csv'), 'utf8').trim().split('\n').slice(1);
  // unix,open,high,low,close,vwap,volume,tradecount,date,volume_from
  const rows = lines.map((line) => line.split(','));
  const ohlc = rows.map(([time, open, high, low, close, vwap, volume, count]) => [Number(time), open, high, low, close, vwap, volume, Number(count)]);
  // `last`: the newest committed candle, the one before Kraken's uncommitted last row.
  return { result: { XXBTZUSD: ohlc, last: Number(rows.at(-2)![0]) } as unknown as OhlcResult, rows };
}

function fixedInstruments(): InstrumentProvider {
  const instruments = krakenSpotInstruments();
  return { load: async () => instruments, list: () => instruments, get: (id) => instruments.find((instrument) => instrument.id === id) };
}

describe.skipIf(!shared)('KrakenMarketDataClient.recentBars on a recorded Kraken OHLC answer', () => {
  it('makes bars of all 719 committed candles, not the uncommitted last one, each equal to its row', async () => {
    const { result, rows } = recordedOhlc();
    const { rest, calls } = recording(async () => result);
    const client = new KrakenMarketDataClient({ instruments: fixedInstruments(), url: 'ws://127.0.0.1:9/', rest, restFallback: false });
    cleanups.push(() => client.close());
    const bars = await client.recentBars(BTC, MINUTE_MS, 1_000);
    expect(calls.map((call) => call.params)).toEqual([{ pair: 'XBTUSD', interval: 1 }]);
    expect(bars).toHaveLength(719);
    bars.forEach((bar, index) => {
      const [time, open, high, low, close, , volume, count] = rows[index]!;
      expect(bar).toEqual({ instrumentId: BTC, interval: MINUTE_MS, openTime: Number(time) * 1000, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume), trades: Number(count) });
    });
    expect(new Date(bars.at(-1)!.openTime).toISOString()).toBe('2022-01-25T23:01:00.000Z');
    const newest = await client.recentBars(BTC, MINUTE_MS, 3);
    // Paced without a fallback too: Kraken's one public call a second.
    expect(calls[1]!.startedAt - calls[0]!.startedAt).toBeGreaterThanOrEqual(1_000);
    expect(newest.map((bar) => new Date(bar.openTime).toISOString())).toEqual(['2022-01-25T22:59:00.000Z', '2022-01-25T23:00:00.000Z', '2022-01-25T23:01:00.000Z']);
    expect(newest[2]).toMatchObject({ open: 36_739.7, high: 36_782.9, low: 36_739.7, close: 36_765.9, volume: 0.84432786, trades: 17 });
  });
});
