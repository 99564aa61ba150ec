import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { scalperParams } from './scalper-params.js';

/**
 * FeeAwareScalper on 24 hours of a GENERATED tick market (not real prices) whose median spread,
 * 60 bp, clears the starter tier's hurdle (2 × 0.25% maker = 50 bp): the case the strategy is
 * built for, a wide and thin pair. Kraken's starter fees. It shows the mechanics, not an edge.
 */
export default defineConfig({
  name: 'scalper-generated-wide-spread',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: {
    balances: { USD: '10000' },
    data: [{ generatedTicks: { instrument: 'BTC/USD', hours: 24, seed: 1, startPrice: 40_000, spreadBps: 60 } }],
  },
});
