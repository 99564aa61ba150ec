import { defineConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';
import { params, risk } from './params.js';

/** The demo bot's EmaRsiTrend on real Kraken ETH/USD 4h bars (evaluation in docs/strategies.md). */
export default defineConfig({
  name: 'ema-rsi-eth-usd-4h',
  strategies: [EmaRsiTrend.with({ ...params, pair: 'ETH/USD', interval: '4h' })],
  risk,
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../../shared/data/ohlcv/kraken/4h-2024-2025/ETHUSD_240.csv'],
  },
});
