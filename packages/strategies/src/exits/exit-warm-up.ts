import { ATR } from '../indicators/atr.js';
import { settledAfter } from '../indicators/settled-after.js';
import { createRuleRuntime, type ExitRule } from './exit-rules.js';

/**
 * Bars of history the exit rules' ATRs need by the first live bar: the longest ATR's
 * `settledAfter` (its seed then weighs under 1%, so the stop distances are those a long-running
 * bot reads, not just defined); 0 when no rule reads an ATR. A strategy adds it to its own warm-up
 * (`Subscription.warmUpBars`), so an ATR stop has its level at the first entry, and a position
 * taken over after a restart gets its ATR stop at once instead of the fallback percentage.
 */
export function exitRulesWarmUp(rules: readonly ExitRule[]): number {
  let bars = 0;
  for (const rule of rules) {
    for (const period of createRuleRuntime(rule).atrPeriods) bars = Math.max(bars, settledAfter(new ATR(period)));
  }
  return bars;
}
