import { DonchianChannels as ReferenceDonchianChannels } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { DonchianChannel } from './donchian-channel.js';
import { runIndicatorContract } from './indicator-contract.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const bars = createSyntheticBars(300);
runIndicatorContract('DonchianChannel(20)', () => new DonchianChannel(20), bars);
runIndicatorContract('DonchianChannel(1)', () => new DonchianChannel(1), bars);
runIndicatorContract('DonchianChannel(3)', () => new DonchianChannel(3), bars);

describe('DonchianChannel', () => {
  it('tracks the highest high and lowest low of the last period bars', () => {
    const channel = new DonchianChannel(3);
    const highs = [5, 9, 7, 6, 4, 8];
    const lows = [1, 3, 2, 4, 0, 5];
    const values = highs.map((high, index) => {
      const value = channel.add({ high, low: lows[index]!, close: high });
      return value && { ...value };
    });
    expect(values).toEqual([
      undefined,
      undefined,
      { upper: 9, lower: 1, middle: 5 },
      { upper: 9, lower: 2, middle: 5.5 },
      { upper: 7, lower: 0, middle: 3.5 },
      { upper: 8, lower: 0, middle: 4 },
    ]);
  });

  it('follows a forming bar whose high keeps rising and then falls back', () => {
    const channel = new DonchianChannel(3);
    channel.add({ high: 10, low: 1, close: 5 });
    channel.add({ high: 8, low: 2, close: 5 });
    channel.add({ high: 6, low: 3, close: 5 });
    for (const high of [7, 12, 15]) expect(channel.replace({ high, low: 3, close: 5 })?.upper).toBe(Math.max(10, high));
    expect(channel.replace({ high: 6, low: 0.5, close: 5 })).toEqual({ upper: 10, lower: 0.5, middle: 5.25 });
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('DonchianChannel agrees with trading-signals DonchianChannels on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 20, 55]) {
      it(`DonchianChannel(${period}) on ${file}`, () => {
        const bars = goldenBars(file);
        const channel = new DonchianChannel(period);
        const reference = new ReferenceDonchianChannels(period);
        const ours = bars.map((bar) => (channel.add(bar) ? { ...channel.value! } : undefined));
        const theirs = bars.map((bar) => reference.add(bar) ?? undefined);
        for (const field of ['upper', 'lower', 'middle'] as const) {
          expectSeriesAgree(`Donchian ${field}`, ours.map((value) => value?.[field]), theirs.map((value) => value?.[field]), { tolerance: 0 });
        }
      });
    }
  }
});
