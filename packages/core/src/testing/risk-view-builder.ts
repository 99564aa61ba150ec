import { toDecimal, type DecimalLike } from '../model/decimal.js';
import type { TradingState } from '../model/events.js';
import type { Instrument } from '../model/instrument.js';
import type { EpochMs } from '../model/time.js';
import type { RiskView } from '../risk/risk-policy.js';
import type { PortfolioView } from '../strategy/strategy.js';
import { FakePortfolioView, type FakePortfolioViewInput } from './fake-portfolio-view.js';
import { btcUsd } from './instrument-fixtures.js';
import { TEST_START_TIME } from './market-data-builders.js';

export interface RiskViewInput {
  readonly time?: EpochMs;
  readonly tradingState?: TradingState;
  /** Default: Kraken's BTC/USD. */
  readonly instrument?: Instrument;
  /** Default: no known price. */
  readonly lastPrice?: DecimalLike;
  /** A view, or the data for a `FakePortfolioView` (default: `{ USD: '10000' }`, nothing open). */
  readonly portfolio?: PortfolioView | FakePortfolioViewInput;
}

function isPortfolioView(value: PortfolioView | FakePortfolioViewInput): value is PortfolioView {
  return typeof (value as PortfolioView).openOrders === 'function';
}

/** What a risk policy sees when it judges an order, built from plain data. */
export function riskView(input: RiskViewInput = {}): RiskView {
  const portfolio = input.portfolio ?? { balances: { USD: '10000' } };
  return Object.freeze({
    time: input.time ?? TEST_START_TIME,
    tradingState: input.tradingState ?? 'active',
    instrument: input.instrument ?? btcUsd(),
    lastPrice: input.lastPrice === undefined ? undefined : toDecimal(input.lastPrice, 'riskView.lastPrice'),
    portfolio: isPortfolioView(portfolio) ? portfolio : new FakePortfolioView(portfolio),
  });
}
