import { OBV as ReferenceOBV } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { OBV } from './obv.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('OBV', () => new OBV(), bars);

describe('OBV', () => {
  it('adds volume on up closes, subtracts it on down closes, starting from 0', () => {
    const obv = new OBV();
    const closes = [10, 11, 11, 9, 12];
    expect(closes.map((close, index) => obv.add({ high: close, low: close, close, volume: index + 1 }))).toEqual([0, 2, 2, -2, 3]);
  });

  it('rejects a negative or missing volume, naming it', () => {
    expect(() => new OBV().add({ high: 1, low: 1, close: 1, volume: -1 })).toThrow('OBV bar.volume: received -1, expected a finite number ≥ 0');
    const withoutVolume = { high: 1, low: 1, close: 1 } as unknown as { high: number; low: number; close: number; volume: number };
    expect(() => new OBV().add(withoutVolume)).toThrow('OBV bar.volume: received undefined, expected a finite number ≥ 0');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('OBV agrees with technicalindicators OBV on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    it(`OBV on ${file}`, () => {
      const bars = goldenBars(file);
      const obv = new OBV();
      const ours = bars.map((bar) => obv.add(bar));
      // technicalindicators starts at the second bar; we also report the first, as 0.
      expect(ours[0]).toBe(0);
      const theirs = ReferenceOBV.calculate({ close: bars.map((bar) => bar.close), volume: bars.map((bar) => bar.volume) });
      expectSeriesAgree('OBV', ours.slice(1), theirs);
    });
  }
});
