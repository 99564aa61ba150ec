import { EMA as ReferenceEMA } from 'technicalindicators';
import { EMA as FirstValueSeededEMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { EMA } from './ema.js';
import { runIndicatorContract } from './indicator-contract.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('EMA(1)', () => new EMA(1), closes);
runIndicatorContract('EMA(12)', () => new EMA(12), closes);

describe('EMA', () => {
  it('starts from the simple average of the first period inputs, then smooths with 2/(period+1)', () => {
    const ema = new EMA(3);
    expect([2, 4, 6, 10].map((input) => ema.add(input))).toEqual([undefined, undefined, 4, 7]);
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new EMA(-1)).toThrow('EMA period: received -1, expected an integer ≥ 1');
  });

  it('rejects a non-finite input', () => {
    expect(() => new EMA(3).add(Number.NaN)).toThrow('EMA input: received NaN, expected a finite number');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('EMA agrees with technicalindicators EMA on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 12, 50]) {
      it(`EMA(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const ema = new EMA(period);
        expectSeriesAgree(
          `EMA(${period})`,
          closes.map((close) => ema.add(close)),
          alignToInputs(ReferenceEMA.calculate({ period, values: closes }), closes.length),
        );
      });
    }
  }

  it('differs from trading-signals EMA (seeded with the first input) only by a seed effect that decays', () => {
    const closes = goldenBars(GOLDEN_FILES[0]).map((bar) => bar.close);
    const period = 12;
    const ema = new EMA(period);
    const firstSeeded = new FirstValueSeededEMA(period);
    const ours = closes.map((close) => ema.add(close)!);
    const theirs = closes.map((close) => {
      firstSeeded.add(close);
      return firstSeeded.getResult()!;
    });
    const relative = (index: number): number => Math.abs(ours[index]! - theirs[index]!) / theirs[index]!;
    expect(relative(period - 1), 'the seeds differ at warm-up').toBeGreaterThan(1e-9);
    // (11/13)^300 ≈ 1e-22: three hundred inputs later the seed no longer shows.
    expect(relative(period - 1 + 300)).toBeLessThan(1e-12);
  });
});
