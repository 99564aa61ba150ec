import { ConfigError, configErrorMap, configIssuesFromZod, type StrategyStateValue } from '@kbot/core';
import type { z } from 'zod';

/** Why an exit order was sent; also the start of its order tag. */
export type ExitReason = 'stop-loss' | 'break-even' | 'trailing-stop' | 'take-profit' | 'time-stop' | 'strategy';

/**
 * What a rule sees on each bar while a position is open. Plain numbers: this runs on every bar.
 * Triggers are decided on the bar's close; the trailing anchor follows highs.
 */
export interface HeldPosition {
  /** Average entry price of the open position. */
  readonly entryPrice: number;
  /** Time of the first entry fill (epoch ms). */
  readonly entryTime: number;
  /** Bars seen since the entry, this one included. */
  readonly barsHeld: number;
  /** Highest high since the entry (the entry price before the first bar). */
  readonly highestHigh: number;
  readonly close: number;
  /** End of the current bar's interval (epoch ms). */
  readonly closeTime: number;
  /** Taker fee per side as a fraction (0.004 = 0.40%), for break-even levels. */
  readonly feeRate: number;
  /** ATR(period) now, undefined until it is warm. */
  atr(period: number): number | undefined;
  /** ATR(period) when the position opened (or its first value after, if it was not warm yet). */
  entryAtr(period: number): number | undefined;
}

/**
 * The per-position logic of one exit rule. A rule answers one or more of three questions; the
 * exits manager combines the answers of all its rules (the highest stop wins).
 */
export interface ExitRuleRuntime {
  readonly reason: ExitReason;
  /** ATR periods the rule reads, so the manager feeds them from the first bar on. */
  readonly atrPeriods: readonly number[];
  /** A new position opened: forget the previous one. */
  open(): void;
  /** Sees every bar while the position is open, before any question is asked. */
  observe?(position: HeldPosition): void;
  /** Price at or below which the whole position goes; NaN when the rule sets no stop (yet). */
  stopLevel?(position: HeldPosition): number;
  /** Share (0–1) of the largest quantity held in this position that should be sold by now. */
  soldFraction?(position: HeldPosition): number;
  /** True when the whole position should go now, whatever the price. */
  exitNow?(position: HeldPosition): boolean;
  /**
   * Counts the changes to what `progress` returns (it only grows), so the manager knows when to
   * keep the progress again without building or comparing it on every bar.
   */
  readonly revision?: number;
  /**
   * What the rule learned about the position that bars after a restart cannot tell it again (a
   * ladder's steps taken, break-even armed, a trailing level): plain JSON, kept in `ctx.state`.
   */
  progress?(): StrategyStateValue;
  /** Takes back what `progress` returned for the same position (after `open`); false, changing nothing, if it cannot read it. */
  restore?(progress: StrategyStateValue): boolean;
}

/**
 * Parses a rule's settings with its zod schema, turning problems into a ConfigError whose lines
 * name the factory and field (`stopLoss.percent: received -1, expected > 0`).
 */
export function parseRule<S extends z.ZodType>(schema: S, name: string, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true, error: configErrorMap });
  if (!result.success) throw new ConfigError(configIssuesFromZod(result.error, name));
  return result.data;
}

/*
 * Levels are products of prices and percentages (20,000 × 1.005 = 20,100.000000000004), so a close
 * exactly at a level in decimal terms must count as reaching it: comparisons allow a relative
 * 1e-12, far below any price tick.
 */
const TOLERANCE = 1e-12;

/** `value` is at or above `target`, allowing for binary rounding of `target`. */
export function reaches(value: number, target: number): boolean {
  return value >= target - Math.abs(target) * TOLERANCE;
}

/** `value` is at or below `level`, allowing for binary rounding of `level`. */
export function fallsTo(value: number, level: number): boolean {
  return value <= level + Math.abs(level) * TOLERANCE;
}
