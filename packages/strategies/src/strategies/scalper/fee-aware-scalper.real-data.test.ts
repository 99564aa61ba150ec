import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBot, openBacktestData, runBacktest, validateConfig, type BacktestResult, type KbotConfigInput } from '@kbot/core';
import { FeeAwareScalper } from './fee-aware-scalper.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const TRADES = 'trades/kraken/Kraken_BTCUSD_tradeprints.csv';
const SPREADS = 'ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_spreads.csv';
const T = Date.UTC(2022, 0, 25, 23, 0);

/** The data and settings of examples/scalper/kbot.real-ticks*.config.ts. */
async function backtest(extra: Partial<NonNullable<KbotConfigInput['backtest']>> = {}): Promise<BacktestResult> {
  const config = validateConfig({
    strategies: [FeeAwareScalper.with({ pair: 'BTC/USD', interval: '1m', source: 'quotes', quantity: '0.01', maxPosition: '0.02' })],
    backtest: {
      balances: { USD: '10000' },
      data: [{ file: TRADES, replay: 'bars', interval: '1m' }, { file: TRADES, replay: 'trades' }, { file: SPREADS }],
      ...extra,
    },
  });
  const data = openBacktestData(config.backtest.data, { baseDir: DATA, from: T });
  return runBacktest({ bot: createBot(config), data, kbotVersion: 'test' });
}

/** [ms after 23:00, side, price, quantity, status, filled] of every order. */
const orders = (result: BacktestResult) => result.orders.map((order) => [order.createdAt - T, order.side, order.price?.toString(), order.quantity.toString(), order.status, order.filledQuantity.toString()]);

// Replays Kraken's BTC/USD Spread sample and the last 1,000 trades of 2022-01-25 from the shared
// data folder (README section 6), which lives outside the repository; skipped where it is absent.
describe.skipIf(!DATA)('FeeAwareScalper through the engine on real Kraken BTC/USD quotes and trades (2022-01-25 23:00–23:02:49 UTC)', () => {
  it('at the starter tier (0.25% maker) never quotes: the 0.0003–0.024% spread is far below two maker fees', async () => {
    const result = await backtest();
    expect([result.barsProcessed, result.tradesProcessed, result.quotesProcessed]).toEqual([3, 35, 220]);
    expect(result.orders).toEqual([]);
    expect(result.metrics.netPnl.toString()).toBe('0');
  });

  it('at the top tier (0.00% maker) quotes the best bid, and fills only on trades after each order', async () => {
    const result = await backtest({ fees: 'instrument', instruments: [{ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5', makerFee: '0', takerFee: '0.001' }] });
    // 27 post-only bids and asks in the 85 seconds of quotes: it joins the best bid, re-prices as
    // the bid moves (more than 2 ticks), and stops cancelling once 20 cancels fall within a minute.
    expect(orders(result)).toEqual([
      [84999, 'buy', '36767.7', '0.01', 'canceled', '0'],
      [84999, 'buy', '36766.3', '0.01', 'canceled', '0'],
      [88999, 'buy', '36766.7', '0.01', 'canceled', '0'],
      [89999, 'buy', '36766.3', '0.01', 'canceled', '0'],
      [92999, 'buy', '36766.3', '0.01', 'canceled', '0'],
      [92999, 'buy', '36765.8', '0.01', 'canceled', '0'],
      [98999, 'buy', '36766.2', '0.01', 'canceled', '0'],
      [98999, 'buy', '36766.6', '0.01', 'canceled', '0'],
      [101999, 'buy', '36766', '0.01', 'canceled', '0.00026145'],
      [106999, 'sell', '36768.8', '0.00026145', 'canceled', '0'],
      [106999, 'buy', '36766.8', '0.01', 'canceled', '0'],
      [107999, 'sell', '36774.2', '0.00026145', 'canceled', '0'],
      [107999, 'buy', '36767.5', '0.01', 'canceled', '0'],
      [107999, 'buy', '36768.6', '0.01', 'canceled', '0'],
      [108999, 'buy', '36768.9', '0.01', 'canceled', '0'],
      [108999, 'buy', '36770.3', '0.01', 'canceled', '0'],
      [109999, 'buy', '36770.7', '0.01', 'canceled', '0'],
      [109999, 'sell', '36773.5', '0.00026145', 'canceled', '0'],
      [109999, 'buy', '36770.5', '0.01', 'canceled', '0'],
      [109999, 'sell', '36773.1', '0.00026145', 'filled', '0.00026145'],
      [111999, 'buy', '36769.8', '0.01', 'canceled', '0'],
      [112999, 'buy', '36770.5', '0.01', 'canceled', '0'],
      [161999, 'buy', '36776.8', '0.01', 'canceled', '0'],
      [162999, 'buy', '36777.2', '0.01', 'canceled', '0'],
      [162999, 'buy', '36777.6', '0.01', 'canceled', '0'],
      [164999, 'buy', '36777.7', '0.01', 'canceled', '0'],
      [169999, 'buy', '36777.9', '0.01', 'accepted', '0'],
    ]);
    // Every order goes out on a quote (replayed at the end of its second), none on a trade: a trade
    // predates the quote that shows its effect.
    expect(result.orders.filter((order) => order.createdAt % 1000 !== 999)).toEqual([]);
    // Never a bid at or above one of its own asks while both rest (the 36,766 bid filled in part at
    // 23:01:43.7 is cancelled before any ask goes out).
    const restingTogether = (a: (typeof result.orders)[number], b: (typeof result.orders)[number]) => a.createdAt < b.updatedAt && b.createdAt < a.updatedAt;
    const crossed = result.orders.filter((bid) => bid.side === 'buy').flatMap((bid) => result.orders
      .filter((ask) => ask.side === 'sell' && restingTogether(bid, ask) && bid.price!.greaterThanOrEqualTo(ask.price!))
      .map((ask) => `${bid.clientOrderId} ${bid.price} >= ${ask.clientOrderId} ${ask.price}`));
    expect(crossed).toEqual([]);
    expect(result.orders.every((order) => order.type === 'limit' && order.postOnly && order.timeInForce === 'gtc')).toBe(true);
    // Two fills, both maker at the order's own price, each on a later trade through it: the
    // 23:01:43.7227 print at 36765.9 (0.00261454 BTC; 10% of it, the volume cap) and the 23:02:34.5595
    // print above 36773.1.
    expect(result.fills.map((fill) => [fill.time - T, fill.side, fill.price.toString(), fill.quantity.toString(), fill.fee.toString(), fill.liquidity])).toEqual([
      [103722, 'buy', '36766', '0.00026145', '0', 'maker'],
      [154559, 'sell', '36773.1', '0.00026145', '0', 'maker'],
    ]);
    for (const fill of result.fills) {
      const order = result.orders.find((candidate) => candidate.clientOrderId === fill.clientOrderId)!;
      expect(fill.time).toBeGreaterThan(order.createdAt);
    }
    // 0.00026145 × (36773.1 − 36766) = 0.001856295 USD: one round trip, a fifth of a cent.
    expect(result.metrics.netPnl.toString()).toBe('0.001856295');
    expect(result.metrics.tradeCount).toBe(1);
  });
});
