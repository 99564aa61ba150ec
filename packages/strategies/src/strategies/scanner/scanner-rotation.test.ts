import { describe, expect, it } from 'vitest';
import { HOUR_MS, instrumentId, mergeBarStreams, type Bar, type EpochMs, type InstrumentId, type Logger, type Strategy, type StrategyContext } from '@kbot/core';
import { TEST_START_TIME, bar, createStrategyHarness, runStrategyContract, type StrategyHarness } from '@kbot/core/testing';
import { ATR } from '../../indicators/atr.js';
import { EMA } from '../../indicators/ema.js';
import { settledAfter } from '../../indicators/settled-after.js';
import type { PairRanking } from './rank-pairs.js';
import { startLiveSession, startPaperSession } from '../paper-session-test-kit.js';
import { ScannerRotation, scannerRotationParams, type ScannerRotationParams } from './scanner-rotation.js';

/** Hourly bars from closes and base volumes; each bar opens at the previous close. */
function series(pair: string, closes: number[], volumes: number[]): Bar[] {
  return closes.map((close, index) => bar({
    instrumentId: pair, interval: '1h', openTime: TEST_START_TIME + index * HOUR_MS, open: index === 0 ? close : closes[index - 1]!, close, volume: volumes[index]!,
  }));
}

// BTC leads on traded value (≈ 40,000 USD a bar) until its volume drops to a tenth at hour 4;
// ETH trades a steady ≈ 20,000 USD a bar, rising; SOL ≈ 10,000 USD a bar, falling.
const market = [...mergeBarStreams([
  series('BTC/USD', [40_000, 40_400, 40_800, 41_200, 41_600, 42_000, 42_400, 42_800], [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1]),
  series('ETH/USD', [2000, 2010, 2020, 2030, 2040, 2050, 2060, 2070], [10, 10, 10, 10, 10, 10, 10, 10]),
  series('SOL/USD', [100, 99, 98, 97, 96, 95, 94, 93], [100, 100, 100, 100, 100, 100, 100, 100]),
])];

const params = (input: Record<string, unknown> = {}): ScannerRotationParams => scannerRotationParams.parse({
  pairs: ['BTC/USD', 'ETH/USD', 'SOL/USD'], interval: '1h', topN: 1, window: 2, trendPeriod: 2, trendLookback: 1,
  weights: { volume: 1, spread: 0, volatility: 0, trend: 0 }, allocation: 0.5, rescanEveryBars: 1, ...input,
});

/** Records every candidate list it is handed: the "other logic" the scanner feeds. */
class RecordingRotation extends ScannerRotation {
  readonly lists: Array<[number, readonly InstrumentId[]]> = [];

  protected override onRankingChanged(_ranking: PairRanking, candidates: readonly InstrumentId[], time: EpochMs, _ctx: StrategyContext<ScannerRotationParams>): void {
    this.lists.push([(time - TEST_START_TIME) / HOUR_MS, candidates]);
  }
}

async function run(strategy: ScannerRotation, input: Record<string, unknown> = {}): Promise<StrategyHarness<ScannerRotationParams>> {
  const harness = await createStrategyHarness({ strategy, params: params(input) });
  harness.feed(market);
  await harness.stop();
  return harness;
}

const decided = (harness: StrategyHarness<ScannerRotationParams>) =>
  harness.intents.map((entry) => [(entry.time - TEST_START_TIME) / HOUR_MS, entry.intent.side, entry.intent.instrumentId, String(entry.intent.quantity), entry.intent.tag]);

