import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../model/market-data.js';
import { HOUR_MS } from '../model/time.js';
import { openBarFile } from './bar-file.js';
import { resampleBars } from './resample.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const kraken = (...parts: string[]) => join(DATA, 'ohlcv', 'kraken', ...parts);

/**
 * Compares resampled bars with Kraken's own file of the target interval, bar for bar: same open
 * times (so the same empty intervals left out), identical open/high/low/close and trade counts.
 * Volumes are float sums of 8-decimal values, so they must be within half a unit of the 8th
 * decimal of Kraken's figure (the same value once rounded to Kraken's 8 decimals).
 */
function expectSameBars(resampled: readonly Bar[], reference: readonly Bar[]): void {
  expect(resampled.length).toBe(reference.length);
  expect(resampled.map((bar) => bar.openTime)).toEqual(reference.map((bar) => bar.openTime));
  const ohlc = (bar: Bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.trades];
  expect(resampled.map(ohlc)).toEqual(reference.map(ohlc));
  const volumeMismatches = resampled.filter((bar, index) => !(Math.abs(bar.volume - reference[index]!.volume) < 0.5e-8));
  expect(volumeMismatches).toEqual([]);
}

// Kraken's own OHLCVT files in /work/shared/data (README sections 1, 2 and 4); skipped where
// that folder is absent.
describe.skipIf(!DATA)('resampling real Kraken data gives Kraken\'s own bars', () => {
  it.each([
    ['5m', 'XBTUSDC_5.csv'],
    ['15m', 'XBTUSDC_15.csv'],
    ['1h', 'XBTUSDC_60.csv'],
    ['12h', 'XBTUSDC_720.csv'],
    ['1d', 'XBTUSDC_1440.csv'],
  ])('XBTUSDC Q1 2023: 1m → %s equals Kraken\'s %s (56,717 thin 1m bars with 72,883 empty minutes)', (interval, file) => {
    const resampled = [...resampleBars(openBarFile(kraken('q1-2023', 'XBTUSDC_1.csv')), interval)];
    expectSameBars(resampled, [...openBarFile(kraken('q1-2023', file))]);
  });

  it('XBTUSDC Q1 2023: 1m → 4h equals Kraken\'s 1h file resampled to 4h, and 4h → 1d equals Kraken\'s 1d file', () => {
    // The data folder has no Kraken 4h file for this period, so 4h is checked both ways round.
    const fromMinutes = [...resampleBars(openBarFile(kraken('q1-2023', 'XBTUSDC_1.csv')), '4h')];
    expect(fromMinutes).toHaveLength(90 * 6);
    expect(new Set(fromMinutes.map((bar) => new Date(bar.openTime).getUTCHours()))).toEqual(new Set([0, 4, 8, 12, 16, 20]));
    expectSameBars(fromMinutes, [...resampleBars(openBarFile(kraken('q1-2023', 'XBTUSDC_60.csv')), '4h')]);
    expectSameBars([...resampleBars(fromMinutes, '1d')], [...openBarFile(kraken('q1-2023', 'XBTUSDC_1440.csv'))]);
  });

  it.each([
    ['XBTUSD', '15m', '15'],
    ['XBTUSD', '1h', '60'],
    ['XBTUSD', '1d', '1440'],
    ['XBTUSDT', '15m', '15'],
    ['XBTUSDT', '1h', '60'],
    ['XBTUSDT', '1d', '1440'],
  ])('%s Q1 2023: 5m → %s equals Kraken\'s _%s file, the 2023-02-22 halt included', (pair, interval, minutes) => {
    const resampled = [...resampleBars(openBarFile(kraken('q1-2023', `${pair}_5.csv`)), interval)];
    expectSameBars(resampled, [...openBarFile(kraken('q1-2023', `${pair}_${minutes}.csv`))]);
  });

  it('BTC/USD 2013-2020: 1h → 1d equals Kraken\'s daily file, days without trades left out in both', () => {
    const hourly = openBarFile(kraken('full-history-60m-to-2020-09', 'XBTUSD_60.csv'));
    expect(hourly.interval).toBe(HOUR_MS);
    const resampled = [...resampleBars(hourly, '1d')];
    const daily = [...openBarFile(kraken('daily-1440m', 'BTCUSD_Daily_OHLC.csv'), { to: Date.UTC(2020, 9, 1) })];
    expect(daily).toHaveLength(2540);
    expectSameBars(resampled, daily);
  });
});
