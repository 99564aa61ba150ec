import type { StrategyRegistry } from '@kbot/core';
import { EmaRsiTrend, emaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';

/** Strategies a config can name (`{ use: 'ema-rsi', params }`); `kbot strategies` lists them. */
export const strategyRegistry: StrategyRegistry = Object.freeze({
  'ema-rsi': {
    strategy: EmaRsiTrend,
    schema: emaRsiTrendParams,
    description: 'EMA crossover trend entries filtered by RSI, with a percent stop',
  },
});
