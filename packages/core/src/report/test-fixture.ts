import { EquityTracker } from '../backtest/equity-tracker.js';
import { computeMetrics } from '../backtest/metrics.js';
import type { BacktestResult, DataSourceSummary } from '../backtest/result.js';
import { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import { clientOrderId, instrumentId, strategyId, tradeId, venueOrderId } from '../model/ids.js';
import type { Order } from '../model/order.js';
import type { Position, RoundTrip } from '../model/position.js';

/*
 * A hand-built backtest result for the report tests (not exported from the package). One BTC/USD
 * round trip and one open position:
 *   buy  0.1  @ 20000.5 fee 5.000125 (taker)
 *   sell 0.1  @ 21000   fee 5.25     (maker)  → gross 99.95, fees 10.250125, net 89.699875
 *   buy  0.05 @ 20500   fee 2.5625   (taker)  → open, marked at 20600
 * USD: 10000 − 2000.05 − 5.000125 + 2100 − 5.25 − 1025 − 2.5625 = 9062.137375
 * end equity = 9062.137375 + 0.05 × 20600 = 10092.137375
 */

export const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const d = (text: string): Decimal => new Decimal(text);
const BTC_USD = instrumentId('BTC/USD');
/** Comma and quote: the CSV must quote it. */
export const FIXTURE_STRATEGY_ID = strategyId('mean "rev", v2');
/** Markup: the HTML must escape it. */
export const FIXTURE_STRATEGY_NAME = '<script>alert(1)</script>';

function fill(n: number, side: 'buy' | 'sell', quantity: string, price: string, fee: string, liquidity: 'maker' | 'taker', venue: string | undefined): Fill {
  return {
    tradeId: tradeId(`T-${n}`),
    clientOrderId: clientOrderId(`o-${n}`),
    venueOrderId: venue === undefined ? undefined : venueOrderId(venue),
    strategyId: FIXTURE_STRATEGY_ID,
    instrumentId: BTC_USD,
    side,
    quantity: d(quantity),
    price: d(price),
    fee: d(fee),
    feeAsset: 'USD',
    liquidity,
    time: T0 + n * HOUR,
  };
}

export const FIXTURE_FILLS: readonly Fill[] = [
  fill(1, 'buy', '0.1', '20000.5', '5.000125', 'taker', 'OABC-1'),
  fill(2, 'sell', '0.1', '21000', '5.25', 'maker', undefined),
  fill(3, 'buy', '0.05', '20500', '2.5625', 'taker', 'OABC-3'),
];

function filledOrder(f: Fill): Order {
  return {
    clientOrderId: f.clientOrderId,
    strategyId: f.strategyId,
    instrumentId: f.instrumentId,
    side: f.side,
    type: 'market',
    quantity: f.quantity,
    price: undefined,
    triggerPrice: undefined,
    postOnly: false,
    reduceOnly: false,
    timeInForce: 'gtc',
    expireAt: undefined,
    tag: 'entry, "signal"',
    features: { rsi: 28.5, zScore: -2.1 },
    createdAt: f.time - 1000,
    status: 'filled',
    venueOrderId: f.venueOrderId,
    filledQuantity: f.quantity,
    averageFillPrice: f.price,
    fees: { USD: f.fee },
    updatedAt: f.time,
    reason: undefined,
  };
}

const canceledOrder: Order = {
  ...filledOrder(FIXTURE_FILLS[2]!),
  clientOrderId: clientOrderId('o-4'),
  venueOrderId: venueOrderId('OABC-4'),
  type: 'limit',
  price: d('19000.1'),
  quantity: d('0.2'),
  status: 'canceled',
  filledQuantity: d('0'),
  averageFillPrice: undefined,
  fees: {},
  tag: undefined,
  features: undefined,
};

export function fixtureRoundTrip(netPnl: string, closedAt = T0 + 2 * HOUR): RoundTrip {
  return {
    instrumentId: BTC_USD,
    openedAt: T0 + HOUR,
    closedAt,
    quantity: d('0.1'),
    averageEntryPrice: d('20000.5'),
    averageExitPrice: d('21000'),
    grossPnl: d('99.95'),
    fees: d('10.250125'),
    netPnl: d(netPnl),
    returnFraction: d(netPnl).dividedBy(d('2000.05')),
    fills: 2,
  };
}

const openPosition: Position = {
  instrumentId: BTC_USD,
  quantity: d('0.05'),
  averageEntryPrice: d('20500'),
  costBasis: d('1025'),
  realizedPnl: d('0'),
  feesPaid: d('2.5625'),
  openedAt: T0 + 3 * HOUR,
  updatedAt: T0 + 3 * HOUR,
};

export interface FixtureOptions {
  readonly generated?: boolean;
  readonly roundTrips?: readonly RoundTrip[];
}

export function buildFixtureResult(options: FixtureOptions = {}): BacktestResult {
  const tracker = new EquityTracker({ intervalMs: HOUR });
  const curve: Array<[number, boolean]> = [[10000, false], [9999.9, true], [10089.699875, false], [10094.5, true], [10092.137375, true]];
  curve.forEach(([equity, exposed], i) => tracker.record(T0 + i * HOUR, equity, exposed));
  const roundTrips = options.roundTrips ?? [fixtureRoundTrip('89.699875')];
  const source: DataSourceSummary = {
    file: options.generated ? 'generated:random-walk' : '/data/BTCUSD_60.csv',
    format: options.generated ? 'generated' : 'kraken-ohlcvt',
    instrumentId: BTC_USD,
    interval: HOUR,
    bars: 5,
    first: T0,
    last: T0 + 4 * HOUR,
    gaps: 1,
    largestGapMs: 2 * HOUR,
    generated: options.generated ?? false,
  };
  return {
    kbotVersion: '0.1.0',
    name: 'fixture <run> & co',
    startedAt: Date.UTC(2024, 5, 1, 12, 0, 0),
    finishedAt: Date.UTC(2024, 5, 1, 12, 0, 3, 250),
    from: T0,
    to: undefined,
    barsProcessed: 5,
    data: [source],
    strategies: [
      {
        id: FIXTURE_STRATEGY_ID,
        name: FIXTURE_STRATEGY_NAME,
        params: { window: 20, band: d('2.5'), maxHold: Infinity, skip: undefined, nested: { z: 1, a: [d('0.1'), 'x'] } },
      },
    ],
    quoteAsset: 'USD',
    startBalances: { USD: d('10000') },
    // Keys deliberately unsorted: the report must sort them.
    endBalances: { USD: d('9062.137375'), BTC: d('0.05') },
    startEquity: d('10000'),
    endEquity: d('10092.137375'),
    markPrices: { 'BTC/USD': d('20600') },
    fills: FIXTURE_FILLS,
    orders: [...FIXTURE_FILLS.map(filledOrder), canceledOrder],
    roundTrips,
    openPositions: [openPosition],
    equityCurve: tracker.curve(),
    denials: { 'max-position': 2, 'daily-loss': 1 },
    metrics: computeMetrics({
      startEquity: d('10000'),
      endEquity: d('10092.137375'),
      feesPaid: d('12.812625'),
      roundTrips,
      fillCount: FIXTURE_FILLS.length,
      equity: tracker,
      firstClose: 20000,
      lastClose: 20600,
    }),
  };
}
