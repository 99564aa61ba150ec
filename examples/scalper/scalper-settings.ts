import type { KbotConfigInput } from '@kbot/core';
import type { FeeAwareScalperParams } from '@kbot/strategies';

/**
 * The scalper's parameters in every config of this folder: its defaults written out, plus the two
 * sizes that have no default. Nothing here was tuned on the data.
 */
export const scalperParams: FeeAwareScalperParams = {
  pair: 'BTC/USD',
  interval: '1m',
  source: 'quotes',
  bookDepth: 10,
  quantity: '0.01',
  maxPosition: '0.02',
  minEdgePercent: 0,
  improveTicks: 0,
  skewTicks: 2,
  staleAfterMs: 30_000,
  repriceTicks: 2,
  maxCancelsPerMinute: 20,
  maxBarRangePercent: null,
  imbalanceThreshold: null,
  sellAboveBreakEven: true,
};

/** Real Kraken BTC/USD data of 2022-01-25 beside the repository (never copied into it): ../shared/data. */
const SHARED = '../../../shared/data';
const TRADES = `${SHARED}/trades/kraken/Kraken_BTCUSD_tradeprints.csv`;

/**
 * The one stretch where the shared folder has both top of book and public trades of one pair:
 * Kraken's Spread samples (23:01:24–23:02:49 UTC, replayed as quotes) and the last 1,000 trades
 * (to 23:02:42). The trades go in twice: as 1-minute bars (the scalper's fast-market guard and its
 * first bar) and one by one (what fills resting quotes). From 23:00 so one bar closes before the
 * first quote.
 */
export const realTicks: NonNullable<KbotConfigInput['backtest']> = {
  balances: { USD: '10000' },
  from: '2022-01-25T23:00:00Z',
  data: [
    { file: TRADES, replay: 'bars', interval: '1m' },
    { file: TRADES, replay: 'trades' },
    { file: `${SHARED}/ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_spreads.csv` },
  ],
};

/**
 * Kraken's top fee tier (from 10 M USD of 30-day volume): 0.00 % maker, 0.10 % taker. The scalper
 * reads the maker fee from the instrument, so the instrument carries it and the venue charges it.
 */
export const topTier: Pick<NonNullable<KbotConfigInput['backtest']>, 'fees' | 'instruments'> = {
  fees: 'instrument',
  instruments: [{ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5', makerFee: '0', takerFee: '0.001' }],
};
