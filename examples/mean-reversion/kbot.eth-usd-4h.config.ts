import { defineConfig } from '@kbot/core';
import { MeanReversion } from '@kbot/strategies';
import base, { params } from './kbot.config.js';

/** The same bot and parameters on ETH/USD 4h bars (for the evaluation in docs/strategies.md). */
export default defineConfig({
  ...base,
  name: 'mean-reversion-eth-usd-4h',
  strategies: [MeanReversion.with({ ...params, pair: 'ETH/USD', interval: '4h' })],
  backtest: { balances: { USD: '10000' }, data: ['../../../shared/data/ohlcv/kraken/4h-2024-2025/ETHUSD_240.csv'] },
});
