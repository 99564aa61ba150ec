import { krakenInstrument, btcUsd } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { ExitManager } from './exit-manager.js';
import { barAt, describeActions, fill, held, orderEvent, RecordingPort } from './exit-test-kit.js';
import { takeProfitLadder } from './take-profit-ladder.js';

const thirds = takeProfitLadder([
  { atPercent: 1, sellFraction: 0.33 },
  { atPercent: 2, sellFraction: 0.33 },
  { atPercent: 4, sellFraction: 0.34 },
]);

describe('takeProfitLadder', () => {
  it('sells a third at +1%, a third at +2% and the rest at +4%, each on the bar whose close reaches the step', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [thirds] });
    const port = new RecordingPort();
    exits.onFill(fill('buy', '0.3', 20_000));
    expect(exits.onBar(barAt(0, 20_100), held('0.3', 20_000))).toEqual([]);
    // The high touches +1.5% but the close is under +1%: nothing.
    expect(exits.onBar(barAt(1, 20_150, { high: 20_300 }), held('0.3', 20_000))).toEqual([]);

    const first = exits.onBar(barAt(2, 20_200), held('0.3', 20_000));
    expect(describeActions(first)).toEqual(['sell market 0.099 (exit: take-profit 33%)']);
    exits.apply(first, port);
    // Until that order ends, a further step waits.
    expect(exits.onBar(barAt(3, 20_450), held('0.3', 20_000))).toEqual([]);
    exits.onOrderEvent(orderEvent('order-filled', port.submitted[0]!.id, 'filled', { fill: fill('sell', '0.099', 20_460, { index: 4 }) }));

    // Step 2: keep 34% of 0.3 = 0.102, so sell 0.201 − 0.102.
    const second = exits.onBar(barAt(4, 20_500), held('0.201', 20_000, 4));
    expect(describeActions(second)).toEqual(['sell market 0.099 (exit: take-profit 66%)']);
    exits.apply(second, port);
    exits.onOrderEvent(orderEvent('order-filled', port.submitted[1]!.id, 'filled', { fill: fill('sell', '0.099', 20_510, { index: 5 }) }));
    // A dip under step 2 sells nothing more.
    expect(exits.onBar(barAt(5, 20_300), held('0.102', 20_000, 5))).toEqual([]);
    // Step 3 sells what is left.
    expect(describeActions(exits.onBar(barAt(6, 20_800), held('0.102', 20_000, 5)))).toEqual(['sell market 0.102 (exit: take-profit 100%)']);
  });

  it('steps reached on the same bar go out as one order', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [thirds] });
    exits.onFill(fill('buy', '0.3', 20_000));
    expect(describeActions(exits.onBar(barAt(0, 20_450), held('0.3', 20_000)))).toEqual(['sell market 0.198 (exit: take-profit 66%)']);
  });

  it('a step whose order is rejected without a fill is tried again on the next bar', () => {
    const exits = new ExitManager({ instrument: btcUsd(), rules: [thirds] });
    const port = new RecordingPort();
    exits.onFill(fill('buy', '0.3', 20_000));
    const first = exits.onBar(barAt(0, 20_200), held('0.3', 20_000));
    exits.apply(first, port);
    exits.onOrderEvent(orderEvent('order-rejected', port.submitted[0]!.id, 'rejected'));
    expect(describeActions(exits.onBar(barAt(1, 20_250), held('0.3', 20_000)))).toEqual(['sell market 0.099 (exit: take-profit 33%)']);
  });

  it('never leaves a remainder under the minimum: 0.003 ETH with half at +1% sells all 0.003 (minimum 0.002)', () => {
    const exits = new ExitManager({ instrument: krakenInstrument('ETH/USD'), rules: [takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }])] });
    exits.onFill(fill('buy', '0.003', 1_500, { pair: 'ETH/USD' }));
    const eth = { ...barAt(0, 1_515), instrumentId: krakenInstrument('ETH/USD').id };
    const actions = exits.onBar(eth, { ...held('0.003', 1_500), instrumentId: krakenInstrument('ETH/USD').id });
    expect(describeActions(actions)).toEqual(['sell market 0.003 (exit: take-profit 50%)']);
  });

  it('rejects ladders it cannot use, naming the field', () => {
    expect(() => takeProfitLadder([])).toThrow('takeProfitLadder.steps: received an array of 0, expected at least 1 item(s)');
    expect(() => takeProfitLadder([{ atPercent: 2, sellFraction: 0.5 }, { atPercent: 1, sellFraction: 0.5 }])).toThrow('takeProfitLadder.steps: received an array of 2, expected steps in increasing atPercent order');
    expect(() => takeProfitLadder([{ atPercent: 1, sellFraction: 0.6 }, { atPercent: 2, sellFraction: 0.6 }])).toThrow('takeProfitLadder.steps: received an array of 2, expected sellFraction values that add up to at most 1');
    expect(() => takeProfitLadder([{ atPercent: 1, sellFraction: 0 }])).toThrow('takeProfitLadder.steps[0].sellFraction: received 0, expected > 0');
  });
});
