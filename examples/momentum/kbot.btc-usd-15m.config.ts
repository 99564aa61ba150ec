import { defineConfig } from '@kbot/core';
import { MomentumBreakout } from '@kbot/strategies';
import base, { params } from './kbot.config.js';

/** The same bot and parameters on BTC/USD 15m bars (for the evaluation in docs/strategies.md). */
export default defineConfig({
  ...base,
  name: 'momentum-btc-usd-15m',
  strategies: [MomentumBreakout.with({ ...params, pair: 'BTC/USD', interval: '15m' })],
  backtest: { balances: { USD: '10000' }, data: ['../../../shared/data/ohlcv/kraken/q1-2023/XBTUSD_15.csv'] },
});
