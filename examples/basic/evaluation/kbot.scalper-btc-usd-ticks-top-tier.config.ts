import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { realTicks, scalperParams, topTier } from './scalper-params.js';

/**
 * The same real BTC/USD ticks as kbot.scalper-btc-usd-ticks.config.ts, at Kraken's top fee tier
 * (0.00% maker, 0.10% taker), the only tier at which BTC/USD's spread clears the scalper's hurdle.
 */
export default defineConfig({
  name: 'scalper-btc-usd-ticks-top-tier',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: { ...realTicks, ...topTier },
});
