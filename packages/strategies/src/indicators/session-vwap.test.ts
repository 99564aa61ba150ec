import { VWAP as ReferenceCumulativeVWAP } from 'technicalindicators';
import { VWAP as ReferenceVWAP } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { SessionVWAP } from './session-vwap.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const HOUR = 3_600_000;
const bars = createSyntheticBars(300);
runIndicatorContract('SessionVWAP(daily)', () => new SessionVWAP(), bars);
runIndicatorContract('SessionVWAP(4h, offset 1h)', () => new SessionVWAP({ sessionLength: 4 * HOUR, sessionOffset: HOUR }), bars);
runIndicatorContract('SessionVWAP(anchored)', () => new SessionVWAP({ sessionLength: Number.POSITIVE_INFINITY }), bars);

describe('SessionVWAP', () => {
  it('weights typical prices by volume and starts again at each session', () => {
    const vwap = new SessionVWAP({ sessionLength: 2 * HOUR });
    const values = [
      { openTime: 0, high: 12, low: 9, close: 9, volume: 1 }, // typical 10
      { openTime: HOUR, high: 22, low: 19, close: 19, volume: 3 }, // typical 20
      { openTime: 2 * HOUR, high: 32, low: 29, close: 29, volume: 2 }, // new session: typical 30
    ].map((bar) => vwap.add(bar));
    expect(values).toEqual([10, (10 + 60) / 4, 30]);
  });

  it('puts session boundaries at the offset', () => {
    const vwap = new SessionVWAP({ sessionLength: 24 * HOUR, sessionOffset: 13.5 * HOUR });
    vwap.add({ openTime: 13 * HOUR, high: 10, low: 10, close: 10, volume: 1 });
    expect(vwap.add({ openTime: 13.5 * HOUR, high: 20, low: 20, close: 20, volume: 1 }), '13:30 opens a new session').toBe(20);
    expect(vwap.add({ openTime: 37 * HOUR, high: 40, low: 40, close: 40, volume: 1 }), 'still the same session next day at 13:00').toBe(30);
  });

  it('shows the latest typical price while the session has traded nothing', () => {
    const vwap = new SessionVWAP();
    expect(vwap.add({ openTime: 0, high: 12, low: 9, close: 9, volume: 0 })).toBe(10);
    expect(vwap.add({ openTime: HOUR, high: 22, low: 19, close: 19, volume: 0 })).toBe(20);
  });

  it('rejects bad options and bars, naming the field', () => {
    expect(() => new SessionVWAP({ sessionLength: 0 })).toThrow('SessionVWAP sessionLength: received 0, expected milliseconds > 0 or Infinity');
    expect(() => new SessionVWAP({ sessionOffset: Number.NaN })).toThrow('SessionVWAP sessionOffset: received NaN');
    const withoutTime = { high: 1, low: 1, close: 1, volume: 1 } as unknown as { high: number; low: number; close: number; volume: number; openTime: number };
    expect(() => new SessionVWAP().add(withoutTime)).toThrow('SessionVWAP bar.openTime: received undefined, expected a finite number');
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('SessionVWAP agrees with trading-signals and technicalindicators VWAP on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    it(`daily sessions on ${file}, against a fresh trading-signals VWAP per UTC day`, () => {
      const bars = goldenBars(file);
      const vwap = new SessionVWAP();
      let day = Number.NaN;
      let reference = new ReferenceVWAP();
      const theirs = bars.map((bar) => {
        const barDay = Math.floor(bar.openTime / (24 * HOUR));
        if (barDay !== day) {
          day = barDay;
          reference = new ReferenceVWAP();
        }
        return reference.add(bar);
      });
      expectSeriesAgree('session VWAP', bars.map((bar) => vwap.add(bar)), theirs);
    });

    it(`anchored at the first bar on ${file}, against technicalindicators VWAP`, () => {
      const bars = goldenBars(file);
      const vwap = new SessionVWAP({ sessionLength: Number.POSITIVE_INFINITY });
      const theirs = ReferenceCumulativeVWAP.calculate({
        high: bars.map((bar) => bar.high),
        low: bars.map((bar) => bar.low),
        close: bars.map((bar) => bar.close),
        volume: bars.map((bar) => bar.volume),
      });
      expectSeriesAgree('anchored VWAP', bars.map((bar) => vwap.add(bar)), theirs);
    });
  }
});
