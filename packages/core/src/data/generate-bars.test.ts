import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { HOUR_MS, MINUTE_MS } from '../model/time.js';
import { generateBars } from './generate-bars.js';
import { SeededRandom } from './seeded-random.js';

describe('generateBars', () => {
  const options = { instrumentId: 'BTC/USD', interval: '15m', start: Date.UTC(2024, 0, 1), count: 2000, seed: 42, startPrice: 40000 } as const;

  it('gives the same bars for the same seed, pass after pass and source after source', () => {
    const a = [...generateBars(options)];
    const source = generateBars(options);
    expect([...source]).toEqual(a);
    expect([...source]).toEqual(a);
    expect(a).toHaveLength(2000);
  });

  it('gives different bars for a different seed', () => {
    const a = [...generateBars(options)];
    const b = [...generateBars({ ...options, seed: 43 })];
    expect(b[0]!.open).toBe(a[0]!.open);
    expect(b.map((bar) => bar.close)).not.toEqual(a.map((bar) => bar.close));
  });

  it('produces consistent, contiguous bars that start at the start price', () => {
    const bars = [...generateBars(options)];
    expect(bars[0]).toMatchObject({ instrumentId: 'BTC/USD', interval: 15 * MINUTE_MS, openTime: Date.UTC(2024, 0, 1), open: 40000 });
    const problems = bars.flatMap((bar, index) => {
      const found: string[] = [];
      if (bar.openTime !== options.start + index * 15 * MINUTE_MS) found.push('time');
      if (!(bar.low > 0 && bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close))) found.push('ohlc');
      if (!(bar.volume > 0) || !Number.isInteger(bar.trades)) found.push('volume');
      if (index > 0 && bar.open !== bars[index - 1]!.close) found.push('open');
      return found.map((problem) => `${index}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it('moves like a market: per-bar volatility near the requested 60% a year, with calmer and wilder stretches', () => {
    const bars = [...generateBars({ ...options, interval: '1h', count: 24 * 365, volatility: 0.6 })];
    const returns = bars.map((bar) => Math.log(bar.close / bar.open));
    const deviation = (values: number[]) => {
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    };
    const annualised = deviation(returns) * Math.sqrt(24 * 365);
    // Regimes scale the 60% by 0.5-2.5, so the year's figure lands well inside this band.
    expect(annualised).toBeGreaterThan(0.3);
    expect(annualised).toBeLessThan(1.5);
    const weekly: number[] = [];
    for (let start = 0; start + 168 <= returns.length; start += 168) weekly.push(deviation(returns.slice(start, start + 168)));
    expect(Math.max(...weekly) / Math.min(...weekly)).toBeGreaterThan(2);
  });

  it('summarises without a pass: no gaps and generated: true', () => {
    expect(generateBars(options).summary()).toEqual({
      file: 'generated (seed 42)',
      format: 'generated',
      instrumentId: 'BTC/USD',
      interval: 15 * MINUTE_MS,
      bars: 2000,
      first: Date.UTC(2024, 0, 1),
      last: Date.UTC(2024, 0, 1) + 1999 * 15 * MINUTE_MS,
      gaps: 0,
      largestGapMs: 0,
      generated: true,
    });
  });

  it('streams: stopping early and starting again gives the same first bars', () => {
    const source = generateBars({ ...options, count: 1_000_000_000 });
    const first: number[] = [];
    for (const bar of source) {
      first.push(bar.close);
      if (first.length === 5) break;
    }
    const again: number[] = [];
    for (const bar of source) {
      again.push(bar.close);
      if (again.length === 5) break;
    }
    expect(again).toEqual(first);
  });

  it('rejects options it cannot honour, naming each', () => {
    expect(() => generateBars({ ...options, start: Date.UTC(2024, 0, 1, 0, 7) })).toThrow(/generateBars\.start: received 1704067620000, expected a time aligned to the 15m interval/);
    expect(() => generateBars({ ...options, count: -1, startPrice: 0 })).toThrow(ConfigError);
    try {
      generateBars({ ...options, count: 1.5, startPrice: -1 });
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['generateBars.count', 'generateBars.startPrice']);
    }
    expect(() => generateBars({ ...options, interval: 'hourly' })).toThrow(/generateBars\.interval/);
    expect(generateBars({ ...options, interval: HOUR_MS, start: undefined }).summary().first).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.nextUint32());
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('draws uniforms inside (0, 1) and normals with mean 0 and deviation 1', () => {
    const random = new SeededRandom(123);
    const normals: number[] = [];
    let outside = 0;
    for (let index = 0; index < 100_000; index++) {
      const value = random.uniform();
      if (!(value > 0 && value < 1)) outside++;
      normals.push(random.normal());
    }
    expect(outside).toBe(0);
    const mean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const variance = normals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.02);
  });
});
