import { z } from 'zod';
import type { StrategyStateValue } from '@kbot/core';
import { parseRule, reaches, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';

export const trailingStopRuleSchema = z.object({
  kind: z.literal('trailing-stop'),
  /** Trail this many percent below the highest high since the entry. */
  percent: z.number().gt(0).lt(100).optional(),
  /** Or: trail this many ATRs (current) below the highest high since the entry. */
  atrMultiple: z.number().gt(0).max(100).optional(),
  atrPeriod: z.number().int().min(1).max(1000).default(14),
  /** Start trailing only once a bar has closed this many percent above the entry (0: at once). */
  activateAtPercent: z.number().min(0).max(1000).default(0),
}).strict().refine((rule) => (rule.percent === undefined) !== (rule.atrMultiple === undefined), { message: 'either percent or atrMultiple (one of them)' });

export type TrailingStopRule = z.output<typeof trailingStopRuleSchema>;
export type TrailingStopInput = Omit<z.input<typeof trailingStopRuleSchema>, 'kind'>;

/**
 * A stop that follows the price up and never down: the level is the highest high since the
 * entry minus `percent` (or minus `atrMultiple` × the current ATR), and it only ever rises.
 * Everything is sold when a bar closes at or below it. With `activateAtPercent` it waits until
 * the trade is that far in profit (by close).
 */
export function trailingStop(input: TrailingStopInput): TrailingStopRule {
  return Object.freeze(parseRule(trailingStopRuleSchema, 'trailingStop', { ...input, kind: 'trailing-stop' }));
}

export class TrailingStopRuntime implements ExitRuleRuntime {
  readonly reason = 'trailing-stop' as const;
  readonly atrPeriods: readonly number[];
  revision = 0;
  private active = false;
  private level = Number.NaN;

  constructor(private readonly rule: TrailingStopRule) {
    this.atrPeriods = rule.atrMultiple === undefined ? [] : [rule.atrPeriod];
  }

  open(): void {
    this.active = this.rule.activateAtPercent === 0;
    this.level = Number.NaN;
    this.revision += 1;
  }

  observe(position: HeldPosition): void {
    if (!this.active && reaches(position.close, position.entryPrice * (1 + this.rule.activateAtPercent / 100))) {
      this.active = true;
      this.revision += 1;
    }
    if (!this.active) return;
    let candidate: number;
    if (this.rule.percent !== undefined) {
      candidate = position.highestHigh * (1 - this.rule.percent / 100);
    } else {
      const atr = position.atr(this.rule.atrPeriod);
      candidate = atr === undefined ? Number.NaN : position.highestHigh - this.rule.atrMultiple! * atr;
    }
    // A wider ATR must not pull the stop back down: the level ratchets.
    if (candidate > this.level || (Number.isNaN(this.level) && !Number.isNaN(candidate))) this.level = candidate;
  }

  /**
   * Whether it is active (it changes once a position). The level is not in it: a percent trail's
   * follows from the highest high the manager keeps; an ATR trail's, which ratchets on ATRs a
   * restart does not see again, the manager keeps apart (`levelKept`), as a number, since it
   * changes on most bars.
   */
  progress(): StrategyStateValue {
    return this.active;
  }

  restore(progress: StrategyStateValue): boolean {
    if (typeof progress !== 'boolean') return false;
    this.active = progress;
    this.level = Number.NaN;
    this.revision += 1;
    return true;
  }

  /** Its level must be kept to be restored: it ratchets on the ATR (a percent trail's follows from the highest high). */
  get levelKept(): boolean {
    return this.rule.atrMultiple !== undefined;
  }

  /** The level now (NaN: none yet), for the manager to keep. */
  get currentLevel(): number {
    return this.level;
  }

  /** The level kept before a restart, after `restore`. */
  restoreLevel(level: number): void {
    if (this.active && level > 0) this.level = level;
  }

  stopLevel(): number {
    return this.level;
  }
}
