import { defineConfig } from '@kbot/core';
import { kraken } from '@kbot/exchange-kraken';
import { EmaRsiTrend } from '@kbot/strategies';

/**
 * The demo bot for paper and live sessions against the LOCAL Kraken simulator (`kbot sim`, or the
 * one `pnpm demo` starts in-process). Endpoints and keys come from KRAKEN_REST_URL, KRAKEN_WS_URL,
 * KRAKEN_WS_AUTH_URL, KRAKEN_API_KEY and KRAKEN_API_SECRET; without them it would talk to the real
 * Kraken. Fast periods so a short session trades.
 */
export default defineConfig({
  name: 'basic-sim',
  mode: 'paper',
  exchange: kraken({ tier: 'intermediate' }),
  strategies: [EmaRsiTrend.with({ pair: 'BTC/USD', interval: '1m', fastPeriod: 3, slowPeriod: 8, rsiPeriod: 5, entryRsiBelow: 90, exitRsiAbove: 95, allocation: 0.5, stopLossPercent: 2 })],
  risk: { maxPositionQuote: '20000', maxOpenOrders: 4 },
  backtest: { balances: { USD: '10000' } },
  log: { level: 'warn' },
});
