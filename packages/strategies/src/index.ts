export {
  SMA, EMA, WMA, RSI, MACD, BollingerBands, StandardDeviation, ZScore, ROC, ATR, ADX, Stochastic, OBV, SessionVWAP, RollingVWAP,
  DonchianChannel, trueRange, typicalPrice,
} from './indicators/index.js';
export type {
  Indicator, PriceBar, VolumeBar, TimedVolumeBar, MACDOptions, MACDValue, BollingerBandsOptions, BollingerBandsValue, ADXValue,
  StochasticOptions, StochasticValue, SessionVWAPOptions, DonchianChannelValue,
} from './indicators/index.js';
export { EmaRsiTrend, emaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';
export type { EmaRsiTrendParams } from './strategies/ema-rsi/ema-rsi-trend.js';
export { strategyRegistry } from './registry.js';
