import type { Advice, AdviceQuery, Learner, TradeOutcome } from '../learning/learner.js';

/** What a FakeLearner saves: wins and losses per strategy and instrument. Plain JSON. */
export interface FakeLearnerState {
  readonly observations: number;
  /** Keyed `strategyId|instrumentId`. */
  readonly records: Readonly<Record<string, { readonly wins: number; readonly losses: number }>>;
}

export interface FakeLearnerOptions {
  /** Default `fake-learner`. */
  readonly id?: string;
  /** Fixed advice, or a function of the query; default: the win-rate rule below. */
  readonly advice?: Advice | ((query: AdviceQuery, learner: FakeLearner) => Advice);
  /** With the default rule: the smallest win rate that is allowed; default 0.5. */
  readonly minScore?: number;
}

/**
 * A learner for tests. It counts what it observes and, unless told what to say, advises by the
 * smoothed win rate of the strategy on the instrument: score = (wins + 1) / (trades + 2), allowed
 * when the score reaches `minScore`. With no history the score is 0.5. A trade wins when its net
 * P&L is above zero.
 */
export class FakeLearner implements Learner<FakeLearnerState> {
  readonly id: string;
  /** Outcomes this instance observed (not the restored ones), in order. */
  readonly outcomes: TradeOutcome[] = [];
  /** Every advice query, in order. */
  readonly queries: AdviceQuery[] = [];

  private readonly options: FakeLearnerOptions;
  private observationCount = 0;
  private records = new Map<string, { wins: number; losses: number }>();

  constructor(options: FakeLearnerOptions = {}) {
    this.options = options;
    this.id = options.id ?? 'fake-learner';
    const minScore = options.minScore ?? 0.5;
    if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) {
      throw new TypeError(`FakeLearner minScore: received ${minScore}, expected a number from 0 to 1`);
    }
  }

  /** Observations in total, restored ones included. */
  get observations(): number {
    return this.observationCount;
  }

  observe(outcome: TradeOutcome): void {
    this.outcomes.push(outcome);
    this.observationCount++;
    const key = `${outcome.strategyId}|${outcome.instrumentId}`;
    const record = this.records.get(key) ?? { wins: 0, losses: 0 };
    if (outcome.roundTrip.netPnl.greaterThan(0)) record.wins++;
    else record.losses++;
    this.records.set(key, record);
  }

  advise(query: AdviceQuery): Advice {
    this.queries.push(query);
    const fixed = this.options.advice;
    if (typeof fixed === 'function') return fixed(query, this);
    if (fixed !== undefined) return fixed;
    return this.winRateAdvice(query);
  }

  /** The default rule, also for `advice` functions that want to adjust it. */
  winRateAdvice(query: AdviceQuery): Advice {
    const record = this.records.get(`${query.strategyId}|${query.instrumentId}`) ?? { wins: 0, losses: 0 };
    const score = (record.wins + 1) / (record.wins + record.losses + 2);
    const minScore = this.options.minScore ?? 0.5;
    const allow = score >= minScore;
    return Object.freeze({ allow, score, reason: `${record.wins} of ${record.wins + record.losses} trades won${allow ? '' : `, below ${minScore}`}` });
  }

  snapshot(): FakeLearnerState {
    const records: Record<string, { wins: number; losses: number }> = {};
    for (const key of [...this.records.keys()].sort()) records[key] = { ...this.records.get(key)! };
    return { observations: this.observationCount, records };
  }

  restore(state: FakeLearnerState): void {
    if (typeof state !== 'object' || state === null || !Number.isInteger(state.observations) || typeof state.records !== 'object' || state.records === null) {
      throw new TypeError(`FakeLearner restore: received ${JSON.stringify(state)}, expected { observations: number, records: { "strategy|instrument": { wins, losses } } }`);
    }
    const records = new Map<string, { wins: number; losses: number }>();
    for (const [key, record] of Object.entries(state.records)) {
      if (!Number.isInteger(record?.wins) || !Number.isInteger(record?.losses)) {
        throw new TypeError(`FakeLearner restore records.${key}: received ${JSON.stringify(record)}, expected { wins: integer, losses: integer }`);
      }
      records.set(key, { wins: record.wins, losses: record.losses });
    }
    this.records = records;
    this.observationCount = state.observations;
  }
}
