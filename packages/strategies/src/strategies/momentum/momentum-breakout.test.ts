import { join } from 'node:path';
import { Decimal, openBarFile, type Bar } from '@kbot/core';
import { bar, createStrategyHarness, runStrategyContract, TEST_START_TIME, trade, type StrategyHarness } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ATR } from '../../indicators/atr.js';
import { DonchianChannel } from '../../indicators/donchian-channel.js';
import { EMA } from '../../indicators/ema.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { compareWarmUpWithLiveRun, expectWarmedUpLikeLive, startLiveSession } from '../paper-session-test-kit.js';
import { MomentumBreakout, momentumBreakoutParams, type MomentumBreakoutInput, type MomentumBreakoutParams } from './momentum-breakout.js';

const sharedData = process.env.KBOT_SHARED_DATA ?? '';
let cached: Bar[] | undefined;
/** Kraken BTC/USD 4-hour bars, 2024–2025 (4,383 bars). */
function twoYears(): Bar[] {
  return (cached ??= [...openBarFile(join(sharedData, 'ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv'))]);
}

async function run(input: Partial<MomentumBreakoutInput> = {}): Promise<StrategyHarness<MomentumBreakoutParams>> {
  const harness = await createStrategyHarness({ strategy: new MomentumBreakout(), params: momentumBreakoutParams.parse({ pair: 'BTC/USD', interval: '4h', ...input }) });
  harness.feed(twoYears());
  await harness.stop();
  return harness;
}

/** ATR(14) after each bar, computed apart from the strategy. */
function atrSeries(bars: readonly Bar[]): (number | undefined)[] {
  const atr = new ATR(14);
  return bars.map((bar) => atr.add(bar));
}

describe('MomentumBreakout params', () => {
  it('fills in the defaults', () => {
    expect(momentumBreakoutParams.parse({ pair: 'BTC/USD', interval: '4h' })).toEqual({
      pair: 'BTC/USD', interval: '4h', breakout: 'donchian', channelPeriod: 20, fastPeriod: 12, slowPeriod: 26, atrPeriod: 14,
      riskFraction: 0.01, stopMultiple: 2, trailMultiple: 3, maxAllocation: 1, exits: [], restingStop: false, fallbackStopPercent: 5,
    });
  });

  it('rejects what it cannot use, naming the field', () => {
    const result = momentumBreakoutParams.safeParse({ pair: 'BTC/USD', interval: '4h', breakout: 'ema-cross', fastPeriod: 30, slowPeriod: 20, riskFraction: 0.5 });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['riskFraction', 'fastPeriod']);
    const crossed = momentumBreakoutParams.safeParse({ pair: 'BTC/USD', interval: '4h', breakout: 'ema-cross', fastPeriod: 30, slowPeriod: 20 });
    expect(crossed.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(['fastPeriod: fastPeriod below slowPeriod']);
  });
});

