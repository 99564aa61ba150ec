import { RSI as ReferenceRSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { RSI } from './rsi.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('RSI(2)', () => new RSI(2), closes);
runIndicatorContract('RSI(14)', () => new RSI(14), closes);

describe('RSI', () => {
  it('needs period + 1 inputs, because the first input has no change', () => {
    const rsi = new RSI(2);
    expect(rsi.warmUp).toBe(3);
    // changes +2, −1: average gain 1, average loss 0.5, RS 2
    expect([10, 12, 11].map((input) => rsi.add(input))).toEqual([undefined, undefined, 100 - 100 / 3]);
    // change +3: gain (1 + 3)/2 = 2, loss 0.25, RS 8
    expect(rsi.add(14)).toBeCloseTo(100 - 100 / 9, 12);
  });

  it('is 100 when there were only gains and 50 when nothing moved', () => {
    const rising = new RSI(3);
    [1, 2, 3, 4].forEach((input) => rising.add(input));
    expect(rising.value).toBe(100);
    const flat = new RSI(3);
    [5, 5, 5, 5].forEach((input) => flat.add(input));
    expect(flat.value).toBe(50);
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new RSI(0)).toThrow('RSI period: received 0, expected an integer ≥ 1');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('RSI agrees with trading-signals RSI (Wilder smoothing) on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 14]) {
      it(`RSI(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const rsi = new RSI(period);
        const reference = new ReferenceRSI(period);
        const ours = closes.map((close) => rsi.add(close));
        // Documented difference: before the first price change both averages are 0; trading-signals says 100, we say 50.
        const firstChange = closes.findIndex((close) => close !== closes[0]);
        const flatFromStart = (index: number): boolean => firstChange === -1 || index < firstChange;
        for (let index = 0; index < closes.length && flatFromStart(index); index++) {
          if (ours[index] !== undefined) expect(ours[index]).toBe(50);
        }
        expectSeriesAgree(
          `RSI(${period})`,
          ours,
          closes.map((close) => reference.add(close)),
          { skip: flatFromStart },
        );
      });
    }
  }
});
