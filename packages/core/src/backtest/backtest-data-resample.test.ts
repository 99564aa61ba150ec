import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { HOUR_MS, MINUTE_MS } from '../model/time.js';
import { openBarFile } from '../data/bar-file.js';
import { openBacktestData } from './backtest-data.js';

const T0 = Date.UTC(2024, 0, 1);

/** 1m BTC/USD bars 00:00..01:59 (Kraken OHLCVT), close = minute index + 100, none at 00:20-00:24. */
function minuteFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-resample-'));
  const rows: string[] = [];
  for (let minute = 0; minute < 120; minute++) {
    if (minute >= 20 && minute < 25) continue;
    const price = 100 + minute;
    rows.push(`${(T0 + minute * MINUTE_MS) / 1000},${price},${price + 0.5},${price - 0.5},${price},1,2`);
  }
  const file = join(dir, 'XBTUSD_1.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

const collect = (bars: Iterable<Bar>) => [...bars].map((bar) => ({ ...bar }));

describe('backtest data entries with resample', () => {
  it('replays a 1m file as 15m bars, with the summary in 15m intervals', () => {
    const data = openBacktestData([{ file: minuteFile(), resample: '15m' }], { baseDir: '/' });
    expect(data.sources[0]).toMatchObject({ instrumentId: 'BTC/USD', interval: 15 * MINUTE_MS });
    const bars = collect(data.bars);
    expect(bars).toHaveLength(8);
    // 00:15-00:30 holds 00:15..00:19 and 00:25..00:29: ten 1m bars, not filled in.
    expect(bars[1]).toMatchObject({ openTime: T0 + 15 * MINUTE_MS, open: 115, high: 129.5, low: 114.5, close: 129, volume: 10, trades: 20 });
    expect(data.summaries()[0]).toMatchObject({ interval: 15 * MINUTE_MS, bars: 8, gaps: 0, first: T0, last: T0 + 105 * MINUTE_MS });
  });

  it('keeps whole resampled bars opening in [from, to), as a native file of that interval would', () => {
    const data = openBacktestData([{ file: minuteFile(), resample: '15m' }], { baseDir: '/', from: T0 + 5 * MINUTE_MS, to: T0 + 50 * MINUTE_MS });
    const bars = collect(data.bars);
    expect(bars.map((bar) => (bar.openTime - T0) / MINUTE_MS)).toEqual([15, 30, 45]);
    // The 00:45 bar is whole (00:45..00:59), though `to` is 00:50.
    expect(bars[2]).toMatchObject({ open: 145, close: 159, trades: 30 });
  });

  it('--resample applies to every entry and overrides their own; a generated market too', () => {
    const data = openBacktestData(
      [{ file: minuteFile(), resample: '15m' }, { generated: { instrument: 'ETH/USD', interval: '1m', bars: 180, seed: 1, start: '2024-01-01', startPrice: 2000 } }],
      { baseDir: '/', resample: '1h' },
    );
    expect(data.sources.map((source) => [source.instrumentId, source.interval])).toEqual([['BTC/USD', HOUR_MS], ['ETH/USD', HOUR_MS]]);
    expect(collect(data.bars).map((bar) => [bar.instrumentId, (bar.openTime - T0) / HOUR_MS])).toEqual([['BTC/USD', 0], ['ETH/USD', 0], ['BTC/USD', 1], ['ETH/USD', 1], ['ETH/USD', 2]]);
  });

  it('names the entry or the flag when the interval is not a multiple of the file\'s', () => {
    expect(() => openBacktestData([{ file: minuteFile(), resample: '90s' as never }], { baseDir: '/' })).toThrow(/backtest\.data\[0\]\.resample: received "90s"/);
    const fiveMinutes = join(mkdtempSync(join(tmpdir(), 'kbot-resample-')), 'XBTUSD_5.csv');
    writeFileSync(fiveMinutes, `${T0 / 1000},1,1,1,1,1,1\n`);
    expect(() => openBacktestData([fiveMinutes], { baseDir: '/', resample: '7m' })).toThrow(ConfigError);
    expect(() => openBacktestData([fiveMinutes], { baseDir: '/', resample: '7m' })).toThrow(/--resample: received "7m", expected a whole multiple of the source interval 5m of .*XBTUSD_5\.csv/);
  });
});

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// Kraken's Q1 2023 XBTUSDC files in /work/shared/data (README section 2); skipped where that folder is absent.
describe.skipIf(!DATA)('a resampled backtest entry on real data', () => {
  it('XBTUSDC 1m resampled to 15m replays Kraken\'s own 15m bars and reports its 71 empty intervals', () => {
    const folder = join(DATA, 'ohlcv', 'kraken', 'q1-2023');
    const data = openBacktestData([{ file: 'XBTUSDC_1.csv', resample: '15m' }], { baseDir: folder });
    const kraken = collect(openBarFile(join(folder, 'XBTUSDC_15.csv')));
    const replayed = collect(data.bars);
    expect(replayed.map((bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.trades])).toEqual(kraken.map((bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.trades]));
    expect(data.summaries()[0]).toMatchObject({ bars: 8569, gaps: 71, interval: 15 * MINUTE_MS });
  });
});
