import { describe, expect, it } from 'vitest';
import { isDecimal } from '../model/decimal.js';
import { toJsonValue } from './json-value.js';
import { toReportJson } from './report-json.js';
import { FIXTURE_STRATEGY_ID, T0, buildFixtureResult } from './test-fixture.js';

const HOUR = 3_600_000;

/** Every value reachable from `value`, with its path. */
function* walk(value: unknown, path = '$'): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* walk(value[i], `${path}[${i}]`);
  else if (value !== null && typeof value === 'object' && !isDecimal(value)) for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}.${key}`);
}

describe('toReportJson', () => {
  const report = toReportJson(buildFixtureResult());

  it('is plain JSON: no Decimal, no undefined, no non-finite number anywhere', () => {
    for (const [path, value] of walk(report)) {
      expect(isDecimal(value), path).toBe(false);
      expect(value, path).not.toBeUndefined();
      if (typeof value === 'number') expect(Number.isFinite(value), path).toBe(true);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('writes money as exact decimal strings', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.startEquity).toBe('10000');
    expect(report.endEquity).toBe('10092.137375');
    expect(report.balances).toEqual([
      { asset: 'BTC', start: '0', end: '0.05', change: '0.05' },
      { asset: 'USD', start: '10000', end: '9062.137375', change: '-937.862625' },
    ]);
    expect(report.metrics.netPnl).toBe('92.137375');
    expect(report.metrics.feesPaid).toBe('12.812625');
    expect(report.fills[0]).toEqual({
      tradeId: 'T-1',
      time: T0 + HOUR,
      timeIso: '2024-01-01T01:00:00.000Z',
      instrumentId: 'BTC/USD',
      side: 'buy',
      quantity: '0.1',
      price: '20000.5',
      notional: '2000.05',
      fee: '5.000125',
      feeAsset: 'USD',
      liquidity: 'taker',
      clientOrderId: 'o-1',
      venueOrderId: 'OABC-1',
      strategyId: FIXTURE_STRATEGY_ID,
    });
    expect(report.fills[1]!.venueOrderId).toBeNull();
    expect(report.roundTrips[0]).toMatchObject({ grossPnl: '99.95', fees: '10.250125', netPnl: '89.699875', durationMs: HOUR, fills: 2 });
    expect(report.openPositions[0]).toMatchObject({
      quantity: '0.05',
      averageEntryPrice: '20500',
      markPrice: '20600',
      marketValue: '1030',
      unrealizedPnl: '5',
      feesPaid: '2.5625',
    });
    expect(report.markPrices).toEqual({ 'BTC/USD': '20600' });
  });

  it('keeps the final state of every order, null for absent fields', () => {
    expect(report.orders.map((order) => [order.clientOrderId, order.status])).toEqual([
      ['o-1', 'filled'], ['o-2', 'filled'], ['o-3', 'filled'], ['o-4', 'canceled'],
    ]);
    expect(report.orders[0]).toMatchObject({ averageFillPrice: '20000.5', fees: { USD: '5.000125' }, features: { rsi: 28.5, zScore: -2.1 }, price: null, expireAt: null, reason: null });
    expect(report.orders[3]).toMatchObject({ type: 'limit', price: '19000.1', quantity: '0.2', filledQuantity: '0', averageFillPrice: null, tag: null, features: null, fees: {} });
  });

  it('carries metrics, data sources, strategies, denials and the curve', () => {
    expect(report.metrics).toMatchObject({ tradeCount: 1, fillCount: 3, winRate: 1, profitFactor: null });
    expect(report.metrics.buyAndHoldPercent).toBeCloseTo(3, 12);
    expect(report.metrics.exposure).toBeCloseTo(0.6, 15);
    expect(report.generatedMarket).toBe(false);
    expect(report.dataSources[0]).toMatchObject({ intervalText: '1h', gaps: 1, largestGapMs: 2 * HOUR, generated: false, firstIso: '2024-01-01T00:00:00.000Z' });
    expect(report.run).toMatchObject({ durationMs: 3250, from: T0, to: null, toIso: null });
    expect(report.strategies[0]!.params).toEqual({ band: '2.5', maxHold: 'Infinity', nested: { a: ['0.1', 'x'], z: 1 }, window: 20 });
    expect(Object.keys(report.denials)).toEqual(['daily-loss', 'max-position']);
    expect(report.equityCurve).toHaveLength(5);
    expect(report.equityCurve[4]).toEqual({ time: T0 + 4 * HOUR, equity: 10092.137375, drawdown: (10094.5 - 10092.137375) / 10094.5 });
    expect(toReportJson(buildFixtureResult({ generated: true })).generatedMarket).toBe(true);
  });

  it('is deterministic: the same result gives the same bytes, keys in a fixed order', () => {
    expect(JSON.stringify(toReportJson(buildFixtureResult()))).toBe(JSON.stringify(report));
    expect(Object.keys(report)).toEqual([
      'schemaVersion', 'kind', 'kbotVersion', 'name', 'generatedMarket', 'run', 'quoteAsset', 'startEquity', 'endEquity', 'balances',
      'metrics', 'dataSources', 'strategies', 'denials', 'markPrices', 'fills', 'orders', 'roundTrips', 'openPositions', 'equityCurve',
    ]);
  });
});

describe('toJsonValue', () => {
  it('sorts keys, drops undefined and functions, and marks cycles', () => {
    const cyclic: Record<string, unknown> = { b: 1, a: () => 1, c: undefined, big: 12n, when: new Date(T0) };
    cyclic.self = cyclic;
    expect(toJsonValue(cyclic)).toEqual({ b: 1, big: '12', self: '[circular]', when: '2024-01-01T00:00:00.000Z' });
    expect(JSON.stringify(toJsonValue({ z: 1, a: 2 }))).toBe('{"a":2,"z":1}');
    expect(toJsonValue([Number.NaN, undefined, new Set([1])])).toEqual(['NaN', null, [1]]);
  });

  it('does not mistake a shared (non-cyclic) reference for a cycle', () => {
    const shared = { x: 1 };
    expect(toJsonValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
