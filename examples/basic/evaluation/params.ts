import type { EmaRsiTrendParams } from '@kbot/strategies';

/**
 * The demo bot's EmaRsiTrend parameters (examples/basic/kbot.config.ts), unchanged, for the
 * evaluation in docs/strategies.md. Only `pair` and `interval` change per config, to match the
 * data file. Nothing here was tuned on the evaluation data.
 */
export const params: Omit<EmaRsiTrendParams, 'pair' | 'interval'> = {
  fastPeriod: 12,
  slowPeriod: 48,
  rsiPeriod: 14,
  entryRsiBelow: 70,
  exitRsiAbove: 80,
  allocation: 0.5,
  stopLossPercent: 4,
};

/** The demo bot's risk settings, unchanged. */
export const risk = { maxPositionQuote: '20000', maxOpenOrders: 4 } as const;
