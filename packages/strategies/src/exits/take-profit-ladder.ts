import { z } from 'zod';
import type { StrategyStateValue } from '@kbot/core';
import { parseRule, reaches, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';

const stepSchema = z.object({
  /** Profit over the entry price, in percent, at which this step sells. */
  atPercent: z.number().gt(0).max(10_000),
  /** Share of the position (its largest size) this step sells: 0.33 = a third. */
  sellFraction: z.number().gt(0).max(1),
}).strict();

export const takeProfitLadderRuleSchema = z.object({
  kind: z.literal('take-profit-ladder'),
  steps: z.array(stepSchema).min(1).max(20)
    .refine((steps) => steps.every((step, index) => index === 0 || step.atPercent > steps[index - 1]!.atPercent), 'steps in increasing atPercent order')
    .refine((steps) => steps.reduce((sum, step) => sum + step.sellFraction, 0) <= 1 + 1e-9, 'sellFraction values that add up to at most 1'),
}).strict();

export type TakeProfitLadderRule = z.output<typeof takeProfitLadderRuleSchema>;
export type TakeProfitStep = z.output<typeof stepSchema>;

/**
 * Harvests profit in steps: `[{ atPercent: 1, sellFraction: 0.33 }, { atPercent: 2, sellFraction: 0.33 },
 * { atPercent: 4, sellFraction: 0.34 }]` sells a third of the position when a bar closes 1% above
 * the entry, another third at 2%, the rest at 4%. Fractions are of the largest size the position
 * reached; several steps reached on one bar go out as one order. When the fractions add up to 1
 * the last step sells whatever is left.
 */
export function takeProfitLadder(steps: readonly TakeProfitStep[]): TakeProfitLadderRule {
  return Object.freeze(parseRule(takeProfitLadderRuleSchema, 'takeProfitLadder', { kind: 'take-profit-ladder', steps }));
}

export class TakeProfitLadderRuntime implements ExitRuleRuntime {
  readonly reason = 'take-profit' as const;
  readonly atrPeriods: readonly number[] = [];
  revision = 0;
  private reached = 0;
  private fraction = 0;

  constructor(private readonly rule: TakeProfitLadderRule) {}

  open(): void {
    this.reached = 0;
    this.fraction = 0;
    this.revision += 1;
  }

  observe(position: HeldPosition): void {
    const steps = this.rule.steps;
    // A step once reached stays reached: a later dip does not undo a sale.
    while (this.reached < steps.length && reaches(position.close, position.entryPrice * (1 + steps[this.reached]!.atPercent / 100))) {
      this.fraction += steps[this.reached]!.sellFraction;
      this.reached += 1;
      this.revision += 1;
    }
  }

  /** The number of steps reached. */
  progress(): StrategyStateValue {
    return this.reached;
  }

  restore(progress: StrategyStateValue): boolean {
    if (typeof progress !== 'number' || !Number.isInteger(progress) || progress < 0 || progress > this.rule.steps.length) return false;
    this.open();
    // Summed in the order observe sums them: the same binary fraction as without the restart.
    for (let step = 0; step < progress; step++) this.fraction += this.rule.steps[step]!.sellFraction;
    this.reached = progress;
    return true;
  }

  soldFraction(): number {
    return this.fraction;
  }

  /** Steps reached so far (for order tags: `take-profit 2/3`). */
  get stepsReached(): number {
    return this.reached;
  }

  get stepCount(): number {
    return this.rule.steps.length;
  }
}
