import { defineConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';
import { params, risk } from './params.js';

/** The demo bot's EmaRsiTrend on real Kraken BTC/USD 4h bars (evaluation in docs/strategies.md). */
export default defineConfig({
  name: 'ema-rsi-btc-usd-4h',
  strategies: [EmaRsiTrend.with({ ...params, pair: 'BTC/USD', interval: '4h' })],
  risk,
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../../shared/data/ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv'],
  },
});
