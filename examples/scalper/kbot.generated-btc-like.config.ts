import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { scalperParams, topTier } from './scalper-settings.js';

/**
 * 24 hours of a GENERATED tick market (not real prices) shaped like BTC/USD: a 0.5 bp median spread
 * (the real 2022-01-25 samples: 0.44 bp), 60 % annual volatility, 12 trades a minute, at Kraken's
 * top fee tier. The mechanics over a day on a narrow spread, not an edge.
 */
export default defineConfig({
  name: 'scalper-generated-btc-like-top-tier',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: {
    balances: { USD: '10000' },
    ...topTier,
    data: [{ generatedTicks: { instrument: 'BTC/USD', hours: 24, seed: 1, startPrice: 40_000, spreadBps: 0.5 } }],
  },
});
