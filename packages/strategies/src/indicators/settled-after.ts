import { ADX } from './adx.js';
import { ATR } from './atr.js';
import { EMA } from './ema.js';
import type { Indicator } from './indicator.js';
import { MACD } from './macd.js';
import { RSI } from './rsi.js';

/**
 * How much of an exponential average's seed may remain in its value for it to count as settled:
 * 1%. Once stable (`warmUp`), an EMA, or Wilder's smoothing in RSI, ATR and ADX, still carries
 * its seed (the simple mean of its first inputs) with weight (1 − α)^k after k more inputs, so a
 * strategy that starts on just `warmUp` bars of history reads other values than one that has
 * run for weeks, and may see a crossing the long-running one would not.
 */
export const SEED_WEIGHT_SETTLED = 0.01;

/** Inputs after which weight (1 − α)^k of an exponential average's seed is at most `tolerance`. */
export function exponentialSettleInputs(alpha: number, tolerance = SEED_WEIGHT_SETTLED): number {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`exponentialSettleInputs: alpha: received ${alpha}, expected a number in (0, 1]`);
  if (!(tolerance > 0 && tolerance < 1)) throw new RangeError(`exponentialSettleInputs: tolerance: received ${tolerance}, expected a number in (0, 1)`);
  if (alpha === 1) return 0;
  return Math.ceil(Math.log(tolerance) / Math.log(1 - alpha));
}

/**
 * The same for two exponential averages in a row with the same α (ADX smooths DX, itself made of
 * smoothed movements): the seed's weight is (1 + αk)(1 − α)^k.
 */
function chainedSettleInputs(alpha: number, tolerance = SEED_WEIGHT_SETTLED): number {
  let k = exponentialSettleInputs(alpha, tolerance);
  while ((1 + alpha * k) * (1 - alpha) ** k > tolerance) k++;
  return k;
}

/**
 * Inputs after which `indicator`'s value no longer depends on how it was seeded (within
 * `SEED_WEIGHT_SETTLED`): the history a strategy should warm up on (`Subscription.warmUpBars`)
 * to decide as it would after running for a long time. `warmUp` for indicators over a finite
 * window (SMA, Bollinger bands, Donchian channel, ...), which forget their seed entirely.
 */
export function settledAfter(indicator: Indicator<never, unknown>): number {
  if (indicator instanceof EMA) return indicator.warmUp + exponentialSettleInputs(2 / (indicator.period + 1));
  if (indicator instanceof RSI || indicator instanceof ATR) return indicator.warmUp + exponentialSettleInputs(1 / indicator.period);
  if (indicator instanceof ADX) return indicator.warmUp + chainedSettleInputs(1 / indicator.period);
  if (indicator instanceof MACD) {
    // The MACD line settles with its slow EMA; the signal line is an EMA of it.
    const line = indicator.slowPeriod + exponentialSettleInputs(2 / (indicator.slowPeriod + 1));
    return line + indicator.signalPeriod + exponentialSettleInputs(2 / (indicator.signalPeriod + 1));
  }
  return indicator.warmUp;
}
