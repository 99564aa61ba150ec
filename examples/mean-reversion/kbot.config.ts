import { defineConfig } from '@kbot/core';
import { MeanReversion, stopLoss, takeProfitLadder, timeStop, type MeanReversionParams } from '@kbot/strategies';

/**
 * Mean reversion on BTC/USD 15-minute bars: buy a close under the lower Bollinger band while RSI
 * is oversold and the trend guard allows it; sell the return to the middle band, or through the
 * exit rules. Every parameter is written out (these are the defaults), so the file is the spec.
 */
export const params: MeanReversionParams = {
  pair: 'BTC/USD',
  interval: '15m',
  bands: 'bollinger',
  period: 20,
  deviations: 2,
  rsiPeriod: 14,
  entryRsiBelow: 30,
  exitAt: 'middle',
  trendGuard: 'both',
  trendEmaPeriod: 200,
  maxBelowTrendPercent: 5,
  adxPeriod: 14,
  maxAdx: 30,
  allocation: 0.5,
  exits: [stopLoss({ atrMultiple: 2, atrPeriod: 14 }), takeProfitLadder([{ atPercent: 1, sellFraction: 0.5 }]), timeStop({ bars: 48 })],
  restingStop: false,
  fallbackStopPercent: 5,
};

export default defineConfig({
  name: 'mean-reversion',
  strategies: [MeanReversion.with(params)],
  risk: { maxPositionQuote: '20000', maxOpenOrders: 4 },
  backtest: {
    balances: { USD: '10000' },
    // Real Kraken data beside the repository (never copied into it): ../shared/data.
    data: ['../../../shared/data/ohlcv/kraken/q1-2023/XBTUSD_15.csv'],
  },
});
