import { BollingerBands as ReferenceBollingerBands, BollingerBandsWidth as ReferenceBollingerBandsWidth } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { BollingerBands } from './bollinger-bands.js';
import { runIndicatorContract } from './indicator-contract.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('BollingerBands(20,2)', () => new BollingerBands(), closes);
runIndicatorContract('BollingerBands(2,1.5)', () => new BollingerBands({ period: 2, multiplier: 1.5 }), closes);

describe('BollingerBands', () => {
  it('puts the bands multiplier population standard deviations around the SMA', () => {
    const bands = new BollingerBands({ period: 4, multiplier: 2 });
    [2, 4, 4, 6].forEach((input) => bands.add(input));
    // mean 4, population variance (4 + 0 + 0 + 4) / 4 = 2
    const offset = 2 * Math.SQRT2;
    expect({ ...bands.value }).toEqual({ middle: 4, upper: 4 + offset, lower: 4 - offset, width: (4 + offset - (4 - offset)) / 4 });
  });

  it('reuses one result object instead of allocating per input', () => {
    const bands = new BollingerBands({ period: 2 });
    bands.add(1);
    const first = bands.add(2);
    expect(bands.add(3)).toBe(first);
  });

  it('rejects bad options, naming them', () => {
    expect(() => new BollingerBands({ period: 1 })).toThrow('BollingerBands period: received 1, expected an integer ≥ 2');
    expect(() => new BollingerBands({ multiplier: 0 })).toThrow('BollingerBands multiplier: received 0, expected a finite number > 0');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('BollingerBands agrees with trading-signals BollingerBands and BollingerBandsWidth on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    it(`BollingerBands(20,2) on ${file}`, () => {
      const closes = goldenBars(file).map((bar) => bar.close);
      const bands = new BollingerBands({ period: 20, multiplier: 2 });
      const reference = new ReferenceBollingerBands(20, 2);
      const referenceWidth = new ReferenceBollingerBandsWidth(new ReferenceBollingerBands(20, 2));
      const ours = closes.map((close) => (bands.add(close) ? { ...bands.value! } : undefined));
      const theirs = closes.map((close) => {
        const value = reference.add(close);
        const width = referenceWidth.add(close);
        return value ? { ...value, width: width! } : undefined;
      });
      for (const field of ['middle', 'upper', 'lower', 'width'] as const) {
        expectSeriesAgree(
          `Bollinger ${field}`,
          ours.map((value) => value?.[field]),
          theirs.map((value) => value?.[field]),
        );
      }
    });
  }
});
