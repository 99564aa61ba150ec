import { defineConfig } from '@kbot/core';
import { MeanReversion } from '@kbot/strategies';
import base, { params } from './kbot.config.js';

/** The same bot and parameters on ETH/USD 5m bars (for the evaluation in docs/strategies.md). */
export default defineConfig({
  ...base,
  name: 'mean-reversion-eth-usd-5m',
  strategies: [MeanReversion.with({ ...params, pair: 'ETH/USD', interval: '5m' })],
  backtest: { balances: { USD: '10000' }, data: ['../../../shared/data/ohlcv/kraken/h1-q3-2023/ETHUSD_5.csv'] },
});
