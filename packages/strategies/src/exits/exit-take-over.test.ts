import { bar, btcUsd, order, position, TEST_START_TIME } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, contextWith, describeActions, fill, held, leftStop, MINUTE, orderEvent, RecordingPort } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { timeStop } from './time-stop.js';
import { trailingStop } from './trailing-stop.js';

/** What the portfolio reports after a restart: `quantity` at `entry`, opened `minutesBefore` the first bar. */
function earlier(quantity: string, entry: number, minutesBefore = 10) {
  return position({ quantity, averageEntryPrice: entry, openedAt: TEST_START_TIME - minutesBefore * MINUTE, updatedAt: TEST_START_TIME - minutesBefore * MINUTE });
}

describe('after a restart: the protective stop the earlier run left on the exchange', () => {
  it('is kept as the resting stop (no second stop), and moved up by cancel and replace as usual', () => {
    const context = contextWith([leftStop('old-1', '0.4', 19_899)]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 }), trailingStop({ percent: 1 })], resting: true, context });
    const port = new RecordingPort();
    const held = earlier('0.4', 20_000);
    // High 20,050: the trailing level 19,849.5 is under the stop left at 19,899, which stays.
    expect(exits.onBar(barAt(0, 20_000, { high: 20_050 }), held)).toEqual([]);
    expect([exits.restingStopId, exits.stopPrice, exits.stopReason]).toEqual(['old-1', 19_899, 'trailing-stop']);
    // High 20,200: trailing 19,998 is higher: the old stop goes, the new one follows its cancel.
    const moved = exits.onBar(barAt(1, 20_150, { high: 20_200 }), held);
    expect(describeActions(moved)).toEqual(['cancel old-1 (trailing-stop)']);
    exits.apply(moved, port);
    const replaced = exits.onOrderEvent(orderEvent('order-canceled', 'old-1' as never, 'canceled'));
    expect(describeActions(replaced)).toEqual(['sell stop-loss 0.4 @ 19998 (protective stop: trailing-stop)']);
  });

  it('a market exit cancels it first and sells once the coins are free', () => {
    const context = contextWith([leftStop('old-1', '0.4', 19_600, { tag: 'protective stop: stop-loss' })]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])], resting: true, context });
    const cancel = exits.onBar(barAt(0, 20_250), earlier('0.4', 20_000));
    expect(describeActions(cancel)).toEqual(['cancel old-1 (take-profit)']);
    expect(describeActions(exits.onOrderEvent(orderEvent('order-canceled', 'old-1' as never, 'canceled')))).toEqual(['sell market 0.2 (exit: take-profit 50%)']);
  });

  it('of several, keeps the one closest under the price and cancels the others; leaves other strategies\' and untagged orders alone', () => {
    const context = contextWith([
      leftStop('old-1', '0.4', 19_500),
      leftStop('old-2', '0.4', 19_899),
      leftStop('old-3', '0.4', 19_700, { status: 'pending-cancel' }),
      leftStop('theirs', '0.4', 19_950, { strategy: 'other' }),
      leftStop('manual', '0.4', 19_960, { tag: 'my own stop' }),
    ]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], resting: true, context });
    // old-3's cancel was requested before the restart (the engine sends it again): not cancelled twice.
    expect(describeActions(exits.onBar(barAt(0, 20_000), earlier('0.4', 20_000)))).toEqual(['cancel old-1 (trailing-stop)']);
    expect([exits.restingStopId, exits.stopPrice]).toEqual(['old-2', 19_899]);
  });

  it('sized for another quantity, it is replaced by one for the position, never lower', () => {
    const context = contextWith([leftStop('old-1', '0.5', 19_899)]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], resting: true, context });
    const port = new RecordingPort();
    const resize = exits.onBar(barAt(0, 20_000), earlier('0.4', 20_000));
    expect(describeActions(resize)).toEqual(['cancel old-1 (trailing-stop)']);
    exits.apply(resize, port);
    expect(describeActions(exits.onOrderEvent(orderEvent('order-canceled', 'old-1' as never, 'canceled')))).toEqual(['sell stop-loss 0.4 @ 19899 (protective stop: trailing-stop)']);
  });

  it('only cancel requested before the restart: a new stop at its level goes in once the cancel is confirmed', () => {
    const context = contextWith([leftStop('old-1', '0.4', 19_899, { status: 'pending-cancel' })]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], resting: true, context });
    expect(exits.onBar(barAt(0, 20_000), earlier('0.4', 20_000))).toEqual([]);
    expect(exits.busy).toBe(true);
    expect(describeActions(exits.onOrderEvent(orderEvent('order-canceled', 'old-1' as never, 'canceled')))).toEqual(['sell stop-loss 0.4 @ 19899 (protective stop: trailing-stop)']);
  });

  it('not resting: it is cancelled (the exits sell at market), and its trigger stays the lowest the stop goes', () => {
    const context = contextWith([leftStop('old-1', '0.4', 19_899)]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], context });
    expect(describeActions(exits.onBar(barAt(0, 20_000), earlier('0.4', 20_000)))).toEqual(['cancel old-1 (trailing-stop)']);
    expect(exits.stopPrice).toBe(19_899);
    expect(describeActions(exits.onBar(barAt(1, 19_890), earlier('0.4', 20_000)))).toEqual(['sell market 0.4 (exit: trailing-stop)']);
  });
});

