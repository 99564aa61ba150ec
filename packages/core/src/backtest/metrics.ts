import { InvariantError } from '../errors/errors.js';
import type { Decimal } from '../model/decimal.js';
import { ZERO, decimalGreaterThan, decimalLessThan } from '../model/decimal.js';
import type { RoundTrip } from '../model/position.js';
import type { EquityTracker } from './equity-tracker.js';

/**
 * Performance figures of a run. Money is Decimal (exact, from the accounting); ratios are
 * numbers (statistics over the equity curve).
 */
export interface BacktestMetrics {
  /** End equity − start equity, in the quote asset, after fees. */
  readonly netPnl: Decimal;
  readonly netPnlPercent: number;
  readonly feesPaid: Decimal;
  /** Deepest fall from a running equity peak, as a fraction (0.12 = 12%). */
  readonly maxDrawdown: number;
  /** The same fall in quote currency. */
  readonly maxDrawdownQuote: number;
  /** Annualized, from per-bar returns of the equity curve, risk-free rate 0. */
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /**
   * The per-period returns of the equity curve that Sharpe and Sortino are computed from
   * (samples − 1). Annualizing a handful of them gives large numbers that mean little.
   */
  readonly returnCount: number;
  /** Winning round trips / all round trips (net of fees). */
  readonly winRate: number | null;
  /** Gross wins / gross losses (net of fees); null without losses. */
  readonly profitFactor: number | null;
  /** Fraction of bars with an open position. */
  readonly exposure: number;
  /** Closed round trips. */
  readonly tradeCount: number;
  readonly fillCount: number;
  /** Return of buying at the first bar's close and holding to the last, for comparison. */
  readonly buyAndHoldPercent: number | null;
}

/** Below this many returns, an annualized Sharpe or Sortino says little. */
export const FEW_RETURNS = 30;

/**
 * What to print after a Sharpe or Sortino annualized from `returnCount` returns: a warning when
 * there are fewer than FEW_RETURNS (a session of a few minutes), else nothing.
 */
export function fewReturnsNote(returnCount: number | undefined): string {
  return returnCount === undefined || returnCount >= FEW_RETURNS ? '' : ` (from ${returnCount} returns: too few to rely on)`;
}

/**
 * What `computeMetrics` needs from a finished run. Money comes from the accounting (Decimal);
 * the curve statistics come from the EquityTracker the engine fed once per bar.
 */
export interface MetricsInput {
  readonly startEquity: Decimal;
  readonly endEquity: Decimal;
  readonly feesPaid: Decimal;
  readonly roundTrips: readonly RoundTrip[];
  readonly fillCount: number;
  /** The tracker the engine fed (only its statistics are read). */
  readonly equity: Pick<EquityTracker, 'statistics'>;
  /** Close of the first bar of the benchmark instrument; undefined when no bar was seen. */
  readonly firstClose: number | undefined;
  /** Close of the last bar of the benchmark instrument. */
  readonly lastClose: number | undefined;
}

/**
 * Computes the metrics of a run. Formulas:
 * - netPnl = endEquity − startEquity (Decimal, exact); netPnlPercent = netPnl / startEquity × 100
 *   (0 when startEquity is 0: there is nothing to be a percent of)
 * - winRate = round trips with netPnl > 0 / all round trips (a round trip at exactly 0 counts as
 *   neither win nor loss, but still counts in the denominator); null without round trips
 * - profitFactor = Σ netPnl of winners / |Σ netPnl of losers|; null without losers
 * - maxDrawdown, maxDrawdownQuote, sharpe, sortino, exposure: see `EquityStatistics`
 * - buyAndHoldPercent = (lastClose / firstClose − 1) × 100; null without both closes or when
 *   firstClose is not positive
 */
export function computeMetrics(input: MetricsInput): BacktestMetrics {
  if (!Number.isInteger(input.fillCount) || input.fillCount < 0) {
    throw new InvariantError(`computeMetrics fillCount: received ${input.fillCount}, expected a non-negative integer`);
  }
  const netPnl = input.endEquity.minus(input.startEquity);
  const netPnlPercent = input.startEquity.isZero() ? 0 : netPnl.dividedBy(input.startEquity).times(100).toNumber();

  let wins = 0;
  let losses = 0;
  let grossWins: Decimal = ZERO;
  let grossLosses: Decimal = ZERO;
  for (const trip of input.roundTrips) {
    if (decimalGreaterThan(trip.netPnl, ZERO)) {
      wins += 1;
      grossWins = grossWins.plus(trip.netPnl);
    } else if (decimalLessThan(trip.netPnl, ZERO)) {
      losses += 1;
      grossLosses = grossLosses.minus(trip.netPnl);
    }
  }
  const tradeCount = input.roundTrips.length;
  const stats = input.equity.statistics();
  const { firstClose, lastClose } = input;
  const buyAndHoldPercent =
    firstClose !== undefined && lastClose !== undefined && Number.isFinite(firstClose) && Number.isFinite(lastClose) && firstClose > 0
      ? (lastClose / firstClose - 1) * 100
      : null;

  return Object.freeze({
    netPnl,
    netPnlPercent,
    feesPaid: input.feesPaid,
    maxDrawdown: stats.maxDrawdown,
    maxDrawdownQuote: stats.maxDrawdownQuote,
    sharpe: stats.sharpe,
    sortino: stats.sortino,
    returnCount: stats.returnCount,
    winRate: tradeCount > 0 ? wins / tradeCount : null,
    profitFactor: losses > 0 ? grossWins.dividedBy(grossLosses).toNumber() : null,
    exposure: stats.exposure,
    tradeCount,
    fillCount: input.fillCount,
    buyAndHoldPercent,
  });
}
