import { ConfigError, InvariantError } from '@kbot/core';
import { SMA as ReferenceSMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { runIndicatorContract } from './indicator-contract.js';
import { SMA } from './sma.js';
import { createSyntheticBars, expectSeriesAgree, GOLDEN_FILES, goldenBars, sharedData } from './test-bars.js';

const closes = createSyntheticBars(300).map((bar) => bar.close);
runIndicatorContract('SMA(1)', () => new SMA(1), closes);
runIndicatorContract('SMA(20)', () => new SMA(20), closes);

describe('SMA', () => {
  it('averages the last period inputs', () => {
    const sma = new SMA(3);
    expect([1, 2, 3, 4, 10].map((input) => sma.add(input))).toEqual([undefined, undefined, 2, 3, 17 / 3]);
    expect(sma.warmUp).toBe(3);
  });

  it('rejects a period that is not a positive integer, naming it', () => {
    expect(() => new SMA(0)).toThrow('SMA period: received 0, expected an integer ≥ 1');
    expect(() => new SMA(2.5)).toThrow('SMA period: received 2.5, expected an integer ≥ 1');
    expect(() => new SMA(Number.NaN)).toThrow('SMA period: received NaN, expected an integer ≥ 1');
    expect(() => new SMA(0)).toThrow(ConfigError);
  });

  it('rejects a non-finite input and keeps its state', () => {
    const sma = new SMA(2);
    sma.add(1);
    sma.add(3);
    expect(() => sma.add(Number.NaN)).toThrow('SMA input: received NaN, expected a finite number');
    expect(() => sma.replace(Number.POSITIVE_INFINITY)).toThrow('SMA input: received Infinity, expected a finite number');
    expect(() => sma.add(Number.NaN)).toThrow(InvariantError);
    expect(sma.value).toBe(2);
  });

  it('does not drift over two million updates far from zero', () => {
    // A large offset with small moves is the worst case for a sliding sum.
    const period = 50;
    const sma = new SMA(period);
    const recent: number[] = [];
    let x = 1e6;
    for (let index = 0; index < 2_000_000; index++) {
      x += Math.sin(index) * 0.37;
      sma.add(x);
      recent.push(x);
      if (recent.length > period) recent.shift();
    }
    const exact = recent.reduce((sum, value) => sum + value, 0) / period;
    expect(Math.abs(sma.value! - exact) / exact).toBeLessThan(1e-14);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('SMA agrees with trading-signals SMA on real Kraken bars', () => {
  for (const file of GOLDEN_FILES) {
    for (const period of [2, 20, 200]) {
      it(`SMA(${period}) on ${file}`, () => {
        const closes = goldenBars(file).map((bar) => bar.close);
        const sma = new SMA(period);
        const reference = new ReferenceSMA(period);
        expectSeriesAgree(
          `SMA(${period})`,
          closes.map((close) => sma.add(close)),
          closes.map((close) => reference.add(close)),
        );
      });
    }
  }
});