describe('ScannerRotation', () => {
  it('buys the top-ranked pair, and rotates when the ranking changes under it', async () => {
    const strategy = new RecordingRotation();
    const harness = await run(strategy);
    // Ranking starts at hour 3 (ATR and the EMA slope need three bars). Quote volume over two bars:
    // BTC 81,200, ETH 40,300, SOL 19,700. BTC's close 40,800 is above its EMA(2) 40,600, which rose: buy
    // with half the USD less twice the taker fee: 10,000 × 0.5 × 0.992 / 40,800 = 0.12156862 BTC.
    // At hour 6 BTC's window holds 4,160 + 4,200 = 8,360 against ETH's 40,900: BTC leaves the list, is
    // sold; at hour 7, flat, the new leader ETH (rising) is bought with half the USD then.
    expect(decided(harness)).toEqual([
      [3, 'buy', 'BTC/USD', '0.12156862', 'rank 1'],
      [6, 'sell', 'BTC/USD', '0.12156862', 'left the candidates'],
      [7, 'buy', 'ETH/USD', '2.43319754', 'rank 1'],
    ]);
    expect(harness.fills.map((fill) => [fill.side, fill.instrumentId, fill.price.toFixed(), fill.fee.toFixed()])).toEqual([
      ['buy', 'BTC/USD', '40800', '19.84'],
      ['sell', 'BTC/USD', '42000', '20.4235'],
      ['buy', 'ETH/USD', '2060', '17.5434'],
    ]);
    expect(harness.roundTrips.map((trip) => [trip.instrumentId, trip.netPnl.toFixed()])).toEqual([['BTC/USD', '105.618844']]);
    expect(strategy.lists).toEqual([[3, ['BTC/USD']], [6, ['ETH/USD']]]);
    expect(strategy.candidates).toEqual(['ETH/USD']);
    expect(strategy.ranking.ranked.map((entry) => entry.instrumentId)).toEqual(['ETH/USD', 'SOL/USD', 'BTC/USD']);
  });

  it('hands the top-N list to the trend rule: a falling leader is passed over for the next candidate', async () => {
    // SOL trades far more than ETH but falls; with topN 2 both are candidates.
    const heavySol = [...mergeBarStreams([
      series('ETH/USD', [2000, 2010, 2020, 2030, 2040], [10, 10, 10, 10, 10]),
      series('SOL/USD', [100, 99, 98, 97, 96], [1000, 1000, 1000, 1000, 1000]),
    ])];
    const harness = await createStrategyHarness({ strategy: new RecordingRotation(), params: params({ pairs: ['ETH/USD', 'SOL/USD'], topN: 2 }) });
    harness.feed(heavySol);
    await harness.stop();
    // SOL ranks first (≈ 98,000 USD against ≈ 40,000) but falls: the rule skips it and buys ETH, rank 2.
    expect(decided(harness)).toEqual([[3, 'buy', 'ETH/USD', '2.45544554', 'rank 2']]);
  });

  it('never trades a blacklisted pair, and a minimum volume keeps thin pairs off the list', async () => {
    const blacklisted = await run(new RecordingRotation(), { blacklist: ['BTC'] });
    expect(blacklisted.intents.map((entry) => entry.intent.instrumentId)).not.toContain('BTC/USD');
    expect(decided(blacklisted)[0]).toEqual([3, 'buy', 'ETH/USD', '2.45544554', 'rank 1']);

    const strategy = new RecordingRotation();
    const harness = await run(strategy, { minQuoteVolume: 50_000 });
    // Only BTC's 81,200 passes at first; once it drops below 50,000 nothing is left to hold.
    expect(strategy.lists).toEqual([[3, ['BTC/USD']], [5, []]]);
    expect(decided(harness)).toEqual([
      [3, 'buy', 'BTC/USD', '0.12156862', 'rank 1'],
      [5, 'sell', 'BTC/USD', '0.12156862', 'left the candidates'],
    ]);
    expect(strategy.ranking.excluded.map((entry) => [entry.instrumentId, entry.reason])).toEqual([
      ['BTC/USD', 'below-min-volume'], ['ETH/USD', 'below-min-volume'], ['SOL/USD', 'below-min-volume'],
    ]);
  });

  it('notes that the spread is not scored when there are no quotes (bar backtests)', async () => {
    const strategy = new RecordingRotation();
    await run(strategy, { weights: { volume: 1, spread: 1, volatility: 0, trend: 0 } });
    expect(strategy.ranking.ranked.map((entry) => entry.notes)).toEqual([
      ['spread not scored: no quotes for this pair'], ['spread not scored: no quotes for this pair'], ['spread not scored: no quotes for this pair'],
    ]);
  });

  it('leaves alone a position on a pair no longer in pairs (a restart with another list): warns once, never sells it, rotates its own pairs', async () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger: Logger = { debug() {}, info() {}, warn: (message, fields) => void warnings.push([message, fields]), error() {}, child: () => logger };
    const harness = await createStrategyHarness({ strategy: new RecordingRotation(), params: params({ pairs: ['BTC/USD', 'ETH/USD'] }), logger });
    // What an earlier run that scanned SOL/USD left: 10 SOL bought at 100 (1,000 + 4 of fee) on SOL
    // bars before the scanner's first step (which the scanner, not subscribed to SOL, does not see).
    const solBar = (hoursBefore: number) => bar({ instrumentId: 'SOL/USD', interval: '1h', openTime: TEST_START_TIME - hoursBefore * HOUR_MS, open: 100, close: 100, volume: 100 });
    harness.feed(solBar(2));
    harness.engine.submit('earlier-run', { instrumentId: 'SOL/USD', side: 'buy', type: 'market', quantity: '10' });
    harness.feed(solBar(1));
    expect(harness.portfolio.position('SOL/USD')?.quantity.toFixed()).toBe('10');
    harness.feed(market);
    await harness.stop();
    expect(warnings).toEqual([[
      'SOL/USD is held but not in pairs: left alone (neither sold nor counted as the pair held); sell it (kbot sell SOL/USD) or add it to pairs to have it rotated',
      { instrumentId: 'SOL/USD', quantity: '10' },
    ]]);
    // Its own pairs rotate as usual, with half of the USD left: (10,000 − 1,004) × 0.5 × 0.992 / 40,800 = 0.10936313 BTC.
    expect(decided(harness)).toEqual([
      [3, 'buy', 'BTC/USD', '0.10936313', 'rank 1'],
      [6, 'sell', 'BTC/USD', '0.10936313', 'left the candidates'],
      [7, 'buy', 'ETH/USD', '2.18890449', 'rank 1'],
    ]);
    expect(harness.portfolio.position('SOL/USD')?.quantity.toFixed()).toBe('10');
  });

  it('in a bot with another strategy holding its top pair: never sells it, is denied it once, and passes over it to the next candidate', async () => {
    /** Buys 0.05 BTC on its first bar and holds it. */
    const holder: Strategy = {
      subscriptions: () => [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars', interval: HOUR_MS }],
      onBar(_bar, ctx) {
        if (ctx.portfolio.position('BTC/USD') === undefined && ctx.portfolio.openOrders('BTC/USD').length === 0) {
          ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.05' });
        }
      },
    };
    const harness = await createStrategyHarness({
      strategy: new RecordingRotation(), params: params({ topN: 2 }), alongside: [{ id: 'holder', strategy: holder, params: {} }],
    });
    harness.feed(market);
    await harness.stop();
    // Hour 3: BTC ranks first and is rising, but the holder's position makes it the holder's pair:
    // the buy is denied. Hours 4 and 5 pass over BTC (a window of 2 bars) to ETH, second and rising.
    expect(decided(harness).map(([hour, side, pair]) => [hour, side, pair])).toEqual([[3, 'buy', 'BTC/USD'], [4, 'buy', 'ETH/USD']]);
    expect(harness.denials.map((denial) => [denial.strategyId, denial.instrumentId, denial.code])).toEqual([['strategy-under-test', 'BTC/USD', 'pair-taken']]);
    expect(harness.portfolio.position('BTC/USD')?.quantity.toFixed()).toBe('0.05');
    expect(harness.fills.filter((fill) => fill.instrumentId === 'BTC/USD').map((fill) => [fill.strategyId, fill.side])).toEqual([['holder', 'buy']]);
  });

  it('live, an order the earlier run left open is in flight: nothing else is sent until it ends', async () => {
    const first = await startLiveSession(new RecordingRotation(), params(), TEST_START_TIME - HOUR_MS);
    first.engine.submit('under-test', { instrumentId: 'ETH/USD', side: 'buy', type: 'market', quantity: '1', tag: 'rank 1' });
    await first.stop();
    const second = await startLiveSession(new RecordingRotation(), params(), TEST_START_TIME, undefined, first.store);
    second.feed(market);
    await second.stop();
    // Without it, hour 3 buys BTC (the first test): here the ETH order left open is still in flight.
    expect(second.orders().map((order) => [order.instrumentId, order.side, order.status])).toEqual([['ETH/USD', 'buy', 'accepted']]);
  });

  it('live, with several orders the earlier run left open, waits for all of them, not only the newest', async () => {
    for (const ended of ['ETH/USD', 'BTC/USD']) {
      const first = await startLiveSession(new RecordingRotation(), params(), TEST_START_TIME - HOUR_MS);
      first.engine.submit('under-test', { instrumentId: 'ETH/USD', side: 'buy', type: 'market', quantity: '1', tag: 'rank 1' });
      first.engine.submit('under-test', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.01', tag: 'rank 1' });
      await first.stop();
      const second = await startLiveSession(new RecordingRotation(), params(), TEST_START_TIME, undefined, first.store);
      // One of the two ends (the venue canceled it); the other is still in flight.
      const gone = second.orders().find((order) => order.instrumentId === ended)!;
      second.engine.onCanceled({ clientOrderId: gone.clientOrderId, time: TEST_START_TIME });
      second.feed(market);
      await second.stop();
      expect(second.orders().map((order) => [order.instrumentId, order.status]), `${ended} ended`).toEqual([
        ['ETH/USD', ended === 'ETH/USD' ? 'canceled' : 'accepted'],
        ['BTC/USD', ended === 'BTC/USD' ? 'canceled' : 'accepted'],
      ]);
    }
  });

  it('validates its params', () => {
    expect(scannerRotationParams.safeParse({ pairs: ['BTC/USD', 'ETH/EUR'], interval: '1h' }).error?.issues[0]?.message).toBe('pairs of one quote asset (these are quoted in USD and EUR)');
    expect(scannerRotationParams.safeParse({ pairs: [], interval: '1h' }).success).toBe(false);
    expect(scannerRotationParams.safeParse({ pairs: ['BTC/USD'], interval: '1h', weights: { volume: 0, spread: 0, volatility: 0, trend: 0 } }).error?.issues[0]?.message).toBe('at least one weight above 0');
    // A zero interval would pass `\d+` and crash later (even `kbot config check`).
    expect(scannerRotationParams.safeParse({ pairs: ['BTC/USD'], interval: '0m' }).error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['interval', 'a positive interval such as "15m", "1h", "4h"']]);
    // Without quotes the spread is never known, so a spread limit could never apply.
    expect(scannerRotationParams.safeParse({ pairs: ['BTC/USD'], interval: '1h', maxSpreadPercent: 0.5 }).error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['maxSpreadPercent', 'null while useQuotes is false (the spread is known only from quotes; set useQuotes: true to use this limit)'],
    ]);
    expect(scannerRotationParams.safeParse({ pairs: ['BTC/USD'], interval: '1h', maxSpreadPercent: 0.5, useQuotes: true }).success).toBe(true);
  });
});

