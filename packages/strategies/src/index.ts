export {
  SMA, EMA, WMA, RSI, MACD, BollingerBands, StandardDeviation, ZScore, ROC, ATR, ADX, Stochastic, OBV, SessionVWAP, RollingVWAP,
  DonchianChannel, trueRange, typicalPrice, settledAfter, exponentialSettleInputs, SEED_WEIGHT_SETTLED,
} from './indicators/index.js';
export type {
  Indicator, PriceBar, VolumeBar, TimedVolumeBar, MACDOptions, MACDValue, BollingerBandsOptions, BollingerBandsValue, ADXValue,
  StochasticOptions, StochasticValue, SessionVWAPOptions, DonchianChannelValue,
} from './indicators/index.js';
export { EmaRsiTrend, emaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';
export type { EmaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';
export { strategyRegistry } from './registry.js';
export {
  ExitManager, exitRuleSchema, exitRulesSchema, stopLoss, stopLossRuleSchema, trailingStop, trailingStopRuleSchema, breakEven, breakEvenRuleSchema,
  timeStop, timeStopRuleSchema, takeProfitLadder, takeProfitLadderRuleSchema, exitQuantity, isBelowMinimum, exitRulesWarmUp,
} from './exits/index.js';
export type {
  ExitManagerOptions, ExitManagerContext, ExitAction, ExitReason, ExitRule, StopLossRule, StopLossInput, TrailingStopRule, TrailingStopInput, BreakEvenRule, BreakEvenInput,
  TimeStopRule, TimeStopInput, TakeProfitLadderRule, TakeProfitStep,
} from './exits/index.js';
export { MeanReversion, meanReversionParams } from './strategies/mean-reversion/mean-reversion.js';
export type { MeanReversionParams, MeanReversionInput } from './strategies/mean-reversion/mean-reversion.js';
export { MomentumBreakout, momentumBreakoutParams } from './strategies/momentum/momentum-breakout.js';
export type { MomentumBreakoutParams, MomentumBreakoutInput } from './strategies/momentum/momentum-breakout.js';
export { PortfolioRebalancer, portfolioRebalancerParams } from './strategies/portfolio/portfolio-rebalancer.js';
export type { PortfolioRebalancerParams } from './strategies/portfolio/portfolio-rebalancer.js';
export { planRebalance } from './strategies/portfolio/rebalance-plan.js';
export type { RebalanceInput, RebalancePairInput, RebalancePlan, RebalanceLine, RebalanceSkip } from './strategies/portfolio/rebalance-plan.js';
export { BarSteps } from './strategies/portfolio/bar-steps.js';
export type { BarStepUpdate } from './strategies/portfolio/bar-steps.js';
export { rankPairs } from './strategies/scanner/rank-pairs.js';
export type { PairSnapshot, RankOptions, RankWeights, RankScores, RankedPair, ExcludedPair, ExclusionReason, PairRanking } from './strategies/scanner/rank-pairs.js';
export { PairMetrics } from './strategies/scanner/pair-metrics.js';
export type { PairMetricsOptions, PairMetricsSnapshot } from './strategies/scanner/pair-metrics.js';
export { ScannerRotation, scannerRotationParams } from './strategies/scanner/scanner-rotation.js';
export type { ScannerRotationParams } from './strategies/scanner/scanner-rotation.js';
export { FeeAwareScalper, feeAwareScalperParams } from './strategies/scalper/fee-aware-scalper.js';
export type { FeeAwareScalperParams, ScalperQuotes } from './strategies/scalper/fee-aware-scalper.js';
export { CancelBudget } from './strategies/scalper/cancel-budget.js';
