import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/schema.js';
import { ConfigError } from '../errors/errors.js';
import { createBot } from '../di/container.js';
import { Decimal } from '../model/decimal.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { openBacktestData } from './backtest-data.js';
import { runBacktest } from './run-backtest.js';

// A run that starts holding an asset other than the quote: what it held at the start is worth
// something, and is not profit. (Start equity used to be taken before any price was known, so
// held BTC counted as 0 at the start and its whole value as net P&L.)

const BTC = instrumentId('BTC/USD');
const dir = mkdtempSync(join(tmpdir(), 'kbot-opening-equity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Watches bars of one pair (BTC/USD unless told) and never trades. */
class Holder extends BaseStrategy<{ pair?: string }> {
  subscriptions(params: { pair?: string }): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair ?? 'BTC/USD'), kind: 'bars', interval: 60_000 }];
  }
  onBar(_bar: Bar, _ctx: StrategyContext<{ pair?: string }>): void {}
}

describe('runBacktest with a starting balance in the base asset', () => {
  it('values it at the first bar\'s open, so net P&L is what holding it earned', async () => {
    const candles = join(dir, 'XBTUSD_1.csv');
    // time, open, high, low, close, volume, trades: opens at 20000, closes at 21000 an hour later
    const start = 1_672_531_200;
    const rows = Array.from({ length: 60 }, (_, index) => {
      const open = 20000 + index * 1000 / 60;
      const close = 20000 + (index + 1) * 1000 / 60;
      return `${start + index * 60},${open},${Math.max(open, close)},${Math.min(open, close)},${close},1.5,10`;
    });
    writeFileSync(candles, `${rows.join('\n')}\n`);
    const config = validateConfig({ strategies: [Holder.with({})], backtest: { balances: { USD: '1000', BTC: '0.5' }, data: [{ file: candles }] as never } });
    const result = await runBacktest({ bot: createBot(config), data: openBacktestData(config.backtest.data, { baseDir: dir }), kbotVersion: 'test' });

    expect(result.fills).toHaveLength(0);
    // The period starts at the first bar's open, where the start equity is valued.
    expect(result.from).toBe(start * 1000);
    expect(result.to).toBe((start + 60 * 60) * 1000);
    expect(result.startEquity.toFixed()).toBe('11000');
    expect(result.endEquity.toFixed()).toBe(new Decimal('1000').plus(new Decimal('0.5').times(result.markPrices['BTC/USD']!)).toFixed());
    expect(Math.abs(result.markPrices['BTC/USD']!.toNumber() - 21000)).toBeLessThan(1e-6);
    // 0.5 BTC from 20000 to 21000: 500 USD, about 4.5%, not the 10,500 USD of the whole holding
    expect(Math.abs(result.metrics.netPnl.toNumber() - 500)).toBeLessThan(1e-6);
    expect(result.metrics.netPnlPercent).toBeCloseTo((500 / 11000) * 100, 9);
  });
});

describe('runBacktest with assets it cannot value in its quote asset', () => {
  it('refuses them before the run, naming each, instead of leaving them out of equity, P&L and fees', async () => {
    const candles = join(dir, 'XBTUSD_1.csv');
    const euro = join(dir, 'ETHEUR_1.csv');
    writeFileSync(candles, '1672531200,20000,20010,19990,20005,1.5,10\n');
    writeFileSync(euro, '1672531200,1200,1201,1199,1200.5,3,10\n');
    const config = validateConfig({
      strategies: [Holder.with({}, { id: 'usd' }), Holder.with({ pair: 'ETH/EUR' }, { id: 'eur' })],
      backtest: { balances: { USD: '1000', EUR: '1000', GBP: '5' }, data: [{ file: candles }, { file: euro }] as never },
    });
    const run = runBacktest({ bot: createBot(config), data: openBacktestData(config.backtest.data, { baseDir: dir }), kbotVersion: 'test' });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(runBacktest({ bot: createBot(config), data: openBacktestData(config.backtest.data, { baseDir: dir }), kbotVersion: 'test' })).rejects.toThrow(
      [
        'invalid config:',
        '  strategies: received a strategy trading ETH/EUR, whose ETH the run cannot value in USD, expected pairs whose assets have a price in USD (USD, BTC): a run measures equity, P&L and fees in one quote asset; run ETH/EUR as a bot of its own, or add ETH/USD data',
        '  strategies: received a strategy trading ETH/EUR, whose EUR the run cannot value in USD, expected pairs whose assets have a price in USD (USD, BTC): a run measures equity, P&L and fees in one quote asset; run ETH/EUR as a bot of its own, or add EUR/USD data',
        '  backtest.balances.GBP: received 5 GBP, which the run cannot value in USD, expected balances in USD, BTC: the quote asset of the strategies\' pairs (USD) or their base assets',
      ].join('\n'),
    );
  });
});
