// Public surface of the streaming indicators. The contract suite (`indicator-contract.ts`) is not
// exported here because it imports vitest; it belongs on a testing subpath.
export type { Indicator, PriceBar, VolumeBar, TimedVolumeBar } from './indicator.js';
export { SMA } from './sma.js';
export { EMA } from './ema.js';
export { WMA } from './wma.js';
export { RSI } from './rsi.js';
export { MACD, type MACDOptions, type MACDValue } from './macd.js';
export { BollingerBands, type BollingerBandsOptions, type BollingerBandsValue } from './bollinger-bands.js';
export { StandardDeviation } from './standard-deviation.js';
export { ZScore } from './z-score.js';
export { ROC } from './roc.js';
export { ATR } from './atr.js';
export { ADX, type ADXValue } from './adx.js';
export { Stochastic, type StochasticOptions, type StochasticValue } from './stochastic.js';
export { OBV } from './obv.js';
export { SessionVWAP, type SessionVWAPOptions } from './session-vwap.js';
export { RollingVWAP } from './rolling-vwap.js';
export { DonchianChannel, type DonchianChannelValue } from './donchian-channel.js';
export { trueRange } from './true-range.js';
export { typicalPrice } from './typical-price.js';
export { settledAfter, exponentialSettleInputs, SEED_WEIGHT_SETTLED } from './settled-after.js';
