import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { scalperParams, topTier } from './scalper-params.js';

/**
 * FeeAwareScalper on 24 hours of a GENERATED tick market (not real prices): a BTC-like mid
 * (60% annual volatility), a 0.5 bp median spread (the real 2022-01-25 samples: 0.44 bp), 12
 * trades a minute, at Kraken's top fee tier. It shows the mechanics over a day, not an edge.
 */
export default defineConfig({
  name: 'scalper-generated-ticks-top-tier',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: {
    balances: { USD: '10000' },
    ...topTier,
    data: [{ generatedTicks: { instrument: 'BTC/USD', hours: 24, seed: 1, startPrice: 40_000, spreadBps: 0.5 } }],
  },
});
