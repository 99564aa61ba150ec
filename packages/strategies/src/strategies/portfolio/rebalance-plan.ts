import { Decimal, ZERO, roundQuantity, type Instrument, type InstrumentId } from '@kbot/core';

/** One pair of the portfolio as the planner sees it. */
export interface RebalancePairInput {
  readonly instrument: Instrument;
  /** Target share of equity, a fraction (0.5 = 50 %). */
  readonly target: number;
  /** Base asset held (total). */
  readonly baseBalance: Decimal;
  /** Price to value the holding and size the trade at (the last close). */
  readonly price: Decimal;
  /** Base the planner must leave unsold. */
  readonly baseReserve: Decimal;
  /**
   * The price is too old to trade on (the pair's data stopped): the pair is neither bought nor
   * sold, but its holding still counts in the equity at `price`. Default false.
   */
  readonly priceStale?: boolean;
}

export interface RebalanceInput {
  readonly pairs: readonly RebalancePairInput[];
  /** Quote asset held (total); with the bases, this is the equity the weights are shares of. */
  readonly quoteBalance: Decimal;
  /** Quote the buys may spend: what is available less the quote reserve. */
  readonly quoteBudget: Decimal;
  /**
   * Which pairs may trade: `threshold` (those drifted more than `driftThreshold`), `all` (every pair,
   * the calendar rebalance) or a list (the buy leg of a rebalance whose sells have filled).
   */
  readonly select: 'threshold' | 'all' | ReadonlySet<InstrumentId>;
  /** Fraction (0.05 = 5 percentage points); used when `select` is `threshold`. */
  readonly driftThreshold: number;
  /** The fee rule: a trade is skipped when its fee exceeds this × its drift benefit (see `planRebalance`). */
  readonly maxFeeToBenefit: number;
  /** Buys spend at most notional × (1 + this) of the budget; default 2 × the pair's taker fee. */
  readonly buyCostMargin?: (instrument: Instrument) => Decimal;
}

export type RebalanceSkip =
  | 'within-threshold'
  | 'not-selected'
  | 'on-target'
  | 'stale-price'
  | 'reserve'
  | 'no-budget'
  | 'below-minimum-quantity'
  | 'below-minimum-cost'
  | 'fee-exceeds-benefit';

export interface RebalanceLine {
  readonly instrumentId: InstrumentId;
  readonly target: number;
  /** Share of equity now, a fraction. */
  readonly weight: number;
  /** weight − target. */
  readonly drift: number;
  /** `buy` or `sell` when the pair trades, `hold` when it does not (see `skip`). */
  readonly action: 'buy' | 'sell' | 'hold';
  /** Base quantity, rounded down to the lot; zero on `hold`. */
  readonly quantity: Decimal;
  /** quantity × price. */
  readonly notional: Decimal;
  /** notional × taker fee: what the trade is expected to cost. */
  readonly fee: Decimal;
  /** equity × drift²: what correcting the drift is worth to the fee rule. */
  readonly benefit: Decimal;
  readonly skip: RebalanceSkip | undefined;
}

export interface RebalancePlan {
  /** Quote plus every pair's base at its price. */
  readonly equity: Decimal;
  /** One line per pair, in input order. */
  readonly lines: readonly RebalanceLine[];
  readonly sells: readonly RebalanceLine[];
  readonly buys: readonly RebalanceLine[];
}

