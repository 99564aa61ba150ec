import { VWAP as ReferenceVWAP } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { RollingVWAP } from './rolling-vwap.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('RollingVWAP(1)', () => new RollingVWAP(1), bars);
runIndicatorContract('RollingVWAP(24)', () => new RollingVWAP(24), bars);

describe('RollingVWAP', () => {
  it('weights the typical prices of the last period bars by volume', () => {
    const vwap = new RollingVWAP(2);
    const values = [
      { high: 12, low: 9, close: 9, volume: 1 }, // typical 10
      { high: 22, low: 19, close: 19, volume: 3 }, // typical 20
      { high: 32, low: 29, close: 29, volume: 1 }, // typical 30
    ].map((bar) => vwap.add(bar));
    expect(values).toEqual([undefined, (10 + 60) / 4, (60 + 30) / 4]);
  });

  it('shows the latest typical price once the window holds no volume', () => {
    // Chosen so the sliding volume sum is (0.3 + 0.6) − 0.3 − 0.6 = −1.1e-16, not 0, when the
    // window empties between two re-summations: the value must not be a ratio of rounding residues.
    const vwap = new RollingVWAP(3);
    const volumes = [0.5, 0.5, 0.5, 0.3, 0.6, 0, 0, 0];
    const values = volumes.map((volume, index) => vwap.add({ high: index + 1, low: index + 1, close: index + 1, volume }));
    expect(values.at(-1)).toBe(8);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('RollingVWAP agrees with a fresh trading-signals VWAP over each window of real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [1, 24]) {
      it(`RollingVWAP(${period}) on ${file}`, () => {
        const bars = goldenBars(file);
        const vwap = new RollingVWAP(period);
        const theirs = bars.map((_, index) => {
          if (index < period - 1) return undefined;
          const reference = new ReferenceVWAP();
          for (const bar of bars.slice(index + 1 - period, index + 1)) reference.add(bar);
          return reference.getResult();
        });
        expectSeriesAgree(`RollingVWAP(${period})`, bars.map((bar) => vwap.add(bar)), theirs);
      });
    }
  }
});
