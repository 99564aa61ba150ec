import { defineConfig } from '@kbot/core';

/**
 * A two-coin portfolio: 50 % BTC, 30 % ETH, 20 % USD, rebalanced when a coin drifts more than
 * 5 percentage points from its target and, whatever the drift, once a week. Backtested on REAL
 * Kraken 4h candles for 2024–2025 from the shared data folder beside the repository (two files,
 * merged by time); relative paths resolve from this file's folder.
 */
export default defineConfig({
  name: 'portfolio',
  strategies: [{
    use: 'portfolio',
    params: {
      targets: { 'BTC/USD': 0.5, 'ETH/USD': 0.3 },
      interval: '4h',
      driftThresholdPercent: 5,
      rebalanceEvery: '7d',
      maxFeeToBenefit: 0.25,
      reserves: {},
    },
  }],
  backtest: {
    balances: { USD: '10000' },
    data: [
      '../../../shared/data/ohlcv/kraken/4h-2024-2025/XBTUSD_240.csv',
      '../../../shared/data/ohlcv/kraken/4h-2024-2025/ETHUSD_240.csv',
    ],
  },
});
