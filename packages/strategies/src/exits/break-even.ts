import { z } from 'zod';
import type { StrategyStateValue } from '@kbot/core';
import { parseRule, reaches, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';

export const breakEvenRuleSchema = z.object({
  kind: z.literal('break-even'),
  /** Arm once a bar has closed this many percent above the entry. */
  atPercent: z.number().gt(0).max(1000),
  /** Extra profit to lock in above break-even, in percent of the entry (0: just the fees). */
  offsetPercent: z.number().min(0).max(100).default(0),
}).strict();

export type BreakEvenRule = z.output<typeof breakEvenRuleSchema>;
export type BreakEvenInput = Omit<z.input<typeof breakEvenRuleSchema>, 'kind'>;

/**
 * Moves the stop to break-even once the trade is `atPercent` in profit (by close): from then on
 * a close at or below the price where selling pays back the entry and exit taker fees,
 * entry × (1 + fee) / (1 − fee), sells everything. The level stays once armed.
 */
export function breakEven(input: BreakEvenInput): BreakEvenRule {
  return Object.freeze(parseRule(breakEvenRuleSchema, 'breakEven', { ...input, kind: 'break-even' }));
}

export class BreakEvenRuntime implements ExitRuleRuntime {
  readonly reason = 'break-even' as const;
  readonly atrPeriods: readonly number[] = [];
  revision = 0;
  private armed = false;

  constructor(private readonly rule: BreakEvenRule) {}

  open(): void {
    this.armed = false;
    this.revision += 1;
  }

  observe(position: HeldPosition): void {
    if (!this.armed && reaches(position.close, position.entryPrice * (1 + this.rule.atPercent / 100))) {
      this.armed = true;
      this.revision += 1;
    }
  }

  /** Whether it is armed; the level follows from the entry price and the fee. */
  progress(): StrategyStateValue {
    return this.armed;
  }

  restore(progress: StrategyStateValue): boolean {
    if (typeof progress !== 'boolean') return false;
    this.armed = progress;
    this.revision += 1;
    return true;
  }

  stopLevel(position: HeldPosition): number {
    if (!this.armed) return Number.NaN;
    const fee = position.feeRate;
    return (position.entryPrice * (1 + fee)) / (1 - fee) * (1 + this.rule.offsetPercent / 100);
  }
}
