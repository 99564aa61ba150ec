import { Stochastic as ReferenceFastStochastic } from 'technicalindicators';
import { StochasticOscillator as ReferenceStochastic } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { Stochastic } from './stochastic.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData, type TestBar } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('Stochastic(14,1,3)', () => new Stochastic(), bars);
runIndicatorContract('Stochastic(14,3,3)', () => new Stochastic({ period: 14, kSmoothing: 3, dPeriod: 3 }), bars);
runIndicatorContract('Stochastic(1,1,1)', () => new Stochastic({ period: 1, kSmoothing: 1, dPeriod: 1 }), bars);

describe('Stochastic', () => {
  it('places the close within the high–low range of the last period bars', () => {
    const stochastic = new Stochastic({ period: 2, kSmoothing: 1, dPeriod: 2 });
    expect(stochastic.warmUp).toBe(3);
    stochastic.add({ high: 10, low: 0, close: 5 });
    expect(stochastic.add({ high: 8, low: 2, close: 8 })).toBeUndefined(); // raw %K 80
    expect({ ...stochastic.add({ high: 9, low: 4, close: 4 }) }).toEqual({ k: 100 * (4 - 2) / (9 - 2), d: (80 + (100 * 2) / 7) / 2 });
  });

  it('is 50 when the range is empty', () => {
    const stochastic = new Stochastic({ period: 2, kSmoothing: 1, dPeriod: 1 });
    stochastic.add({ high: 3, low: 3, close: 3 });
    expect({ ...stochastic.add({ high: 3, low: 3, close: 3 }) }).toEqual({ k: 50, d: 50 });
  });

  it('rejects bad options, naming them', () => {
    expect(() => new Stochastic({ kSmoothing: 0 })).toThrow('Stochastic kSmoothing: received 0, expected an integer ≥ 1');
  });
});

/** Inputs whose %K or %D depend on an empty high–low range (documented difference: we say 50, the references 0). */
function emptyRangeInfluence(bars: readonly TestBar[], period: number, kSmoothing: number, dPeriod: number): (index: number) => boolean {
  const empty = bars.map((_, index) => {
    if (index < period - 1) return false;
    const window = bars.slice(index + 1 - period, index + 1);
    return Math.max(...window.map((bar) => bar.high)) === Math.min(...window.map((bar) => bar.low));
  });
  const reach = kSmoothing + dPeriod - 2;
  return (index) => empty.slice(Math.max(0, index - reach), index + 1).some(Boolean);
}

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('Stochastic agrees with trading-signals (slow) and technicalindicators (fast) on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    it(`Stochastic(14,3,3) on ${file} against trading-signals StochasticOscillator`, () => {
      const bars = goldenBars(file);
      const stochastic = new Stochastic({ period: 14, kSmoothing: 3, dPeriod: 3 });
      const reference = new ReferenceStochastic({ kPeriod: 14, kSlowingPeriod: 3, dPeriod: 3 });
      const ours = bars.map((bar) => (stochastic.add(bar) ? { ...stochastic.value! } : undefined));
      const theirs = bars.map((bar) => reference.add(bar) ?? undefined);
      const skip = emptyRangeInfluence(bars, 14, 3, 3);
      // %K and %D are points on a 0–100 scale and are often exactly 0 (close at the low), where a
      // sliding sum leaves ±1e-15: compare in points, |Δ| ≤ 1e-9 · max(|value|, 1).
      expectSeriesAgree('%K', ours.map((value) => value?.k), theirs.map((value) => value?.stochK), { skip, scale: 1 });
      expectSeriesAgree('%D', ours.map((value) => value?.d), theirs.map((value) => value?.stochD), { skip, scale: 1 });
    });

    it(`Stochastic(14,1,3) on ${file} against technicalindicators Stochastic`, () => {
      const bars = goldenBars(file);
      const stochastic = new Stochastic({ period: 14, kSmoothing: 1, dPeriod: 3 });
      const ours = bars.map((bar) => (stochastic.add(bar) ? { ...stochastic.value! } : undefined));
      const theirs = alignToInputs(
        ReferenceFastStochastic.calculate({
          period: 14,
          signalPeriod: 3,
          high: bars.map((bar) => bar.high),
          low: bars.map((bar) => bar.low),
          close: bars.map((bar) => bar.close),
        }),
        bars.length,
      ).map((value) => (value?.d === undefined ? undefined : value));
      const skip = emptyRangeInfluence(bars, 14, 1, 3);
      // Compared in points, as above.
      expectSeriesAgree('%K', ours.map((value) => value?.k), theirs.map((value) => value?.k), { skip, scale: 1 });
      expectSeriesAgree('%D', ours.map((value) => value?.d), theirs.map((value) => value?.d), { skip, scale: 1 });
    });
  }
});
