import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixedBpsSlippage, instrumentId, mergeBarStreams, openBarFile, type EpochMs, type InstrumentId, type StrategyContext } from '@kbot/core';
import { createStrategyHarness } from '@kbot/core/testing';
import { PairMetrics } from './pair-metrics.js';
import { rankPairs, type PairRanking } from './rank-pairs.js';
import { ScannerRotation, scannerRotationParams, type ScannerRotationParams } from './scanner-rotation.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const FILES: ReadonlyArray<readonly [string, string]> = [
  ['XBTUSD_15.csv', 'BTC/USD'], ['ETHUSD_15.csv', 'ETH/USD'], ['SOLUSD_15.csv', 'SOL/USD'], ['AVAXUSD_15.csv', 'AVAX/USD'], ['DOTUSD_15.csv', 'DOT/USD'],
];
const open = () => FILES.map(([file]) => openBarFile(join(DATA, 'ohlcv/kraken/h1-q3-2023/trading_test_data', file)));

/** Keeps every candidate list with the time it was handed over. */
class RecordingRotation extends ScannerRotation {
  readonly lists: Array<{ time: EpochMs; candidates: readonly InstrumentId[] }> = [];

  protected override onRankingChanged(_ranking: PairRanking, candidates: readonly InstrumentId[], time: EpochMs, _ctx: StrategyContext<ScannerRotationParams>): void {
    this.lists.push({ time, candidates });
  }

  candidatesAt(time: EpochMs): readonly InstrumentId[] {
    let found: readonly InstrumentId[] = [];
    for (const entry of this.lists) if (entry.time <= time) found = entry.candidates;
    return found;
  }
}

// Needs Kraken's Q3 2023 15-minute files for five pairs from the shared data folder, which lives
// outside the repository; without it there is nothing real to rank.
describe.skipIf(!DATA)('scanner on Kraken 15m BTC, ETH, SOL, AVAX, DOT, Q3 2023', () => {
  it('ranks the five pairs from their whole quarter of bars', () => {
    const metrics = new Map(FILES.map(([, pair]) => [pair, new PairMetrics(instrumentId(pair), { window: 96, trendPeriod: 96, trendLookback: 16 })]));
    for (const bar of mergeBarStreams(open())) metrics.get(bar.instrumentId)!.onBar(bar);
    const snapshots = [...metrics.values()].map((entry) => entry.snapshot());
    // Quote volume of the last day (96 bars) of September 2023: BTC trades the most by far.
    expect(snapshots.map((snapshot) => [snapshot.instrumentId, Math.round(snapshot.quoteVolume!)])).toEqual([
      ['BTC/USD', 15_963_449], ['ETH/USD', 7_606_831], ['SOL/USD', 7_679_226], ['AVAX/USD', 282_425], ['DOT/USD', 386_665],
    ]);
    const byVolume = rankPairs(snapshots, { weights: { volume: 1, spread: 0, volatility: 0, trend: 0 } });
    expect(byVolume.ranked.map((entry) => entry.instrumentId)).toEqual(['BTC/USD', 'SOL/USD', 'ETH/USD', 'DOT/USD', 'AVAX/USD']);
    // All figures: SOL had the highest ATR % (0.36) and the steepest EMA rise (+0.89 % over 16 bars),
    // and the second volume: (3/4 + 1 + 1) / 3 = 11/12. BTC, DOT and AVAX tie at 5/12 and are ordered by
    // volume; ETH, flattest, is last. No quotes in bar files: the spread is noted, not scored.
    const ranking = rankPairs(snapshots);
    expect(ranking.ranked.map((entry) => [entry.instrumentId, entry.score])).toEqual([
      ['SOL/USD', expect.closeTo(11 / 12, 12)], ['BTC/USD', expect.closeTo(5 / 12, 12)], ['DOT/USD', expect.closeTo(5 / 12, 12)],
      ['AVAX/USD', expect.closeTo(5 / 12, 12)], ['ETH/USD', expect.closeTo(1 / 3, 12)],
    ]);
    expect(ranking.ranked.every((entry) => entry.notes[0] === 'spread not scored: no quotes for this pair')).toBe(true);
    // A 1 M USD daily volume floor leaves the two thin pairs out.
    const floor = rankPairs(snapshots, { minQuoteVolume: 1_000_000 });
    expect(floor.ranked.map((entry) => entry.instrumentId)).toEqual(['SOL/USD', 'BTC/USD', 'ETH/USD']);
    expect(floor.excluded.map((entry) => [entry.instrumentId, entry.reason])).toEqual([['AVAX/USD', 'below-min-volume'], ['DOT/USD', 'below-min-volume']]);
  });

  it('rotates through the five files: the list changes as it runs, and it only buys candidates, one at a time', async () => {
    const strategy = new RecordingRotation();
    const params = scannerRotationParams.parse({ pairs: FILES.map(([, pair]) => pair), interval: '15m' });
    const harness = await createStrategyHarness({
      strategy, params, venue: { slippageModel: new FixedBpsSlippage(5), fillModel: { maxVolumeParticipation: 0.1 } },
    });
    let bars = 0;
    let mostPositions = 0;
    for (const bar of mergeBarStreams(open())) {
      harness.feed(bar);
      bars++;
      mostPositions = Math.max(mostPositions, harness.portfolio.positions().length);
    }
    await harness.stop();

    expect(bars).toBe(8829 + 8826 + 8828 + 8214 + 8616);
    expect(mostPositions).toBe(1);
    expect(harness.denials).toEqual([]);
    // The candidate list changes while it runs, and every pair is a candidate at some point.
    expect(strategy.lists.length).toBeGreaterThan(100);
    expect(new Set(strategy.lists.flatMap((entry) => entry.candidates))).toEqual(new Set(FILES.map(([, pair]) => pair)));
    // Every buy is of a pair on the list at that moment.
    const buys = harness.intents.filter((entry) => entry.intent.side === 'buy');
    expect(buys.length).toBeGreaterThan(10);
    for (const entry of buys) expect(strategy.candidatesAt(entry.time)).toContain(entry.intent.instrumentId);
    // Same data, same journal.
    const again = new RecordingRotation();
    const second = await createStrategyHarness({ strategy: again, params, venue: { slippageModel: new FixedBpsSlippage(5), fillModel: { maxVolumeParticipation: 0.1 } } });
    second.feed(mergeBarStreams(open()));
    await second.stop();
    expect(second.intents.map((entry) => [entry.time, entry.intent.side, entry.intent.instrumentId, String(entry.intent.quantity)]))
      .toEqual(harness.intents.map((entry) => [entry.time, entry.intent.side, entry.intent.instrumentId, String(entry.intent.quantity)]));
  });
});
