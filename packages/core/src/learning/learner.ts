import type { InstrumentId, StrategyId } from '../model/ids.js';
import type { RoundTrip } from '../model/position.js';
import type { EpochMs } from '../model/time.js';

/** A finished trade and what was known when it was opened. */
export interface TradeOutcome {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly roundTrip: RoundTrip;
  /** Features the strategy recorded at entry (the order's tag may name them). */
  readonly features: Readonly<Record<string, number>>;
  readonly observedAt: EpochMs;
}

export interface AdviceQuery {
  readonly strategyId: string;
  readonly instrumentId: InstrumentId | string;
  readonly features: Readonly<Record<string, number>>;
}

export interface Advice {
  /** False when the learner advises against the trade. */
  readonly allow: boolean;
  /** The learner's estimate (e.g. probability of a winning trade), when it has one. */
  readonly score?: number;
  readonly reason?: string;
}

/**
 * Learns from closed trades and advises on new ones. `observe` is called in the engine loop
 * (synchronously, after `position-closed`); state survives restarts via snapshot/restore.
 */
export interface Learner<S = unknown> {
  readonly id: string;
  observe(outcome: TradeOutcome): void;
  advise(query: AdviceQuery): Advice;
  snapshot(): S;
  restore(state: S): void;
}
