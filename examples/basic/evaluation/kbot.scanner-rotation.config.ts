import { defineConfig } from '@kbot/core';

/**
 * ScannerRotation (registry name `scanner-rotation`) with its default parameters over Kraken's
 * Q3 2023 15-minute bars of five pairs, merged by time: the settings of the strategy's real-data
 * test, run through `kbot backtest` (evaluation in docs/strategies.md). Nothing was tuned.
 */
const DATA = '../../../../shared/data/ohlcv/kraken/h1-q3-2023/trading_test_data';

export default defineConfig({
  name: 'scanner-rotation-q3-2023',
  strategies: [{ use: 'scanner-rotation', params: { pairs: ['BTC/USD', 'ETH/USD', 'SOL/USD', 'AVAX/USD', 'DOT/USD'], interval: '15m' } }],
  backtest: {
    balances: { USD: '10000' },
    data: [`${DATA}/XBTUSD_15.csv`, `${DATA}/ETHUSD_15.csv`, `${DATA}/SOLUSD_15.csv`, `${DATA}/AVAXUSD_15.csv`, `${DATA}/DOTUSD_15.csv`],
  },
});
