import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal, createBot, openBacktestData, runBacktest, validateConfig, type BacktestResult } from '@kbot/core';
import { EmaRsiTrend } from '@kbot/strategies';

const shared = process.env.KBOT_SHARED_DATA;

async function backtest(file: string, params: Record<string, unknown>): Promise<BacktestResult> {
  const config = validateConfig({ strategies: [EmaRsiTrend.with(params as never)], backtest: { balances: { USD: '10000' } } });
  const data = openBacktestData([file], { baseDir: shared! });
  return runBacktest({ bot: createBot(config), data, kbotVersion: 'test' });
}

// Needs the real Kraken files in ../shared/data (present in CI); skipped with this reason elsewhere.
describe.skipIf(!shared)('backtest accounting on real Kraken data (../shared/data)', () => {
  it('holds exactly: end balance = start + realized P&L − fees − cost of the open position (XBTUSD 15m, Q1 2023)', async () => {
    const result = await backtest(join('ohlcv', 'kraken', 'q1-2023', 'XBTUSD_15.csv'), { pair: 'BTC/USD', interval: '15m', fastPeriod: 12, slowPeriod: 48 });
    expect(result.barsProcessed).toBe(8635);
    expect(result.data[0]).toMatchObject({ bars: 8635, gaps: 5, generated: false });
    expect(result.fills.length).toBeGreaterThan(20);

    const realized = result.roundTrips.reduce((sum, trip) => sum.plus(trip.grossPnl), new Decimal(0));
    const fees = result.fills.reduce((sum, fill) => sum.plus(fill.fee), new Decimal(0));
    const open = result.openPositions[0];
    const openCost = open ? open.costBasis : new Decimal(0);
    // Fees of the still-open entry are paid but belong to no closed round trip.
    const quoteEnd = result.endBalances.USD!;
    expect(quoteEnd.equals(new Decimal(10000).plus(realized).minus(fees).minus(openCost))).toBe(true);

    // Base balance is exactly what the fills bought minus what they sold.
    const base = result.fills.reduce((sum, fill) => (fill.side === 'buy' ? sum.plus(fill.quantity) : sum.minus(fill.quantity)), new Decimal(0));
    expect((result.endBalances.BTC ?? new Decimal(0)).equals(base)).toBe(true);

    // Equity = quote + open position at the last price; net P&L = equity change, fees included.
    const mark = result.markPrices['BTC/USD']!;
    expect(result.endEquity.equals(quoteEnd.plus(base.times(mark)))).toBe(true);
    expect(result.metrics.netPnl.equals(result.endEquity.minus(10000))).toBe(true);
    expect(result.metrics.feesPaid.equals(fees)).toBe(true);
  });

  it('fills only after the order: every fill is at or after the bar following the order', async () => {
    const result = await backtest(join('ohlcv', 'kraken', '4h-2024-2025', 'XBTUSD_240.csv'), { pair: 'BTC/USD', interval: '4h', fastPeriod: 6, slowPeriod: 24 });
    const orders = new Map(result.orders.map((order) => [order.clientOrderId, order]));
    expect(result.fills.length).toBeGreaterThan(5);
    for (const fill of result.fills) expect(fill.time).toBeGreaterThanOrEqual(orders.get(fill.clientOrderId)!.createdAt);
  });
});
