import { z } from 'zod';
import {
  BaseStrategy, Decimal, ZERO, barCloseTime, instrumentId, isOrderTerminal, parseInterval, splitInstrumentId,
  type Bar, type ClientOrderId, type EpochMs, type InstrumentId, type OrderEvent, type StrategyContext, type Subscription,
} from '@kbot/core';
import { BarSteps } from './bar-steps.js';
import { planRebalance, type RebalanceLine, type RebalancePlan } from './rebalance-plan.js';
import { ordersLeftOpen } from '../orders-left-open.js';

const PAIR = /^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/;
// A positive whole number and a unit: "0d" would pass a plain `\d+` and crash later in parseInterval.
const intervalText = z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "15m", "4h", "1d", "1w"');
const amountText = z.union([z.string().regex(/^\d+(\.\d+)?$/, 'an amount such as "0.05"'), z.number().finite().nonnegative()]).transform(String);

export const portfolioRebalancerParams = z.object({
  /** Target share of equity per pair, fractions (`{ 'BTC/USD': 0.5, 'ETH/USD': 0.3 }`); the rest stays in the quote asset. */
  targets: z.record(z.string().regex(PAIR, 'an instrument such as "BTC/USD"'), z.number().min(0).max(1)),
  /** Bar interval of every pair, e.g. `4h`. */
  interval: intervalText,
  /** Rebalance a pair when its weight is more than this many percentage points off target; null: no threshold rebalancing. */
  driftThresholdPercent: z.number().gt(0).max(100).nullable().default(5),
  /** Rebalance every pair this often, by bar time (`1d`, `7d`); null: no calendar rebalancing. */
  rebalanceEvery: intervalText.nullable().default(null),
  /** Skip a trade whose taker fee exceeds this × its drift benefit (equity × drift²); see the README. */
  maxFeeToBenefit: z.number().gt(0).default(0.25),
  /** Amounts never sold (base assets) or spent (the quote asset), per asset: `{ BTC: '0.01', USD: '100' }`. */
  reserves: z.record(z.string().regex(/^[A-Z0-9.]{1,16}$/, 'an asset code such as "BTC"'), amountText).default({}),
  /**
   * A pair whose last bar closed more than this many intervals before the step is not traded (its
   * data stopped, or the pair halted); its holding still counts in equity at that last price.
   */
  maxPriceAgeBars: z.number().int().min(1).default(3),
  /** An order of the strategy still open this many intervals after it was decided is canceled. */
  orderTimeoutBars: z.number().int().min(1).default(3),
}).strict().superRefine((params, issues) => {
  const pairs = Object.keys(params.targets);
  if (pairs.length === 0) issues.addIssue({ code: 'custom', path: ['targets'], message: 'at least one pair with a target weight' });
  const normalized = pairs.map((pair) => pair.toUpperCase());
  const duplicate = normalized.find((pair, index) => normalized.indexOf(pair) !== index);
  if (duplicate) issues.addIssue({ code: 'custom', path: ['targets'], message: `each pair once (${duplicate} is given twice)` });
  const quotes = [...new Set(normalized.map((pair) => pair.split('/')[1]))];
  if (quotes.length > 1) issues.addIssue({ code: 'custom', path: ['targets'], message: `pairs of one quote asset (these are quoted in ${quotes.join(' and ')})` });
  const sum = Object.values(params.targets).reduce((total, weight) => total + weight, 0);
  if (sum > 1 + 1e-9) issues.addIssue({ code: 'custom', path: ['targets'], message: `weights that add up to at most 1 (they add up to ${sum})` });
  // A reserve of an asset the strategy neither trades nor spends would be ignored without a word.
  const assets = new Set(normalized.flatMap((pair) => pair.split('/')));
  const known = [...new Set(normalized.map((pair) => pair.split('/')[0]!)), ...quotes];
  const knownText = `${known.slice(0, -1).join(', ')}${known.length > 1 ? ' or ' : ''}${known[known.length - 1] ?? ''}`;
  for (const asset of Object.keys(params.reserves)) {
    if (!assets.has(asset)) issues.addIssue({ code: 'custom', path: ['reserves', asset], message: `an asset of the target pairs (${knownText})` });
  }
  if (params.driftThresholdPercent === null && params.rebalanceEvery === null) {
    issues.addIssue({ code: 'custom', path: ['driftThresholdPercent'], message: 'a drift threshold, a rebalanceEvery interval, or both' });
  }
});

export type PortfolioRebalancerParams = z.output<typeof portfolioRebalancerParams>;

