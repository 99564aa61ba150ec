import { describe, expect, it } from 'vitest';
import { ConfigError, HOUR_MS, instrumentId } from '@kbot/core';
import { TEST_START_TIME, bar, quote } from '@kbot/core/testing';
import { PairMetrics } from './pair-metrics.js';

const ohlcv: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [100, 101, 99, 100, 10],
  [100, 103, 100, 102, 20],
  [102, 102, 100, 101, 10],
  [101, 106, 101, 105, 30],
];
const testBars = ohlcv.map(([open, high, low, close, volume], index) =>
  bar({ instrumentId: 'ETH/USD', interval: '1h', openTime: TEST_START_TIME + index * HOUR_MS, open, high, low, close, volume }));

describe('PairMetrics', () => {
  it('streams quote volume, ATR % and EMA slope from bars, and the spread from quotes', () => {
    const metrics = new PairMetrics(instrumentId('ETH/USD'), { window: 2, trendPeriod: 2, trendLookback: 1 });
    metrics.onBar(testBars[0]!);
    expect(metrics.snapshot()).toMatchObject({ quoteVolume: undefined, volatilityPercent: undefined, trendPercent: undefined, spreadPercent: undefined, close: 100 });
    metrics.onBar(testBars[1]!);
    // Volume window full (102 × 20 + 100 × 10); EMA(2) seeded at (100 + 102) / 2 = 101, no slope yet; ATR needs 3 bars.
    expect(metrics.snapshot()).toMatchObject({ quoteVolume: 3040, volatilityPercent: undefined, trendPercent: undefined, ema: 101 });
    metrics.onBar(testBars[2]!);
    // True ranges 3 and 2: ATR 2.5, 2.5 / 101; EMA stays 101 (the close is 101): slope 0.
    expect(metrics.snapshot()).toMatchObject({ quoteVolume: 3050, trendPercent: 0 });
    expect(metrics.snapshot().volatilityPercent).toBeCloseTo((2.5 / 101) * 100, 12);
    metrics.onBar(testBars[3]!);
    const snapshot = metrics.snapshot();
    // Volume 101 × 10 + 105 × 30 = 4160. True range 5: ATR 2.5 + (5 − 2.5) / 2 = 3.75, 3.75 / 105 = 3.571 %.
    // EMA 101 + 2/3 × (105 − 101) = 103.667: up 2.640 % from 101.
    expect(snapshot.quoteVolume).toBe(4160);
    expect(snapshot.volatilityPercent).toBeCloseTo((3.75 / 105) * 100, 12);
    expect(snapshot.trendPercent).toBeCloseTo(((101 + (2 / 3) * 4) / 101 - 1) * 100, 12);
    expect(snapshot.updatedAt).toBe(TEST_START_TIME + 4 * HOUR_MS);
    metrics.onQuote(quote({ instrumentId: 'ETH/USD', bid: 104.9, ask: 105.1 }));
    expect(metrics.snapshot().spreadPercent).toBeCloseTo((0.2 / 105) * 100, 10);
  });

  it('rejects a window below 2, naming it', () => {
    expect(() => new PairMetrics(instrumentId('ETH/USD'), { window: 1, trendPeriod: 2, trendLookback: 1 })).toThrow(ConfigError);
    expect(() => new PairMetrics(instrumentId('ETH/USD'), { window: 1, trendPeriod: 2, trendLookback: 1 })).toThrow('PairMetrics window: received 1, expected an integer ≥ 2');
  });
});
