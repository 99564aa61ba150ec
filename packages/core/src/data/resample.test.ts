import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../model/time.js';
import type { BarSource } from './bar-source.js';
import { generateBars } from './generate-bars.js';
import { BarResampler, ResampledBarSource, resampleBars } from './resample.js';

const BTC = instrumentId('BTC/USD');
const T0 = Date.UTC(2024, 0, 1);

function bar(minute: number, open: number, high: number, low: number, close: number, volume: number, trades?: number, interval = MINUTE_MS): Bar {
  return { instrumentId: BTC, interval, openTime: T0 + minute * MINUTE_MS, open, high, low, close, volume, trades };
}

/** A BarSource over an array, counting how often iterators are closed early. */
function arraySource(bars: readonly Bar[], interval = MINUTE_MS): BarSource & { closed: number } {
  const source = {
    instrumentId: BTC,
    interval,
    format: 'kraken-ohlcvt',
    file: 'memory.csv',
    closed: 0,
    [Symbol.iterator](): Iterator<Bar, undefined> {
      let index = 0;
      return {
        next: () => (index < bars.length ? { done: false, value: bars[index++]! } : { done: true, value: undefined }),
        return: () => {
          source.closed++;
          return { done: true, value: undefined };
        },
      };
    },
    summary: () => { throw new Error('not used'); },
  };
  return source;
}

