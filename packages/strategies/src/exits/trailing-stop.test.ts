import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';
import { trailingStop } from './trailing-stop.js';

describe('trailingStop', () => {
  it('percent: trails 1% under the highest high, never moves down, and sells at the first close under it', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [trailingStop({ percent: 1 })] });
    exits.onFill(fill('buy', '0.4', 20_000));
    const position = held('0.4', 20_000);
    expect(exits.onBar(barAt(0, 20_050, { open: 20_000, high: 20_100 }), position)).toEqual([]);
    expect(exits.stopPrice).toBeCloseTo(19_899, 9);
    expect(exits.onBar(barAt(1, 20_300, { high: 20_400 }), position)).toEqual([]);
    expect(exits.stopPrice).toBeCloseTo(20_196, 9);
    // A lower high leaves the level where it was.
    expect(exits.onBar(barAt(2, 20_200, { high: 20_300 }), position)).toEqual([]);
    expect(exits.stopPrice).toBeCloseTo(20_196, 9);
    expect(describeActions(exits.onBar(barAt(3, 20_190), position))).toEqual(['sell market 0.4 (exit: trailing-stop)']);
  });

  it('atrMultiple: highest high − 2 ATR; a widening ATR does not pull the stop down', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [trailingStop({ atrMultiple: 2, atrPeriod: 2 })] });
    // ATR(2) after bar 2 = mean(100, 100) = 100.
    exits.onBar(barAt(0, 20_000, { high: 20_050, low: 19_950 }), undefined);
    exits.onBar(barAt(1, 20_000, { high: 20_050, low: 19_950 }), undefined);
    exits.onBar(barAt(2, 20_000, { high: 20_050, low: 19_950 }), undefined);
    exits.onFill(fill('buy', '0.1', 20_000, { index: 3 }));
    const position = held('0.1', 20_000);
    // Bar 3: true range 300, ATR (100 + 300) / 2 = 200; highest high 20,200 → level 19,800.
    expect(exits.onBar(barAt(3, 20_100, { open: 20_000, high: 20_200, low: 19_900 }), position)).toEqual([]);
    expect(exits.stopPrice).toBe(19_800);
    // Bar 4: true range 1,000, ATR 600: 20,200 − 1,200 = 19,000 would be lower, so the level stays.
    expect(exits.onBar(barAt(4, 19_900, { high: 20_100, low: 19_100 }), position)).toEqual([]);
    expect(exits.stopPrice).toBe(19_800);
    expect(describeActions(exits.onBar(barAt(5, 19_800), position))).toEqual(['sell market 0.1 (exit: trailing-stop)']);
  });

  it('activateAtPercent: does not trail until a close is 2% above the entry', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [trailingStop({ percent: 1, activateAtPercent: 2 })] });
    exits.onFill(fill('buy', '0.1', 20_000));
    const position = held('0.1', 20_000);
    // 1.9% up on the high, then a close 3% below the high: not active yet, so no exit.
    expect(exits.onBar(barAt(0, 20_300, { high: 20_380 }), position)).toEqual([]);
    expect(exits.onBar(barAt(1, 19_800), position)).toEqual([]);
    expect(exits.stopPrice).toBeUndefined();
    // Close at +2%: active; the anchor is the highest high since the entry (20,400 on this bar).
    expect(exits.onBar(barAt(2, 20_400, { high: 20_400 }), position)).toEqual([]);
    expect(exits.stopPrice).toBeCloseTo(20_196, 9);
    expect(describeActions(exits.onBar(barAt(3, 20_100), position))).toEqual(['sell market 0.1 (exit: trailing-stop)']);
  });

  it('with a stop-loss, the higher of the two levels is the stop', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 }), trailingStop({ percent: 3 })] });
    exits.onFill(fill('buy', '0.1', 20_000));
    const position = held('0.1', 20_000);
    exits.onBar(barAt(0, 20_000, { high: 20_100 }), position);
    // Trailing: 20,100 × 0.97 = 19,497 < 19,600 (stop-loss).
    expect([exits.stopPrice, exits.stopReason]).toEqual([19_600, 'stop-loss']);
    exits.onBar(barAt(1, 20_900, { high: 21_000 }), position);
    expect([exits.stopPrice, exits.stopReason]).toEqual([20_370, 'trailing-stop']);
  });

  it('rejects settings it cannot use, naming the field', () => {
    expect(() => trailingStop({ percent: 100 })).toThrow('trailingStop.percent: received 100, expected < 100');
    expect(() => trailingStop({ atrMultiple: 2, activateAtPercent: -1 })).toThrow('trailingStop.activateAtPercent: received -1, expected ≥ 0');
  });
});
