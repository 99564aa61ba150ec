import { defineConfig } from '@kbot/core';
import { FeeAwareScalper } from '@kbot/strategies';
import { realTicks, scalperParams } from './scalper-settings.js';

/**
 * The same real BTC/USD ticks at Kraken's starter fees (0.25 % maker): the spread never clears the
 * 0.50 % hurdle, so the scalper makes no order.
 */
export default defineConfig({
  name: 'scalper-real-ticks-starter',
  strategies: [FeeAwareScalper.with(scalperParams)],
  backtest: realTicks,
});
