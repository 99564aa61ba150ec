import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { realTicks, scalperParams, topTier } from './scalper-settings.js';

/**
 * The scalper on the only REAL tick data in the shared folder (about 80 seconds of Kraken BTC/USD
 * on 2022-01-25, see scalper-settings.ts), at Kraken's top fee tier (0.00 % maker, 0.10 % taker):
 * the only tier at which BTC/USD's spread clears the scalper's hurdle.
 */
export default defineConfig({
  name: 'scalper-real-ticks-top-tier',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: { ...realTicks, ...topTier },
});
