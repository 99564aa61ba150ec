import { z } from 'zod';
import { parseRule, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';

export const timeStopRuleSchema = z.object({
  kind: z.literal('time-stop'),
  /** Sell everything at the close of the N-th bar held (the bar of the entry fill is the first). */
  bars: z.number().int().min(1).optional(),
  /** Or: at the first bar close at least this many milliseconds after the entry fill. */
  ms: z.number().int().min(1).optional(),
}).strict().refine((rule) => (rule.bars === undefined) !== (rule.ms === undefined), { message: 'either bars or ms (one of them)' });

export type TimeStopRule = z.output<typeof timeStopRuleSchema>;
export type TimeStopInput = Omit<z.input<typeof timeStopRuleSchema>, 'kind'>;

/**
 * Gives up on a trade that has not worked out in time: sells everything after `bars` bars, or
 * once `ms` milliseconds have passed since the entry fill, whatever the price. Capital stuck in a
 * trade that goes nowhere still pays for its chance of a stop-out.
 */
export function timeStop(input: TimeStopInput): TimeStopRule {
  return Object.freeze(parseRule(timeStopRuleSchema, 'timeStop', { ...input, kind: 'time-stop' }));
}

export class TimeStopRuntime implements ExitRuleRuntime {
  readonly reason = 'time-stop' as const;
  readonly atrPeriods: readonly number[] = [];

  constructor(private readonly rule: TimeStopRule) {}

  open(): void {}

  exitNow(position: HeldPosition): boolean {
    if (this.rule.bars !== undefined) return position.barsHeld >= this.rule.bars;
    return position.closeTime - position.entryTime >= this.rule.ms!;
  }
}