describe('after a restart: an exit the earlier run left in flight', () => {
  it('is the exit order: no second exit beside it, and once it is done the exits go on', () => {
    const leftExit = order({ clientOrderId: 'old-exit', strategyId: 'test', side: 'sell', type: 'market', quantity: '0.4', status: 'accepted', filledQuantity: '0', tag: 'exit: stop-loss' });
    const context = contextWith([leftExit]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], context });
    // The close is under the 2% stop (19,600): without the order left, this bar would sell the 0.4 again.
    expect(exits.onBar(barAt(0, 19_500), earlier('0.4', 20_000))).toEqual([]);
    expect(exits.busy).toBe(true);
    expect(context.log.lines).toContain('info: took over the exit order an earlier run left in flight');
    // It is cancelled at the venue without a fill: the stop sells at the next close under it.
    exits.onOrderEvent(orderEvent('order-canceled', 'old-exit' as never, 'canceled'));
    expect(exits.busy).toBe(false);
    expect(describeActions(exits.onBar(barAt(1, 19_450), earlier('0.4', 20_000)))).toEqual(['sell market 0.4 (exit: stop-loss)']);
  });
});

describe('after a restart: ATR stops before the ATR is warm', () => {
  // MomentumBreakout's rules: 2 ATRs under the entry, trailing 3 ATRs under the highest high. The
  // price falls 1% a bar from 40,000 (the auditor's case: −14% before the first exit).
  const atrRules = [stopLoss({ atrMultiple: 2, atrPeriod: 14 }), trailingStop({ atrMultiple: 3, atrPeriod: 14 })];
  const falling = (index: number) => {
    const close = 40_000 * 0.99 ** (index + 1);
    return bar({ openTime: TEST_START_TIME + index * 4 * 60 * MINUTE, interval: '4h', open: close * 1.01, high: close * 1.012, low: close * 0.998, close });
  };
  const dayOld = () => position({ quantity: '0.1', averageEntryPrice: 40_000, openedAt: TEST_START_TIME - 24 * 60 * MINUTE, updatedAt: TEST_START_TIME - 24 * 60 * MINUTE });

  it('without a stop left on the exchange: a 5% stop under the highest of the entry and the highs since, and a warning', () => {
    const context = contextWith();
    const exits = new ExitManager({ instrument: btcUsd(), rules: atrRules, context });
    const sent: string[] = [];
    for (let index = 0; index < 20 && sent.length === 0; index++) sent.push(...describeActions(exits.onBar(falling(index), dayOld())).map((line) => `bar ${index}: ${line}`));
    // Highest high 39,600 × 1.012 = 40,075.2 → stop 38,071.44; bar 4 closes at 38,039.6 (−4.9%).
    expect(sent).toEqual(['bar 4: sell market 0.1 (exit: stop-loss)']);
    expect(context.log.lines).toHaveLength(1);
    expect(context.log.lines[0]).toMatch(/^warn: exits: took over the BTC\/USD position of 0\.1 \(average entry 40000, opened 2023-12-31T00:00:00\.000Z\) from an earlier run; bars held counted from the entry time: 7; ATR\(14\) is warm in 14 bar\(s\): until then there is no ATR stop, and the stop is 38071\.4, 5% under the highest of the entry price and the highs since \(fallbackStopPercent\)$/);
  });

  it('fallbackStopPercent sets the fallback; a percent stop-loss, when there is one, is the stop instead', () => {
    const wider = new ExitManager({ instrument: btcUsd(), rules: atrRules, fallbackStopPercent: 10 });
    wider.onBar(falling(0), dayOld());
    expect(wider.stopPrice).toBeCloseTo(40_075.2 * 0.9, 6);
    const withPercent = new ExitManager({ instrument: btcUsd(), rules: [...atrRules, stopLoss({ percent: 8 })] });
    withPercent.onBar(falling(0), dayOld());
    expect([withPercent.stopPrice, withPercent.stopReason]).toEqual([36_800, 'stop-loss']);
    expect(() => new ExitManager({ instrument: btcUsd(), rules: atrRules, fallbackStopPercent: 0 })).toThrow('exits.fallbackStopPercent: received 0, expected a percentage above 0 and below 100');
  });

  it('with a stop left on the exchange: its trigger is the stop, and the warm ATR stop does not pull it down', () => {
    const context = contextWith([leftStop('old-1', '0.1', 39_000)]);
    const exits = new ExitManager({ instrument: btcUsd(), rules: atrRules, resting: true, context });
    const flat = (index: number) => bar({ openTime: TEST_START_TIME + index * 4 * 60 * MINUTE, interval: '4h', open: 40_000, high: 40_400, low: 39_600, close: 40_000 });
    const sent: string[] = [];
    for (let index = 0; index < 20; index++) sent.push(...describeActions(exits.onBar(flat(index), dayOld())));
    // ATR 800 once warm: stop-loss 38,400 and trailing 38,000 sit under 39,000; nothing moves.
    expect(sent).toEqual([]);
    expect([exits.restingStopId, exits.stopPrice]).toEqual(['old-1', 39_000]);
    expect(context.log.lines[0]).toContain('kept its protective stop old-1 at 39000; ATR(14) is warm in 14 bar(s): until then there is no ATR stop, and the stop is 39000 (trailing-stop)');
  });
});

