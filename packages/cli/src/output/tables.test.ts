import { describe, expect, it } from 'vitest';
import { Decimal, type BacktestResult, type DataSourceSummary } from '@kbot/core';
import { backtestSummary } from './tables.js';

/** The parts of a result the summary reads: a flat run with no trades. */
function result(data: readonly Partial<DataSourceSummary>[]): BacktestResult {
  const zero = new Decimal(0);
  return {
    quoteAsset: 'USD',
    data,
    startEquity: new Decimal(10_000),
    endEquity: new Decimal(10_000),
    metrics: {
      netPnl: zero, netPnlPercent: 0, buyAndHoldPercent: null, feesPaid: zero, maxDrawdown: 0, maxDrawdownQuote: zero,
      sharpe: null, sortino: null, returnCount: 0, tradeCount: 0, winRate: null, profitFactor: null, exposure: 0, fillCount: 0,
    },
    denials: {},
    startBalances: { USD: new Decimal(10_000) },
    endBalances: { USD: new Decimal(10_000) },
    openPositions: [],
  } as unknown as BacktestResult;
}

describe('backtestSummary', () => {
  it('flags a Sharpe and Sortino annualized from too few returns (a short session), and not from enough', () => {
    const base = result([]);
    const withCurve = (returnCount: number) => backtestSummary({ ...base, metrics: { ...base.metrics, sharpe: -223.54, sortino: -224.62, returnCount } } as BacktestResult, undefined);
    expect(withCurve(4)).toMatch(/│ sharpe\s+│ -223\.54 \(from 4 returns: too few to rely on\)\s+│/);
    expect(withCurve(4)).toMatch(/│ sortino\s+│ -224\.62 \(from 4 returns: too few to rely on\)\s+│/);
    expect(withCurve(30)).toMatch(/│ sharpe\s+│ -223\.54\s+│/);
    expect(backtestSummary(base, undefined)).toMatch(/│ sharpe\s+│ n\/a\s+│/);
  });

  it('counts the orders the venue rejected, by reason, and the ones still open at the end', () => {
    const base = result([]);
    const orders = [
      { status: 'rejected', reason: 'EOrder:Insufficient funds' },
      { status: 'rejected', reason: 'EOrder:Insufficient funds' },
      { status: 'rejected', reason: 'EOrder:Post only order' },
      { status: 'accepted' },
      { status: 'partially-filled' },
      { status: 'filled' },
      { status: 'canceled' },
    ];
    const text = backtestSummary({ ...base, orders } as unknown as BacktestResult, undefined);
    expect(text).toMatch(/│ orders rejected\s+│ EOrder:Insufficient funds 2, EOrder:Post only order 1\s+│/);
    expect(text).toMatch(/│ orders open at the end\s+│ 2\s+│/);
    expect(backtestSummary(base, undefined)).not.toMatch(/orders rejected|orders open/);
  });

  it('lists the data sources of a backtest', () => {
    const text = backtestSummary(result([{ file: 'XBTUSD_1.csv', instrumentId: 'BTC/USD', interval: 60_000, bars: 3, first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, 1, 0, 2), gaps: 0, generated: false }]), undefined);
    expect(text).toMatch(/│ data\s+│ instrument\s+│ interval/);
    expect(text).toMatch(/│ XBTUSD_1\.csv\s+│ BTC\/USD\s+│ 1m\s+│ 3\s+│/);
  });

  it('leaves the data table out when there are no sources (paper and live sessions), instead of an empty header', () => {
    const text = backtestSummary(result([]), undefined);
    expect(text).not.toMatch(/│ data\s+│/);
    expect(text.split('\n')[0]).toMatch(/^┌/);
    expect(text).toMatch(/│ start equity\s+│ 10000 USD\s+│/);
  });
});