runStrategyContract('ScannerRotation', () => new ScannerRotation(), params(), market);
runStrategyContract('ScannerRotation with quotes', () => new ScannerRotation(), params({ useQuotes: true }), market);

describe('ScannerRotation warm-up', () => {
  const hours = (times: readonly number[]) => times.map((time) => (time - TEST_START_TIME) / HOUR_MS);

  it('asks every pair\'s bars for the bars after which its figures have settled: the ATR over the window, or the EMA plus the slope\'s lookback', () => {
    const warmUpBars = (input: Record<string, unknown>) => new ScannerRotation().subscriptions(scannerRotationParams.parse({ pairs: ['BTC/USD', 'ETH/USD'], interval: '15m', ...input }))
      .map((subscription) => `${subscription.kind} ${subscription.instrumentId} ${subscription.warmUpBars}`);
    // Defaults: ATR(96) takes 97 to seed, then 440 until the seed weighs under 1% ((95/96)^440 = 0.0099),
    // against the settled EMA(96) (318) + 16 = 334; quotes warm nothing.
    expect(warmUpBars({ useQuotes: true })).toEqual(['bars BTC/USD 537', 'quotes BTC/USD undefined', 'bars ETH/USD 537', 'quotes ETH/USD undefined']);
    expect(settledAfter(new ATR(96))).toBe(97 + 440);
    const bars = (count: number) => [`bars BTC/USD ${count}`, `bars ETH/USD ${count}`];
    expect(warmUpBars({ window: 200 })).toEqual(bars(settledAfter(new ATR(200))));
    expect(warmUpBars({ window: 20, trendPeriod: 200 })).toEqual(bars(settledAfter(new EMA(200)) + 16));
    expect(settledAfter(new EMA(200)) + 16).toBeGreaterThan(settledAfter(new ATR(20)));
    expect(warmUpBars({ window: 2, trendPeriod: 2, trendLookback: 1 })).toEqual(bars(settledAfter(new ATR(2))));
  });

  it('warmed up on three hours of history, ranks and buys at the first live step, and not before', async () => {
    const settings = params();
    // It asks for the 10 bars after which its ATR(2) has settled; this 8-hour market has fewer, so it
    // gets what a session gets when the venue holds less history than asked: the 3 hours before
    // the live step, after which every figure is known (the ATR(2) is warm after 3 bars).
    expect(new ScannerRotation().subscriptions(settings)[0]!.warmUpBars).toBe(settledAfter(new ATR(2)));
    expect(new ATR(2).warmUp).toBe(3);
    const history = market.filter((entry) => entry.openTime < TEST_START_TIME + 3 * HOUR_MS);
    const live = market.filter((entry) => entry.openTime >= TEST_START_TIME + 3 * HOUR_MS);
    const strategy = new RecordingRotation();
    const session = await startPaperSession(strategy, settings, live[0]!.openTime);
    session.warmUp(history);
    // A session that saw these bars live bought BTC at hour 3 (see above): here nothing, and no list yet.
    expect([session.orders(), session.denials(), strategy.lists]).toEqual([[], [], []]);
    session.feed(live);
    await session.stop();
    // Hour 4, the first live step: BTC still leads (its volume drops in the bar of hour 5); then as above.
    expect(session.orders().map((order) => [hours([order.createdAt])[0], order.side, order.instrumentId, order.tag])).toEqual([
      [4, 'buy', 'BTC/USD', 'rank 1'],
      [6, 'sell', 'BTC/USD', 'left the candidates'],
      [7, 'buy', 'ETH/USD', 'rank 1'],
    ]);
    expect(session.denials()).toEqual([]);
    expect(strategy.lists[0]).toEqual([4, ['BTC/USD']]);
  });

  it('without the history, the same live bars rank only once three of them are in', async () => {
    const live = market.filter((entry) => entry.openTime >= TEST_START_TIME + 3 * HOUR_MS);
    const strategy = new RecordingRotation();
    const session = await startPaperSession(strategy, params(), live[0]!.openTime);
    session.feed(live);
    await session.stop();
    expect(strategy.lists[0]?.[0]).toBe(6);
  });

  it('counts rescans from the first live step: with rescanEveryBars 4 it still ranks there', async () => {
    const history = market.filter((entry) => entry.openTime < TEST_START_TIME + 4 * HOUR_MS);
    const live = market.filter((entry) => entry.openTime >= TEST_START_TIME + 4 * HOUR_MS);
    const strategy = new RecordingRotation();
    const session = await startPaperSession(strategy, params({ rescanEveryBars: 4 }), live[0]!.openTime);
    session.warmUp(history);
    session.feed(live.slice(0, 3));
    await session.stop();
    expect(strategy.lists.map(([hour]) => hour)).toEqual([5]);
    expect(strategy.ranking.ranked.map((entry) => entry.instrumentId)).toHaveLength(3);
  });
});