describe('after a restart: what the exits restore and what they cannot', () => {
  it('a time stop in bars counts from the entry time: 6 bars held before the restart, 4 after', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [timeStop({ bars: 10 })] });
    const held = earlier('0.2', 20_000, 6);
    const sent = [0, 1, 2, 3].map((index) => describeActions(exits.onBar(barAt(index, 20_000), held)));
    expect(sent).toEqual([[], [], [], ['sell market 0.2 (exit: time-stop)']]);
  });

  it('the take-profit ladder cannot tell what was sold before: it counts from the size taken over, and says so', () => {
    const context = contextWith();
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 5 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.33 }, { atPercent: 2, sellFraction: 0.33 }])], context });
    expect(describeActions(exits.onBar(barAt(0, 20_210), earlier('0.67', 20_000)))).toEqual(['sell market 0.2211 (exit: take-profit 33%)']);
    expect(context.log.lines).toEqual([
      'warn: exits: took over the BTC/USD position of 0.67 (average entry 20000, opened 2023-12-31T23:50:00.000Z) from an earlier run; bars held counted from the entry time: 11; the take-profit ladder counts its steps from this size and the entry price: a step sold before the restart sells again when a close reaches it',
    ]);
  });

  it('a position the strategy opened in this run without forwarding the fill is adopted without a word', () => {
    const context = contextWith();
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])], context });
    exits.onBar(barAt(0, 20_000), undefined);
    // Bought at bar 0's close, filled at bar 1's open.
    const opened = TEST_START_TIME + MINUTE;
    expect(exits.onBar(barAt(1, 20_000), position({ quantity: '0.4', averageEntryPrice: 20_000, openedAt: opened, updatedAt: opened }))).toEqual([]);
    expect(exits.stopPrice).toBe(19_600);
    expect(context.log.lines).toEqual([]);
  });
});

describe('dust under the minimum', () => {
  it('does not count as holding (one info line), and a new entry on top of it is a new position', () => {
    const context = contextWith();
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], context });
    exits.onFill(fill('buy', '0.00005', 20_000));
    for (let index = 0; index < 3; index++) expect(exits.onBar(barAt(index, 19_000), held('0.00005', 20_000))).toEqual([]);
    expect(exits.holding).toBe(false);
    expect(context.log.lines).toEqual(['info: exits: the BTC/USD position of 0.00005 is under the minimum order (0.0001 BTC, 0.5 USD): no order can sell it, so it does not count as holding; the next entry takes it in']);
    // 0.00005 at 20,000 and 0.001 at 21,000: entry 20,952.38.
    exits.onFill(fill('buy', '0.001', 21_000, { index: 3 }));
    expect(exits.holding).toBe(true);
    expect(exits.entryPrice).toBeCloseTo(20_952.380952, 5);
    expect(describeActions(exits.onBar(barAt(3, 20_000), held('0.00105', 20_952.38, TEST_START_TIME + 3 * MINUTE)))).toEqual(['sell market 0.00105 (exit: stop-loss)']);
  });

  it('left by an earlier run: not taken over as a holding', () => {
    const context = contextWith();
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })], resting: true, context });
    expect(exits.onBar(barAt(0, 19_000), earlier('0.00005', 20_000))).toEqual([]);
    expect(exits.holding).toBe(false);
    expect(context.log.lines).toHaveLength(1);
    expect(context.log.lines[0]).toMatch(/^info: exits: the BTC\/USD position of 0\.00005 is under the minimum order/);
  });

  it('a market exit filling in pieces is not taken for dust on the way', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })] });
    const port = new RecordingPort();
    exits.onFill(fill('buy', '0.4', 20_000));
    const sell = exits.onBar(barAt(0, 19_500), held('0.4', 20_000));
    exits.apply(sell, port);
    exits.onOrderEvent(orderEvent('order-filled', port.submitted[0]!.id, 'partially-filled', { fill: fill('sell', '0.39996', 19_500, { index: 1, order: 'x-1' }), filledQuantity: '0.39996' }));
    exits.onBar(barAt(1, 19_400), held('0.00004', 20_000, TEST_START_TIME + MINUTE));
    expect(exits.holding).toBe(true);
    expect(exits.busy).toBe(true);
  });
});
