import { ATR } from '../indicators/atr.js';
import { createRuleRuntime, type ExitRule } from './exit-rules.js';

/**
 * Bars of history the exit rules need for their ATRs to be warm (`ATR.warmUp`, period + 1) by the
 * first live bar; 0 when no rule reads an ATR. A strategy adds it to its own warm-up
 * (`Subscription.warmUpBars`), so an ATR stop has its level at the first entry, and a position
 * taken over after a restart gets its ATR stop at once instead of the fallback percentage.
 */
export function exitRulesWarmUp(rules: readonly ExitRule[]): number {
  let bars = 0;
  for (const rule of rules) {
    for (const period of createRuleRuntime(rule).atrPeriods) bars = Math.max(bars, new ATR(period).warmUp);
  }
  return bars;
}
