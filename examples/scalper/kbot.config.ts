import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { scalperParams } from './scalper-settings.js';

/**
 * FeeAwareScalper on 24 hours of a GENERATED tick market (not real prices): one quote a second at
 * a 60 bp spread, 12 trades a minute at the bid or the ask, 1-minute bars built from the trades.
 * That spread clears the starter tier's hurdle (2 × 0.25 % maker = 50 bp), the case the strategy
 * is built for: a wide, thin pair. It shows the mechanics (quoting, repricing, the cancel budget,
 * the inventory limit), not an edge: in a generated market no trade predicts the next move, which
 * real markets do not grant. Kraken's spot fee tiers from the starter tier.
 */
export default defineConfig({
  name: 'scalper',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: {
    balances: { USD: '10000' },
    data: [{ generatedTicks: { instrument: 'BTC/USD', hours: 24, seed: 1, startPrice: 40_000, spreadBps: 60 } }],
  },
});
