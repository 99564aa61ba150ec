import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kbot/core';
import { rankPairs, type PairSnapshot } from './rank-pairs.js';

const pair = (instrumentId: string, quoteVolume: number | undefined, spreadPercent: number | undefined, volatilityPercent: number | undefined, trendPercent: number | undefined, extra: Partial<PairSnapshot> = {}): PairSnapshot =>
  ({ instrumentId, quoteVolume, spreadPercent, volatilityPercent, trendPercent, ...extra });

// Four pairs whose figures each put them in a different order.
const A = pair('AAA/USD', 1000, 0.1, 2, 1);
const B = pair('BBB/USD', 500, 0.05, 3, -1);
const C = pair('CCC/USD', 2000, 0.2, 1, 0.5);
const D = pair('DDD/USD', 800, undefined, 4, 2);

describe('rankPairs', () => {
  it('scores each figure by place among the pairs and ranks by the mean score', () => {
    const { ranked, excluded } = rankPairs([A, B, C, D]);
    // volume (higher better):     C 1, A 2/3, D 1/3, B 0
    // spread (lower better, 3):   B 1, A 1/2, C 0; D has no quotes: not scored
    // volatility (higher better): D 1, B 2/3, A 1/3, C 0
    // trend (higher better):      D 1, A 2/3, C 1/3, B 0
    // A (2/3 + 1/2 + 1/3 + 2/3) / 4 = 13/24; B (0 + 1 + 2/3 + 0) / 4 = 5/12; C (1 + 0 + 0 + 1/3) / 4 = 1/3;
    // D (1/3 + 1 + 1) / 3 = 7/9.
    expect(ranked.map((entry) => [entry.rank, entry.instrumentId])).toEqual([[1, 'DDD/USD'], [2, 'AAA/USD'], [3, 'BBB/USD'], [4, 'CCC/USD']]);
    expect(ranked.map((entry) => entry.score)).toEqual([7 / 9, 13 / 24, 5 / 12, 1 / 3].map((score) => expect.closeTo(score, 12)));
    expect(ranked[0]!.scores).toEqual({ volume: expect.closeTo(1 / 3, 12), spread: undefined, volatility: 1, trend: 1 });
    expect(ranked[0]!.notes).toEqual(['spread not scored: no quotes for this pair']);
    expect(ranked[1]!.notes).toEqual([]);
    expect(excluded).toEqual([]);
  });

  it('weights change the order; a zero weight leaves a figure out', () => {
    const byVolume = rankPairs([A, B, C, D], { weights: { volume: 1, spread: 0, volatility: 0, trend: 0 } });
    expect(byVolume.ranked.map((entry) => entry.instrumentId)).toEqual(['CCC/USD', 'AAA/USD', 'DDD/USD', 'BBB/USD']);
    // With the spread weight at 0 there is nothing to note about missing quotes.
    expect(byVolume.ranked.every((entry) => entry.notes.length === 0)).toBe(true);
    const trendHeavy = rankPairs([A, B, C, D], { weights: { volume: 1, spread: 0, volatility: 0, trend: 3 } });
    // A: (2/3 + 3 × 2/3) / 4 = 2/3; C: (1 + 3 × 1/3) / 4 = 1/2; D: (1/3 + 3) / 4 = 5/6; B: 0.
    expect(trendHeavy.ranked.map((entry) => [entry.instrumentId, entry.score])).toEqual([
      ['DDD/USD', expect.closeTo(5 / 6, 12)], ['AAA/USD', expect.closeTo(2 / 3, 12)], ['CCC/USD', expect.closeTo(1 / 2, 12)], ['BBB/USD', 0],
    ]);
  });

  it('filters: blacklist (pairs or assets), status, warm-up, staleness, minimum volume, maximum spread', () => {
    const snapshots = [
      pair('DOGE/USD', 9000, 0.1, 5, 3),
      pair('BTC/USD', 9000, 0.01, 1, 1),
      pair('XRP/USD', 9000, 0.1, 1, 1, { status: 'cancel-only' }),
      pair('NEW/USD', 9000, 0.1, undefined, undefined),
      pair('OLD/USD', 9000, 0.1, 1, 1, { updatedAt: 1000 }),
      pair('THIN/USD', 99, 0.1, 1, 1, { updatedAt: 5000 }),
      pair('WIDE/USD', 9000, 0.6, 1, 1, { updatedAt: 5000 }),
      pair('NOQUOTE/USD', 9000, undefined, 1, 1, { updatedAt: 5000 }),
      pair('ETH/USD', 5000, 0.02, 2, 1, { updatedAt: 5000 }),
    ];
    const { ranked, excluded } = rankPairs(snapshots, { blacklist: ['doge', 'BTC/USD'], minQuoteVolume: 100, maxSpreadPercent: 0.5, now: 5000, maxAgeMs: 3000 });
    expect(excluded.map((entry) => [entry.instrumentId, entry.reason])).toEqual([
      ['DOGE/USD', 'blacklisted'],
      ['BTC/USD', 'blacklisted'],
      ['XRP/USD', 'not-online'],
      ['NEW/USD', 'warming-up'],
      ['OLD/USD', 'stale'],
      ['THIN/USD', 'below-min-volume'],
      ['WIDE/USD', 'spread-too-wide'],
    ]);
    expect(excluded.find((entry) => entry.reason === 'warming-up')!.detail).toBe('not enough bars yet for volatility, trend');
    expect(excluded.find((entry) => entry.reason === 'below-min-volume')!.detail).toBe('quote volume 99 < 100');
    // Unknown spread passes the spread filter (noted), a known one is checked.
    // ETH (0 + 1 + 1 + 1/2) / 4 = 0.625 beats NOQUOTE (1 + 0 + 1/2) / 3 = 0.5.
    expect(ranked.map((entry) => entry.instrumentId)).toEqual(['ETH/USD', 'NOQUOTE/USD']);
  });

  it('ties go to the higher quote volume, then to the name; one pair scores 1 on every figure', () => {
    const tie = rankPairs([pair('ZZZ/USD', 100, undefined, 1, 1), pair('YYY/USD', 100, undefined, 1, 1), pair('XXX/USD', 200, undefined, 1, 0)], { weights: { volume: 0, spread: 0, volatility: 1, trend: 0 } });
    expect(tie.ranked.map((entry) => [entry.instrumentId, entry.score])).toEqual([['XXX/USD', 0.5], ['YYY/USD', 0.5], ['ZZZ/USD', 0.5]]);
    const alone = rankPairs([A]);
    expect(alone.ranked[0]!.scores).toEqual({ volume: 1, spread: 1, volatility: 1, trend: 1 });
    expect(alone.ranked[0]!.score).toBe(1);
  });

  it('rejects weights and limits that cannot rank, naming them', () => {
    expect(() => rankPairs([A], { weights: { volume: 0, spread: 0, volatility: 0, trend: 0 } })).toThrow(ConfigError);
    expect(() => rankPairs([A], { weights: { volume: -1 } })).toThrow('weights.volume: received -1, expected a number of 0 or more');
    expect(() => rankPairs([A], { minQuoteVolume: Number.NaN })).toThrow('minQuoteVolume: received NaN');
  });
});
