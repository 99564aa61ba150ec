import { WMA as ReferenceWMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';
import { WMA } from './wma.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('WMA(1)', () => new WMA(1), closes);
runIndicatorContract('WMA(10)', () => new WMA(10), closes);

describe('WMA', () => {
  it('weighs the newest of the last period inputs most', () => {
    const wma = new WMA(3);
    // (1·1 + 2·2 + 3·6) / 6, then (1·2 + 2·6 + 3·0) / 6
    expect([1, 2, 6, 0].map((input) => wma.add(input))).toEqual([undefined, undefined, 23 / 6, 14 / 6]);
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new WMA(0)).toThrow('WMA period: received 0, expected an integer ≥ 1');
  });

  it('does not drift over a million updates far from zero', () => {
    const period = 30;
    const wma = new WMA(period);
    const recent: number[] = [];
    let x = 1e6;
    for (let index = 0; index < 1_000_000; index++) {
      x += Math.cos(index) * 0.5;
      wma.add(x);
      recent.push(x);
      if (recent.length > period) recent.shift();
    }
    const exact = recent.reduce((sum, value, index) => sum + value * (index + 1), 0) / ((period * (period + 1)) / 2);
    expect(Math.abs(wma.value! - exact) / exact).toBeLessThan(1e-14);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('WMA agrees with trading-signals WMA on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 20]) {
      it(`WMA(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const wma = new WMA(period);
        const reference = new ReferenceWMA(period);
        expectSeriesAgree(
          `WMA(${period})`,
          closes.map((close) => wma.add(close)),
          closes.map((close) => reference.add(close)),
        );
      });
    }
  }
});
