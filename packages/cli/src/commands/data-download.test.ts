import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MINUTE_MS, generateBars, instrumentId, openBarFile, resampleBars, validateConfig,
  type Bar, type BarSource,
} from '@kbot/core';
import { KrakenRestClient, kraken, startKrakenSimulator, type KrakenSimulator } from '@kbot/exchange-kraken';
import { strategyRegistry } from '@kbot/strategies';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { runCli } from '../program.js';
import { dataDownloadCommand, downloadBars, EXIT_INTERRUPTED, type MarketHistoryRest } from './data-download.js';

const BTC = instrumentId('BTC/USD');
const START = Date.UTC(2024, 0, 1);
const MINUTES = 1500;
/** Minutes without trades: Kraken (and the simulator) print no candle for them. */
const EMPTY = new Set([200, 201, 202, 203, 204, 730, ...Array.from({ length: 31 }, (_, index) => 1100 + index)]);

/**
 * 1,463 one-minute BTC/USD bars with 37 empty minutes, on BTC/USD's tick (0.1) and lot (1e-8),
 * with 4 trades each: the simulator prints each bar as exactly 4 trades (open, low/high, high/low,
 * close), so the bars Kraken would build from those trades are these bars.
 */
const MARKET: Bar[] = [...generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: MINUTES, seed: 11, startPrice: 40_000 })]
  .filter((_, minute) => !EMPTY.has(minute))
  .map((bar) => {
    const tick = (value: number) => Math.round(value * 10) / 10;
    return { ...bar, open: tick(bar.open), high: tick(bar.high), low: tick(bar.low), close: tick(bar.close), volume: Math.max(0.001, Number(bar.volume.toFixed(8))), trades: 4 };
  });

const marketSource: BarSource = {
  instrumentId: BTC,
  interval: MINUTE_MS,
  format: 'fixture',
  [Symbol.iterator]: () => MARKET[Symbol.iterator]() as Iterator<Bar, undefined>,
  summary: () => { throw new Error('not used'); },
};

let sim: KrakenSimulator;
let rest: KrakenRestClient;

beforeAll(async () => {
  // The whole market is history: the venue's clock stands at its end (2024-01-02 01:00).
  sim = await startKrakenSimulator({ market: { sources: [marketSource], historyBars: MARKET.length }, speed: 0 });
  rest = new KrakenRestClient({ baseUrl: sim.restUrl });
});

afterAll(async () => {
  await sim.stop();
});

const folder = () => mkdtempSync(join(tmpdir(), 'kbot-download-'));
const minute = (index: number) => START + index * MINUTE_MS;
const expected = (from: number, to: number) => MARKET.filter((bar) => bar.openTime >= from && bar.openTime < to);

function expectBars(actual: readonly Bar[], wanted: readonly Bar[]): void {
  const ohlc = (bar: Bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.trades];
  expect(actual.map(ohlc)).toEqual(wanted.map(ohlc));
  actual.forEach((bar, index) => expect(bar.volume).toBeCloseTo(wanted[index]!.volume, 8));
}

/** Counts the calls of each endpoint. */
function counting(client: MarketHistoryRest): MarketHistoryRest & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    time: () => (calls.push('Time'), client.time()),
    ohlc: (params) => (calls.push('OHLC'), client.ohlc(params)),
    trades: (params) => (calls.push(`Trades ${params.since}`), client.trades(params)),
  };
}

