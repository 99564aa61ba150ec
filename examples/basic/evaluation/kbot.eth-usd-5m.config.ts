import { defineConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';
import { params, risk } from './params.js';

/** The demo bot's EmaRsiTrend on real Kraken ETH/USD 5m bars (evaluation in docs/strategies.md). */
export default defineConfig({
  name: 'ema-rsi-eth-usd-5m',
  strategies: [EmaRsiTrend.with({ ...params, pair: 'ETH/USD', interval: '5m' })],
  risk,
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../../shared/data/ohlcv/kraken/h1-q3-2023/ETHUSD_5.csv'],
  },
});