interface Setup {
  readonly pairs: readonly InstrumentId[];
  readonly targets: ReadonlyMap<InstrumentId, number>;
  readonly quoteAsset: string;
  readonly interval: number;
  readonly every: number | undefined;
  readonly threshold: number | undefined;
  readonly reserves: ReadonlyMap<string, Decimal>;
  /** Longest price age traded on, ms. */
  readonly maxPriceAge: number;
  /** Longest an order may stay open, ms. */
  readonly orderTimeout: number;
}

function setupOf(params: PortfolioRebalancerParams): Setup {
  const targets = new Map(Object.entries(params.targets).map(([pair, weight]) => [instrumentId(pair), weight] as const));
  const pairs = [...targets.keys()];
  const interval = parseInterval(params.interval);
  return {
    pairs,
    targets,
    quoteAsset: splitInstrumentId(pairs[0]!).quote,
    interval,
    every: params.rebalanceEvery === null ? undefined : parseInterval(params.rebalanceEvery),
    threshold: params.driftThresholdPercent === null ? undefined : params.driftThresholdPercent / 100,
    reserves: new Map(Object.entries(params.reserves).map(([asset, amount]) => [asset, new Decimal(amount)] as const)),
    maxPriceAge: params.maxPriceAgeBars * interval,
    orderTimeout: params.orderTimeoutBars * interval,
  };
}

/** Where the rebalancer keeps, in `ctx.state`, what a restart must not forget. */
const REBALANCER_STATE_KEY = 'rebalancer';

/**
 * Holds several pairs at target weights of equity, the rest in the quote asset, and trades them
 * back when they drift: a pair whose weight is more than `driftThresholdPercent` points off (checked
 * every step), and every pair each `rebalanceEvery` of bar time. It decides once per step (when
 * every pair's bar for that close time is in, see `BarSteps`) with market orders, sells before
 * buys: buys wait until the sells have filled, so the proceeds can pay for them. Trades below the
 * instrument's minimums, trades whose fee is not worth the drift (`planRebalance`) and sells that
 * would cut into a reserve are skipped.
 *
 * Stopped data does not freeze it: a pair whose last bar is more than `maxPriceAgeBars` intervals
 * old is left alone (neither bought nor sold, still valued at its last close) until a fresh bar
 * comes, and an order still open `orderTimeoutBars` intervals after it was decided is canceled;
 * the next rebalance is planned once the cancel has landed.
 *
 * When it loses: in a steady trend it sells the winner and buys the loser all the way; every
 * rebalance pays the taker fee; and it never leaves the market (it is a holding, not a timing, rule).
 */
export class PortfolioRebalancer extends BaseStrategy<PortfolioRebalancerParams> {
  static readonly paramsSchema = portfolioRebalancerParams;

  private setup!: Setup;
  private steps!: BarSteps;
  private readonly lastClose = new Map<InstrumentId, number>();
  /** Close time of each pair's last bar: how old its price is. */
  private readonly lastCloseAt = new Map<InstrumentId, EpochMs>();
  /** Open orders of this strategy, with the step time each was decided at. */
  private readonly inFlight = new Map<ClientOrderId, EpochMs>();
  /** Of those, the ones whose cancel was asked for (not asked twice). */
  private readonly canceling = new Set<ClientOrderId>();
  /** Pairs currently left alone for a stale price (warned once per stretch). */
  private readonly stale = new Set<InstrumentId>();
  private reservesChecked = false;
  /** Pairs to buy once this rebalance's sells are done. */
  private pendingBuys: Set<InstrumentId> | undefined;
  private pendingReason = '';
  private lastCalendarAt: EpochMs | undefined;

  // No `warmUpBars`: it reads no indicator, only each pair's last close, which the first live step brings.
  subscriptions(params: PortfolioRebalancerParams): Subscription[] {
    const interval = parseInterval(params.interval);
    return Object.keys(params.targets).map((pair) => ({ instrumentId: instrumentId(pair), kind: 'bars', interval }));
  }

  onStart(ctx: StrategyContext<PortfolioRebalancerParams>): void {
    this.setup = setupOf(ctx.params);
    this.steps = new BarSteps(this.setup.pairs);
    // Unknown pairs fail here, at start, with the instrument's name.
    for (const pair of this.setup.pairs) ctx.market.instrument(pair);
    this.resume(ctx);
  }

