import { defineConfig } from '@kbot/core';
import { ScannerRotation } from '@kbot/strategies';

/**
 * The opportunity scanner: ScannerRotation ranks five USD pairs by volume, volatility and trend
 * every hour and holds the best-ranked one whose trend is rising. Every parameter is written out
 * (they are the defaults; nothing was tuned). Backtested on REAL Kraken 15-minute candles of
 * Q3 2023 from the shared data folder beside the repository: five files, one per pair, merged by
 * time; relative paths resolve from this file's folder.
 */
const DATA = '../../../shared/data/ohlcv/kraken/h1-q3-2023/trading_test_data';

export default defineConfig({
  name: 'scanner',
  strategies: [ScannerRotation.with({
    pairs: ['BTC/USD', 'ETH/USD', 'SOL/USD', 'AVAX/USD', 'DOT/USD'],
    interval: '15m',
    topN: 2,
    window: 96,
    trendPeriod: 96,
    trendLookback: 16,
    rescanEveryBars: 4,
    minQuoteVolume: 0,
    maxSpreadPercent: null,
    blacklist: [],
    weights: { volume: 1, spread: 1, volatility: 1, trend: 1 },
    useQuotes: false,
    allocation: 0.95,
  })],
  risk: { maxOpenOrders: 4 },
  backtest: {
    balances: { USD: '10000' },
    data: [`${DATA}/XBTUSD_15.csv`, `${DATA}/ETHUSD_15.csv`, `${DATA}/SOLUSD_15.csv`, `${DATA}/AVAXUSD_15.csv`, `${DATA}/DOTUSD_15.csv`],
  },
});
