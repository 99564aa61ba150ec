import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/schema.js';
import { createBot } from '../di/container.js';
import { barItems } from '../data/replay-item.js';
import { InvariantError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { bars } from '../testing/market-data-builders.js';
import { runBacktest, type RunBacktestOptions } from './run-backtest.js';

const BTC = instrumentId('BTC/USD');
const START = Date.UTC(2024, 0, 1);

/** Buys 0.01 BTC at market on every bar. */
class BuyEveryBar extends BaseStrategy<Record<string, never>> {
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: 60_000 }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
  }
}

function options(operatorActions: RunBacktestOptions['operatorActions'], withItems = true, risk: Record<string, unknown> = {}): RunBacktestOptions {
  const config = validateConfig({ strategies: [BuyEveryBar.with({}, { id: 'buyer' })], backtest: { balances: { USD: '10000' } }, risk });
  const series = bars([40_000, 40_100, 40_200, 40_300, 40_400, 40_500, 40_600, 40_700, 40_800, 40_900], { instrument: 'BTC/USD', interval: '1m', start: START, volume: 100 });
  return {
    bot: createBot(config),
    data: { bars: series, ...(withItems ? { items: barItems(series) } : {}), summaries: () => [] },
    kbotVersion: 'test',
    ...(operatorActions === undefined ? {} : { operatorActions }),
  };
}

describe('runBacktest with operator actions (a parity replay of a session the operator acted on)', () => {
  it('gives each before its item, as the control socket would: a flattening panic, then a resume', async () => {
    const result = await runBacktest(options([
      { beforeItem: 3, action: { command: 'panic', actor: 'operator:ann', flatten: true } },
      { beforeItem: 6, action: { command: 'resume', actor: 'operator:ann', reason: 'checked' } },
    ]));
    // A market buy fills at the next bar's open. Bars 0 and 1 bought 0.02; the panic cancels bar
    // 2's buy, sells the 0.02 at market (the operator's order) and halts; bars 3–5 are denied;
    // bars 6–9 buy again (bar 9's has no next bar to fill at).
    const operatorSells = result.fills.filter((fill) => fill.strategyId === 'operator');
    expect(operatorSells.map((fill) => [fill.side, fill.quantity.toFixed()])).toEqual([['sell', '0.02']]);
    expect(result.denials['trading-halted']).toBe(3);
    const buys = result.orders.filter((order) => order.strategyId === 'buyer' && order.status === 'filled');
    expect(buys).toHaveLength(5);
  });

  it("gives a recorded session's book-health reports to the risk policies, where the session got them", async () => {
    const report = (status: 'resync' | 'synced') => ({ instrumentId: BTC, time: START, status, mismatches: 1, resyncs: 1, ageMs: 0 });
    const actions: RunBacktestOptions['operatorActions'] = [
      { beforeItem: 2, action: { command: 'book-health', health: report('resync') } },
      { beforeItem: 5, action: { command: 'book-health', health: report('synced') } },
    ];
    const result = await runBacktest(options(actions, true, { bookHealth: {} }));
    // Bars 2, 3 and 4 come while the book resyncs: their buys are denied.
    expect(result.denials['book-health']).toBe(3);
    expect(result.orders.filter((order) => order.status === 'filled')).toHaveLength(6);
    // Without the policy, the reports change nothing.
    const without = await runBacktest(options(actions));
    expect(without.denials['book-health']).toBeUndefined();
    expect(without.orders.filter((order) => order.status === 'filled')).toHaveLength(9);
  });

  it('gives an action past the last item after the data', async () => {
    const result = await runBacktest(options([{ beforeItem: 99, action: { command: 'panic', actor: 'operator:ann', flatten: false } }]));
    expect(result.denials['trading-halted']).toBeUndefined();
    expect(result.orders.filter((order) => order.status === 'filled')).toHaveLength(9);
  });

  it('refuses actions out of order, or without items to place them between', async () => {
    await expect(runBacktest(options([
      { beforeItem: 5, action: { command: 'resume', actor: 'operator:ann' } },
      { beforeItem: 2, action: { command: 'resume', actor: 'operator:ann' } },
    ]))).rejects.toThrow(new InvariantError('operatorActions[1].beforeItem: received 2, expected a whole number of at least 5 (actions in the order of the data)'));
    await expect(runBacktest(options([{ beforeItem: 0, action: { command: 'resume', actor: 'operator:ann' } }], false))).rejects.toThrow(
      'operatorActions: received 1 actions, expected them only with data.items (a replay of ticks or of a recording)',
    );
  });
});
