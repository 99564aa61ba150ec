import type { BacktestResult } from '../backtest/result.js';
import { ZERO, decimalString, type Decimal } from '../model/decimal.js';
import type { Fill, Liquidity } from '../model/fill.js';
import type { Order, OrderSide, OrderStatus, OrderType, TimeInForce } from '../model/order.js';
import type { Position, RoundTrip } from '../model/position.js';
import { formatInterval, isoTime, type EpochMs } from '../model/time.js';
import { compareText, toJsonValue, type JsonValue } from './json-value.js';

/*
 * report.json: the machine-readable record of a backtest. Money is a decimal string (exact, no
 * exponent), statistics are JSON numbers, absent values are null (never missing keys), times are
 * epoch milliseconds with an `…Iso` twin. Keys are written in the order of these interfaces and
 * map-like objects are sorted by key, so one result always gives the same bytes.
 * docs/report-schema.md documents every field; bump the schema version on any breaking change.
 */

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportRun {
  readonly startedAt: EpochMs;
  readonly startedAtIso: string;
  readonly finishedAt: EpochMs;
  readonly finishedAtIso: string;
  readonly durationMs: number;
  readonly from: EpochMs | null;
  readonly fromIso: string | null;
  readonly to: EpochMs | null;
  readonly toIso: string | null;
  readonly barsProcessed: number;
  /** Public trades replayed one by one (0 when only bars were replayed). */
  readonly tradesProcessed: number;
  /** Top-of-book quotes replayed (0 when only bars were replayed). */
  readonly quotesProcessed: number;
}

export interface ReportBalance {
  readonly asset: string;
  readonly start: string;
  readonly end: string;
  readonly change: string;
}

export interface ReportMetrics {
  readonly netPnl: string;
  readonly netPnlPercent: number | null;
  readonly feesPaid: string;
  readonly maxDrawdown: number | null;
  readonly maxDrawdownQuote: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** The returns Sharpe and Sortino come from; absent in reports written before kbot wrote it. */
  readonly returnCount?: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly exposure: number | null;
  readonly tradeCount: number;
  readonly fillCount: number;
  readonly buyAndHoldPercent: number | null;
}

export interface ReportDataSource {
  readonly file: string;
  readonly format: string;
  readonly instrumentId: string;
  readonly interval: number;
  readonly intervalText: string;
  readonly bars: number;
  /** Trades replayed one by one; 0 for bar sources. */
  readonly trades: number;
  /** Quotes replayed; 0 for bar sources. */
  readonly quotes: number;
  readonly first: EpochMs | null;
  readonly firstIso: string | null;
  readonly last: EpochMs | null;
  readonly lastIso: string | null;
  readonly gaps: number;
  readonly largestGapMs: number;
  readonly generated: boolean;
  /** Bars before `from` the strategies warmed up on: wanted and received; null when none was asked for. */
  readonly warmUp: { readonly wanted: number; readonly received: number } | null;
}

export interface ReportStrategy {
  readonly id: string;
  readonly name: string;
  readonly params: JsonValue;
}

export interface ReportFill {
  readonly tradeId: string;
  readonly time: EpochMs;
  readonly timeIso: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
  /** price × quantity, in quote currency. */
  readonly notional: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly strategyId: string;
}

export interface ReportOrder {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: OrderStatus;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly price: string | null;
  readonly triggerPrice: string | null;
  readonly averageFillPrice: string | null;
  readonly fees: Readonly<Record<string, string>>;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly timeInForce: TimeInForce;
  readonly expireAt: EpochMs | null;
  readonly expireAtIso: string | null;
  readonly tag: string | null;
  /** Numbers the strategy saw when deciding, sorted by name; null when it gave none. */
  readonly features: Readonly<Record<string, number | null>> | null;
  readonly reason: string | null;
  readonly createdAt: EpochMs;
  readonly createdAtIso: string;
  readonly updatedAt: EpochMs;
  readonly updatedAtIso: string;
}

export interface ReportRoundTrip {
  readonly instrumentId: string;
  readonly openedAt: EpochMs;
  readonly openedAtIso: string;
  readonly closedAt: EpochMs;
  readonly closedAtIso: string;
  readonly durationMs: number;
  readonly quantity: string;
  readonly averageEntryPrice: string;
  readonly averageExitPrice: string;
  readonly grossPnl: string;
  readonly fees: string;
  readonly netPnl: string;
  readonly returnFraction: string;
  readonly fills: number;
}

