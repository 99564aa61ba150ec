import type { StrategyRegistry } from '@kbot/core';
import { EmaRsiTrend, emaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';
import { MeanReversion, meanReversionParams } from './strategies/mean-reversion/mean-reversion.js';
import { MomentumBreakout, momentumBreakoutParams } from './strategies/momentum/momentum-breakout.js';
import { PortfolioRebalancer, portfolioRebalancerParams } from './strategies/portfolio/portfolio-rebalancer.js';
import { FeeAwareScalper, feeAwareScalperParams } from './strategies/scalper/fee-aware-scalper.js';
import { ScannerRotation, scannerRotationParams } from './strategies/scanner/scanner-rotation.js';

/** Strategies a config can name (`{ use: 'ema-rsi', params }`); `kbot strategies` lists them. */
export const strategyRegistry: StrategyRegistry = Object.freeze({
  'ema-rsi': {
    strategy: EmaRsiTrend,
    schema: emaRsiTrendParams,
    description: 'EMA crossover trend entries filtered by RSI, with a percent stop',
  },
  'mean-reversion': {
    strategy: MeanReversion,
    schema: meanReversionParams,
    description: 'Buys a close under the lower Bollinger band (or z-score) with RSI oversold and a trend guard; sells the return to the mean, with stop, take-profit and time exits',
  },
  momentum: {
    strategy: MomentumBreakout,
    schema: momentumBreakoutParams,
    description: 'Donchian or EMA-cross breakouts sized by ATR risk, exited by an ATR stop and an ATR trailing stop',
  },
  portfolio: {
    strategy: PortfolioRebalancer,
    schema: portfolioRebalancerParams,
    description: 'Target weights across pairs, rebalanced on drift and/or a calendar; respects minimums, fees and reserves',
  },
  'scanner-rotation': {
    strategy: ScannerRotation,
    schema: scannerRotationParams,
    description: 'Ranks pairs by volume, spread, volatility and trend; holds the best candidate while its trend holds',
  },
  scalper: {
    strategy: FeeAwareScalper,
    schema: feeAwareScalperParams,
    description: 'Post-only quotes around the spread when it beats two maker fees; needs quotes or books plus trades',
  },
});
