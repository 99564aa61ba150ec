// Public surface of the exits toolkit (the "profit harvester").
export { ExitManager, type ExitManagerContext, type ExitManagerOptions } from './exit-manager.js';
export type { ExitAction } from './exit-action.js';
export type { ExitReason } from './exit-rule.js';
export { exitRuleSchema, exitRulesSchema, type ExitRule } from './exit-rules.js';
export { exitRulesWarmUp } from './exit-warm-up.js';
export { stopLoss, stopLossRuleSchema, type StopLossRule, type StopLossInput } from './stop-loss.js';
export { trailingStop, trailingStopRuleSchema, type TrailingStopRule, type TrailingStopInput } from './trailing-stop.js';
export { breakEven, breakEvenRuleSchema, type BreakEvenRule, type BreakEvenInput } from './break-even.js';
export { timeStop, timeStopRuleSchema, type TimeStopRule, type TimeStopInput } from './time-stop.js';
export { takeProfitLadder, takeProfitLadderRuleSchema, type TakeProfitLadderRule, type TakeProfitStep } from './take-profit-ladder.js';
export { exitQuantity, isBelowMinimum } from './exit-quantity.js';
