import { btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held, MINUTE } from './exit-test-kit.js';
import { timeStop } from './time-stop.js';

describe('timeStop', () => {
  it('bars: sells everything at the close of the 3rd bar held (the fill bar is the first)', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [timeStop({ bars: 3 })] });
    exits.onBar(barAt(0, 20_000), undefined);
    exits.onFill(fill('buy', '0.2', 20_000, { index: 1 }));
    const position = held('0.2', 20_000);
    expect(exits.onBar(barAt(1, 20_100), position)).toEqual([]);
    expect(exits.onBar(barAt(2, 20_200), position)).toEqual([]);
    expect(describeActions(exits.onBar(barAt(3, 20_300), position))).toEqual(['sell market 0.2 (exit: time-stop)']);
  });

  it('ms: sells at the first bar close at least 5 minutes after the entry fill', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [timeStop({ ms: 5 * MINUTE })] });
    exits.onFill(fill('buy', '0.2', 20_000, { index: 0 }));
    const position = held('0.2', 20_000);
    const sent = [0, 1, 2, 3, 4, 5].map((index) => describeActions(exits.onBar(barAt(index, 20_000), position)));
    // Bar 4 closes at minute 5.
    expect(sent).toEqual([[], [], [], [], ['sell market 0.2 (exit: time-stop)'], []]);
  });

  it('rejects settings it cannot use, naming the field', () => {
    expect(() => timeStop({ bars: 0 })).toThrow('timeStop.bars: received 0, expected ≥ 1');
    expect(() => timeStop({ bars: 2, ms: 1000 })).toThrow('either bars or ms');
  });
});
