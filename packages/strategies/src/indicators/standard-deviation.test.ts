import { getStandardDeviation } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { StandardDeviation } from './standard-deviation.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('StandardDeviation(2)', () => new StandardDeviation(2), closes);
runIndicatorContract('StandardDeviation(20)', () => new StandardDeviation(20), closes);

describe('StandardDeviation', () => {
  it('is the population standard deviation of the last period inputs', () => {
    // [2, 4, 4, 6]: mean 4, variance 8/4; [4, 4, 6, 4]: mean 4.5, variance 3/4
    const deviation = new StandardDeviation(4);
    expect([2, 4, 4, 6, 4].map((input) => deviation.add(input))).toEqual([undefined, undefined, undefined, Math.SQRT2, Math.sqrt(0.75)]);
  });

  it('is 0 for a flat window', () => {
    const deviation = new StandardDeviation(3);
    [7, 7, 7].forEach((input) => deviation.add(input));
    expect(deviation.value).toBe(0);
  });

  it('is exactly 0 as soon as the window turns flat after volatile inputs', () => {
    const period = 5;
    const deviation = new StandardDeviation(period);
    const inputs = [...createSyntheticBars(23, 7).map((bar) => bar.close), ...new Array<number>(12).fill(20_000.3)];
    inputs.forEach((input, index) => {
      const value = deviation.add(input);
      if (index >= 23 + period - 1) expect(value, `input #${index + 1}`).toBe(0);
    });
  });

  it('keeps its precision over a million updates with a tiny spread far from zero', () => {
    // E[x²] − mean² would lose about 12 of 16 digits here; the sliding M2 must not.
    const period = 20;
    const deviation = new StandardDeviation(period);
    const recent: number[] = [];
    for (let index = 0; index < 1_000_000; index++) {
      const x = 1e6 + Math.sin(index * 0.7) * 0.01;
      deviation.add(x);
      recent.push(x);
      if (recent.length > period) recent.shift();
    }
    const mean = recent.reduce((sum, value) => sum + value, 0) / period;
    const exact = Math.sqrt(recent.reduce((sum, value) => sum + (value - mean) ** 2, 0) / period);
    expect(Math.abs(deviation.value! - exact) / exact).toBeLessThan(1e-9);
  });

  it('rejects a period below 2, naming it', () => {
    expect(() => new StandardDeviation(1)).toThrow('StandardDeviation period: received 1, expected an integer ≥ 2');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('StandardDeviation agrees with trading-signals getStandardDeviation on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 20, 100]) {
      it(`StandardDeviation(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const deviation = new StandardDeviation(period);
        const ours = closes.map((close) => deviation.add(close));
        const theirs = closes.map((_, index) => (index < period - 1 ? undefined : getStandardDeviation(closes.slice(index + 1 - period, index + 1))));
        // A flat window has a deviation of exactly 0 in both; compare those exactly, the rest relatively.
        const flat = (index: number): boolean => theirs[index] === 0;
        for (let index = 0; index < closes.length; index++) if (flat(index)) expect(ours[index], `input #${index + 1}`).toBe(0);
        expectSeriesAgree(`StandardDeviation(${period})`, ours, theirs, { skip: flat });
      });
    }
  }
});
