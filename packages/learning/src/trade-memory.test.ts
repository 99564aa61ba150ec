import { describe, expect, it } from 'vitest';
import { runLearnerContract, tradeOutcome } from '@kbot/core/testing';
import { TradeMemory } from './trade-memory.js';

runLearnerContract('TradeMemory', () => new TradeMemory({ minWinRate: 0.4, minTrades: 3 }), {
  outcomes: [tradeOutcome({ netPnl: '-5' }), tradeOutcome({ netPnl: '-2' }), tradeOutcome({ netPnl: '3' }), tradeOutcome({ netPnl: '-1' })],
});

const query = { strategyId: 'test-strategy', instrumentId: 'BTC/USD', features: {} };

describe('TradeMemory', () => {
  it('starts neutral: score 0.5 and no veto before any trade', () => {
    expect(new TradeMemory({ minWinRate: 0.9 }).advise(query)).toEqual({ allow: true, score: 0.5 });
  });

  it('scores the smoothed win rate (wins + 1) / (trades + 2)', () => {
    const memory = new TradeMemory();
    for (const netPnl of ['10', '-3', '-4', '5', '-1']) memory.observe(tradeOutcome({ netPnl }));
    expect(memory.advise(query).score).toBeCloseTo(3 / 7, 12);
  });

  it('vetoes a pair that keeps losing once it has enough trades, and says why', () => {
    const memory = new TradeMemory({ minWinRate: 0.4, minTrades: 4 });
    for (let index = 0; index < 3; index++) memory.observe(tradeOutcome({ netPnl: '-1' }));
    expect(memory.advise(query).allow).toBe(true);
    memory.observe(tradeOutcome({ netPnl: '-1' }));
    const advice = memory.advise(query);
    expect(advice.allow).toBe(false);
    expect(advice.reason).toMatch(/won 0 of the last 4 trades/);
  });

  it('keeps strategies and instruments apart', () => {
    const memory = new TradeMemory();
    memory.observe(tradeOutcome({ netPnl: '-1', instrumentId: 'ETH/USD' }));
    expect(memory.count('test-strategy', 'ETH/USD')).toBe(1);
    expect(memory.count('test-strategy', 'BTC/USD')).toBe(0);
  });

  it('forgets beyond its window', () => {
    const memory = new TradeMemory({ window: 2 });
    for (const netPnl of ['-1', '-1', '2', '3']) memory.observe(tradeOutcome({ netPnl }));
    expect(memory.count('test-strategy', 'BTC/USD')).toBe(2);
    expect(memory.advise(query).score).toBeCloseTo(3 / 4, 12);
  });

  it('survives a restart through a JSON snapshot', () => {
    const before = new TradeMemory({ minWinRate: 0.4, minTrades: 2 });
    for (const netPnl of ['-1', '-2', '1']) before.observe(tradeOutcome({ netPnl }));
    const after = new TradeMemory({ minWinRate: 0.4, minTrades: 2 });
    after.restore(JSON.parse(JSON.stringify(before.snapshot())));
    expect(after.advise(query)).toEqual(before.advise(query));
  });

  it('keeps only its window of a snapshot saved with a larger one', () => {
    const before = new TradeMemory({ window: 500 });
    for (let trade = 0; trade < 30; trade++) before.observe(tradeOutcome({ netPnl: '-1' }));
    const after = new TradeMemory({ window: 10, minTrades: 5, minWinRate: 0.4 });
    after.restore(JSON.parse(JSON.stringify(before.snapshot())));
    expect(after.count(query.strategyId, query.instrumentId)).toBe(10);
    for (let trade = 0; trade < 10; trade++) after.observe(tradeOutcome({ netPnl: '2' }));
    // The last 10 trades all won: (10 + 1) / (10 + 2).
    expect(after.advise(query)).toEqual({ allow: true, score: 11 / 12 });
  });

  it('refuses a foreign snapshot and bad options with clear messages', () => {
    expect(() => new TradeMemory().restore({ version: 1, records: null } as never)).toThrow(/expected \{ version: 1, records \}/);
    expect(() => new TradeMemory().restore({ version: 1, records: { 'a|b': { results: 5 } } } as never)).toThrow(
      'trade memory state: records["a|b"].results: received 5, expected an array of finite numbers (one per trade)',
    );
    expect(() => new TradeMemory().restore({ version: 1, records: { 'a|b': {} } } as never)).toThrow(/records\["a\|b"\]\.results: received nothing/);
    expect(() => new TradeMemory().restore({ version: 2 } as never)).toThrow(/expected \{ version: 1, records \}/);
    expect(() => new TradeMemory({ minWinRate: 2 })).toThrow('TradeMemory minWinRate: received 2, expected a fraction from 0 to 1');
  });
});
