import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held, orderEvent, RecordingPort } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';
import { takeProfitLadder } from './take-profit-ladder.js';
import { trailingStop } from './trailing-stop.js';

/** An ExitManager holding 0.4 BTC bought at 20,000, its resting stop accepted as x-1. */
function holding(rules: ConstructorParameters<typeof ExitManager>[0]['rules']) {
  const exits = new ExitManager({ instrument: btcUsd(), rules, resting: true });
  const port = new RecordingPort();
  const placed = exits.onFill(fill('buy', '0.4', 20_000));
  exits.apply(placed, port);
  exits.onOrderEvent(orderEvent('order-accepted', port.submitted[0]!.id, 'accepted'));
  return { exits, port, placed };
}

describe('resting stop (resting: true)', () => {
  it('places a stop-loss order for the whole position when the entry fills, its trigger rounded down to the tick', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 1.5 })], resting: true });
    // 20,001.3 × 0.985 = 19,701.2805 → 19,701.2 (a sell stop never fires above the level asked for).
    expect(describeActions(exits.onFill(fill('buy', '0.5', 20_001.3)))).toEqual(['sell stop-loss 0.5 @ 19701.2 (protective stop: stop-loss)']);
  });

  it('leaves a close under the stop to the resting order: no market sell on the bar', () => {
    const { exits } = holding([stopLoss({ percent: 2 })]);
    expect(exits.onBar(barAt(0, 19_500), held('0.4', 20_000))).toEqual([]);
  });

  it('trails: cancels the stop when the level rises by a tick or more and places the new one when the cancel is confirmed', () => {
    const { exits, port, placed } = holding([stopLoss({ percent: 2 }), trailingStop({ percent: 1 })]);
    expect(describeActions(placed)).toEqual(['sell stop-loss 0.4 @ 19600 (protective stop: stop-loss)']);
    const position = held('0.4', 20_000);
    // High 20,100: trailing level 19,899 is above 19,600.
    const moved = exits.onBar(barAt(0, 20_050, { high: 20_100 }), position);
    expect(describeActions(moved)).toEqual(['cancel x-1 (trailing-stop)']);
    exits.apply(moved, port);
    expect(exits.busy).toBe(true);
    const replaced = exits.onOrderEvent(orderEvent('order-canceled', port.submitted[0]!.id, 'canceled'));
    expect(describeActions(replaced)).toEqual(['sell stop-loss 0.4 @ 19899 (protective stop: trailing-stop)']);
    exits.apply(replaced, port);
    exits.onOrderEvent(orderEvent('order-accepted', port.submitted[1]!.id, 'accepted'));
    expect(exits.restingStopId).toBe('x-2');
    // Same high: nothing. 20,100.05 moves the level by less than a tick (19,899.0495): nothing.
    expect(exits.onBar(barAt(1, 20_000, { high: 20_100 }), position)).toEqual([]);
    expect(exits.onBar(barAt(2, 20_000, { high: 20_100.05 }), position)).toEqual([]);
    expect(describeActions(exits.onBar(barAt(3, 20_150, { high: 20_200 }), position))).toEqual(['cancel x-2 (trailing-stop)']);
  });

  it('a take-profit step cancels the stop, sells at market once the coins are free, then protects the rest', () => {
    const { exits, port } = holding([stopLoss({ percent: 2 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])]);
    const cancel = exits.onBar(barAt(0, 20_200), held('0.4', 20_000));
    expect(describeActions(cancel)).toEqual(['cancel x-1 (take-profit)']);
    exits.apply(cancel, port);
    const sell = exits.onOrderEvent(orderEvent('order-canceled', 'x-1' as never, 'canceled'));
    expect(describeActions(sell)).toEqual(['sell market 0.2 (exit: take-profit 50%)']);
    exits.apply(sell, port);
    const protect = exits.onOrderEvent(orderEvent('order-filled', port.submitted[1]!.id, 'filled', { fill: fill('sell', '0.2', 20_210, { index: 1, order: 'x-2' }) }));
    expect(describeActions(protect)).toEqual(['sell stop-loss 0.2 @ 19600 (protective stop: stop-loss)']);
  });

  it('when the resting stop fills, the position is closed and nothing more is sent', () => {
    const { exits, port } = holding([stopLoss({ percent: 2 })]);
    const id = port.submitted[0]!.id;
    expect(exits.onOrderEvent(orderEvent('order-filled', id, 'filled', { fill: fill('sell', '0.4', 19_600, { index: 3, order: id }) }))).toEqual([]);
    expect(exits.holding).toBe(false);
    expect(exits.onBar(barAt(3, 19_500), undefined)).toEqual([]);
  });

  it('a stop that fills in pieces (a volume cap) is left alone, not resized', () => {
    const { exits, port } = holding([stopLoss({ percent: 2 })]);
    const id = port.submitted[0]!.id;
    exits.onOrderEvent(orderEvent('order-filled', id, 'partially-filled', { fill: fill('sell', '0.1', 19_600, { index: 3, order: id }), filledQuantity: '0.1' }));
    expect(exits.holding).toBe(true);
    expect(exits.onBar(barAt(3, 19_550), held('0.3', 20_000, 3))).toEqual([]);
    // Another fill of a different order (the strategy sold 0.1 itself) does resize it.
    exits.onFill(fill('sell', '0.1', 19_700, { index: 4, order: 'kb-other' }));
    expect(describeActions(exits.onBar(barAt(4, 19_700), held('0.2', 20_000, 4)))).toEqual(['cancel x-1 (stop-loss)']);
  });

  it("the strategy's own exit cancels the stop first, then sells everything", () => {
    const { exits, port } = holding([stopLoss({ percent: 2 })]);
    const cancel = exits.closePosition('exit: mean reached');
    expect(describeActions(cancel)).toEqual(['cancel x-1 (strategy)']);
    exits.apply(cancel, port);
    expect(exits.closePosition()).toEqual([]);
    expect(describeActions(exits.onOrderEvent(orderEvent('order-canceled', 'x-1' as never, 'canceled')))).toEqual(['sell market 0.4 (exit: mean reached)']);
  });

  it('a stop the venue rejects is placed again on the next bar, and a close under the level sells at market meanwhile', () => {
    const { exits, port } = holding([stopLoss({ percent: 2 })]);
    exits.onOrderEvent(orderEvent('order-rejected', port.submitted[0]!.id, 'rejected'));
    expect(describeActions(exits.onBar(barAt(0, 19_800), held('0.4', 20_000)))).toEqual(['sell stop-loss 0.4 @ 19600 (protective stop: stop-loss)']);

    const second = holding([stopLoss({ percent: 2 })]);
    second.exits.onOrderEvent(orderEvent('order-rejected', second.port.submitted[0]!.id, 'rejected'));
    expect(describeActions(second.exits.onBar(barAt(0, 19_500), held('0.4', 20_000)))).toEqual(['sell market 0.4 (exit: stop-loss)']);
  });
});
