import { defineConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';

/**
 * The demo bot: EMA-crossover trend entries filtered by RSI, on BTC/USD hourly bars.
 * The market is GENERATED (a seeded random walk with regimes), so the demo needs no files, keys
 * or network; `kbot backtest --data <file>` runs the same bot on real Kraken data.
 */
export default defineConfig({
  name: 'basic',
  strategies: [EmaRsiTrend.with({ pair: 'BTC/USD', interval: '1h', fastPeriod: 12, slowPeriod: 48, rsiPeriod: 14, entryRsiBelow: 70, exitRsiAbove: 80, allocation: 0.5, stopLossPercent: 4 })],
  risk: { maxPositionQuote: '20000', maxOpenOrders: 4 },
  backtest: {
    balances: { USD: '10000' },
    data: [{ generated: { instrument: 'BTC/USD', interval: '1h', bars: 8760, seed: 42, start: '2024-01-01', startPrice: 42000 } }],
  },
});
