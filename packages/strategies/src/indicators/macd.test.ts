import { MACD as ReferenceMACD } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { EMA } from './ema.js';
import { runIndicatorContract } from './indicator-contract.js';
import { MACD } from './macd.js';
import { alignToInputs, createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('MACD(12,26,9)', () => new MACD(), closes);
runIndicatorContract('MACD(1,2,1)', () => new MACD({ fastPeriod: 1, slowPeriod: 2, signalPeriod: 1 }), closes);

describe('MACD', () => {
  it('is the fast EMA minus the slow EMA, with an EMA of that as signal line', () => {
    const macd = new MACD({ fastPeriod: 3, slowPeriod: 5, signalPeriod: 4 });
    const fast = new EMA(3);
    const slow = new EMA(5);
    const signal = new EMA(4);
    expect(macd.warmUp).toBe(8);
    for (const close of closes.slice(0, 40)) {
      const value = macd.add(close);
      const fastValue = fast.add(close);
      const slowValue = slow.add(close);
      const line = slowValue === undefined ? undefined : fastValue! - slowValue;
      const signalValue = line === undefined ? undefined : signal.add(line);
      if (signalValue === undefined) {
        expect(value).toBeUndefined();
      } else {
        expect({ ...value }).toEqual({ macd: line, signal: signalValue, histogram: line! - signalValue });
      }
    }
  });

  it('rejects periods that are out of order or not positive integers, naming them', () => {
    expect(() => new MACD({ fastPeriod: 26, slowPeriod: 12 })).toThrow('MACD fastPeriod: received 26, expected less than slowPeriod (12)');
    expect(() => new MACD({ signalPeriod: 0 })).toThrow('MACD signalPeriod: received 0, expected an integer ≥ 1');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('MACD agrees with technicalindicators MACD (EMA oscillator and signal) on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    it(`MACD(12,26,9) on ${file}`, () => {
      const closes = goldenBars(file).map((bar) => bar.close);
      const macd = new MACD();
      const ours = closes.map((close) => (macd.add(close) ? { ...macd.value! } : undefined));
      const reference = alignToInputs(
        ReferenceMACD.calculate({
          values: closes,
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
        closes.length,
      );
      for (const field of ['macd', 'signal', 'histogram'] as const) {
        const referenceField = field === 'macd' ? 'MACD' : field;
        expectSeriesAgree(
          `MACD ${field}`,
          ours.map((value) => value?.[field]),
          reference.map((value) => (value?.signal === undefined ? undefined : value[referenceField])),
        );
      }
    });
  }
});
