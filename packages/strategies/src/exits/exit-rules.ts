import { z } from 'zod';
import { breakEvenRuleSchema, BreakEvenRuntime, type BreakEvenRule } from './break-even.js';
import type { ExitRuleRuntime } from './exit-rule.js';
import { stopLossRuleSchema, StopLossRuntime, type StopLossRule } from './stop-loss.js';
import { takeProfitLadderRuleSchema, TakeProfitLadderRuntime, type TakeProfitLadderRule } from './take-profit-ladder.js';
import { timeStopRuleSchema, TimeStopRuntime, type TimeStopRule } from './time-stop.js';
import { trailingStopRuleSchema, TrailingStopRuntime, type TrailingStopRule } from './trailing-stop.js';

/** Any exit rule, as data: what `stopLoss(...)`, `trailingStop(...)` etc. return, and what a params schema accepts. */
export type ExitRule = StopLossRule | TrailingStopRule | BreakEvenRule | TakeProfitLadderRule | TimeStopRule;

/** One exit rule in a strategy's params, told apart by `kind`. */
export const exitRuleSchema = z.discriminatedUnion('kind', [
  stopLossRuleSchema,
  trailingStopRuleSchema,
  breakEvenRuleSchema,
  takeProfitLadderRuleSchema,
  timeStopRuleSchema,
]);

/** The exit rules of a strategy's params (`exits: exitRulesSchema.default([...])`). */
export const exitRulesSchema = z.array(exitRuleSchema).max(20);

export function createRuleRuntime(rule: ExitRule): ExitRuleRuntime {
  switch (rule.kind) {
    case 'stop-loss': return new StopLossRuntime(rule);
    case 'trailing-stop': return new TrailingStopRuntime(rule);
    case 'break-even': return new BreakEvenRuntime(rule);
    case 'take-profit-ladder': return new TakeProfitLadderRuntime(rule);
    case 'time-stop': return new TimeStopRuntime(rule);
  }
}
