import { describe, expect, it } from 'vitest';
import { ADX } from './adx.js';
import { ATR } from './atr.js';
import { BollingerBands } from './bollinger-bands.js';
import { EMA } from './ema.js';
import type { Indicator, PriceBar } from './indicator.js';
import { MACD } from './macd.js';
import { RSI } from './rsi.js';
import { SMA } from './sma.js';
import { exponentialSettleInputs, settledAfter, SEED_WEIGHT_SETTLED } from './settled-after.js';
import { createSyntheticBars } from './test-bars.js';

const bars = createSyntheticBars(3_000, 7);
const closes = bars.map((bar) => bar.close);

/** The value at the last input of a run over all inputs, and of a run over the last `count` only. */
function longAndShort<I, V>(make: () => Indicator<I, V>, inputs: readonly I[], count: number, read: (value: V) => number): [number, number] {
  const long = make();
  let longValue: V | undefined;
  for (const input of inputs) longValue = long.add(input);
  const short = make();
  let shortValue: V | undefined;
  for (const input of inputs.slice(inputs.length - count)) shortValue = short.add(input);
  return [read(longValue as V), read(shortValue as V)];
}

describe('settledAfter', () => {
  it('counts the inputs after which an exponential seed weighs at most 1%', () => {
    expect(exponentialSettleInputs(2 / 27)).toBe(60); // (25/27)^60 = 0.0099 ≤ 0.01 < (25/27)^59
    expect((25 / 27) ** 60).toBeLessThanOrEqual(SEED_WEIGHT_SETTLED);
    expect((25 / 27) ** 59).toBeGreaterThan(SEED_WEIGHT_SETTLED);
    expect(settledAfter(new EMA(26))).toBe(26 + 60);
    expect(settledAfter(new RSI(14))).toBe(15 + exponentialSettleInputs(1 / 14));
    // Windows forget their seed: their warm-up is all they need.
    expect(settledAfter(new SMA(20))).toBe(20);
    expect(settledAfter(new BollingerBands({ period: 20 }))).toBe(new BollingerBands({ period: 20 }).warmUp);
    expect(() => exponentialSettleInputs(0)).toThrow('alpha: received 0, expected a number in (0, 1]');
  });

  it('an EMA started settledAfter inputs back is within 1% of the seed gap of one that ran all along; one started warmUp back is not', () => {
    const settled = settledAfter(new EMA(26));
    const [long, short] = longAndShort(() => new EMA(26), closes, settled, (value) => value);
    // The gap the short run's seed started with: its simple mean against the long run's EMA then.
    const seedAt = closes.length - settled + 26 - 1;
    const longThen = longAndShort(() => new EMA(26), closes.slice(0, seedAt + 1), 26, (value) => value);
    const seedGap = Math.abs(longThen[0] - longThen[1]);
    expect(seedGap).toBeGreaterThan(0);
    expect(Math.abs(long - short)).toBeLessThanOrEqual(SEED_WEIGHT_SETTLED * seedGap * (1 + 1e-9));
    const [, cold] = longAndShort(() => new EMA(26), closes, 27, (value) => value);
    expect(Math.abs(long - cold)).toBeGreaterThan(10 * Math.abs(long - short));
  });

  it('RSI, ATR, ADX and MACD started settledAfter inputs back read (nearly) what a long run reads', () => {
    const cases: [string, () => Indicator<never, unknown>, readonly unknown[], (value: never) => number, number][] = [
      ['RSI(14)', () => new RSI(14) as never, closes, (value: number) => value, 0.5],
      ['ATR(14)', () => new ATR(14) as never, bars, (value: number) => value, 0.5],
      ['ADX(14)', () => new ADX(14) as never, bars, (value: { adx: number }) => value.adx, 0.5],
      ['MACD', () => new MACD() as never, closes, (value: { signal: number }) => value.signal, 0.5],
    ];
    for (const [name, make, inputs, read, tolerance] of cases) {
      const settled = settledAfter(make());
      const [long, short] = longAndShort(make as () => Indicator<unknown, never>, inputs as PriceBar[], settled, read);
      const [, cold] = longAndShort(make as () => Indicator<unknown, never>, inputs as PriceBar[], make().warmUp, read);
      expect(Math.abs(long - short), `${name} after ${settled} inputs: ${short} against ${long}`).toBeLessThan(tolerance);
      expect(Math.abs(long - cold), `${name} after warmUp inputs only`).toBeGreaterThan(Math.abs(long - short));
    }
  });
});