describe('downloadBars against the Kraken simulator', () => {
  it('builds bars older than the 720 OHLC candles from Trades, paging with the since cursor to --to', async () => {
    const dir = folder();
    const client = counting(rest);
    const outcome = await downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(1200), dir }, { rest: client, requestGapMs: 0 });
    expect(outcome).toMatchObject({ complete: true, source: 'trades', resumed: false, file: join(dir, 'XBTUSD_1.csv'), from: minute(0), end: minute(1200) });
    // 1,163 bars × 4 trades at 1,000 trades a page, and the page that passes --to.
    expect(client.calls.filter((call) => call.startsWith('Trades')).length).toBe(5);
    expect(client.calls[2]).toBe(`Trades ${BigInt(minute(0)) * 1_000_000n}`);
    const file = openBarFile(outcome.file);
    expectBars([...file], expected(minute(0), minute(1200)));
    // Empty minutes have no bar: a gap report, not filled in.
    expect(file.summary()).toMatchObject({ bars: 1200 - 37, gaps: 37, largestGapMs: 31 * MINUTE_MS });
    expect(existsSync(`${outcome.file}.part`) || existsSync(`${outcome.file}.download.json`)).toBe(false);
  });

  it('hourly bars come from the OHLC endpoint and 12h bars (no Kraken OHLC interval) from trades, both equal to the 1m market resampled', async () => {
    const dir = folder();
    const outcome = await downloadBars({ instrumentId: BTC, interval: 60 * MINUTE_MS, from: minute(0), to: minute(1440), dir }, { rest, requestGapMs: 0, tradesPerPage: 700 });
    // Kraken's 720 hourly candles reach back past the start: the OHLC endpoint is enough.
    expect(outcome.source).toBe('ohlc');
    expectBars([...openBarFile(outcome.file)], [...resampleBars(expected(minute(0), minute(1440)), '1h')]);
    const twelveHours = await downloadBars({ instrumentId: BTC, interval: 720 * MINUTE_MS, from: minute(0), to: minute(1440), dir }, { rest, requestGapMs: 0 });
    // Kraken has no 12h OHLC: built from trades.
    expect(twelveHours.source).toBe('trades');
    expectBars([...openBarFile(twelveHours.file)], [...resampleBars(expected(minute(0), minute(1440)), '12h')]);
  });

  it('takes recent history from the OHLC endpoint, leaving out the forming candle and empty minutes', async () => {
    const dir = folder();
    const client = counting(rest);
    const outcome = await downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(1000), dir }, { rest: client, requestGapMs: 0 });
    expect(outcome).toMatchObject({ source: 'ohlc', end: minute(MINUTES) });
    expect(client.calls).toEqual(['Time', 'OHLC']);
    const file = openBarFile(outcome.file);
    expectBars([...file], expected(minute(1000), minute(MINUTES)));
    expect(file.summary().gaps).toBe(31);
  });

  it('resumes an interrupted download where it stopped, cutting off a torn last write, with the same result', async () => {
    const whole = await downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(1300), dir: folder() }, { rest, requestGapMs: 0, tradesPerPage: 400 });
    const dir = folder();
    const controller = new AbortController();
    let pages = 0;
    const first = await downloadBars(
      { instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(1300), dir },
      // The first report comes before any request: three pages are saved, then it stops.
      { rest, requestGapMs: 0, tradesPerPage: 400, signal: controller.signal, onProgress: () => (++pages === 4 ? controller.abort() : undefined) },
    );
    expect(whole.source).toBe('trades');
    expect(first).toMatchObject({ complete: false, file: join(dir, 'XBTUSD_1.csv.part') });
    expect(first.bars).toBeGreaterThan(0);
    const state = JSON.parse(readFileSync(join(dir, 'XBTUSD_1.csv.download.json'), 'utf8'));
    // 1,200 trades read: the bars of 299 minutes saved, the 300th still being built.
    expect(state).toMatchObject({ kind: 'kbot-data-download', pair: 'XBTUSD', interval: MINUTE_MS, bars: first.bars });
    expect(first.bars).toBe(299);
    // The bar still being built when the download stopped is saved with the cursor.
    expect(state.pending).toMatchObject({ instrumentId: 'BTC/USD', interval: MINUTE_MS, trades: 4 });
    expect(existsSync(join(dir, 'XBTUSD_1.csv'))).toBe(false);
    // A crash in the middle of the next write leaves half a row behind.
    appendFileSync(first.file, '1704070000,4');

    const client = counting(rest);
    const second = await downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(1300), dir }, { rest: client, requestGapMs: 0, tradesPerPage: 400 });
    expect(second).toMatchObject({ complete: true, resumed: true, bars: whole.bars });
    // It asks for what comes after the saved cursor, not for the start again.
    expect(client.calls[1]).toBe(`Trades ${state.cursor}`);
    expect(readFileSync(second.file, 'utf8')).toBe(readFileSync(whole.file, 'utf8'));
    expect(existsSync(join(dir, 'XBTUSD_1.csv.download.json'))).toBe(false);
  });

  it('spaces its requests at least a second apart by default', async () => {
    let clock = 0;
    const starts: number[] = [];
    const timed: MarketHistoryRest = {
      time: () => (starts.push(clock), rest.time()),
      ohlc: (params) => (starts.push(clock), rest.ohlc(params)),
      trades: (params) => (starts.push(clock), rest.trades(params)),
    };
    await downloadBars(
      { instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(600), dir: folder() },
      { rest: timed, now: () => clock, sleep: async (ms) => void (clock += ms), tradesPerPage: 500 },
    );
    expect(starts.length).toBeGreaterThan(4);
    const spacing = starts.slice(1).map((time, index) => time - starts[index]!);
    expect(Math.min(...spacing)).toBeGreaterThanOrEqual(1000);
  });

  it('refuses to overwrite a finished file without force, and a resume with other flags', async () => {
    const dir = folder();
    await downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(1400), dir }, { rest, requestGapMs: 0 });
    await expect(downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(1400), dir }, { rest, requestGapMs: 0 })).rejects.toThrow(/XBTUSD_1\.csv exists: pass --force/);
    await expect(downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(1400), dir, force: true }, { rest, requestGapMs: 0 })).resolves.toMatchObject({ complete: true });

    writeFileSync(join(dir, 'XBTUSD_15.csv.download.json'), JSON.stringify({ kind: 'kbot-data-download', version: 1, pair: 'XBTUSD', instrument: 'BTC/USD', interval: 15 * MINUTE_MS, from: minute(0), cursor: '0', bytes: 0, bars: 0, lastBarTime: null, lastTradeTime: null, lastTradeId: null, pending: null }));
    await expect(downloadBars({ instrumentId: BTC, interval: 15 * MINUTE_MS, from: minute(60), dir }, { rest, requestGapMs: 0 })).rejects.toThrow(/continues a download of XBTUSD 15m from 2024-01-01T00:00:00\.000Z.*same --from/);
    await expect(downloadBars({ instrumentId: BTC, interval: MINUTE_MS, from: minute(MINUTES) - 1, dir: folder() }, { rest, requestGapMs: 0 })).rejects.toThrow(/--from: received .* expected a time at least one whole 1m interval before now/);
  });
});

