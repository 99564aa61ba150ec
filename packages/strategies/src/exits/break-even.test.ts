import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { breakEven } from './break-even.js';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held } from './exit-test-kit.js';
import { stopLoss } from './stop-loss.js';

describe('breakEven', () => {
  it('after a close 1% up, moves the stop to entry × (1 + fee) / (1 − fee) and sells at a close at or under it', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [stopLoss({ percent: 2 }), breakEven({ atPercent: 1 })] });
    exits.onFill(fill('buy', '0.3', 20_000));
    const position = held('0.3', 20_000);
    // The high reaches +1% but the close does not: not armed.
    expect(exits.onBar(barAt(0, 20_150, { high: 20_250 }), position)).toEqual([]);
    expect([exits.stopPrice, exits.stopReason]).toEqual([19_600, 'stop-loss']);
    expect(exits.onBar(barAt(1, 20_200), position)).toEqual([]);
    // 20,000 × 1.004 / 0.996 (Kraken's 0.40% taker fee on both sides).
    expect(exits.stopPrice).toBeCloseTo(20_160.642570281, 6);
    expect(exits.stopReason).toBe('break-even');
    expect(exits.onBar(barAt(2, 20_170), position)).toEqual([]);
    expect(describeActions(exits.onBar(barAt(3, 20_160), position))).toEqual(['sell market 0.3 (exit: break-even)']);
  });

  it('offsetPercent locks in a little profit above break-even; feeRate overrides the instrument fee', () => {
    const exits = new ExitManager({ instrument: btcUsd(), feeRate: 0, rules: [breakEven({ atPercent: 2, offsetPercent: 0.5 })] });
    exits.onFill(fill('buy', '0.3', 20_000));
    const position = held('0.3', 20_000);
    expect(exits.onBar(barAt(0, 20_400), position)).toEqual([]);
    expect(exits.stopPrice).toBeCloseTo(20_100, 9);
    expect(describeActions(exits.onBar(barAt(1, 20_100), position))).toEqual(['sell market 0.3 (exit: break-even)']);
  });

  it('rejects a fee rate it cannot use', () => {
    expect(() => new ExitManager({ instrument: btcUsd(), feeRate: 0.6, rules: [] })).toThrow('exits.feeRate: received 0.6, expected a fee fraction from 0 to below 0.5');
  });
});
