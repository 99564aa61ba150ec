import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { realTicks, scalperParams } from './scalper-params.js';

/**
 * FeeAwareScalper on real Kraken BTC/USD top of book and trades (2022-01-25, about 80 seconds
 * of overlap), at Kraken's starter fees (0.25% maker): evaluation in docs/strategies.md.
 */
export default defineConfig({
  name: 'scalper-btc-usd-ticks',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: realTicks,
});
