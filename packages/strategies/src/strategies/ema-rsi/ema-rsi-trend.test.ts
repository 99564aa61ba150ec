import { join } from 'node:path';
import { openBarFile, type Bar } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { EMA } from '../../indicators/ema.js';
import { RSI } from '../../indicators/rsi.js';
import { compareWarmUpWithLiveRun, startPaperSession } from '../paper-session-test-kit.js';
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
  it('asks for the slow EMA\'s 26 bars plus one for the crossing by default', () => {
    expect(warmUpBars()).toEqual([27]);
  });

  it('follows its params: the slowest of the EMAs and the RSI (period + 1), plus one', () => {
    expect(warmUpBars({ fastPeriod: 20, slowPeriod: 50 })).toEqual([51]);
    expect(warmUpBars({ rsiPeriod: 40 })).toEqual([42]);
  });
});

// Needs the real Kraken bars in ../shared/data (KBOT_SHARED_DATA); skipped when the folder is absent.
describe.skipIf(!sharedData)('EmaRsiTrend warm-up on Kraken BTC/USD 4h, 2024–2025', () => {
  it('after its 27 bars of history the EMAs and the RSI are warm and the spread of the bar before is known', () => {
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

  it('trades from the first live bar exactly as a session that saw the same history live', async () => {
    // From bar 76, a session that sees every bar live buys first on bar 28: the first live bar after 27 of history.
    const run = await compareWarmUpWithLiveRun(() => new EmaRsiTrend(), params(), twoYears(), { start: 76, historyBars: 27, liveBars: 400, base: 'BTC' });
    expect(run.seenLiveOnHistory).toBe(0);
    expect(run.seenLive[0]).toMatch(new RegExp(`^${run.firstLiveClose} buy market .* \\(ema cross up\\) → filled`));
    expect(run.seenLive.length).toBeGreaterThanOrEqual(6);
    expect(run.warmedUp).toEqual(run.seenLive);
    expect(run.balances.USD[1]).toBe(run.balances.USD[0]);
    expect(run.balances.base[1]).toBe(run.balances.base[0]);
    expect(run.warmedUpDenials).toEqual([]);
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
