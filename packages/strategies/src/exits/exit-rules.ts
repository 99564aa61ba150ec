import { z } from 'zod';
import { breakEvenRuleSchema, BreakEvenRuntime, type BreakEvenRule } from './break-even.js';
import type { ExitRuleRuntime } from './exit-rule.js';
import { stopLossRuleSchema, StopLossRuntime, type StopLossRule } from './stop-loss.js';
import { takeProfitLadderRuleSchema, TakeProfitLadderRuntime, type TakeProfitLadderRule } from './take-profit-ladder.js';
import { timeStopRuleSchema, TimeStopRuntime, type TimeStopRule } from './time-stop.js';
import { trailingStopRuleSchema, TrailingStopRuntime, type TrailingStopRule } from './trailing-stop.js';

/** Any exit rule, as data: what `stopLoss(...)`, `trailingStop(...)` etc. return, and what a params schema accepts. */
export type ExitRule = StopLossRule | TrailingStopRule | BreakEvenRule | TakeProfitLadderRule | TimeStopRule;

const ruleUnion = z.discriminatedUnion('kind', [
  stopLossRuleSchema,
  trailingStopRuleSchema,
  breakEvenRuleSchema,
  takeProfitLadderRuleSchema,
  timeStopRuleSchema,
]);

const KINDS: readonly string[] = ruleUnion.options.map((option) => option.shape.kind.value);

/**
 * One exit rule in a strategy's params, told apart by `kind`. The kind is checked first, so a
 * wrong one reads `exits[0].kind: received "stoploss", expected one of "stop-loss", ...` (the
 * union alone reports the whole object and zod's own wording).
 */
export const exitRuleSchema = z.custom<z.input<typeof ruleUnion>>().check((payload) => {
  const value = payload.value as unknown;
  // Anything but an object is left to the union, which names the type it expects.
  if (typeof value !== 'object' || value === null) return;
  const kind = (value as { kind?: unknown }).kind;
  if (!KINDS.includes(kind as string)) payload.issues.push({ code: 'invalid_value', values: [...KINDS], input: kind, path: ['kind'] });
}).pipe(ruleUnion);

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