  /**
   * After a restart: the calendar goes on from the last calendar rebalance (not a new one at the
   * first step), buys still owed to a rebalance whose sells were done are still made, and the
   * orders this strategy left open are waited for (and timed out) as if it had sent them now.
   */
  private resume(ctx: StrategyContext<PortfolioRebalancerParams>): void {
    const kept = ctx.state.get(REBALANCER_STATE_KEY);
    if (kept !== undefined && kept !== null && typeof kept === 'object' && !Array.isArray(kept)) {
      const record = kept as { lastCalendarAt?: unknown; pendingBuys?: unknown; pendingReason?: unknown };
      if (typeof record.lastCalendarAt === 'number') this.lastCalendarAt = record.lastCalendarAt;
      if (Array.isArray(record.pendingBuys)) {
        const pairs = record.pendingBuys.filter((pair): pair is InstrumentId => typeof pair === 'string' && this.setup.pairs.includes(pair as InstrumentId));
        if (pairs.length > 0) {
          this.pendingBuys = new Set(pairs);
          this.pendingReason = typeof record.pendingReason === 'string' ? record.pendingReason : 'rebalance';
        }
      }
    }
    const open = this.setup.pairs.flatMap((pair) => ordersLeftOpen(ctx, pair));
    for (const order of open) this.inFlight.set(order.clientOrderId, order.createdAt);
    if (kept !== undefined || open.length > 0) {
      ctx.log.info('resumed: rebalancing goes on from the earlier run', {
        lastCalendarAt: this.lastCalendarAt, pendingBuys: this.pendingBuys === undefined ? [] : [...this.pendingBuys], openOrders: open.length,
      });
    }
  }

  /** Keeps what a restart must not forget (see `resume`), when it changes. */
  private keep(ctx: StrategyContext<PortfolioRebalancerParams>): void {
    ctx.state.set(REBALANCER_STATE_KEY, {
      lastCalendarAt: this.lastCalendarAt ?? null,
      pendingBuys: this.pendingBuys === undefined ? [] : [...this.pendingBuys],
      pendingReason: this.pendingBuys === undefined ? '' : this.pendingReason,
    });
  }

  onBar(bar: Bar, ctx: StrategyContext<PortfolioRebalancerParams>): void {
    if (bar.interval !== this.setup.interval) return;
    const update = this.steps.onBar(bar);
    if (ctx.warmingUp) {
      // History another strategy of the bot asked for on the same pair and interval: prices and
      // steps follow it, but nothing is decided on it, so no order, no cancel, and the calendar
      // (`rebalanceEvery`) counts from the first live step.
      this.lastClose.set(bar.instrumentId, bar.close);
      this.lastCloseAt.set(bar.instrumentId, barCloseTime(bar));
      return;
    }
    if (update.flushed !== undefined) this.decide(update.flushed, ctx);
    this.lastClose.set(bar.instrumentId, bar.close);
    this.lastCloseAt.set(bar.instrumentId, barCloseTime(bar));
    if (update.completed !== undefined) this.decide(update.completed, ctx);
  }

  onOrderEvent(event: OrderEvent): void {
    if (isOrderTerminal(event.order.status)) {
      this.inFlight.delete(event.clientOrderId);
      this.canceling.delete(event.clientOrderId);
    } else if (event.type === 'order-cancel-rejected') {
      // The venue kept the order open: ask again at the next step.
      this.canceling.delete(event.clientOrderId);
    }
  }

  private decide(time: EpochMs, ctx: StrategyContext<PortfolioRebalancerParams>): void {
    if (this.inFlight.size > 0) {
      // Nothing new while orders are open (the buys wait for the sells' proceeds), but an order that
      // cannot fill (its pair's data stopped, the pair halted) must not block every later decision.
      // The plan after the cancel is made at a later step, once it has landed, in every mode alike.
      this.cancelOverdue(time, ctx);
      return;
    }
    if (this.setup.pairs.some((pair) => !this.lastClose.has(pair))) return;
    this.checkReserves(ctx);
    this.markStale(time, ctx);
    if (this.pendingBuys) {
      const plan = this.plan(ctx, this.pendingBuys);
      this.pendingBuys = undefined;
      this.keep(ctx);
      this.submit(plan.buys, this.pendingReason, time, ctx);
      return;
    }
    const { every, threshold } = this.setup;
    const calendarDue = every !== undefined && (this.lastCalendarAt === undefined || time - this.lastCalendarAt >= every);
    if (!calendarDue && threshold === undefined) return;
    if (calendarDue) this.lastCalendarAt = time;
    const reason = calendarDue ? 'rebalance (calendar)' : 'rebalance (drift)';
    const plan = this.plan(ctx, calendarDue ? 'all' : 'threshold');
    ctx.log.debug(reason, { time, equity: plan.equity.toFixed(2), weights: Object.fromEntries(plan.lines.map((line) => [line.instrumentId, line.weight])), stale: [...this.stale] });
    if (plan.sells.length === 0) {
      if (calendarDue) this.keep(ctx);
      this.submit(plan.buys, reason, time, ctx);
      return;
    }
    // Underweight pairs this rebalance chose; they are sized again once the sells have paid out.
    const underweight = plan.lines.filter((line) => line.drift < 0 && line.skip !== 'within-threshold' && line.skip !== 'stale-price').map((line) => line.instrumentId);
    if (underweight.length > 0) {
      this.pendingBuys = new Set(underweight);
      this.pendingReason = reason;
    }
    // Kept before the sells leave: a restart between the sells and the buys still buys.
    if (calendarDue || underweight.length > 0) this.keep(ctx);
    this.submit(plan.sells, reason, time, ctx);
  }

