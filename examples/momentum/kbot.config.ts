import { defineConfig } from '@kbot/core';
import { MomentumBreakout, type MomentumBreakoutParams } from '@kbot/strategies';

/**
 * Momentum breakout on BTC/USD 4-hour bars: buy a close above the previous 20 bars' highest high,
 * sized so the 2-ATR stop costs 1% of equity; exit on the ATR stop or a 3-ATR trailing stop.
 * Every parameter is written out (these are the defaults), so the file is the spec.
 */
export const params: MomentumBreakoutParams = {
  pair: 'BTC/USD',
  interval: '4h',
  breakout: 'donchian',
  channelPeriod: 20,
  fastPeriod: 12,
  slowPeriod: 26,
  atrPeriod: 14,
  riskFraction: 0.01,
  stopMultiple: 2,
  trailMultiple: 3,
  maxAllocation: 1,
  exits: [],
  restingStop: false,
  fallbackStopPercent: 5,
};

export default defineConfig({
  name: 'momentum',
  strategies: [MomentumBreakout.with(params)],
  risk: { maxPositionQuote: '20000', maxOpenOrders: 4 },
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../shared/data/ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv'],
  },
});
