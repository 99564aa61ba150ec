import type { TradeOutcome } from '../learning/learner.js';
import { toDecimal, type DecimalLike } from '../model/decimal.js';
import { strategyId, type InstrumentId, type StrategyId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { EpochMs } from '../model/time.js';
import { HOUR_MS } from '../model/time.js';
import { instrumentIdOf } from './instrument-fixtures.js';
import { TEST_START_TIME } from './market-data-builders.js';

export interface TradeOutcomeInput {
  readonly strategyId?: StrategyId | string;
  readonly instrumentId?: Instrument | InstrumentId | string;
  /** P&L after fees, in quote currency; default 1 (a winner). */
  readonly netPnl?: DecimalLike;
  /** Entry and exit fees together; default 0. */
  readonly fees?: DecimalLike;
  readonly quantity?: DecimalLike;
  readonly averageEntryPrice?: DecimalLike;
  readonly openedAt?: EpochMs;
  readonly closedAt?: EpochMs;
  readonly features?: Readonly<Record<string, number>>;
  readonly fills?: number;
}

/**
 * A closed trade as a learner receives it. The round trip is made consistent from the inputs:
 * gross = net + fees, exit price = entry + gross / quantity, return = net / entry cost.
 */
export function tradeOutcome(input: TradeOutcomeInput = {}): TradeOutcome {
  const netPnl = toDecimal(input.netPnl ?? 1, 'tradeOutcome.netPnl');
  const fees = toDecimal(input.fees ?? 0, 'tradeOutcome.fees');
  const quantity = toDecimal(input.quantity ?? 1, 'tradeOutcome.quantity');
  if (!quantity.isPositive() || quantity.isZero()) throw new TypeError(`tradeOutcome.quantity: received ${quantity.toFixed()}, expected above 0`);
  const averageEntryPrice = toDecimal(input.averageEntryPrice ?? 100, 'tradeOutcome.averageEntryPrice');
  const grossPnl = netPnl.plus(fees);
  const openedAt = input.openedAt ?? TEST_START_TIME;
  const closedAt = input.closedAt ?? openedAt + HOUR_MS;
  const instrumentId = instrumentIdOf(input.instrumentId ?? 'BTC/USD');
  return Object.freeze({
    strategyId: strategyId(String(input.strategyId ?? 'test-strategy')),
    instrumentId,
    roundTrip: Object.freeze({
      instrumentId,
      openedAt,
      closedAt,
      quantity,
      averageEntryPrice,
      averageExitPrice: averageEntryPrice.plus(grossPnl.dividedBy(quantity)),
      grossPnl,
      fees,
      netPnl,
      returnFraction: netPnl.dividedBy(averageEntryPrice.times(quantity)),
      fills: input.fills ?? 2,
    }),
    features: Object.freeze({ ...(input.features ?? {}) }),
    observedAt: closedAt,
  });
}
