import type { Bot } from '../di/container.js';
import type { Engine } from '../engine/engine.js';
import { ZERO, type Decimal } from '../model/decimal.js';
import { decimalPlus } from '../model/decimal-arithmetic.js';
import { splitInstrumentId } from '../model/ids.js';
import { feeInQuoteOf } from '../portfolio/portfolio.js';
import type { Fill } from '../model/fill.js';
import type { SessionHistory } from '../session/session-history.js';
import type { EquityTracker } from './equity-tracker.js';
import { computeMetrics } from './metrics.js';
import type { BacktestResult, DataSourceSummary } from './result.js';

/** What a finished run knows besides the engine's own state. */
export interface SessionFacts {
  readonly mode: 'backtest' | 'paper' | 'live';
  readonly bot: Bot;
  readonly kbotVersion: string;
  readonly startedAt: number;
  readonly quoteAsset: string;
  readonly startBalances: Readonly<Record<string, Decimal>>;
  readonly startEquity: Decimal;
  /** The run's fills, round trips and orders: from memory (backtest) or read back from the journal. */
  readonly history: SessionHistory;
  readonly tracker: EquityTracker;
  readonly barsProcessed: number;
  /** Trades and quotes handed to the engine one by one (backtests that replay ticks). */
  readonly tradesProcessed?: number;
  readonly quotesProcessed?: number;
  readonly data: readonly DataSourceSummary[];
  /** Closes of the benchmark instrument's first and last bars, for buy and hold. */
  readonly firstClose: number | undefined;
  readonly lastClose: number | undefined;
}

/**
 * The result of a backtest, paper or live run, read off the engine once it has stopped: one
 * shape for every mode, so the same reports serve all of them.
 */
export function sessionResult(engine: Engine, facts: SessionFacts): BacktestResult {
  const markPrices = engine.markPrices();
  const endEquity = engine.equity(markPrices);
  const statistics = facts.tracker.statistics();
  return {
    mode: facts.mode,
    kbotVersion: facts.kbotVersion,
    name: facts.bot.config.name,
    startedAt: facts.startedAt,
    finishedAt: Date.now(),
    // The period starts where the data does (a bar's open), not at the first equity sample (its close).
    from: firstDataTime(facts.data) ?? statistics.firstTime,
    to: statistics.lastTime,
    barsProcessed: facts.barsProcessed,
    ...(facts.tradesProcessed === undefined ? {} : { tradesProcessed: facts.tradesProcessed }),
    ...(facts.quotesProcessed === undefined ? {} : { quotesProcessed: facts.quotesProcessed }),
    data: facts.data,
    strategies: facts.bot.strategies.map((entry) => ({ id: entry.id, name: entry.strategy.constructor.name, params: entry.params })),
    quoteAsset: facts.quoteAsset,
    startBalances: facts.startBalances,
    endBalances: Object.fromEntries(engine.portfolio.balances().map((balance) => [balance.asset, balance.total])),
    startEquity: facts.startEquity,
    endEquity,
    markPrices: Object.fromEntries(markPrices),
    fills: facts.history.fills,
    orders: facts.history.orders,
    roundTrips: facts.history.roundTrips,
    openPositions: engine.portfolio.openPositions(),
    equityCurve: facts.tracker.curve(),
    denials: Object.fromEntries(engine.denials()),
    metrics: computeMetrics({
      startEquity: facts.startEquity,
      endEquity,
      feesPaid: feesPaidIn(facts.history.fills, facts.quoteAsset),
      roundTrips: facts.history.roundTrips,
      fillCount: facts.history.fills.length,
      equity: facts.tracker,
      firstClose: facts.firstClose,
      lastClose: facts.lastClose,
    }),
  };
}

/**
 * Fees the run's own fills paid, in the quote asset, as the portfolio counts them: a fee in the
 * quote asset as it is, one in the base asset at the fill's price, one in a third asset not at
 * all. From the fills and not from the portfolio, whose total a resumed session restores from
 * the snapshot with every earlier session's fees in it.
 */
export function feesPaidIn(fills: readonly Fill[], quoteAsset: string): Decimal {
  let sum = ZERO;
  for (const fill of fills) {
    const pair = splitInstrumentId(fill.instrumentId);
    if (pair.quote === quoteAsset) sum = decimalPlus(sum, feeInQuoteOf(fill, pair));
  }
  return sum;
}

function firstDataTime(sources: readonly DataSourceSummary[]): number | undefined {
  let first: number | undefined;
  for (const source of sources) if (source.first !== undefined && (first === undefined || source.first < first)) first = source.first;
  return first;
}
