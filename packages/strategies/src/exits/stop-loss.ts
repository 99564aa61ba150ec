import { z } from 'zod';
import { parseRule, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';

export const stopLossRuleSchema = z.object({
  kind: z.literal('stop-loss'),
  /** Stop this many percent below the entry price. */
  percent: z.number().gt(0).lt(100).optional(),
  /** Or: stop this many ATRs (measured at entry) below the entry price. */
  atrMultiple: z.number().gt(0).max(100).optional(),
  atrPeriod: z.number().int().min(1).max(1000).default(14),
}).strict().refine((rule) => (rule.percent === undefined) !== (rule.atrMultiple === undefined), { message: 'either percent or atrMultiple (one of them)' });

export type StopLossRule = z.output<typeof stopLossRuleSchema>;
export type StopLossInput = Omit<z.input<typeof stopLossRuleSchema>, 'kind'>;

/**
 * A fixed stop below the entry: `{ percent: 2 }` sells everything when a bar closes 2% or more
 * below the entry price; `{ atrMultiple: 2 }` when it closes 2 ATRs (as they were at entry)
 * below it. The level does not move; `breakEven` and `trailingStop` raise the position's stop
 * above it when they are higher.
 */
export function stopLoss(input: StopLossInput): StopLossRule {
  return Object.freeze(parseRule(stopLossRuleSchema, 'stopLoss', { ...input, kind: 'stop-loss' }));
}

export class StopLossRuntime implements ExitRuleRuntime {
  readonly reason = 'stop-loss' as const;
  readonly atrPeriods: readonly number[];

  constructor(private readonly rule: StopLossRule) {
    this.atrPeriods = rule.atrMultiple === undefined ? [] : [rule.atrPeriod];
  }

  open(): void {}

  stopLevel(position: HeldPosition): number {
    if (this.rule.percent !== undefined) return position.entryPrice * (1 - this.rule.percent / 100);
    const atr = position.entryAtr(this.rule.atrPeriod);
    return atr === undefined ? Number.NaN : position.entryPrice - this.rule.atrMultiple! * atr;
  }
}
