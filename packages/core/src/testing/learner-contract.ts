import { expect } from 'vitest';
import type { Advice, AdviceQuery, Learner, TradeOutcome } from '../learning/learner.js';
import { registerContract, type ContractCheck } from './contract-check.js';
import { tradeOutcome } from './trade-outcome-builder.js';

export interface LearnerContractOptions {
  /** Closed trades to learn from; default: wins and losses of two strategies on BTC/USD and ETH/USD. */
  readonly outcomes?: readonly TradeOutcome[];
  /** Questions to compare advice on; default: each strategy and instrument of the default outcomes, and one never seen. */
  readonly queries?: readonly AdviceQuery[];
}

function defaultOutcomes(): TradeOutcome[] {
  const outcomes: TradeOutcome[] = [];
  const pnls = ['12.5', '-4', '-7.25', '3', '-1', '0.5', '-9', '20'];
  pnls.forEach((netPnl, index) => {
    outcomes.push(tradeOutcome({
      strategyId: index % 3 === 0 ? 'mean-reversion' : 'scalper',
      instrumentId: index % 2 === 0 ? 'BTC/USD' : 'ETH/USD',
      netPnl,
      fees: '0.8',
      openedAt: 1_704_067_200_000 + index * 3_600_000,
      features: { rsi: 20 + index * 7, zScore: -2 + index * 0.5, spreadBps: 3 + (index % 4) },
    }));
  });
  return outcomes;
}

function defaultQueries(outcomes: readonly TradeOutcome[]): AdviceQuery[] {
  const queries: AdviceQuery[] = outcomes.map((outcome) => ({ strategyId: outcome.strategyId, instrumentId: outcome.instrumentId, features: outcome.features }));
  queries.push({ strategyId: 'never-seen', instrumentId: 'SOL/USD', features: { rsi: 50, zScore: 0, spreadBps: 5 } });
  return queries;
}

/** Advice as plain data, so two learners' answers compare field by field. */
function adviceOf(learner: Learner, queries: readonly AdviceQuery[]): Advice[] {
  return queries.map((query) => {
    const advice = learner.advise(query);
    return { allow: advice.allow, score: advice.score, reason: advice.reason };
  });
}

function expectValidAdvice(advice: Advice, where: string): void {
  expect(advice, `${where}: advise must return an object`).toBeTypeOf('object');
  expect(typeof (advice as { then?: unknown }).then, `${where}: advise must be synchronous`).not.toBe('function');
  expect(typeof advice.allow, `${where}: advice.allow`).toBe('boolean');
  if (advice.score !== undefined) expect(Number.isFinite(advice.score), `${where}: advice.score ${advice.score} must be finite`).toBe(true);
  if (advice.reason !== undefined) expect(typeof advice.reason, `${where}: advice.reason`).toBe('string');
}

/** The rules every Learner keeps; `runLearnerContract` registers them as tests. */
export function learnerContractChecks(createLearner: () => Learner, options: LearnerContractOptions = {}): ContractCheck[] {
  const outcomes = options.outcomes ?? defaultOutcomes();
  const queries = options.queries ?? defaultQueries(outcomes);
  const trained = () => {
    const learner = createLearner();
    for (const outcome of outcomes) learner.observe(outcome);
    return learner;
  };
  return [
    {
      name: 'the id is a non-empty string',
      run: () => {
        const id = createLearner().id;
        expect(typeof id).toBe('string');
        expect(id.trim().length).toBeGreaterThan(0);
      },
    },
    {
      name: 'advise works before anything was observed',
      run: () => {
        const learner = createLearner();
        for (const query of queries) expectValidAdvice(learner.advise(query), `${query.strategyId} ${query.instrumentId}`);
      },
    },
    {
      name: 'observe is synchronous and advise stays valid after it',
      run: () => {
        const learner = createLearner();
        for (const outcome of outcomes) {
          const result: unknown = learner.observe(outcome);
          expect(result, 'observe must return nothing (a promise would mean asynchronous work in the engine loop)').toBeUndefined();
        }
        for (const query of queries) expectValidAdvice(learner.advise(query), `${query.strategyId} ${query.instrumentId}`);
      },
    },
    {
      name: 'advise is deterministic and does not change what the learner advises',
      run: () => {
        const learner = trained();
        const first = adviceOf(learner, queries);
        expect(adviceOf(learner, queries)).toEqual(first);
        expect(adviceOf(trained(), queries), 'a second learner trained on the same outcomes').toEqual(first);
      },
    },
    {
      name: 'snapshot then restore into a fresh learner gives the same advice',
      run: () => {
        const learner = trained();
        const restored = createLearner();
        restored.restore(learner.snapshot());
        expect(adviceOf(restored, queries)).toEqual(adviceOf(learner, queries));
      },
    },
    {
      name: 'the snapshot survives a JSON round trip with the same advice',
      run: () => {
        const learner = trained();
        const text = JSON.stringify(learner.snapshot());
        expect(typeof text, 'JSON.stringify(snapshot()) must give text').toBe('string');
        const restored = createLearner();
        restored.restore(JSON.parse(text));
        expect(adviceOf(restored, queries)).toEqual(adviceOf(learner, queries));
      },
    },
    {
      name: 'a snapshot is a copy: later observations do not change it',
      run: () => {
        const learner = createLearner();
        const half = Math.ceil(outcomes.length / 2);
        for (const outcome of outcomes.slice(0, half)) learner.observe(outcome);
        const snapshot = learner.snapshot();
        const before = JSON.stringify(snapshot);
        const adviceBefore = adviceOf(learner, queries);
        for (const outcome of outcomes.slice(half)) learner.observe(outcome);
        expect(JSON.stringify(snapshot)).toBe(before);
        const restored = createLearner();
        restored.restore(snapshot);
        expect(adviceOf(restored, queries)).toEqual(adviceBefore);
      },
    },
  ];
}

/**
 * The Learner contract: advice before any observation, synchronous observe, deterministic advice,
 * and snapshots that are JSON and restore to the same advice. `createLearner` must return a
 * fresh, untrained learner each time.
 */
export function runLearnerContract(name: string, createLearner: () => Learner, options: LearnerContractOptions = {}): void {
  registerContract(`${name} keeps the Learner contract`, learnerContractChecks(createLearner, options));
}
