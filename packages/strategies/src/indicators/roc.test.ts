import { ROC as ReferenceROC } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { ROC } from './roc.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('ROC(1)', () => new ROC(1), closes);
runIndicatorContract('ROC(12)', () => new ROC(12), closes);

describe('ROC', () => {
  it('is the percent change from the input period steps back', () => {
    const roc = new ROC(2);
    expect(roc.warmUp).toBe(3);
    expect([100, 50, 110, 55].map((input) => roc.add(input))).toEqual([undefined, undefined, 10, 10]);
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new ROC(0)).toThrow('ROC period: received 0, expected an integer ≥ 1');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('ROC agrees with technicalindicators ROC (percent) on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [1, 12]) {
      it(`ROC(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const roc = new ROC(period);
        const ours = closes.map((close) => roc.add(close));
        const theirs = alignToInputs(ReferenceROC.calculate({ period, values: closes }), closes.length);
        // An unchanged price gives exactly 0 in both; a relative difference needs a non-zero value.
        const unchanged = (index: number): boolean => theirs[index] === 0;
        for (let index = 0; index < closes.length; index++) if (unchanged(index)) expect(ours[index]).toBe(0);
        expectSeriesAgree(`ROC(${period})`, ours, theirs, { skip: unchanged });
      });
    }
  }
});