  private plan(ctx: StrategyContext<PortfolioRebalancerParams>, select: 'threshold' | 'all' | ReadonlySet<InstrumentId>): RebalancePlan {
    const { pairs, targets, quoteAsset, reserves, threshold } = this.setup;
    const quote = ctx.portfolio.balance(quoteAsset);
    return planRebalance({
      pairs: pairs.map((pair) => {
        const instrument = ctx.market.instrument(pair);
        return {
          instrument,
          target: targets.get(pair)!,
          baseBalance: ctx.portfolio.balance(instrument.base).total,
          price: new Decimal(this.lastClose.get(pair)!),
          baseReserve: reserves.get(instrument.base) ?? ZERO,
          priceStale: this.stale.has(pair),
        };
      }),
      quoteBalance: quote.total,
      quoteBudget: quote.available.minus(reserves.get(quoteAsset) ?? ZERO),
      select,
      driftThreshold: threshold ?? 0,
      maxFeeToBenefit: ctx.params.maxFeeToBenefit,
    });
  }

  /** Cancels the strategy's orders open for `orderTimeoutBars` intervals or more. */
  private cancelOverdue(time: EpochMs, ctx: StrategyContext<PortfolioRebalancerParams>): void {
    for (const [id, decidedAt] of this.inFlight) {
      if (this.canceling.has(id) || time - decidedAt < this.setup.orderTimeout) continue;
      this.canceling.add(id);
      const order = ctx.portfolio.order(id);
      ctx.log.warn('order still open after orderTimeoutBars: canceled, the next rebalance waits for the cancel', {
        clientOrderId: id, instrumentId: order?.instrumentId, side: order?.side, decidedAt, stepClosedAt: time, orderTimeoutBars: ctx.params.orderTimeoutBars,
      });
      ctx.orders.cancel(id);
    }
  }

  /** Which pairs' prices are too old to trade on at `time`; warns when a pair goes stale and when it comes back. */
  private markStale(time: EpochMs, ctx: StrategyContext<PortfolioRebalancerParams>): void {
    for (const pair of this.setup.pairs) {
      const closedAt = this.lastCloseAt.get(pair)!;
      const tooOld = time - closedAt > this.setup.maxPriceAge;
      if (tooOld && !this.stale.has(pair)) {
        this.stale.add(pair);
        ctx.log.warn('price too old to trade on: pair left alone (still valued at its last close) until a fresh bar', {
          instrumentId: pair, lastBarClosedAt: closedAt, stepClosedAt: time, maxPriceAgeBars: ctx.params.maxPriceAgeBars,
        });
      } else if (!tooOld && this.stale.delete(pair)) {
        ctx.log.info('fresh price again: pair traded again', { instrumentId: pair, lastBarClosedAt: closedAt, stepClosedAt: time });
      }
    }
  }

  /** Once, at the first decision: a reserve above what is held is legal but means that asset is never sold (or, the quote, never spent). */
  private checkReserves(ctx: StrategyContext<PortfolioRebalancerParams>): void {
    if (this.reservesChecked) return;
    this.reservesChecked = true;
    for (const [asset, reserve] of this.setup.reserves) {
      const held = ctx.portfolio.balance(asset).total;
      if (held.lessThan(reserve)) {
        const effect = asset === this.setup.quoteAsset ? `no ${asset} is spent` : `no ${asset} is sold`;
        ctx.log.warn(`reserves.${asset}: received ${reserve.toFixed()}, expected at most the ${held.toFixed()} ${asset} held (until the holding exceeds the reserve, ${effect})`, {
          asset, reserve: reserve.toFixed(), held: held.toFixed(),
        });
      }
    }
  }

  private submit(lines: readonly RebalanceLine[], reason: string, time: EpochMs, ctx: StrategyContext<PortfolioRebalancerParams>): void {
    for (const line of lines) {
      const id = ctx.orders.submit({
        instrumentId: line.instrumentId,
        side: line.action === 'sell' ? 'sell' : 'buy',
        type: 'market',
        quantity: line.quantity,
        tag: reason,
        features: { weight: line.weight, target: line.target, drift: line.drift },
      });
      // The engine may process the order during submit (a denial arrives before submit returns).
      const order = ctx.portfolio.order(id);
      if (order === undefined || !isOrderTerminal(order.status)) this.inFlight.set(id, time);
    }
  }
}