export interface ReportOpenPosition {
  readonly instrumentId: string;
  readonly quantity: string;
  readonly averageEntryPrice: string;
  /** Last known price; null when the run saw none for this instrument. */
  readonly markPrice: string | null;
  /** quantity × markPrice. */
  readonly marketValue: string | null;
  /** What the open quantity cost, exactly (quote). */
  readonly costBasis: string;
  /** markPrice × quantity − costBasis, before exit fees. */
  readonly unrealizedPnl: string | null;
  readonly realizedPnl: string;
  readonly feesPaid: string;
  readonly openedAt: EpochMs | null;
  readonly openedAtIso: string | null;
  readonly updatedAt: EpochMs;
  readonly updatedAtIso: string;
}

export interface ReportEquityPoint {
  readonly time: EpochMs;
  readonly equity: number;
  readonly drawdown: number;
}

export interface ReportJson {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly kind: 'backtest' | 'paper' | 'live';
  readonly kbotVersion: string;
  readonly name: string;
  /** True when any data source is a generated market: the results say nothing about real prices. */
  readonly generatedMarket: boolean;
  readonly run: ReportRun;
  readonly quoteAsset: string;
  readonly startEquity: string;
  readonly endEquity: string;
  readonly balances: readonly ReportBalance[];
  readonly metrics: ReportMetrics;
  readonly dataSources: readonly ReportDataSource[];
  readonly strategies: readonly ReportStrategy[];
  readonly denials: Readonly<Record<string, number>>;
  readonly markPrices: Readonly<Record<string, string>>;
  readonly fills: readonly ReportFill[];
  readonly orders: readonly ReportOrder[];
  readonly roundTrips: readonly ReportRoundTrip[];
  readonly openPositions: readonly ReportOpenPosition[];
  readonly equityCurve: readonly ReportEquityPoint[];
}

/** Builds the report.json object of a backtest (plain data: JSON.stringify it as is). */
export function toReportJson(result: BacktestResult): ReportJson {
  const m = result.metrics;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: result.mode ?? 'backtest',
    kbotVersion: result.kbotVersion,
    name: result.name,
    generatedMarket: result.data.some((source) => source.generated),
    run: {
      startedAt: result.startedAt,
      startedAtIso: isoTime(result.startedAt),
      finishedAt: result.finishedAt,
      finishedAtIso: isoTime(result.finishedAt),
      durationMs: result.finishedAt - result.startedAt,
      from: result.from ?? null,
      fromIso: optionalIso(result.from),
      to: result.to ?? null,
      toIso: optionalIso(result.to),
      barsProcessed: result.barsProcessed,
      tradesProcessed: result.tradesProcessed ?? 0,
      quotesProcessed: result.quotesProcessed ?? 0,
    },
    quoteAsset: result.quoteAsset,
    startEquity: decimalString(result.startEquity),
    endEquity: decimalString(result.endEquity),
    balances: balanceRows(result.startBalances, result.endBalances),
    metrics: {
      netPnl: decimalString(m.netPnl),
      netPnlPercent: finiteOrNull(m.netPnlPercent),
      feesPaid: decimalString(m.feesPaid),
      maxDrawdown: finiteOrNull(m.maxDrawdown),
      maxDrawdownQuote: finiteOrNull(m.maxDrawdownQuote),
      sharpe: finiteOrNull(m.sharpe),
      sortino: finiteOrNull(m.sortino),
      returnCount: m.returnCount,
      winRate: finiteOrNull(m.winRate),
      profitFactor: finiteOrNull(m.profitFactor),
      exposure: finiteOrNull(m.exposure),
      tradeCount: m.tradeCount,
      fillCount: m.fillCount,
      buyAndHoldPercent: finiteOrNull(m.buyAndHoldPercent),
    },
    dataSources: result.data.map((source) => ({
      file: source.file,
      format: source.format,
      instrumentId: source.instrumentId,
      interval: source.interval,
      intervalText: source.interval > 0 ? formatInterval(source.interval) : String(source.interval),
      bars: source.bars,
      trades: source.trades ?? 0,
      quotes: source.quotes ?? 0,
      first: source.first ?? null,
      firstIso: optionalIso(source.first),
      last: source.last ?? null,
      lastIso: optionalIso(source.last),
      gaps: source.gaps,
      largestGapMs: source.largestGapMs,
      generated: source.generated,
      warmUp: source.warmUp === undefined ? null : { wanted: source.warmUp.wanted, received: source.warmUp.received },
    })),
    strategies: result.strategies.map((strategy) => ({ id: strategy.id, name: strategy.name, params: toJsonValue(strategy.params) })),
    denials: sortedRecord(result.denials, (count) => count),
    markPrices: sortedRecord(result.markPrices, decimalString),
    fills: result.fills.map(fillJson),
    orders: result.orders.map(orderJson),
    roundTrips: result.roundTrips.map(roundTripJson),
    openPositions: result.openPositions.map((position) => openPositionJson(position, result.markPrices[position.instrumentId])),
    equityCurve: result.equityCurve.map((point) => ({ time: point.time, equity: point.equity, drawdown: point.drawdown })),
  };
}

