import { ATR as ReferenceATR } from 'technicalindicators';
import { ATR as FirstBarRangeATR } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { ATR } from './atr.js';
import { runIndicatorContract } from './indicator-contract.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('ATR(1)', () => new ATR(1), bars);
runIndicatorContract('ATR(14)', () => new ATR(14), bars);

describe('ATR', () => {
  it('averages true ranges from the second bar on, then smooths them Wilder-style', () => {
    const atr = new ATR(2);
    expect(atr.warmUp).toBe(3);
    const values = [
      { high: 10, low: 8, close: 9 },
      { high: 12, low: 10, close: 11 }, // true range 3 (from the previous close 9)
      { high: 11, low: 10.5, close: 11 }, // 0.5 (inside the previous close)
      { high: 9, low: 8, close: 8 }, // 3 (gap down from 11)
    ].map((bar) => atr.add(bar));
    expect(values).toEqual([undefined, undefined, 1.75, 1.75 + (3 - 1.75) / 2]);
  });

  it('names the bar field that is not a finite number', () => {
    expect(() => new ATR(3).add({ high: 1, low: Number.NaN, close: 1 })).toThrow('ATR bar.low: received NaN, expected a finite number');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('ATR agrees with technicalindicators ATR on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [1, 14]) {
      it(`ATR(${period}) on ${file}`, () => {
        const bars = goldenBars(file);
        const atr = new ATR(period);
        const theirs = ReferenceATR.calculate({
          period,
          high: bars.map((bar) => bar.high),
          low: bars.map((bar) => bar.low),
          close: bars.map((bar) => bar.close),
        });
        expectSeriesAgree(
          `ATR(${period})`,
          bars.map((bar) => atr.add(bar)),
          alignToInputs(theirs, bars.length),
        );
      });
    }
  }

  it('differs from trading-signals ATR (first true range = first bar high − low) only by a seed effect that decays', () => {
    const bars = goldenBars(GOLDEN_FILES[0]);
    const atr = new ATR(14);
    const firstBarRange = new FirstBarRangeATR(14);
    const ours = bars.map((bar) => atr.add(bar));
    const theirs = bars.map((bar) => firstBarRange.add(bar));
    expect(theirs[13], 'trading-signals is stable one bar earlier').not.toBeNull();
    expect(ours[13]).toBeUndefined();
    const relative = (index: number): number => Math.abs(ours[index]! - theirs[index]!) / theirs[index]!;
    expect(relative(14)).toBeGreaterThan(1e-9);
    // (13/14)^600 ≈ 5e-20
    expect(relative(614)).toBeLessThan(1e-12);
  });
});
