import { btcUsd, position, TEST_START_TIME } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ATR } from '../indicators/atr.js';
import { settledAfter } from '../indicators/settled-after.js';
import { breakEven } from './break-even.js';
import { ExitManager } from './exit-manager.js';
import { exitRulesWarmUp } from './exit-warm-up.js';
import { barAt, contextWith, describeActions, fill, held, leftStop, MINUTE, runBars } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { timeStop } from './time-stop.js';
import { trailingStop } from './trailing-stop.js';

describe('exitRulesWarmUp', () => {
  it('is the bars after which the longest ATR among the rules has settled, 0 when none reads an ATR', () => {
    expect(exitRulesWarmUp([])).toBe(0);
    expect(exitRulesWarmUp([stopLoss({ percent: 2 }), trailingStop({ percent: 1 }), breakEven({ atPercent: 1 }), timeStop({ bars: 5 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])])).toBe(0);
    // ATR(14): 15 bars to seed, then 63 until the seed weighs under 1% ((13/14)^63 = 0.0094).
    expect(exitRulesWarmUp([stopLoss({ atrMultiple: 2 })])).toBe(78);
    expect(exitRulesWarmUp([stopLoss({ atrMultiple: 2 })])).toBe(settledAfter(new ATR(14)));
    expect(exitRulesWarmUp([stopLoss({ atrMultiple: 2, atrPeriod: 14 }), trailingStop({ atrMultiple: 3, atrPeriod: 20 })])).toBe(settledAfter(new ATR(20)));
  });
});

describe('ExitManager while the strategy warms up', () => {
  // A position an earlier run opened `minutes` before this run's first live bar (the stop it left is below).
  const openedBefore = (minutes: number) => {
    const openedAt = TEST_START_TIME - minutes * MINUTE;
    return position({ quantity: '0.4', averageEntryPrice: 20_000, openedAt, updatedAt: openedAt });
  };
  // Opened in the middle of the history: at the open of the bar that spikes.
  const earlier = openedBefore(3);
  // History after the entry: a spike to 21,000, then a close at 18,900, under the stop left at 19,000.
  const history = [
    barAt(-5, 20_000, { high: 20_050, low: 19_950 }),
    barAt(-4, 20_000, { high: 20_050, low: 19_950 }),
    barAt(-3, 20_500, { open: 20_000, high: 21_000, low: 19_950 }),
    barAt(-2, 18_900, { open: 20_500, high: 20_500, low: 18_800 }),
    barAt(-1, 20_000, { open: 18_900, high: 20_050, low: 18_900 }),
  ];
  const firstLive = barAt(0, 20_000, { high: 20_100, low: 19_950 });
  const rules = [stopLoss({ atrMultiple: 2, atrPeriod: 3 }), trailingStop({ atrMultiple: 3, atrPeriod: 3 }), timeStop({ bars: 30 })];
  // A percent trail shows which highs the stop follows; the ATR stop-loss, whether the ATR is warm.
  const takeOverRules = [stopLoss({ atrMultiple: 2, atrPeriod: 3 }), trailingStop({ percent: 1 }), timeStop({ bars: 30 })];

  it('history only warms the ATRs: the position is taken over at the first live bar, its stop from the entry and live highs with a warm ATR', () => {
    const context = { ...contextWith([leftStop('old-1', '0.4', 19_000, { tag: 'protective stop: stop-loss' })]), warmingUp: true };
    const exits = new ExitManager({ instrument: btcUsd(), rules: takeOverRules, context });
    // onBar itself, as a strategy that does not check ctx.warmingUp calls it: no sell at the 18,900
    // close, no cancel of the stop left, no position adopted.
    expect(history.map((bar) => exits.onBar(bar, earlier))).toEqual(history.map(() => []));
    expect([exits.holding, exits.stopPrice]).toEqual([false, undefined]);

    context.warmingUp = false;
    expect(describeActions(exits.onBar(firstLive, earlier))).toEqual(['cancel old-1 (stop-loss)']);
    const atr = new ATR(3);
    for (const bar of [...history, firstLive]) atr.add(bar);
    // The trail follows the highest high since the take-over, the live bar's 20,100 (not the old
    // spike to 21,000, which would put it at 20,790, over the close); the ATR stop is under it.
    expect(20_000 - 2 * atr.value!).toBeLessThan(19_899);
    expect(exits.stopPrice).toBe(20_100 * 0.99);
    expect(exits.stopReason).toBe('trailing-stop');
    // Taken over (opened before this run's first live bar, though after the history's first bar);
    // bars held from the entry time, once; the ATR is warm: no fallback, nothing reported missing (info).
    expect(context.log.lines).toEqual([
      'info: exits: took over the BTC/USD position of 0.4 (average entry 20000, opened 2023-12-31T23:57:00.000Z) from an earlier run; bars held counted from the entry time: 4; the stop it left at 19000 is the lowest the stop goes; cancelled 1 other protective stop(s) it left',
    ]);
  });

  it('the same history fed as live bars would have sold on it: what warm-up must not do on old bars', () => {
    const context = contextWith([leftStop('old-1', '0.4', 19_000, { tag: 'protective stop: stop-loss' })]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: takeOverRules, context });
    const actions = history.map((bar) => describeActions(exits.onBar(bar, openedBefore(10))));
    expect(actions).toEqual([['cancel old-1 (stop-loss)'], [], ['sell market 0.4 (exit: trailing-stop)'], [], []]);
  });

  it('flat, a warmed-up manager behaves as one that saw the same bars live: same stop and exits after an entry', () => {
    // Ranges that change bar to bar, so the ATRs differ with every bar seen.
    const bars = Array.from({ length: 40 }, (_, index) => {
      const close = 20_000 + 150 * Math.sin(index / 3);
      return barAt(index, close, { high: close + 40 + (index % 7) * 15, low: close - 30 - (index % 5) * 20 });
    });
    const rulesWithLadder = [...rules, takeProfitLadder([{ atPercent: 0.5, sellFraction: 0.5 }])];
    const warmed = new ExitManager({ instrument: btcUsd(), rules: rulesWithLadder, context: { ...contextWith(), warmingUp: false } });
    const live = new ExitManager({ instrument: btcUsd(), rules: rulesWithLadder, context: contextWith() });
    for (const bar of bars.slice(0, 20)) {
      warmed.warmUp(bar);
      expect(live.onBar(bar, undefined)).toEqual([]);
    }
    // An entry filled at bar 20's open, then the same live bars for both.
    const entry = fill('buy', '0.4', bars[20]!.open, { index: 20 });
    expect(warmed.onFill(entry)).toEqual(live.onFill(entry));
    expect(warmed.stopPrice).toBe(live.stopPrice);
    expect(warmed.stopPrice).toBeDefined();
    const after = bars.slice(20);
    expect(runBars(warmed, after, '0.4', bars[20]!.open)).toEqual(runBars(live, after, '0.4', bars[20]!.open));
    expect(warmed.stopPrice).toBe(live.stopPrice);
  });

  it('warmUp ignores bars of other instruments, and the held position after it is judged on live bars only', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })] });
    exits.warmUp({ ...barAt(0, 10), instrumentId: 'ETH/USD' as never });
    for (const bar of history) exits.warmUp(bar);
    expect(exits.holding).toBe(false);
    expect(describeActions(exits.onBar(firstLive, held('0.4', 20_000)))).toEqual([]);
    expect([exits.holding, exits.stopPrice]).toEqual([true, 19_600]);
  });
});
