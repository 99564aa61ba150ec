import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import { instrumentId } from '../model/ids.js';
import type { RoundTrip } from '../model/position.js';
import { EquityTracker } from './equity-tracker.js';
import { computeMetrics, type MetricsInput } from './metrics.js';

const DAY = 86_400_000;
const d = (text: string): Decimal => new Decimal(text);

function trip(netPnl: string): RoundTrip {
  return {
    instrumentId: instrumentId('ETH/USD'),
    openedAt: 0,
    closedAt: DAY,
    quantity: d('1'),
    averageEntryPrice: d('1000'),
    averageExitPrice: d('1000'),
    grossPnl: d(netPnl),
    fees: d('0'),
    netPnl: d(netPnl),
    returnFraction: d(netPnl).dividedBy(1000),
    fills: 2,
  };
}

function input(overrides: Partial<MetricsInput> = {}): MetricsInput {
  const equity = new EquityTracker();
  [100, 110, 99, 118.8, 118.8].forEach((value, i) => equity.record(i * DAY, value, i === 1 || i === 2));
  return {
    startEquity: d('1000'),
    endEquity: d('1012.34'),
    feesPaid: d('3.21'),
    roundTrips: [],
    fillCount: 0,
    equity,
    firstClose: 100,
    lastClose: 150,
    ...overrides,
  };
}

describe('computeMetrics', () => {
  it('computes win rate and profit factor from net P&L of round trips', () => {
    // Wins 10 + 3 = 13, losses 5: profit factor 2.6; 2 winners of 4 (the flat one is no win): 0.5.
    const metrics = computeMetrics(input({ roundTrips: [trip('10'), trip('-5'), trip('3'), trip('0')], fillCount: 8 }));
    expect(metrics.tradeCount).toBe(4);
    expect(metrics.fillCount).toBe(8);
    expect(metrics.winRate).toBe(0.5);
    expect(metrics.profitFactor).toBe(2.6);
  });

  it('gives null win rate without round trips and null profit factor without losses', () => {
    expect(computeMetrics(input()).winRate).toBeNull();
    expect(computeMetrics(input()).profitFactor).toBeNull();
    const allWins = computeMetrics(input({ roundTrips: [trip('1'), trip('2')] }));
    expect(allWins.winRate).toBe(1);
    expect(allWins.profitFactor).toBeNull();
    const allLosses = computeMetrics(input({ roundTrips: [trip('-1')] }));
    expect(allLosses.winRate).toBe(0);
    expect(allLosses.profitFactor).toBe(0);
  });

  it('keeps net P&L and fees exact and takes curve statistics from the tracker', () => {
    const metrics = computeMetrics(input());
    expect(metrics.netPnl.toFixed()).toBe('12.34');
    expect(metrics.netPnlPercent).toBeCloseTo(1.234, 12);
    expect(metrics.feesPaid.toFixed()).toBe('3.21');
    expect(metrics.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(metrics.maxDrawdownQuote).toBeCloseTo(11, 12);
    expect(Math.abs(metrics.sharpe! - Math.sqrt(54.75))).toBeLessThan(1e-12);
    expect(Math.abs(metrics.sortino! - Math.sqrt(365))).toBeLessThan(1e-12);
    expect(metrics.exposure).toBeCloseTo(0.4, 15);
  });

  it('computes buy and hold from the first and last close, null without them', () => {
    expect(computeMetrics(input()).buyAndHoldPercent).toBeCloseTo(50, 12);
    expect(computeMetrics(input({ firstClose: undefined })).buyAndHoldPercent).toBeNull();
    expect(computeMetrics(input({ firstClose: 0 })).buyAndHoldPercent).toBeNull();
  });

  it('reports 0 percent on a zero start equity instead of dividing by zero', () => {
    expect(computeMetrics(input({ startEquity: d('0'), endEquity: d('5') })).netPnlPercent).toBe(0);
  });

  it('rejects a fill count that is not a count', () => {
    expect(() => computeMetrics(input({ fillCount: -1 }))).toThrow(/fillCount: received -1/);
  });
});
