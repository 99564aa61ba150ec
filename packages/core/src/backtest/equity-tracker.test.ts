import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { EquityTracker, MS_PER_YEAR } from './equity-tracker.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function feed(tracker: EquityTracker, equities: readonly number[], exposed: readonly boolean[] = [], step = DAY): EquityTracker {
  equities.forEach((equity, i) => tracker.record(T0 + i * step, equity, exposed[i] ?? false));
  return tracker;
}

describe('EquityTracker statistics', () => {
  // Hand-computed: equity 100 → 110 → 99 → 118.8 → 118.8, daily bars.
  // returns r = 0.1, −0.1, 0.2, 0; mean = 0.05; Σ(r − mean)² = 0.0025 + 0.0225 + 0.0225 + 0.0025 = 0.05
  // sample std = √(0.05 / 3); per-period Sharpe = 0.05 / √(0.05/3) = √0.15; annualized × √365 = √54.75
  // downside deviation = √((−0.1)² / 4) = 0.05; Sortino = 0.05 / 0.05 × √365 = √365
  // drawdown: peak 110, trough 99 → 11 / 110 = 0.1, 11 USD
  const series = [100, 110, 99, 118.8, 118.8];
  const exposed = [false, true, true, false, false];

  it('computes drawdown, Sharpe and Sortino of a small series exactly', () => {
    const stats = feed(new EquityTracker(), series, exposed).statistics();
    expect(stats.samples).toBe(5);
    expect(stats.returnCount).toBe(4);
    expect(stats.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(stats.maxDrawdownQuote).toBeCloseTo(11, 12);
    expect(stats.maxDrawdownTime).toBe(T0 + 2 * DAY);
    expect(stats.peakEquity).toBe(118.8);
    expect(stats.meanReturn!).toBeCloseTo(0.05, 12);
    expect(stats.returnStdDev!).toBeCloseTo(Math.sqrt(0.05 / 3), 12);
    expect(stats.downsideDeviation!).toBeCloseTo(0.05, 12);
    expect(stats.intervalMs).toBe(DAY);
    expect(stats.periodsPerYear).toBe(365);
    expect(Math.abs(stats.sharpe! - Math.sqrt(54.75))).toBeLessThan(1e-12);
    expect(Math.abs(stats.sortino! - Math.sqrt(365))).toBeLessThan(1e-12);
    expect(stats.exposure).toBeCloseTo(0.4, 15);
    expect(stats.exposedSamples).toBe(2);
    expect(stats.firstEquity).toBe(100);
    expect(stats.lastEquity).toBe(118.8);
  });

  it('reports the quote amount of the deepest fractional fall, not the largest quote fall', () => {
    // 100 → 50 is a 50% fall (50 USD); 1000 → 800 later is 20% (200 USD).
    const stats = feed(new EquityTracker(), [100, 50, 1000, 800]).statistics();
    expect(stats.maxDrawdown).toBeCloseTo(0.5, 15);
    expect(stats.maxDrawdownQuote).toBeCloseTo(50, 12);
  });

  it('infers the bar interval from the smallest gap, so data gaps do not change annualization', () => {
    const tracker = new EquityTracker();
    for (const [hour, equity] of [[0, 100], [1, 101], [2, 99], [5, 102], [6, 103]] as const) tracker.record(T0 + hour * HOUR, equity, false);
    const stats = tracker.statistics();
    expect(stats.intervalMs).toBe(HOUR);
    expect(stats.periodsPerYear).toBe(MS_PER_YEAR / HOUR);
    expect(stats.periodsPerYear).toBe(8760);
  });

  it('uses the configured interval over the inferred one', () => {
    const stats = feed(new EquityTracker({ intervalMs: HOUR }), series).statistics();
    expect(stats.periodsPerYear).toBe(8760);
    expect(Math.abs(stats.sharpe! - Math.sqrt(0.15 * 8760))).toBeLessThan(1e-12);
  });

  it('gives null ratios when they are undefined', () => {
    expect(new EquityTracker().statistics()).toMatchObject({ samples: 0, sharpe: null, sortino: null, meanReturn: null, exposure: 0, maxDrawdown: 0 });
    // One return: no sample standard deviation.
    expect(feed(new EquityTracker(), [100, 101]).statistics()).toMatchObject({ returnCount: 1, sharpe: null, sortino: null });
    // Flat equity: standard deviation 0, no downside.
    expect(feed(new EquityTracker(), [100, 100, 100, 100]).statistics()).toMatchObject({ returnCount: 3, sharpe: null, sortino: null, maxDrawdown: 0 });
    // Only gains: Sharpe defined, Sortino not (no downside deviation).
    const rising = feed(new EquityTracker(), [100, 101, 103, 104]).statistics();
    expect(rising.sharpe).toBeGreaterThan(0);
    expect(rising.sortino).toBeNull();
  });

  it('treats a sample at the same time as a replacement of the previous one', () => {
    const replaced = new EquityTracker();
    replaced.record(T0, 100, false);
    replaced.record(T0 + DAY, 50, true);
    replaced.record(T0 + DAY, 110, false);
    replaced.record(T0 + 2 * DAY, 99, true);
    const direct = feed(new EquityTracker(), [100, 110, 99], [false, false, true]);
    expect(replaced.statistics()).toEqual(direct.statistics());
    expect(replaced.curve()).toEqual(direct.curve());
    expect(replaced.sampleCount).toBe(3);
  });

  it('rejects time going backwards and non-finite values, naming the value', () => {
    const tracker = new EquityTracker();
    tracker.record(T0 + DAY, 100, false);
    expect(() => tracker.record(T0, 100, false)).toThrow(InvariantError);
    expect(() => tracker.record(T0, 100, false)).toThrow(String(T0));
    expect(() => tracker.record(T0 + 2 * DAY, Number.NaN, false)).toThrow(/equity: received NaN/);
    expect(() => new EquityTracker({ maxPoints: 3 })).toThrow(/maxPoints: received 3/);
    expect(() => new EquityTracker({ intervalMs: 0 })).toThrow(/intervalMs: received 0/);
  });
});

describe('EquityTracker rejections', () => {
  it('names the sample in each rejection, checks equity before time, and keeps what it had', () => {
    const tracker = feed(new EquityTracker(), [100, 110]);
    const later = T0 + DAY;
    expect(() => tracker.record(Number.POSITIVE_INFINITY, 120, false)).toThrow('EquityTracker.record time: received Infinity, expected epoch milliseconds');
    expect(() => tracker.record(later + DAY, Number.NEGATIVE_INFINITY, false)).toThrow(`EquityTracker.record equity: received -Infinity at time ${later + DAY}, expected a finite number`);
    expect(() => tracker.record(Number.NaN, Number.NaN, false)).toThrow('equity: received NaN at time NaN');
    expect(() => tracker.record(T0, 120, false)).toThrow(`EquityTracker.record time: received ${T0}, expected no earlier than the previous sample ${later}`);
    const stats = tracker.statistics();
    expect(stats.samples).toBe(2);
    expect(stats.lastTime).toBe(later);
    expect(stats.lastEquity).toBe(110);
    expect(tracker.curve().map((point) => point.equity)).toEqual([100, 110]);
  });
});

describe('EquityTracker curve', () => {
  it('keeps every sample while they fit', () => {
    const tracker = feed(new EquityTracker(), [100, 110, 99, 118.8, 118.8]);
    expect(tracker.curve()).toEqual([
      { time: T0, equity: 100, drawdown: 0 },
      { time: T0 + DAY, equity: 110, drawdown: 0 },
      { time: T0 + 2 * DAY, equity: 99, drawdown: (110 - 99) / 110 },
      { time: T0 + 3 * DAY, equity: 118.8, drawdown: 0 },
      { time: T0 + 4 * DAY, equity: 118.8, drawdown: 0 },
    ]);
  });

  it('stays within maxPoints over a long run and keeps first, last, the peak and the deepest drawdown', () => {
    const maxPoints = 200;
    const tracker = new EquityTracker({ maxPoints });
    const count = 100_003;
    const crashAt = 73_123;
    let highest = -Infinity;
    let highestTime = 0;
    for (let i = 0; i < count; i++) {
      let equity = 1000 + i * 0.01 + 50 * Math.sin(i / 500);
      if (i === crashAt) equity = 300;
      if (equity > highest) {
        highest = equity;
        highestTime = T0 + i * 60_000;
      }
      tracker.record(T0 + i * 60_000, equity, false);
    }
    const curve = tracker.curve();
    const stats = tracker.statistics();
    expect(curve.length).toBeLessThanOrEqual(maxPoints);
    expect(curve.length).toBeGreaterThan(maxPoints / 2);
    expect(curve[0]!.time).toBe(T0);
    expect(curve[curve.length - 1]!.time).toBe(T0 + (count - 1) * 60_000);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.time).toBeGreaterThan(curve[i - 1]!.time);
    expect(stats.maxDrawdownTime).toBe(T0 + crashAt * 60_000);
    const deepest = curve.find((point) => point.time === stats.maxDrawdownTime);
    expect(deepest).toBeDefined();
    expect(deepest!.equity).toBe(300);
    expect(deepest!.drawdown).toBe(stats.maxDrawdown);
    expect(Math.max(...curve.map((point) => point.drawdown))).toBe(stats.maxDrawdown);
    expect(curve.some((point) => point.time === highestTime && point.equity === highest)).toBe(true);
  });

  it('keeps the deepest drawdown even when it is neither the lowest nor the highest equity of its stretch', () => {
    // Flat at 1000, a spike to 10000, then 5000: the 50% drawdown sits between the bucket's low and high.
    const tracker = new EquityTracker({ maxPoints: 50 });
    const spike = 50_000;
    for (let i = 0; i < 100_000; i++) {
      const equity = i < spike ? 1000 : i === spike ? 10_000 : i === spike + 1 ? 5000 : 6000;
      tracker.record(T0 + i * 60_000, equity, false);
    }
    const stats = tracker.statistics();
    expect(stats.maxDrawdown).toBe(0.5);
    expect(stats.maxDrawdownTime).toBe(T0 + (spike + 1) * 60_000);
    expect(tracker.curve()).toContainEqual({ time: T0 + (spike + 1) * 60_000, equity: 5000, drawdown: 0.5 });
  });

  it('shows a drawdown in the last, not yet committed sample', () => {
    const tracker = feed(new EquityTracker(), [100, 200, 150]);
    const curve = tracker.curve();
    expect(curve[curve.length - 1]).toEqual({ time: T0 + 2 * DAY, equity: 150, drawdown: 0.25 });
    expect(tracker.statistics().maxDrawdown).toBe(0.25);
  });
});