function fillJson(fill: Fill): ReportFill {
  return {
    tradeId: fill.tradeId,
    time: fill.time,
    timeIso: isoTime(fill.time),
    instrumentId: fill.instrumentId,
    side: fill.side,
    quantity: decimalString(fill.quantity),
    price: decimalString(fill.price),
    notional: decimalString(fill.price.times(fill.quantity)),
    fee: decimalString(fill.fee),
    feeAsset: fill.feeAsset,
    liquidity: fill.liquidity,
    clientOrderId: fill.clientOrderId,
    venueOrderId: fill.venueOrderId ?? null,
    strategyId: fill.strategyId,
  };
}

/** An order as report.json and `kbot status` show it: money as decimal strings, times also as ISO text. */
export function orderJson(order: Order): ReportOrder {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: order.venueOrderId ?? null,
    strategyId: order.strategyId,
    instrumentId: order.instrumentId,
    side: order.side,
    type: order.type,
    status: order.status,
    quantity: decimalString(order.quantity),
    filledQuantity: decimalString(order.filledQuantity),
    price: optionalDecimal(order.price),
    triggerPrice: optionalDecimal(order.triggerPrice),
    averageFillPrice: optionalDecimal(order.averageFillPrice),
    fees: sortedRecord(order.fees, decimalString),
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    timeInForce: order.timeInForce,
    expireAt: order.expireAt ?? null,
    expireAtIso: optionalIso(order.expireAt),
    tag: order.tag ?? null,
    features: order.features === undefined ? null : sortedRecord(order.features, finiteOrNull),
    reason: order.reason ?? null,
    createdAt: order.createdAt,
    createdAtIso: isoTime(order.createdAt),
    updatedAt: order.updatedAt,
    updatedAtIso: isoTime(order.updatedAt),
  };
}

function roundTripJson(trip: RoundTrip): ReportRoundTrip {
  return {
    instrumentId: trip.instrumentId,
    openedAt: trip.openedAt,
    openedAtIso: isoTime(trip.openedAt),
    closedAt: trip.closedAt,
    closedAtIso: isoTime(trip.closedAt),
    durationMs: trip.closedAt - trip.openedAt,
    quantity: decimalString(trip.quantity),
    averageEntryPrice: decimalString(trip.averageEntryPrice),
    averageExitPrice: decimalString(trip.averageExitPrice),
    grossPnl: decimalString(trip.grossPnl),
    fees: decimalString(trip.fees),
    netPnl: decimalString(trip.netPnl),
    returnFraction: decimalString(trip.returnFraction),
    fills: trip.fills,
  };
}

function openPositionJson(position: Position, mark: Decimal | undefined): ReportOpenPosition {
  return {
    instrumentId: position.instrumentId,
    quantity: decimalString(position.quantity),
    averageEntryPrice: decimalString(position.averageEntryPrice),
    markPrice: optionalDecimal(mark),
    marketValue: mark === undefined ? null : decimalString(mark.times(position.quantity)),
    costBasis: decimalString(position.costBasis),
    unrealizedPnl: mark === undefined ? null : decimalString(mark.times(position.quantity).minus(position.costBasis)),
    realizedPnl: decimalString(position.realizedPnl),
    feesPaid: decimalString(position.feesPaid),
    openedAt: position.openedAt ?? null,
    openedAtIso: optionalIso(position.openedAt),
    updatedAt: position.updatedAt,
    updatedAtIso: isoTime(position.updatedAt),
  };
}

/** One row per asset held at the start or the end; an asset missing on one side holds zero there. */
function balanceRows(start: Readonly<Record<string, Decimal>>, end: Readonly<Record<string, Decimal>>): ReportBalance[] {
  const assets = [...new Set([...Object.keys(start), ...Object.keys(end)])].sort(compareText);
  return assets.map((asset) => {
    const before = start[asset] ?? ZERO;
    const after = end[asset] ?? ZERO;
    return { asset, start: decimalString(before), end: decimalString(after), change: decimalString(after.minus(before)) };
  });
}

function sortedRecord<T, U>(record: Readonly<Record<string, T>>, convert: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(record).sort(compareText)) out[key] = convert(record[key]!);
  return out;
}

function optionalDecimal(value: Decimal | undefined): string | null {
  return value === undefined ? null : decimalString(value);
}

function optionalIso(time: EpochMs | undefined): string | null {
  return time === undefined ? null : isoTime(time);
}

/** JSON has no NaN or Infinity; writing null says "not defined" instead of a silent conversion. */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
