import { defineConfig } from '@kbot/core';
import { MeanReversion } from '@kbot/strategies';
import base, { params } from './kbot.config.js';

/** The same bot and parameters on BTC/USD 4h bars (for the evaluation in docs/strategies.md). */
export default defineConfig({
  ...base,
  name: 'mean-reversion-btc-usd-4h',
  strategies: [MeanReversion.with({ ...params, pair: 'BTC/USD', interval: '4h' })],
  backtest: { balances: { USD: '10000' }, data: ['../../../shared/data/ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv'] },
});
