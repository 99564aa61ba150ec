import { defineConfig } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';
import { params, risk } from './params.js';

/** The demo bot's EmaRsiTrend on real Kraken BTC/USD 15m bars (evaluation in docs/strategies.md). */
export default defineConfig({
  name: 'ema-rsi-btc-usd-15m',
  strategies: [EmaRsiTrend.with({ ...params, pair: 'BTC/USD', interval: '15m' })],
  risk,
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../../shared/data/ohlcv/kraken/q1-2023/XBTUSD_15.csv'],
  },
});
