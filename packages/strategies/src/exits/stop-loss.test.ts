import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';

describe('stopLoss', () => {
  it('percent: sells everything at the first close at or below entry − 2%, not on a wick', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 })] });
    exits.onFill(fill('buy', '0.5', 20_000));
    const position = held('0.5', 20_000);
    expect(exits.onBar(barAt(0, 19_900, { open: 20_000 }), position)).toEqual([]);
    expect(exits.stopPrice).toBe(19_600);
    // The low goes through 19,600 but the bar closes above it: no exit (decisions are on closes).
    expect(exits.onBar(barAt(1, 19_650, { low: 19_500 }), position)).toEqual([]);
    expect(exits.onBar(barAt(2, 19_601), position)).toEqual([]);
    expect(describeActions(exits.onBar(barAt(3, 19_600), position))).toEqual(['sell market 0.5 (exit: stop-loss)']);
    // While that order is in flight nothing else is sent, however far the price falls.
    expect(exits.busy).toBe(true);
    expect(exits.onBar(barAt(4, 19_000), position)).toEqual([]);
  });

  it('atrMultiple: the stop sits 2 ATRs (as they were at the entry) below the entry and does not move', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ atrMultiple: 2, atrPeriod: 3 })] });
    // Flat bars warm the ATR: true ranges 200, 200, 200 from bar 1 on, so ATR(3) = 200 after bar 3.
    exits.onBar(barAt(0, 20_000, { high: 20_100, low: 19_900 }), undefined);
    exits.onBar(barAt(1, 20_050, { high: 20_150, low: 19_950 }), undefined);
    exits.onBar(barAt(2, 20_000, { high: 20_100, low: 19_900 }), undefined);
    exits.onBar(barAt(3, 20_100, { high: 20_200, low: 20_000 }), undefined);
    exits.onFill(fill('buy', '0.25', 20_100, { index: 4 }));
    const position = held('0.25', 20_100);
    // Bar 4 has a true range of 250, so ATR rises to 216.67; the stop stays at 20,100 − 2 × 200.
    expect(exits.onBar(barAt(4, 19_950, { open: 20_100, high: 20_150, low: 19_900 }), position)).toEqual([]);
    expect(exits.stopPrice).toBe(19_700);
    expect(exits.onBar(barAt(5, 19_701), position)).toEqual([]);
    expect(describeActions(exits.onBar(barAt(6, 19_700), position))).toEqual(['sell market 0.25 (exit: stop-loss)']);
  });

  it('atrMultiple: with the ATR not yet warm at the entry, takes its first value after', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ atrMultiple: 1, atrPeriod: 2 })] });
    exits.onFill(fill('buy', '0.1', 20_000));
    const position = held('0.1', 20_000);
    exits.onBar(barAt(0, 20_000, { high: 20_100, low: 19_900 }), position);
    expect(exits.stopPrice).toBeUndefined();
    exits.onBar(barAt(1, 20_000, { high: 20_100, low: 19_900 }), position);
    exits.onBar(barAt(2, 20_000, { high: 20_100, low: 19_900 }), position);
    // ATR(2) = mean(200, 200) after bar 2.
    expect(exits.stopPrice).toBe(19_800);
  });

  it('opens from the position when no fill was seen (a restart), and forgets it when the position is gone', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 5 })] });
    expect(exits.onBar(barAt(0, 30_000), held('0.02', 30_000))).toEqual([]);
    expect(exits.entryPrice).toBe(30_000);
    expect(describeActions(exits.onBar(barAt(1, 28_500), held('0.02', 30_000)))).toEqual(['sell market 0.02 (exit: stop-loss)']);
    exits.onFill(fill('sell', '0.02', 28_400, { index: 2 }));
    expect(exits.holding).toBe(false);
    expect(exits.onBar(barAt(2, 20_000), undefined)).toEqual([]);
  });

  it('rejects settings it cannot use, naming the field', () => {
    expect(() => stopLoss({ percent: 0 })).toThrow('stopLoss.percent: received 0, expected > 0');
    expect(() => stopLoss({})).toThrow('stopLoss: received an object, expected either percent or atrMultiple (one of them)');
    expect(() => stopLoss({ percent: 2, atrMultiple: 2 })).toThrow('either percent or atrMultiple');
  });
});
