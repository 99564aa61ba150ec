import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../model/market-data.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../model/time.js';
import { openBarFile } from './bar-file.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const path = (...parts: string[]) => join(DATA, ...parts);
const KRAKEN = ['ohlcv', 'kraken'];

function firstBar(source: Iterable<Bar>): Bar {
  for (const bar of source) return bar;
  throw new Error('no bars');
}

// These tests read the real market data in /work/shared/data (described in its README.md); it is
// not part of the repository, so they skip where it is absent.
describe.skipIf(!DATA)('openBarFile on real data files', () => {
  describe('Kraken OHLCVT CSV', () => {
    it('reads q1-2023/XBTUSD_15.csv as BTC/USD 15m: 8,635 bars, 5 missing intervals, the 2023-02-22 halt as the largest gap', () => {
      const source = openBarFile(path(...KRAKEN, 'q1-2023', 'XBTUSD_15.csv'));
      expect(source.format).toBe('kraken-ohlcvt');
      expect(source.instrumentId).toBe('BTC/USD');
      expect(source.interval).toBe(15 * MINUTE_MS);
      expect(firstBar(source)).toEqual({
        instrumentId: 'BTC/USD',
        interval: 15 * MINUTE_MS,
        openTime: Date.UTC(2023, 0, 1),
        open: 16528.7,
        high: 16530.0,
        low: 16511.0,
        close: 16514.9,
        volume: 10.30276815,
        trades: 203,
      });
      const summary = source.summary();
      expect(summary).toEqual({
        file: path(...KRAKEN, 'q1-2023', 'XBTUSD_15.csv'),
        format: 'kraken-ohlcvt',
        instrumentId: 'BTC/USD',
        interval: 15 * MINUTE_MS,
        bars: 8635,
        first: Date.UTC(2023, 0, 1),
        last: Date.UTC(2023, 2, 31, 23, 45),
        gaps: 5,
        // README: max distance between rows 5,400 s; the missing stretch is that minus one bar.
        largestGapMs: (5400 - 900) * 1000,
        generated: false,
      });
    });

    it('reads the full XBTUSD_60 history (50,378 bars) and exponent-notation volumes such as 1E+1', () => {
      const source = openBarFile(path(...KRAKEN, 'full-history-60m-to-2020-09', 'XBTUSD_60.csv'));
      let count = 0;
      let exponentRow: Bar | undefined;
      for (const bar of source) {
        count++;
        // Line 17: 1381935600,146.14,146.14,142.28538,142.28538,1E+1,6
        if (bar.openTime === 1381935600_000) exponentRow = bar;
      }
      expect(count).toBe(50378);
      expect(exponentRow).toMatchObject({ open: 146.14, low: 142.28538, volume: 10, trades: 6 });
      expect(source.summary()).toMatchObject({
        bars: 50378,
        first: Date.UTC(2013, 9, 6, 21),
        last: Date.UTC(2020, 8, 30, 23),
        gaps: 10849,
        largestGapMs: (205200 - 3600) * 1000,
      });
    });

    it('parses BONK prices written as 1.916e-05 exactly as Number() does, after the header line', () => {
      const source = openBarFile(path(...KRAKEN, 'daily-1440m', 'BONKUSD_1440.csv'));
      expect(source.instrumentId).toBe('BONK/USD');
      expect(source.interval).toBe(DAY_MS);
      // 1703203200,1.916e-05,2.86e-05,1.89e-05,2.459e-05,371171350.0287898,58
      expect(firstBar(source)).toMatchObject({
        openTime: 1703203200_000,
        open: Number('1.916e-05'),
        high: Number('2.86e-05'),
        low: Number('1.89e-05'),
        close: Number('2.459e-05'),
        volume: 371171350.0287898,
        trades: 58,
      });
      expect(source.summary()).toMatchObject({ bars: 101, gaps: 0, largestGapMs: 0 });
    });

    it('takes BTCUSD_Daily_OHLC.csv as BTC/USD 1d', () => {
      const source = openBarFile(path(...KRAKEN, 'daily-1440m', 'BTCUSD_Daily_OHLC.csv'));
      expect([source.instrumentId, source.interval]).toEqual(['BTC/USD', DAY_MS]);
      expect(source.summary()).toMatchObject({ bars: 3727, gaps: 12, largestGapMs: (259200 - 86400) * 1000 });
    });

    it('infers 15m from the data for XBT_train.csv (header Time,Open,...), and its Q1 rows equal q1-2023/XBTUSD_15.csv', () => {
      const train = openBarFile(path(...KRAKEN, 'h1-q3-2023', 'trading_train_data', 'XBT_train.csv'));
      expect([train.instrumentId, train.interval]).toEqual(['BTC/USD', 15 * MINUTE_MS]);
      expect(train.summary()).toMatchObject({ bars: 17364, gaps: 12, largestGapMs: (5400 - 900) * 1000 });

      const firstQuarter = openBarFile(train.file, { to: Date.UTC(2023, 3, 1) });
      const quarterly = openBarFile(path(...KRAKEN, 'q1-2023', 'XBTUSD_15.csv'));
      const a = [...firstQuarter];
      const b = [...quarterly];
      expect(a).toHaveLength(8635);
      expect(a).toEqual(b);
    });

    // Row counts, missing intervals and max gaps from the README tables, for every Kraken OHLCVT file.
    const table: [string[], number, number, number, number][] = [
      // [path, interval minutes, rows, missing, max gap seconds]
      [['q1-2023', 'XBTUSD_5.csv'], 5, 25901, 19, 4800],
      [['q1-2023', 'XBTUSD_60.csv'], 60, 2160, 0, 3600],
      [['q1-2023', 'XBTUSD_720.csv'], 720, 180, 0, 43200],
      [['q1-2023', 'XBTUSD_1440.csv'], 1440, 90, 0, 86400],
      [['q1-2023', 'XBTUSDT_5.csv'], 5, 24945, 975, 4800],
      [['q1-2023', 'XBTUSDT_15.csv'], 15, 8632, 8, 5400],
      [['q1-2023', 'XBTUSDC_1.csv'], 1, 56717, 72883, 5280],
      [['q1-2023', 'XBTUSDC_5.csv'], 5, 22893, 3027, 5100],
      [['q1-2023', 'XBTUSDC_15.csv'], 15, 8569, 71, 5400],
      [['full-history-60m-to-2020-09', 'ETHUSD_60.csv'], 60, 41688, 3466, 187200],
      [['h1-q3-2023', 'ETHUSD_5.csv'], 5, 26444, 52, 2100],
      [['h1-q3-2023', 'trading_test_data', 'AVAXUSD_15.csv'], 15, 8214, 618, 4500],
      [['h1-q3-2023', 'trading_test_data', 'DOTUSD_15.csv'], 15, 8616, 216, 3600],
      [['h1-q3-2023', 'trading_train_data', 'AVAX_train.csv'], 15, 16294, 1082, 6300],
      [['daily-1440m', 'LTCUSD_1440.csv'], 1440, 3625, 187, 1382400],
      [['daily-1440m', 'ETHUSD_1440.csv'], 1440, 3154, 6, 259200],
      [['4h-2024-2025', 'XBTEUR_240.csv'], 240, 4384, 2, 28800],
      [['4h-2024-2025', 'ETHUSD_240.csv'], 240, 4383, 3, 28800],
    ];
    it.each(table)('%j: %i-minute bars, rows and gaps as the README says', (parts, minutes, rows, missing, maxGapSeconds) => {
      const source = openBarFile(path(...KRAKEN, ...parts));
      expect(source.interval).toBe(minutes * MINUTE_MS);
      expect(source.summary()).toMatchObject({
        bars: rows,
        gaps: missing,
        largestGapMs: maxGapSeconds * 1000 - minutes * MINUTE_MS,
      });
    });
  });

  describe('Kraken REST OHLC saved as CSV', () => {
    it('reads Kraken_BTCUSD_minute.csv as BTC/USD 1m: 720 bars, no gaps, volume in BTC and tradecount as trades', () => {
      const source = openBarFile(path(...KRAKEN, 'rest-ohlc-2022-01-25', 'Kraken_BTCUSD_minute.csv'));
      expect([source.format, source.instrumentId, source.interval]).toEqual(['kraken-rest-ohlc', 'BTC/USD', MINUTE_MS]);
      // 1643108580,36488.0,36514.7,36474.5,36514.7,36507.2,0.16819558,7,2022-01-25 11:03:00,6141.611145026
      expect(firstBar(source)).toMatchObject({ openTime: 1643108580_000, open: 36488, high: 36514.7, low: 36474.5, close: 36514.7, volume: 0.16819558, trades: 7 });
      expect(source.summary()).toMatchObject({
        bars: 720,
        first: Date.UTC(2022, 0, 25, 11, 3),
        last: Date.UTC(2022, 0, 25, 23, 2),
        gaps: 0,
        largestGapMs: 0,
      });
    });
  });

  describe('freqtrade JSON', () => {
    const FREQTRADE = ['ohlcv', 'binance', 'freqtrade-2021'];

    it('reads BTC_USDT-5m.json as BTC/USDT 5m: 38,059 candles and 119 missing intervals', () => {
      const source = openBarFile(path(...FREQTRADE, 'BTC_USDT-5m.json'));
      expect([source.format, source.instrumentId, source.interval]).toEqual(['freqtrade-json', 'BTC/USDT', 5 * MINUTE_MS]);
      expect(firstBar(source)).toEqual({
        instrumentId: 'BTC/USDT',
        interval: 5 * MINUTE_MS,
        openTime: 1609459200000,
        open: 28923.63,
        high: 29017.5,
        low: 28913.12,
        close: 28975.65,
        volume: 182.889878,
        trades: undefined,
      });
      expect(source.summary()).toMatchObject({
        bars: 38059,
        first: Date.UTC(2021, 0, 1),
        last: Date.UTC(2021, 4, 13, 13, 25),
        gaps: 119,
        largestGapMs: (17100 - 300) * 1000,
      });
    });

    it('gives the same bars with 16-byte chunks as with 1 MiB chunks (numbers cut by chunk ends)', () => {
      const file = path(...FREQTRADE, 'ETH_USDT-1m.json');
      const small = openBarFile(file, { chunkSize: 16, to: Date.UTC(2021, 3, 4) });
      const large = openBarFile(file, { to: Date.UTC(2021, 3, 4) });
      const a = [...small];
      // The file starts 2021-04-02 00:00: two full days of 1-minute candles.
      expect(a).toHaveLength(2 * 24 * 60);
      expect(a).toEqual([...large]);
      expect(openBarFile(file).summary()).toMatchObject({ bars: 61273, gaps: 434 });
    });
  });

  describe('Binance.US CSV', () => {
    it('reads BTCUSD_1m_20230301_20230321.csv as BTC/USD 1m with ISO times: 30,240 bars, no gaps', () => {
      const source = openBarFile(path('ohlcv', 'binance', 'binance-us-2023-03', 'BTCUSD_1m_20230301_20230321.csv'));
      expect([source.format, source.instrumentId, source.interval]).toEqual(['binance-csv', 'BTC/USD', MINUTE_MS]);
      // 2023-03-01 00:00:00+00:00,23144.78,23152.48,23133.11,23143.72,3.912156
      expect(firstBar(source)).toMatchObject({ openTime: Date.UTC(2023, 2, 1), open: 23144.78, high: 23152.48, low: 23133.11, close: 23143.72, volume: 3.912156, trades: undefined });
      expect(source.summary()).toMatchObject({ bars: 30240, first: Date.UTC(2023, 2, 1), last: Date.UTC(2023, 2, 21, 23, 59), gaps: 0 });
    });

    it('keeps the zero-volume candles Binance publishes for quiet minutes', () => {
      const source = openBarFile(path('ohlcv', 'binance', 'binance-us-2023-03', 'BTCUSDC_1m_20230301_20230321.csv'));
      let zero = 0;
      for (const bar of source) if (bar.volume === 0) zero++;
      expect(source.instrumentId).toBe('BTC/USDC');
      expect(zero).toBe(12971);
    });
  });

  describe('from/to filtering', () => {
    const file = () => path(...KRAKEN, 'q1-2023', 'XBTUSD_15.csv');

    it('keeps bars with from <= openTime < to, and the summary describes only those', () => {
      const from = Date.UTC(2023, 1, 1);
      const to = Date.UTC(2023, 1, 2);
      const source = openBarFile(file(), { from, to });
      const bars = [...source];
      expect(bars).toHaveLength(96);
      expect(bars[0]!.openTime).toBe(from);
      expect(bars.at(-1)!.openTime).toBe(to - 15 * MINUTE_MS);
      expect(source.summary()).toMatchObject({ bars: 96, first: from, last: to - 15 * MINUTE_MS, gaps: 0 });
    });

    it('counts the gaps inside the window only: 2023-02-22 has the 5 missing intervals', () => {
      const source = openBarFile(file(), { from: Date.UTC(2023, 1, 22), to: Date.UTC(2023, 1, 23) });
      expect(source.summary()).toMatchObject({ bars: 96 - 5, gaps: 5, largestGapMs: 75 * MINUTE_MS });
    });

    it('accepts a from that is not on a bar boundary', () => {
      const bars = [...openBarFile(file(), { from: Date.UTC(2023, 0, 1, 0, 1), to: Date.UTC(2023, 0, 1, 1) })];
      expect(bars.map((bar) => bar.openTime)).toEqual([15, 30, 45].map((minutes) => Date.UTC(2023, 0, 1, 0, minutes)));
    });

    it('yields nothing for a window outside the data, and a summary with no bars', () => {
      const source = openBarFile(file(), { from: Date.UTC(2024, 0, 1) });
      expect([...source]).toEqual([]);
      expect(source.summary()).toMatchObject({ bars: 0, first: undefined, last: undefined, gaps: 0 });
    });
  });

  it('lets the caller override the instrument and interval', () => {
    const source = openBarFile(path(...KRAKEN, 'q1-2023', 'XBTUSD_60.csv'), { instrumentId: 'xbt/usd', interval: '1h' });
    expect(source.instrumentId).toBe('XBT/USD');
    expect(source.interval).toBe(HOUR_MS);
    expect(firstBar(source).instrumentId).toBe('XBT/USD');
  });

  it('stops early and can be iterated again: each pass streams the file afresh', () => {
    const source = openBarFile(path(...KRAKEN, 'q1-2023', 'XBTUSD_60.csv'));
    const firstThree: number[] = [];
    for (const bar of source) {
      firstThree.push(bar.openTime);
      if (firstThree.length === 3) break;
    }
    expect(firstThree).toEqual([0, 1, 2].map((hour) => Date.UTC(2023, 0, 1, hour)));
    expect([...source]).toHaveLength(2160);
  });
});
