import { ADX as ReferenceADX } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { ADX } from './adx.js';
import { runIndicatorContract } from './indicator-contract.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('ADX(14)', () => new ADX(14), bars);
runIndicatorContract('ADX(1)', () => new ADX(1), bars);

describe('ADX', () => {
  it('needs 2 × period bars', () => {
    expect(new ADX(14).warmUp).toBe(28);
  });

  it('reads a steady rise as a full-strength trend with no minus movement', () => {
    const adx = new ADX(3);
    for (let index = 0; index < 10; index++) adx.add({ high: 10 + index, low: 9 + index, close: 9.5 + index });
    // +DM 1 per bar; true range 1.5 (high minus the previous close)
    expect({ ...adx.value }).toEqual({ adx: 100, plusDI: 100 / 1.5, minusDI: 0 });
  });

  it('is 0 with 0 DIs in a flat market instead of dividing by zero', () => {
    const adx = new ADX(2);
    for (let index = 0; index < 6; index++) adx.add({ high: 5, low: 5, close: 5 });
    expect({ ...adx.value }).toEqual({ adx: 0, plusDI: 0, minusDI: 0 });
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new ADX(0)).toThrow('ADX period: received 0, expected an integer ≥ 1');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('ADX agrees with technicalindicators ADX on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 14]) {
      it(`ADX(${period}) on ${file}`, () => {
        const bars = goldenBars(file);
        const adx = new ADX(period);
        const ours = bars.map((bar) => (adx.add(bar) ? { ...adx.value! } : undefined));
        const theirs = alignToInputs(
          ReferenceADX.calculate({
            period,
            high: bars.map((bar) => bar.high),
            low: bars.map((bar) => bar.low),
            close: bars.map((bar) => bar.close),
          }),
          bars.length,
        );
        expectSeriesAgree(`ADX(${period}) adx`, ours.map((value) => value?.adx), theirs.map((value) => value?.adx));
        expectSeriesAgree(`ADX(${period}) +DI`, ours.map((value) => value?.plusDI), theirs.map((value) => value?.pdi));
        expectSeriesAgree(`ADX(${period}) −DI`, ours.map((value) => value?.minusDI), theirs.map((value) => value?.mdi));
      });
    }
  }
});