describe('resampleBars', () => {
  it('aggregates OHLCV: first open, highest high, lowest low, last close, summed volume and trades', () => {
    const source = [
      bar(0, 100, 105, 99, 104, 1.5, 3),
      bar(1, 104, 110, 103, 108, 2, 4),
      bar(2, 108, 109, 95, 96, 0.25, 1),
      bar(3, 96, 100, 96, 99, 1, 2),
      bar(4, 99, 101, 98, 100, 0.75, 5),
    ];
    expect([...resampleBars(source, '5m')]).toEqual([
      { instrumentId: BTC, interval: 5 * MINUTE_MS, openTime: T0, open: 100, high: 110, low: 95, close: 100, volume: 5.5, trades: 15 },
    ]);
  });

  it('aligns intervals to UTC boundaries as Kraken stamps them: 4h bars open at 00, 04, 08..., 1d bars at 00:00', () => {
    // 1h bars from 02:00 to 09:00 on the first day and 01:00 on the next.
    const hours = [2, 3, 4, 5, 9, 25].map((hour, index) => ({ ...bar(hour * 60, 100 + index, 101 + index, 99 + index, 100 + index, 1, 1), interval: HOUR_MS }));
    const fourHour = [...resampleBars(hours, '4h', { partial: 'keep' })];
    expect(fourHour.map((entry) => new Date(entry.openTime).toISOString())).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-01T04:00:00.000Z', '2024-01-01T08:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    expect(fourHour[0]).toMatchObject({ open: 100, close: 101, trades: 2 });
    expect(fourHour[1]).toMatchObject({ open: 102, close: 103, trades: 2 });
    const daily = [...resampleBars(hours, '1d', { partial: 'keep' })];
    expect(daily.map((entry) => [entry.openTime, entry.trades])).toEqual([[T0, 5], [T0 + DAY_MS, 1]]);
  });

  it('gives an interval without source bars no bar, and reports it as a gap instead of filling it', () => {
    // 5m bars: 00:00, 00:05, then nothing until 00:45 (two empty 15m intervals).
    const source = arraySource([bar(0, 10, 11, 9, 10, 1, 1, 5 * MINUTE_MS), bar(5, 10, 12, 10, 12, 1, 1, 5 * MINUTE_MS), bar(45, 13, 13, 13, 13, 1, 1, 5 * MINUTE_MS), bar(50, 13, 14, 13, 14, 1, 1, 5 * MINUTE_MS), bar(55, 14, 14, 14, 14, 1, 1, 5 * MINUTE_MS)], 5 * MINUTE_MS);
    const resampled = new ResampledBarSource(source, '15m');
    const bars = [...resampled];
    expect(bars.map((entry) => (entry.openTime - T0) / MINUTE_MS)).toEqual([0, 45]);
    // The first 15m bar is built from the two 5m bars it has (00:10 is missing): not filled in.
    expect(bars[0]).toMatchObject({ open: 10, high: 12, low: 9, close: 12, volume: 2, trades: 2 });
    expect(resampled.summary()).toMatchObject({ bars: 2, first: T0, last: T0 + 45 * MINUTE_MS, gaps: 2, largestGapMs: 30 * MINUTE_MS, interval: 15 * MINUTE_MS, file: 'memory.csv' });
  });

  it('drops a last interval the data may not cover, unless it is known complete or partial: keep', () => {
    // 1m bars 00:00..00:14 (a full 15m interval), then 00:15..00:17 (the data ends inside 00:15-00:30).
    const source = Array.from({ length: 18 }, (_, minute) => bar(minute, 100, 101, 99, 100, 1, 1));
    expect([...resampleBars(source, '15m')].map((entry) => entry.openTime)).toEqual([T0]);
    const kept = [...resampleBars(source, '15m', { partial: 'keep' })];
    expect(kept.map((entry) => [entry.openTime, entry.trades])).toEqual([[T0, 15], [T0 + 15 * MINUTE_MS, 3]]);
    // Known to cover until 00:30 (say, the end of the requested range): the last interval had no
    // trades after 00:17, so it is complete.
    expect([...resampleBars(source, '15m', { coveredUntil: T0 + 30 * MINUTE_MS })]).toHaveLength(2);
    // A last source bar that ends where the interval ends completes it.
    expect([...resampleBars(source.slice(0, 15), '15m')]).toHaveLength(1);
  });

  it('keeps only resampled bars with open time in [from, to)', () => {
    const source = Array.from({ length: 60 }, (_, minute) => bar(minute, 100 + minute, 101 + minute, 99 + minute, 100 + minute, 1, 1));
    const bars = [...resampleBars(source, '15m', { from: T0 + 10 * MINUTE_MS, to: T0 + 45 * MINUTE_MS })];
    expect(bars.map((entry) => (entry.openTime - T0) / MINUTE_MS)).toEqual([15, 30]);
    expect(bars[0]).toMatchObject({ open: 115, close: 129 });
  });

  it('leaves the trade count out when a source bar has none', () => {
    const [only] = resampleBars([bar(0, 1, 1, 1, 1, 1, 2), bar(1, 1, 1, 1, 1, 1)], '2m');
    expect(only!.trades).toBeUndefined();
    expect('trades' in only!).toBe(true);
  });

  it('refuses a target that is not a whole multiple of the source interval, naming the option and the data', () => {
    const source = arraySource([bar(0, 1, 1, 1, 1, 1, 1, 5 * MINUTE_MS)], 5 * MINUTE_MS);
    expect(() => resampleBars(source, '7m', { path: '--resample', name: 'XBTUSD_5.csv' })).toThrow(ConfigError);
    expect(() => resampleBars(source, '7m', { path: '--resample', name: 'XBTUSD_5.csv' })).toThrow(
      /--resample: received "7m", expected a whole multiple of the source interval 5m of XBTUSD_5\.csv \(such as 15m or 1h\)/,
    );
    expect(() => new ResampledBarSource(source, '1m')).toThrow(/bars cannot be made shorter than the source bars/);
    expect(() => resampleBars(source, 'soon')).toThrow(/resample: received "soon", expected .*"15m"/);
    // A plain iterable says its interval with its first bar.
    const lazy = resampleBars([bar(0, 1, 1, 1, 1, 1, 1, 5 * MINUTE_MS)], '7m');
    expect(() => [...lazy]).toThrow(/whole multiple of the source interval 5m/);
  });

  it('refuses bars out of order, mixed intervals, and bars that straddle a target boundary', () => {
    expect(() => [...resampleBars([bar(1, 1, 1, 1, 1, 1), bar(0, 1, 1, 1, 1, 1)], '5m')]).toThrow(/bars go back in time/);
    expect(() => [...resampleBars([bar(0, 1, 1, 1, 1, 1), bar(5, 1, 1, 1, 1, 1, 1, 5 * MINUTE_MS)], '15m')]).toThrow(DataError);
    // Weekly bars opening on Mondays do not fit the epoch-aligned (Thursday) two-week grid.
    const monday = Date.UTC(2024, 0, 1);
    const weekly: Bar = { instrumentId: BTC, interval: 7 * DAY_MS, openTime: monday, open: 1, high: 1, low: 1, close: 1, volume: 1, trades: 1 };
    expect(() => [...resampleBars([weekly], '2w')]).toThrow(/straddles the 2w boundary/);
  });

  it('streams afresh on every iteration and closes the source when the consumer stops early', () => {
    const source = arraySource(Array.from({ length: 30 }, (_, minute) => bar(minute, 1, 1, 1, 1, 1, 1)));
    const resampled = resampleBars(source, '5m');
    expect([...resampled]).toHaveLength(6);
    expect([...resampled]).toHaveLength(6);
    for (const entry of resampled) {
      expect(entry.openTime).toBe(T0);
      break;
    }
    expect(source.closed).toBe(1);
  });

  it('the same interval passes bars through unchanged', () => {
    const bars = [...generateBars({ instrumentId: 'BTC/USD', interval: '1h', count: 50, seed: 4 })];
    expect([...resampleBars(bars, '1h')]).toEqual(bars);
  });

  it('1m → 1h equals 1m → 15m → 1h on a generated market', () => {
    const minutes = generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: 24 * 60, seed: 7 });
    const direct = [...resampleBars(minutes, '1h')];
    const viaQuarter = [...resampleBars([...resampleBars(minutes, '15m')], '1h')];
    expect(direct).toHaveLength(24);
    expect(viaQuarter.map(({ volume, ...rest }) => rest)).toEqual(direct.map(({ volume, ...rest }) => rest));
    viaQuarter.forEach((entry, index) => expect(entry.volume).toBeCloseTo(direct[index]!.volume, 9));
  });
});

describe('BarResampler (pushed bars)', () => {
  it('hands out each interval when the next one starts, and the last one on flush', () => {
    const resampler = new BarResampler(MINUTE_MS, '2m');
    expect(resampler.add(bar(0, 1, 2, 1, 2, 1, 1))).toBeUndefined();
    expect(resampler.add(bar(1, 2, 3, 2, 3, 1, 1))).toBeUndefined();
    expect(resampler.pendingIsComplete()).toBe(true);
    expect(resampler.add(bar(4, 5, 5, 4, 4, 1, 1))).toMatchObject({ openTime: T0, open: 1, high: 3, close: 3, volume: 2 });
    expect(resampler.pendingOpenTime).toBe(T0 + 4 * MINUTE_MS);
    expect(resampler.pendingIsComplete()).toBe(false);
    expect(resampler.flush()).toMatchObject({ openTime: T0 + 4 * MINUTE_MS, open: 5, close: 4, trades: 1 });
    expect(resampler.flush()).toBeUndefined();
  });
});
