import type { StrategyStateValue } from '@kbot/core';
import type { ExitRule } from './exit-rules.js';

/*
 * What the exits keep in the strategy's `ctx.state` about the position they manage, so that after
 * a restart they go on where they were: which ladder steps were sold, whether break-even is
 * armed, the highest high and trailing level, the ATR at entry, the largest size held. The engine
 * journals each change in the step that made it; recovery gives it back, even after a kill.
 *
 * The position's progress, which changes a few times a position, is one record. The highest high
 * and an ATR trailing stop's level, which change on most bars of a rising market, are plain
 * numbers under keys of their own: the engine copies, checks and journals a whole value on each
 * change, and a number costs a tenth of a small object. They are written in the same step as the
 * record the first time and deleted with it, so they belong to the position the record names.
 */

/** The position's progress, per instrument a strategy's exits manage. */
export function exitProgressKey(instrumentId: string): string {
  return `exits:${instrumentId}`;
}

/** The highest high since the entry (kept with a trailing stop). */
export function exitHighKey(instrumentId: string): string {
  return `exits:${instrumentId}:high`;
}

/** The level of the ATR trailing stop that is rule `ruleIndex` of the exit rules. */
export function exitTrailingLevelKey(instrumentId: string, ruleIndex: number): string {
  return `exits:${instrumentId}:trailing-stop:${ruleIndex}`;
}

/** The record's layout; a record of another version is not restored (the exits start as without one). */
const VERSION = 1;

export interface ExitProgress {
  readonly version: typeof VERSION;
  /**
   * The position the record belongs to: the portfolio's `openedAt` and average entry price (its
   * decimal text). See `isSamePosition` for what counts as the same position.
   */
  readonly openedAt: number;
  readonly entry: string;
  /** Fingerprint of the rules the progress was made with: another rule set does not get it. */
  readonly rules: string;
  /** The exits' own entry price and time (their levels are computed from these numbers). */
  readonly entryPrice: number;
  readonly entryTime: number;
  /** The largest size held (decimal text): ladder fractions are shares of it. */
  readonly peak: string;
  /** Share of `peak` the ladder has sold, or is selling with an order in flight. */
  readonly sold: number;
  /**
   * The exit order in flight when the record was kept, and the share sold before it: after a
   * restart, an exit that came to nothing meanwhile (a paper session's venue cancels it) gives
   * its share back, and one still open stays the exits' order in flight.
   */
  readonly exiting?: { readonly order: string; readonly soldBefore: number };
  /**
   * Intervals since the entry without a bar (a venue skips intervals without trades): a restart
   * counts bars held from the entry time, less these. Kept only when a time stop counts bars.
   */
  readonly skippedBars?: number;
  /** ATR(period) at the entry, by period: an ATR stop-loss keeps its distance. */
  readonly entryAtrs: { readonly [period: string]: number };
  /** Each rule's own progress, in rule order (null for a rule without any). */
  readonly progress: readonly StrategyStateValue[];
}

export type ExitProgressFields = Omit<ExitProgress, 'version'>;

/** The record as plain JSON (optional fields left out when absent). */
export function exitProgressValue(fields: ExitProgressFields): StrategyStateValue {
  const value: Record<string, StrategyStateValue> = {
    version: VERSION, openedAt: fields.openedAt, entry: fields.entry, rules: fields.rules,
    entryPrice: fields.entryPrice, entryTime: fields.entryTime, peak: fields.peak, sold: fields.sold,
    entryAtrs: fields.entryAtrs, progress: fields.progress,
  };
  if (fields.skippedBars !== undefined) value['skippedBars'] = fields.skippedBars;
  if (fields.exiting !== undefined) value['exiting'] = { order: fields.exiting.order, soldBefore: fields.exiting.soldBefore };
  return value;
}

/** The record kept under the key, if it is one this version wrote; undefined otherwise. */
export function readExitProgress(value: StrategyStateValue | undefined): ExitProgress | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as { readonly [key: string]: StrategyStateValue };
  const finite = (item: StrategyStateValue | undefined) => typeof item === 'number' && Number.isFinite(item);
  if (record['version'] !== VERSION) return undefined;
  if (!finite(record['openedAt']) || !finite(record['entryPrice']) || !finite(record['entryTime']) || !finite(record['sold'])) return undefined;
  if (typeof record['entry'] !== 'string' || typeof record['rules'] !== 'string' || typeof record['peak'] !== 'string') return undefined;
  if (!Number.isFinite(Number(record['entry'])) || !Number.isFinite(Number(record['peak']))) return undefined;
  if (record['skippedBars'] !== undefined && !Number.isInteger(record['skippedBars'])) return undefined;
  const atrs = record['entryAtrs'];
  if (typeof atrs !== 'object' || atrs === null || Array.isArray(atrs) || !Object.values(atrs).every(finite)) return undefined;
  if (!Array.isArray(record['progress'])) return undefined;
  const exiting = record['exiting'];
  if (exiting !== undefined) {
    if (typeof exiting !== 'object' || exiting === null || Array.isArray(exiting)) return undefined;
    const fields = exiting as { readonly [key: string]: StrategyStateValue };
    if (typeof fields['order'] !== 'string' || !finite(fields['soldBefore'])) return undefined;
  }
  return value as unknown as ExitProgress;
}

/**
 * The same position: the same `openedAt` and an average entry price that differs by no more than
 * rounding. The portfolio stamps every new position with the time of its opening fill and the
 * exits delete the record when a position closes, so `openedAt` alone names the position; the
 * entry price guards against a position closed and opened again in the same millisecond. A
 * partial sale leaves the average entry as it was (up to the 18th decimal place of the cost
 * basis it takes out: hence the relative 1e-12); a buy into the position changes it, and the
 * exits keep the record again at the next bar with the new average. Only a buy between that bar
 * and a crash leaves a record that does not match: the position is then taken over as without
 * one, which is what a position the exits know nothing of gets.
 */
export function isSamePosition(record: Pick<ExitProgress, 'openedAt' | 'entry'>, openedAt: number | undefined, entryPrice: number): boolean {
  return openedAt === record.openedAt && sameEntryPrice(Number(record.entry), entryPrice);
}

export function sameEntryPrice(kept: number, now: number): boolean {
  return Math.abs(kept - now) <= Math.abs(kept) * 1e-12;
}

/**
 * A short fingerprint of the rules (FNV-1a of their JSON, after defaults): a restart with other
 * rules (a ladder with other steps, say) must not take steps counted on the old ones.
 */
export function exitRulesFingerprint(rules: readonly ExitRule[]): string {
  const text = JSON.stringify(rules);
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
