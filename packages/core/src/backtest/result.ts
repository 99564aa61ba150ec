import type { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import type { Order } from '../model/order.js';
import type { Position, RoundTrip } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import type { BacktestMetrics } from './metrics.js';

/** One point of the equity curve (numbers: statistics, not accounting). */
export interface EquityPoint {
  readonly time: EpochMs;
  readonly equity: number;
  /** Drawdown from the running peak, as a fraction (0.1 = 10% below the peak). */
  readonly drawdown: number;
}

export interface DataSourceSummary {
  readonly file: string;
  readonly format: string;
  readonly instrumentId: string;
  /** Bar interval in milliseconds; 0 for a source that replays no bars (trades or quotes only). */
  readonly interval: number;
  readonly bars: number;
  /** Public trades replayed as trades (not aggregated into bars); absent for bar sources. */
  readonly trades?: number;
  /** Top-of-book quotes replayed; absent for bar sources. */
  readonly quotes?: number;
  /** First and last time: bar open times for bar sources, tick times for trade and quote sources. */
  readonly first: EpochMs | undefined;
  readonly last: EpochMs | undefined;
  /** Missing intervals between first and last: reported, never invented. */
  readonly gaps: number;
  readonly largestGapMs: number;
  /** True for a generated market (no real data behind it). */
  readonly generated: boolean;
  /**
   * A backtest from `from` whose strategies asked for history (`Subscription.warmUpBars`): the
   * bars before `from` wanted (the most any strategy subscribed to this source asked for) and
   * received (fewer when the data starts less than that many bars before `from`). Absent when
   * none was asked for.
   */
  readonly warmUp?: { readonly wanted: number; readonly received: number };
}

export interface StrategySummary {
  readonly id: string;
  readonly name: string;
  readonly params: unknown;
}

/** Everything a finished backtest knows. Money is Decimal; reports write it as decimal strings. */
export interface BacktestResult {
  /** What produced it: a backtest, or a paper or live session (same shape, same reports). */
  readonly mode?: 'backtest' | 'paper' | 'live';
  readonly kbotVersion: string;
  readonly name: string;
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs;
  readonly from: EpochMs | undefined;
  readonly to: EpochMs | undefined;
  readonly barsProcessed: number;
  /** Public trades the engine was handed one by one (0 or absent when only bars were replayed). */
  readonly tradesProcessed?: number;
  /** Top-of-book quotes the engine was handed (0 or absent when only bars were replayed). */
  readonly quotesProcessed?: number;
  readonly data: readonly DataSourceSummary[];
  readonly strategies: readonly StrategySummary[];
  readonly quoteAsset: string;
  readonly startBalances: Readonly<Record<string, Decimal>>;
  readonly endBalances: Readonly<Record<string, Decimal>>;
  readonly startEquity: Decimal;
  readonly endEquity: Decimal;
  /** Last price of each instrument, used to value open positions. */
  readonly markPrices: Readonly<Record<string, Decimal>>;
  readonly fills: readonly Fill[];
  readonly orders: readonly Order[];
  readonly roundTrips: readonly RoundTrip[];
  readonly openPositions: readonly Position[];
  /** Downsampled for charts (at most a few thousand points), first and last points kept. */
  readonly equityCurve: readonly EquityPoint[];
  readonly denials: Readonly<Record<string, number>>;
  readonly metrics: BacktestMetrics;
}