describe('kbot data download', () => {
  const config = (dir: string) => ({
    config: validateConfig({
      exchange: kraken(),
      strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h' } }],
      storage: { dir: './store' },
      log: { level: 'silent' },
    }),
    file: join(dir, 'kbot.config.mjs'),
  });

  it('downloads through the configured exchange into <storage.dir>/candles and reports the gaps', async () => {
    const dir = folder();
    const result = await dataDownloadCommand('XBTUSD', { interval: '1m', from: '2024-01-01', to: '2024-01-01T20:00Z', progress: false }, {
      cwd: dir, registry: strategyRegistry, env: { KRAKEN_REST_URL: sim.restUrl }, loaded: config(dir), requestGapMs: 0,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outcome.file).toBe(join(dir, 'store', 'candles', 'XBTUSD_1.csv'));
    expect(result.output).toMatch(/^downloaded 1163 1m bars of BTC\/USD, 2024-01-01T00:00 \.\. 2024-01-01T20:00 \(bars built from Kraken trades, \d+ requests\); 37 empty intervals \(no trades; longest 31m\)/);
  });

  it('an interrupted download says how to continue and exits 130', async () => {
    const dir = folder();
    const controller = new AbortController();
    controller.abort();
    const interrupted = await dataDownloadCommand('BTC/USD', { interval: '1m', from: '2024-01-01', to: '2024-01-01T20:00Z', progress: false }, {
      cwd: dir, registry: strategyRegistry, env: { KRAKEN_REST_URL: sim.restUrl }, loaded: config(dir), requestGapMs: 0, signal: controller.signal,
    });
    expect(interrupted.exitCode).toBe(EXIT_INTERRUPTED);
    expect(interrupted.output).toMatch(/^interrupted: 0 1m bars of BTC\/USD saved in .*XBTUSD_1\.csv\.part; run the same command again to continue$/);
  });

  it('a venue failure mid-download keeps the bars so far and says so in one line; the next run continues', async () => {
    const dir = folder();
    const candles = join(dir, 'store', 'candles');
    const controller = new AbortController();
    let pages = 0;
    const partial = await downloadBars(
      { instrumentId: BTC, interval: MINUTE_MS, from: minute(0), to: minute(1200), dir: candles },
      { rest, requestGapMs: 0, signal: controller.signal, onProgress: () => (++pages === 3 ? controller.abort() : undefined) },
    );
    expect(partial).toMatchObject({ complete: false, bars: 499 });
    const flags = { interval: '1m', from: '2024-01-01', to: '2024-01-01T20:00Z', progress: false };
    const context = { cwd: dir, registry: strategyRegistry, env: { KRAKEN_REST_URL: sim.restUrl }, loaded: config(dir), requestGapMs: 0 };
    sim.rejectNext('Trades', 'EGeneral:Invalid arguments');
    const failed = dataDownloadCommand('BTC/USD', flags, context);
    await expect(failed).rejects.toMatchObject({ code: 'exchange-invalid-order' });
    await expect(failed).rejects.toThrow(/^Kraken Trades failed with EGeneral:Invalid arguments.*; the bars so far are kept in .*XBTUSD_1\.csv\.part: run the same command again to continue$/);
    const resumed = await dataDownloadCommand('BTC/USD', flags, context);
    expect(resumed.outcome).toMatchObject({ complete: true, resumed: true, bars: 1163 });
    expectBars([...openBarFile(resumed.outcome.file)], expected(minute(0), minute(1200)));
  });

  it('a pair the venue does not list is a usage error naming the pair, exit 2, as kbot sell says it', async () => {
    const dir = folder();
    const context = { cwd: dir, registry: strategyRegistry, env: { KRAKEN_REST_URL: sim.restUrl }, loaded: config(dir), requestGapMs: 0 };
    for (const [argument, read] of [['ETH/USD', ''], ['ETHUSD', ' (ETH/USD)']] as const) {
      const failure = await dataDownloadCommand(argument, { interval: '1m', from: '2024-01-01', to: '2024-01-01T20:00Z', progress: false }, context).catch((error: unknown) => error);
      expect(exitCodeFor(failure)).toBe(EXIT.usage);
      expect((failure as Error).message).toBe(`<pair>: received "${argument}"${read}, expected a pair kraken lists, such as BTC/USD (Kraken answered EQuery:Unknown asset pair for ETHUSD)`);
    }
    expect(existsSync(join(dir, 'store', 'candles', 'ETHUSD_1.csv.download.json'))).toBe(false);
  });

  it('--json writes no log line to stderr, as the other --json commands do', async () => {
    const dir = folder();
    const loaded = { ...config(dir), config: validateConfig({ exchange: kraken(), strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h' } }], storage: { dir: './store' }, log: { level: 'info', file: false } }) };
    const context = { cwd: dir, registry: strategyRegistry, env: { KRAKEN_REST_URL: sim.restUrl }, loaded, requestGapMs: 0 };
    const flags = { interval: '1h', from: '2024-01-01T12:00Z', to: '2024-01-01T20:00Z', progress: false };
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      await dataDownloadCommand('BTC/USD', flags, context);
      // Without --json the credentials line is there for people (so this spy sees the logger's lines)...
      expect(written.join('')).toContain('exchange credentials');
      written.length = 0;
      const json = await dataDownloadCommand('BTC/USD', { ...flags, json: true, force: true }, context);
      // ...with --json, stdout is the JSON and stderr stays empty.
      expect(JSON.parse(json.output)).toMatchObject({ complete: true, instrument: 'BTC/USD' });
      expect(written).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    [['BTCXYZ', '--interval', '1m', '--from', '2024-01-01'], /^kbot: <pair>: received "BTCXYZ", expected a pair such as BTC\/USD or XBTUSD$/],
    [['BTC/USD', '--from', '2024-01-01'], /^kbot: --interval: received nothing, expected one of 1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d$/],
    [['BTC/USD', '--interval', '7m', '--from', '2024-01-01'], /^kbot: --interval: received "7m", expected one of 1m, /],
    [['BTC/USD', '--interval', '1m'], /^kbot: --from: received nothing, expected the first date to download/],
    [['BTC/USD', '--interval', '1m', '--from', '2024-02-30'], /^kbot: --from: received "2024-02-30", expected a date such as 2024-01-31/],
    [['BTC/USD', '--interval', '1m', '--from', '2024-02-01', '--to', '2024-01-01'], /^kbot: --to: received "2024-01-01", expected a time after --from \(2024-02-01T00:00:00\.000Z\)$/],
  ])('kbot data download %j is a usage error naming the flag, exit 2, one line', async (argv, message) => {
    let stderr = '';
    const code = await runCli(['data', 'download', ...argv], { cwd: folder(), stdout: () => undefined, stderr: (text) => (stderr += text) });
    expect(code).toBe(EXIT.usage);
    expect(stderr.trim()).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// Kraken's Q1 2023 XBTUSDC files in /work/shared/data (README section 2); skipped where that folder is absent.
describe.skipIf(!DATA)('downloading from a simulator replaying real Kraken 1m data', () => {
  const folder = join(DATA, 'ohlcv', 'kraken', 'q1-2023');
  const usdc = instrumentId('BTC/USDC');
  let replay: KrakenSimulator;
  let client: KrakenRestClient;

  beforeAll(async () => {
    // Two days and an hour of thin 1m bars, all of them history (the venue's clock stands after
    // the last, inside 2023-01-03 01:00): about 5,000 trades, all still served.
    replay = await startKrakenSimulator({ market: { sources: [{ file: join(folder, 'XBTUSDC_1.csv'), to: Date.UTC(2023, 0, 3, 1) }], historyBars: 10_000 }, speed: 0 });
    client = new KrakenRestClient({ baseUrl: replay.restUrl });
  });

  afterAll(async () => {
    await replay.stop();
  });

  it('1h bars from the OHLC endpoint and 12h bars built from trades equal Kraken\'s own 1h and 12h files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-download-real-'));
    const range = { from: Date.UTC(2023, 0, 1), to: Date.UTC(2023, 0, 3) };
    const kraken = (file: string) => [...openBarFile(join(folder, file), range)];
    const hourly = await downloadBars({ instrumentId: usdc, interval: 60 * MINUTE_MS, ...range, dir }, { rest: client, requestGapMs: 0 });
    expect(hourly.source).toBe('ohlc');
    expectBars([...openBarFile(hourly.file)], kraken('XBTUSDC_60.csv'));
    const halfDays = await downloadBars({ instrumentId: usdc, interval: 720 * MINUTE_MS, ...range, dir }, { rest: client, requestGapMs: 0 });
    expect(halfDays).toMatchObject({ source: 'trades', bars: 4 });
    // The simulator prints each 1m bar as 4 trades, so only the trade counts differ from Kraken's.
    const withoutCounts = (bars: readonly Bar[]) => bars.map((bar) => ({ ...bar, trades: undefined }));
    expectBars(withoutCounts([...openBarFile(halfDays.file)]), withoutCounts(kraken('XBTUSDC_720.csv')));
  });
});