/**
 * Decides the trades that bring pairs back to their target weights. Pure: the same input gives
 * the same plan. Money is Decimal; weights are fractions (numbers) only for reading.
 *
 * For each selected pair, drift = weight − target; the trade moves drift × equity of value:
 * a sell when over target, a buy when under.
 * - A pair whose price is stale is not traded (`stale-price`); its holding still counts in equity.
 * - Sells never take the base below its reserve.
 * - Buys share `quoteBudget`: each is reckoned at notional × (1 + margin) (the margin covers the
 *   taker fee and a move to the next open); when together they need more than the budget, every
 *   buy shrinks by the same factor.
 * - Quantities are rounded down to the lot; a trade below the instrument's minimum quantity or
 *   minimum cost is skipped.
 * - The fee rule: a trade is skipped when fee > maxFeeToBenefit × benefit, where fee = notional ×
 *   taker fee and benefit = equity × drift². The fee grows with the trade (linearly in the drift);
 *   what the drift costs the portfolio grows with its square (a position off by twice as much is
 *   twice as large AND twice as far from plan), the usual shape in optimal-rebalancing models and
 *   the reason a no-trade band is optimal. For a full correction the rule reads: trade only when
 *   |drift| ≥ taker fee / maxFeeToBenefit (0.40 % / 0.25 = 1.6 percentage points).
 */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  let equity = input.quoteBalance;
  const values = input.pairs.map((pair) => pair.baseBalance.times(pair.price));
  for (const value of values) equity = equity.plus(value);

  interface Draft { pair: RebalancePairInput; weight: number; drift: number; benefit: Decimal; selected: boolean; wanted: Decimal }
  const drafts: Draft[] = input.pairs.map((pair, index) => {
    const weight = equity.isZero() ? 0 : values[index]!.dividedBy(equity).toNumber();
    const drift = weight - pair.target;
    // Value to move, exactly: target × equity − holding (positive: buy).
    const wanted = new Decimal(pair.target).times(equity).minus(values[index]!);
    // The threshold and the benefit from the exact value off target (drift = −wanted / equity), not
    // from the float drift: 0.55 − 0.5 is 0.050000000000000044 in floats, so a drift of exactly the
    // threshold would trade for one target and not for another.
    const select = input.select;
    const selected = select === 'all' ? true : select === 'threshold' ? wanted.abs().greaterThan(new Decimal(input.driftThreshold).times(equity)) : select.has(pair.instrument.id);
    const benefit = equity.isZero() ? ZERO : wanted.times(wanted).dividedBy(equity);
    return { pair, weight, drift, benefit, selected, wanted };
  });

  const lines: RebalanceLine[] = new Array(drafts.length);
  const hold = (draft: Draft, skip: RebalanceSkip): RebalanceLine => Object.freeze({
    instrumentId: draft.pair.instrument.id, target: draft.pair.target, weight: draft.weight, drift: draft.drift,
    action: 'hold', quantity: ZERO, notional: ZERO, fee: ZERO, benefit: draft.benefit, skip,
  });
  const trade = (draft: Draft, action: 'buy' | 'sell', quantity: Decimal): RebalanceLine => {
    const { instrument, price } = draft.pair;
    const rounded = roundQuantity(instrument, quantity);
    const notional = rounded.times(price);
    const fee = notional.times(instrument.takerFee);
    const base = { instrumentId: instrument.id, target: draft.pair.target, weight: draft.weight, drift: draft.drift, benefit: draft.benefit };
    let skip: RebalanceSkip | undefined;
    if (rounded.lessThanOrEqualTo(ZERO) || rounded.lessThan(instrument.minQuantity)) skip = 'below-minimum-quantity';
    else if (notional.lessThan(instrument.minCost)) skip = 'below-minimum-cost';
    else if (fee.greaterThan(draft.benefit.times(input.maxFeeToBenefit))) skip = 'fee-exceeds-benefit';
    if (skip) return Object.freeze({ ...base, action: 'hold', quantity: ZERO, notional: ZERO, fee: ZERO, skip });
    return Object.freeze({ ...base, action, quantity: rounded, notional, fee, skip: undefined });
  };

  // Sells first: they do not compete for the budget.
  const buyDrafts: Array<{ index: number; draft: Draft; cost: Decimal }> = [];
  let buyCost = ZERO;
  drafts.forEach((draft, index) => {
    if (!draft.selected) {
      lines[index] = hold(draft, input.select === 'threshold' ? 'within-threshold' : 'not-selected');
      return;
    }
    if (draft.wanted.isZero()) {
      lines[index] = hold(draft, 'on-target');
      return;
    }
    // Before the budget: a pair left alone must not shrink the other buys.
    if (draft.pair.priceStale === true) {
      lines[index] = hold(draft, 'stale-price');
      return;
    }
    const { instrument, price, baseBalance, baseReserve } = draft.pair;
    if (draft.wanted.isNegative()) {
      const sellable = baseBalance.minus(baseReserve);
      if (sellable.lessThanOrEqualTo(ZERO)) {
        lines[index] = hold(draft, 'reserve');
        return;
      }
      lines[index] = trade(draft, 'sell', Decimal.min(draft.wanted.negated().dividedBy(price), sellable));
      return;
    }
    const margin = input.buyCostMargin ? input.buyCostMargin(instrument) : instrument.takerFee.times(2);
    const cost = draft.wanted.times(margin.plus(1));
    buyDrafts.push({ index, draft, cost });
    buyCost = buyCost.plus(cost);
  });

  const budget = Decimal.max(input.quoteBudget, ZERO);
  const scale = buyCost.greaterThan(budget) ? budget.dividedBy(buyCost) : undefined;
  for (const { index, draft } of buyDrafts) {
    if (scale !== undefined && scale.isZero()) {
      lines[index] = hold(draft, 'no-budget');
      continue;
    }
    const value = scale === undefined ? draft.wanted : draft.wanted.times(scale);
    lines[index] = trade(draft, 'buy', value.dividedBy(draft.pair.price));
  }

  const frozen = Object.freeze(lines);
  return Object.freeze({
    equity,
    lines: frozen,
    sells: Object.freeze(frozen.filter((line) => line.action === 'sell')),
    buys: Object.freeze(frozen.filter((line) => line.action === 'buy')),
  });
}
