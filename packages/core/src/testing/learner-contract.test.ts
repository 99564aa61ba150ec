import { describe, expect, it } from 'vitest';
import type { Advice, AdviceQuery, Learner, TradeOutcome } from '../learning/learner.js';
import { runContractCheck } from './contract-check.js';
import { FakeLearner } from './fake-learner.js';
import { learnerContractChecks, runLearnerContract } from './learner-contract.js';
import { tradeOutcome } from './trade-outcome-builder.js';

runLearnerContract('FakeLearner', () => new FakeLearner());
runLearnerContract('FakeLearner with a strict threshold', () => new FakeLearner({ minScore: 0.6 }));

describe('FakeLearner', () => {
  it('counts observations and advises by the smoothed win rate of the strategy on the instrument', () => {
    const learner = new FakeLearner({ minScore: 0.5 });
    const query = { strategyId: 'scalper', instrumentId: 'BTC/USD', features: {} };
    expect(learner.advise(query)).toEqual({ allow: true, score: 0.5, reason: '0 of 0 trades won' });
    learner.observe(tradeOutcome({ strategyId: 'scalper', netPnl: '-2' }));
    learner.observe(tradeOutcome({ strategyId: 'scalper', netPnl: '-1' }));
    learner.observe(tradeOutcome({ strategyId: 'scalper', netPnl: '3' }));
    learner.observe(tradeOutcome({ strategyId: 'other', netPnl: '5' }));
    expect(learner.observations).toBe(4);
    // (1 win + 1) / (3 trades + 2) = 0.4
    expect(learner.advise(query)).toEqual({ allow: false, score: 0.4, reason: '1 of 3 trades won, below 0.5' });
    expect(learner.queries).toHaveLength(2);
  });

  it('gives fixed or computed advice when told to', () => {
    expect(new FakeLearner({ advice: { allow: false, reason: 'no' } }).advise({ strategyId: 's', instrumentId: 'BTC/USD', features: {} })).toEqual({ allow: false, reason: 'no' });
    const byFeature = new FakeLearner({ advice: (query) => ({ allow: (query.features['rsi'] ?? 0) < 30 }) });
    expect(byFeature.advise({ strategyId: 's', instrumentId: 'BTC/USD', features: { rsi: 25 } }).allow).toBe(true);
    expect(byFeature.advise({ strategyId: 's', instrumentId: 'BTC/USD', features: { rsi: 70 } }).allow).toBe(false);
  });

  it('restores its counts and refuses a malformed snapshot, naming the field', () => {
    const learner = new FakeLearner();
    learner.observe(tradeOutcome({ netPnl: '1' }));
    const restored = new FakeLearner();
    restored.restore(JSON.parse(JSON.stringify(learner.snapshot())));
    expect(restored.observations).toBe(1);
    expect(() => restored.restore({ observations: 1, records: { 'a|BTC/USD': { wins: 'x' } } } as never)).toThrow(/records\.a\|BTC\/USD/);
    expect(() => new FakeLearner({ minScore: 2 })).toThrow(/minScore: received 2/);
  });
});

/** A learner built on FakeLearner with one deliberate bug. */
function learnerWith(change: Partial<Pick<Learner, 'snapshot' | 'restore' | 'advise' | 'observe'>>): () => Learner {
  return () => {
    const inner = new FakeLearner();
    return {
      id: 'broken',
      observe: change.observe ?? ((outcome: TradeOutcome) => inner.observe(outcome)),
      advise: change.advise ?? ((query: AdviceQuery): Advice => inner.advise(query)),
      snapshot: change.snapshot ?? (() => inner.snapshot()),
      restore: change.restore ?? ((state: unknown) => inner.restore(state as never)),
    };
  };
}

describe('the Learner contract catches broken learners', () => {
  it('a restore that does nothing', async () => {
    const checks = learnerContractChecks(learnerWith({ restore: () => {} }));
    await expect(runContractCheck(checks, 'snapshot then restore into a fresh learner gives the same advice')).rejects.toThrow();
  });

  it('a snapshot that holds live state', async () => {
    const create = () => {
      const outcomes: TradeOutcome[] = [];
      const learner: Learner<TradeOutcome[]> = {
        id: 'live-snapshot',
        observe: (outcome) => void outcomes.push(outcome),
        advise: () => ({ allow: true, score: outcomes.filter((outcome) => outcome.roundTrip.netPnl.isPositive()).length }),
        snapshot: () => outcomes,
        restore: (state) => void outcomes.splice(0, outcomes.length, ...state),
      };
      return learner;
    };
    await expect(runContractCheck(learnerContractChecks(create), 'a snapshot is a copy: later observations do not change it')).rejects.toThrow();
  });

  it('a snapshot that does not survive JSON', async () => {
    const create = () => {
      const wins = new Map<string, number>();
      const learner: Learner<Map<string, number>> = {
        id: 'map-snapshot',
        observe: (outcome) => void wins.set(outcome.strategyId, (wins.get(outcome.strategyId) ?? 0) + 1),
        advise: (query) => ({ allow: true, score: wins.get(query.strategyId) ?? 0 }),
        snapshot: () => new Map(wins),
        restore: (state) => {
          wins.clear();
          for (const [key, value] of state) wins.set(key, value);
        },
      };
      return learner;
    };
    await expect(runContractCheck(learnerContractChecks(create), 'the snapshot survives a JSON round trip with the same advice')).rejects.toThrow();
  });

  it('an asynchronous observe and advice that is not a boolean', async () => {
    const asyncObserve = learnerWith({ observe: (async () => {}) as unknown as Learner['observe'] });
    await expect(runContractCheck(learnerContractChecks(asyncObserve), 'observe is synchronous and advise stays valid after it')).rejects.toThrow();
    const vague = learnerWith({ advise: () => ({ allow: 'yes' }) as unknown as Advice });
    await expect(runContractCheck(learnerContractChecks(vague), 'advise works before anything was observed')).rejects.toThrow();
  });
});