describe('MomentumBreakout after a restart', () => {
  const small = { pair: 'BTC/USD', interval: '1m', channelPeriod: 3, atrPeriod: 2 } as const;
  /** 1-minute BTC/USD bars from TEST_START_TIME: [open, high, low, close]. */
  const minuteBars = (ohlc: ReadonlyArray<readonly [number, number, number, number]>) =>
    ohlc.map(([open, high, low, close], index) => bar({ openTime: TEST_START_TIME + index * 60_000, open, high, low, close, volume: 50 }));
  /** What an earlier run did on BTC/USD before this one: each order filled against a trade at 20,000. */
  function earlierRun(harness: StrategyHarness<MomentumBreakoutParams>, orders: ReadonlyArray<{ side: 'buy' | 'sell'; quantity: string }>) {
    let time = TEST_START_TIME - 60_000 * (orders.length + 2);
    harness.feed(trade({ time, price: 20_000, quantity: 1 }));
    for (const order of orders) {
      harness.engine.submit('earlier-run', { instrumentId: 'BTC/USD', type: 'market', ...order });
      harness.feed(trade({ time: (time += 60_000), price: 20_000, quantity: 1 }));
    }
  }

  it('with restingStop, keeps the one stop the earlier run left and moves it up: no second stop for the venue to refuse', async () => {
    const harness = await createStrategyHarness({ strategy: new MomentumBreakout(), params: momentumBreakoutParams.parse({ ...small, restingStop: true }) });
    earlierRun(harness, [{ side: 'buy', quantity: '0.4' }]);
    harness.engine.submit(harness.strategyId, { instrumentId: 'BTC/USD', side: 'sell', type: 'stop-loss', quantity: '0.4', triggerPrice: '19000', tag: 'protective stop: stop-loss' });
    // Flat bars (true range 100): once ATR(2) is warm, the 2-ATR stop is 19,800, above the 19,000 left.
    harness.feed(minuteBars(Array.from({ length: 5 }, () => [20_000, 20_050, 19_950, 20_000] as const)));
    await harness.stop();
    expect(harness.intents.map((entry) => `bar ${entry.barsSeen}: ${entry.intent.side} ${entry.intent.type} ${String(entry.intent.quantity)} @ ${String(entry.intent.triggerPrice)} → ${entry.order?.status}`)).toEqual([
      'bar 3: sell stop-loss 0.4 @ 19800 → accepted',
    ]);
    expect(harness.events.filter((event) => event.type === 'order-rejected')).toEqual([]);
    expect(harness.portfolio.openOrders('BTC/USD').map((order) => `${order.side} ${order.type} ${order.quantity.toFixed()} @ ${order.triggerPrice?.toFixed()}`)).toEqual(['sell stop-loss 0.4 @ 19800']);
  });

  it('live, an entry the earlier run left open is in flight: no second entry beside it', async () => {
    const first = await startLiveSession(new MomentumBreakout(), momentumBreakoutParams.parse(small), TEST_START_TIME - 60_000);
    first.engine.submit('under-test', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.01', tag: 'entry: 3-bar high broken' });
    await first.stop();
    const breakout = minuteBars([...Array.from({ length: 5 }, () => [20_000, 20_050, 19_950, 20_000] as const), [20_000, 20_250, 19_990, 20_200]]);

    const second = await startLiveSession(new MomentumBreakout(), momentumBreakoutParams.parse(small), TEST_START_TIME, undefined, first.store);
    second.feed(breakout);
    await second.stop();
    expect(second.orders().map((order) => [order.side, order.tag, order.status])).toEqual([['buy', 'entry: 3-bar high broken', 'accepted']]);

    // The same bars without an entry left open: the breakout at bar 6 enters.
    const fresh = await startLiveSession(new MomentumBreakout(), momentumBreakoutParams.parse(small), TEST_START_TIME);
    fresh.feed(breakout);
    expect(fresh.orders().map((order) => [order.side, order.tag])).toEqual([['buy', 'entry: 3-bar high broken']]);
  });

  it('dust under the minimum left by the earlier run does not keep it from entering', async () => {
    const harness = await createStrategyHarness({ strategy: new MomentumBreakout(), params: momentumBreakoutParams.parse(small) });
    // 0.0002 bought, 0.00015 sold: 0.00005 BTC left, under Kraken's 0.0001 minimum.
    earlierRun(harness, [{ side: 'buy', quantity: '0.0002' }, { side: 'sell', quantity: '0.00015' }]);
    expect(harness.portfolio.position('BTC/USD')?.quantity.toFixed()).toBe('0.00005');
    harness.feed(minuteBars([...Array.from({ length: 5 }, () => [20_000, 20_050, 19_950, 20_000] as const), [20_000, 20_250, 19_990, 20_200]]));
    await harness.stop();
    expect(harness.intents.map((entry) => `bar ${entry.barsSeen}: ${entry.intent.side} ${entry.intent.tag}`)).toEqual(['bar 6: buy entry: 3-bar high broken']);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('MomentumBreakout on Kraken BTC/USD 4h, 2024–2025', () => {
  it('enters first on the first close above the previous 20 bars\' highest high (bar 45, 2024-01-08 08:00 UTC)', async () => {
    const bars = twoYears();
    // The rule, checked on plain arrays: close above the highest high of the 20 bars before it.
    const first = bars.findIndex((bar, index) => index >= 20 && bar.close > Math.max(...bars.slice(index - 20, index).map((previous) => previous.high)));
    expect(first).toBe(44);
    const harness = await run();
    const entry = harness.intents[0]!;
    expect([new Date(entry.time).toISOString(), entry.barsSeen, entry.intent.side, entry.intent.tag]).toEqual(['2024-01-08T12:00:00.000Z', 45, 'buy', 'entry: 20-bar high broken']);
    expect(entry.order?.averageFillPrice?.toFixed()).toBe(String(bars[45]!.open));
  });

  it('sizes the entry to lose 1% of equity at the 2-ATR stop: 100 USD / (2 × ATR)', async () => {
    const bars = twoYears();
    const atr = atrSeries(bars)[44]!;
    const harness = await run();
    const expected = new Decimal(100).dividedBy(new Decimal(2 * atr)).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    expect(String(harness.intents[0]!.intent.quantity)).toBe(expected.toFixed());
    expect(expected.toFixed()).toBe('0.07755742');
  });

  it('sends nothing before the channel is full', async () => {
    const harness = await run();
    expect(Math.min(...harness.intents.map((entry) => entry.barsSeen))).toBeGreaterThan(20);
  });

  it('exits only through its stops: every stop-loss exit follows a close at or under entry − 2 ATR (ATR at entry)', async () => {
    const bars = twoYears();
    const atrs = atrSeries(bars);
    const harness = await run();
    let entryPrice = 0;
    let entryAtr = 0;
    let stopLosses = 0;
    for (const entry of harness.intents) {
      if (entry.intent.side === 'buy') {
        entryPrice = entry.order!.averageFillPrice!.toNumber();
        entryAtr = atrs[entry.barsSeen - 1]!;
        continue;
      }
      expect(['exit: stop-loss', 'exit: trailing-stop']).toContain(entry.intent.tag);
      if (entry.intent.tag !== 'exit: stop-loss') continue;
      stopLosses += 1;
      expect(bars[entry.barsSeen - 1]!.close).toBeLessThanOrEqual(entryPrice - 2 * entryAtr);
    }
    expect(stopLosses).toBeGreaterThan(5);
    expect(harness.denials).toEqual([]);
  });

  it('over the two years (harness: no slippage): 66 round trips, ending at 10,398.96 USD from 10,000', async () => {
    const harness = await run();
    expect(harness.roundTrips).toHaveLength(66);
    expect(harness.portfolio.balance('USD').total.toFixed(2)).toBe('10398.96');
  });

  it('ema-cross: enters first where the 12-bar EMA crosses above the 26-bar EMA', async () => {
    const harness = await run({ breakout: 'ema-cross' });
    const entry = harness.intents[0]!;
    expect([new Date(entry.time).toISOString(), entry.barsSeen, entry.intent.tag]).toEqual(['2024-01-07T08:00:00.000Z', 38, 'entry: EMA cross up']);
  });

  it('with restingStop, the stop rests on the venue and no order is refused', async () => {
    const harness = await run({ restingStop: true });
    expect(harness.intents.some((entry) => entry.intent.type === 'stop-loss' && entry.order?.status === 'filled')).toBe(true);
    expect(harness.denials).toEqual([]);
    expect(harness.events.filter((event) => event.type === 'order-rejected')).toEqual([]);
  });

  runStrategyContract('MomentumBreakout', () => new MomentumBreakout(), momentumBreakoutParams.parse({ pair: 'BTC/USD', interval: '4h' }), sharedData ? twoYears().slice(0, 500) : []);
});

describe('MomentumBreakout warm-up', () => {
  const warmUpBars = (input: Partial<MomentumBreakoutInput> = {}) =>
    new MomentumBreakout().subscriptions(momentumBreakoutParams.parse({ pair: 'BTC/USD', interval: '4h', ...input })).map((subscription) => subscription.warmUpBars);

  it('asks for the bars after which its ATR(14) has settled by default (78), and for the EMA cross the settled EMA(26) plus one', () => {
    // ATR(14): 15 to seed, then 63 until the seed weighs under 1% ((13/14)^63 = 0.0094); the 20-bar
    // channel plus the bar that breaks it needs only 21.
    expect(warmUpBars()).toEqual([15 + 63]);
    expect(warmUpBars()).toEqual([settledAfter(new ATR(14))]);
    expect(warmUpBars({ breakout: 'ema-cross' })).toEqual([settledAfter(new EMA(26)) + 1]);
  });

  it('follows its params: the channel or the settled EMAs plus one, its settled ATR, and the settled ATRs of extra exit rules', () => {
    // Each case picks a period that needs more than the settled ATR(14)'s 78 bars.
    expect(warmUpBars({ channelPeriod: 100 })).toEqual([settledAfter(new DonchianChannel(100)) + 1]);
    expect(warmUpBars({ channelPeriod: 10, atrPeriod: 30 })).toEqual([settledAfter(new ATR(30))]);
    expect(warmUpBars({ breakout: 'ema-cross', fastPeriod: 20, slowPeriod: 60 })).toEqual([settledAfter(new EMA(60)) + 1]);
    expect(warmUpBars({ exits: [{ kind: 'trailing-stop', atrMultiple: 3, atrPeriod: 100 }] })).toEqual([settledAfter(new ATR(100))]);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('MomentumBreakout warm-up on Kraken BTC/USD 4h, 2024–2025', () => {
  const params = (input: Partial<MomentumBreakoutInput> = {}) => momentumBreakoutParams.parse({ pair: 'BTC/USD', interval: '4h', ...input });

  it.each([
    // From bar 74, a session that sees every bar live buys first on bar 79 (bar 153 of the two years,
    // 2024-01-26 12:00 UTC): the first live bar after 78 of history.
    ['donchian', {}, 74, 'entry: 20-bar high broken'],
    ['donchian with a resting stop', { restingStop: true }, 74, 'entry: 20-bar high broken'],
    // From bar 66, the first crossing is on bar 88 (bar 154, 2024-01-26 16:00 UTC), after 87 of history.
    ['ema-cross', { breakout: 'ema-cross' }, 66, 'entry: EMA cross up'],
  ] as const)('%s: trades from the first live bar exactly as a session that saw the same history live', async (_name, input, start, tag) => {
    const settings = params(input);
    const historyBars = new MomentumBreakout().subscriptions(settings)[0]!.warmUpBars!;
    const run = await compareWarmUpWithLiveRun(() => new MomentumBreakout(), settings, twoYears(), { start, historyBars, liveBars: 600, base: 'BTC' });
    expectWarmedUpLikeLive(run, tag, 6);
  });

  it('submits and cancels nothing while warming up on history a live session trades on', async () => {
    const run = await compareWarmUpWithLiveRun(() => new MomentumBreakout(), params({ restingStop: true }), twoYears(), { start: 0, historyBars: 600, liveBars: 10, base: 'BTC' });
    expect(run.seenLiveOnHistory).toBeGreaterThan(4);
    expect(run.warmedUpOnHistory).toBe(0);
    expect(run.warmedUpDenials).toEqual([]);
  });

  it('a breakout on the last history bar is not traded on the first live bar: it must break the history\'s high itself', async () => {
    const bars = twoYears();
    // On plain arrays: a close above the highest high of the 20 bars before it.
    const breaksOut = (index: number) => bars[index]!.close > Math.max(...bars.slice(index - 20, index).map((bar) => bar.high));
    // The first breakout the next bar does not repeat (bars 45 to 47 break out in a row).
    let last = 20;
    while (!(breaksOut(last) && !breaksOut(last + 1))) last++;
    let next = last + 1;
    while (!breaksOut(next)) next++;
    const run = await compareWarmUpWithLiveRun(() => new MomentumBreakout(), params(), bars, { start: 0, historyBars: last + 1, liveBars: 150, base: 'BTC' });
    expect(run.warmedUpOnHistory).toBe(0);
    expect(run.warmedUpDenials).toEqual([]);
    expect(run.warmedUp.filter((order) => order.startsWith(run.firstLiveClose))).toEqual([]);
    // Its first entry is the next breakout (bar 153, 2024-01-26 12:00 UTC), on a live bar.
    const nextClose = new Date(bars[next]!.openTime + bars[next]!.interval).toISOString();
    expect([last + 1, next + 1, nextClose]).toEqual([47, 153, '2024-01-26T12:00:00.000Z']);
    expect(run.warmedUp[0]).toMatch(new RegExp(`^${nextClose} buy market .* \\(entry: 20-bar high broken\\)`));
  });
});
