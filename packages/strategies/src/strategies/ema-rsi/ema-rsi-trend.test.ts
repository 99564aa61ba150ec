import { join } from 'node:path';
import { instrumentId, openBarFile, type Bar } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { EMA } from '../../indicators/ema.js';
import { RSI } from '../../indicators/rsi.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { compareWarmUpWithLiveRun, expectWarmedUpLikeLive, startPaperSession } from '../paper-session-test-kit.js';
import { EmaRsiTrend, emaRsiTrendParams, type EmaRsiTrendParams } from './ema-rsi-trend.js';

const sharedData = process.env.KBOT_SHARED_DATA ?? '';
let cached: Bar[] | undefined;
/** Kraken BTC/USD 4-hour bars, 2024–2025 (4,383 bars). */
function twoYears(): Bar[] {
  return (cached ??= [...openBarFile(join(sharedData, 'ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv'))]);
}

const params = (input: Partial<EmaRsiTrendParams> = {}) => emaRsiTrendParams.parse({ pair: 'BTC/USD', interval: '4h', ...input });
const warmUpBars = (input: Partial<EmaRsiTrendParams> = {}) => new EmaRsiTrend().subscriptions(params(input)).map((subscription) => subscription.warmUpBars);

describe('EmaRsiTrend warm-up', () => {
  it('asks for the bars after which the slow EMA has settled, plus one for the crossing, by default', () => {
    // EMA(26): 26 to seed, then 60 until the seed weighs under 1% ((25/27)^60 = 0.0099).
    expect(warmUpBars()).toEqual([26 + 60 + 1]);
  });

  it('follows its params: the slowest of the EMAs and the RSI to settle, plus one', () => {
    expect(warmUpBars({ fastPeriod: 20, slowPeriod: 50 })).toEqual([settledAfter(new EMA(50)) + 1]);
    expect(warmUpBars({ rsiPeriod: 40 })).toEqual([settledAfter(new RSI(40)) + 1]);
    expect(settledAfter(new RSI(40))).toBeGreaterThan(settledAfter(new EMA(26)));
  });
});

describe('EmaRsiTrend after a restart', () => {
  it('keeps the stop loss of the position the earlier run bought: measured from its entry price', async () => {
    const input = params({ interval: '1h', fastPeriod: 2, slowPeriod: 20, rsiPeriod: 14, stopLossPercent: 2 });
    const hour = 3_600_000;
    const t0 = Date.UTC(2024, 0, 1);
    const hourly = (from: number, closes: number[]): Bar[] => closes.map((close, index) => ({
      instrumentId: instrumentId('BTC/USD'), interval: hour, openTime: from + index * hour, open: close, high: close, low: close, close, volume: 10,
    }));
    // The earlier run: 0.1 BTC bought at 40,000.
    const first = await startPaperSession(new EmaRsiTrend(), input, t0);
    first.feed(hourly(t0, [40_000]));
    first.engine.submit('under-test', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.1' });
    first.feed(hourly(t0 + hour, [40_000]));
    await first.stop();

    // After the restart the price zig-zags up from 38,500, 3.75% under the entry (+40, −20 a bar:
    // the fast EMA stays above the slow one, RSI about 67, under exitRsiAbove): only the 2% stop
    // can sell, at the first bar the indicators are ready.
    const closes = Array.from({ length: 24 }, (_, index) => 38_500 + Math.ceil(index / 2) * 40 - Math.floor(index / 2) * 20);
    const second = await startPaperSession(new EmaRsiTrend(), input, t0 + 2 * hour, undefined, first.store);
    second.feed(hourly(t0 + 2 * hour, closes));
    await second.stop();
    const sells = second.orders().filter((order) => order.side === 'sell');
    expect(sells.map((order) => [order.tag, order.quantity.toFixed()])).toEqual([['stop loss', '0.1']]);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('EmaRsiTrend warm-up on Kraken BTC/USD 4h, 2024–2025', () => {
  it('after 27 bars the EMAs and the RSI are warm and the spread of the bar before is known (it asks for more, for them to settle)', () => {
    expect(warmUpBars()[0]).toBeGreaterThan(27);
    const history = twoYears().slice(76, 76 + 27);
    const fast = new EMA(12);
    const slow = new EMA(26);
    const rsi = new RSI(14);
    let spreads = 0;
    for (const bar of history) {
      const values = [fast.add(bar.close), slow.add(bar.close), rsi.add(bar.close)];
      if (values.every((value) => value !== undefined)) spreads += 1;
    }
    expect([fast.isStable, slow.isStable, rsi.isStable]).toEqual([true, true, true]);
    // Two spreads: the last history bar could itself be judged a crossing; the first live bar is an ordinary bar.
    expect(spreads).toBe(2);
  });

  it('trades from the first live bar exactly as a session that saw the same history (its warmUpBars) live', async () => {
    const historyBars = warmUpBars()[0]!;
    // From bar 66, a session that sees every bar live buys first on bar 88 (bar 154 of the two years,
    // 2024-01-26 16:00 UTC): the first live bar after 87 of history.
    const run = await compareWarmUpWithLiveRun(() => new EmaRsiTrend(), params(), twoYears(), { start: 66, historyBars, liveBars: 400, base: 'BTC' });
    expectWarmedUpLikeLive(run, 'ema cross up', 6);
  });

  it('submits nothing while warming up on history a live session trades on', async () => {
    const run = await compareWarmUpWithLiveRun(() => new EmaRsiTrend(), params(), twoYears(), { start: 0, historyBars: 400, liveBars: 10, base: 'BTC' });
    expect(run.seenLiveOnHistory).toBeGreaterThan(4);
    expect(run.warmedUpOnHistory).toBe(0);
    expect(run.warmedUpDenials).toEqual([]);
  });

  it('a crossing on the last history bar is not traded on the first live bar, which does not cross', async () => {
    const bars = twoYears();
    // Where a session fed from the first bar buys first: the bar of its first crossing.
    const probe = await startPaperSession(new EmaRsiTrend(), params(), bars[0]!.openTime);
    let crossing = 0;
    while (probe.orders().length === 0) probe.feed([bars[crossing++]!]);
    crossing -= 1;
    const run = await compareWarmUpWithLiveRun(() => new EmaRsiTrend(), params(), bars, { start: 0, historyBars: crossing + 1, liveBars: 50, base: 'BTC' });
    expect(run.seenLive[0]).toMatch(/ buy market .* \(ema cross up\)/);
    expect(run.seenLiveOnHistory).toBe(1);
    expect(run.warmedUpOnHistory).toBe(0);
    expect(run.warmedUp.filter((order) => order.startsWith(run.firstLiveClose))).toEqual([]);
    expect(run.warmedUpDenials).toEqual([]);
  });
});
