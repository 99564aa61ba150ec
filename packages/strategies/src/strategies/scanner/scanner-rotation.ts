import { z } from 'zod';
import {
  BaseStrategy, Decimal, affordableQuantity, certainlyBelowMinimums, decimalFromNumber, decimalToNumber, instrumentId, isOrderTerminal, parseInterval, splitInstrumentId,
  type Bar, type ClientOrderId, type EpochMs, type InstrumentId, type OrderEvent, type OrderIntent, type Quote, type StrategyContext, type Subscription,
} from '@kbot/core';
import { BarSteps } from '../portfolio/bar-steps.js';
import { PairMetrics, pairMetricsWarmUp, type PairMetricsSnapshot } from './pair-metrics.js';
import { rankPairs, type PairRanking, type RankedPair } from './rank-pairs.js';
import { ordersLeftOpen } from '../orders-left-open.js';

const PAIR = /^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/;
const weight = z.number().finite().min(0);

export const scannerRotationParams = z.object({
  /** The pairs scanned, all with the same quote asset. */
  pairs: z.array(z.string().regex(PAIR, 'an instrument such as "BTC/USD"')).min(1),
  /** Bar interval of every pair, e.g. `15m`. A positive whole number: "0m" would pass `\d+` and crash in parseInterval. */
  interval: z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "15m", "1h", "4h"'),
  /** How many of the best-ranked pairs are candidates; a held pair is sold once it drops out of them. */
  topN: z.number().int().min(1).default(2),
  /**
   * Bars of quote volume summed, and the ATR period. Bars, not time: a pair with no trades in an
   * interval has no bar for it, so on a thin pair 96 15m bars can span more than a day.
   */
  window: z.number().int().min(2).default(96),
  /** EMA period of the trend figure and of the entry rule. */
  trendPeriod: z.number().int().min(2).default(96),
  /** Bars over which the EMA's slope is measured. */
  trendLookback: z.number().int().min(1).default(16),
  /** Rank (and trade) every this many steps: 4 × 15m = hourly. */
  rescanEveryBars: z.number().int().min(1).default(4),
  /** Pairs whose quote volume over the window is below this are not ranked. */
  minQuoteVolume: z.number().finite().min(0).default(0),
  /** Pairs with a known spread above this (percent) are not ranked; null: no limit. Needs `useQuotes: true`. */
  maxSpreadPercent: z.number().finite().min(0).nullable().default(null),
  /** Pairs (`DOGE/USD`) or assets (`DOGE`) never traded. */
  blacklist: z.array(z.string().min(1)).default([]),
  weights: z.object({ volume: weight.default(1), spread: weight.default(1), volatility: weight.default(1), trend: weight.default(1) }).strict()
    .default({ volume: 1, spread: 1, volatility: 1, trend: 1 })
    .refine((w) => w.volume + w.spread + w.volatility + w.trend > 0, 'at least one weight above 0'),
  /** Also subscribe to quotes, for the spread (live and paper; bar backtests have none). */
  useQuotes: z.boolean().default(false),
  /** Share of the available quote balance one entry spends. */
  allocation: z.number().gt(0).max(1).default(0.95),
}).strict().superRefine((params, issues) => {
  const quotes = [...new Set(params.pairs.map((pair) => pair.toUpperCase().split('/')[1]))];
  if (quotes.length > 1) issues.addIssue({ code: 'custom', path: ['pairs'], message: `pairs of one quote asset (these are quoted in ${quotes.join(' and ')})` });
  const normalized = params.pairs.map((pair) => pair.toUpperCase());
  const duplicate = normalized.find((pair, index) => normalized.indexOf(pair) !== index);
  if (duplicate) issues.addIssue({ code: 'custom', path: ['pairs'], message: `each pair once (${duplicate} is given twice)` });
  // The spread comes only from quotes: without them the limit could never exclude a pair.
  if (params.maxSpreadPercent !== null && !params.useQuotes) {
    issues.addIssue({ code: 'custom', path: ['maxSpreadPercent'], message: 'null while useQuotes is false (the spread is known only from quotes; set useQuotes: true to use this limit)' });
  }
});

export type ScannerRotationParams = z.output<typeof scannerRotationParams>;

/**
 * Opportunity scanner with a rotation on top. Every step (see `BarSteps`) it ranks the pairs with
 * `rankPairs` on figures streamed from their bars (`PairMetrics`: quote volume, ATR %, EMA slope,
 * and the spread when quotes arrive) and keeps the top `topN` as the candidate list, which changes
 * as the market does. It holds at most one of its pairs: when flat it buys the best-ranked candidate that
 * `wantsToEnter` accepts; it sells when the held pair leaves the candidates or `wantsToHold` turns
 * it down. Market orders on step closes.
 *
 * The logic fed with the candidates is the protected methods `wantsToEnter` (default: the close is
 * above the trend EMA and the EMA is rising), `wantsToHold` (default: the EMA is still rising) and
 * `onRankingChanged`. Subclass to plug in another rule.
 *
 * When it loses: rotations pay two taker fees each; chasing whatever ranks best buys after moves,
 * and a choppy market makes the trend rule flip in and out.
 */
export class ScannerRotation extends BaseStrategy<ScannerRotationParams> {
  static readonly paramsSchema = scannerRotationParams;

  private pairs: InstrumentId[] = [];
  private interval = 0;
  private steps!: BarSteps;
  private readonly metrics = new Map<InstrumentId, PairMetrics>();
  private stepCount = 0;
  private top: readonly InstrumentId[] = [];
  private current: PairRanking = { ranked: [], excluded: [] };
  /** Orders sent and not finished: no new decision while any is (after a restart, all those left open). */
  private readonly inFlight = new Set<ClientOrderId>();
  private foreignPositionsChecked = false;
  /** Pairs another strategy of the bot holds (its order was denied `pair-taken`), skipped until the time given. */
  private readonly takenUntil = new Map<InstrumentId, EpochMs>();

  /** The latest ranking. */
  get ranking(): PairRanking {
    return this.current;
  }

  /** The latest candidate list, best first. */
  get candidates(): readonly InstrumentId[] {
    return this.top;
  }

  subscriptions(params: ScannerRotationParams): Subscription[] {
    const interval = parseInterval(params.interval);
    // Every figure the ranking and the entry rule read is known after this many bars of a pair.
    const warmUpBars = pairMetricsWarmUp(params);
    return params.pairs.flatMap((pair): Subscription[] => [
      { instrumentId: instrumentId(pair), kind: 'bars', interval, warmUpBars },
      ...(params.useQuotes ? [{ instrumentId: instrumentId(pair), kind: 'quotes' as const }] : []),
    ]);
  }

  onStart(ctx: StrategyContext<ScannerRotationParams>): void {
    const params = ctx.params;
    this.pairs = params.pairs.map((pair) => instrumentId(pair));
    this.interval = parseInterval(params.interval);
    this.steps = new BarSteps(this.pairs);
    for (const pair of this.pairs) {
      ctx.market.instrument(pair);
      this.metrics.set(pair, new PairMetrics(pair, { window: params.window, trendPeriod: params.trendPeriod, trendLookback: params.trendLookback }));
    }
    // After a restart, the orders the earlier run left open on its pairs are in flight: no order
    // beside them until every one has ended.
    for (const pair of this.pairs) for (const order of ordersLeftOpen(ctx, pair)) this.inFlight.add(order.clientOrderId);
  }

  onBar(bar: Bar, ctx: StrategyContext<ScannerRotationParams>): void {
    if (bar.interval !== this.interval) return;
    const update = this.steps.onBar(bar);
    if (ctx.warmingUp) {
      // History at start: the figures warm up and the steps are grouped as on live bars, but no
      // step is ranked or traded and the rescan count does not move: the first live step ranks
      // (and may trade) on warm figures, and the ranking and candidates are those of live steps.
      this.metrics.get(bar.instrumentId)?.onBar(bar);
      return;
    }
    if (update.flushed !== undefined) this.step(update.flushed, ctx);
    this.metrics.get(bar.instrumentId)?.onBar(bar);
    if (update.completed !== undefined) this.step(update.completed, ctx);
  }

  onQuote(quote: Quote): void {
    this.metrics.get(quote.instrumentId)?.onQuote(quote);
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<ScannerRotationParams>): void {
    if (isOrderTerminal(event.order.status)) this.inFlight.delete(event.clientOrderId);
    if (event.type === 'order-denied' && event.code === 'pair-taken') {
      // Another strategy of the bot trades the pair: look past it for a window rather than be denied every bar.
      this.takenUntil.set(event.instrumentId, event.time + ctx.params.window * this.interval);
      ctx.log.info(`${event.instrumentId} is traded by another strategy of this bot: skipped for ${ctx.params.window} bars`, { instrumentId: event.instrumentId });
    }
  }

  /**
   * Whether to buy `pair`, a candidate, when flat. Default: the last close is above EMA(trendPeriod)
   * and the EMA rose over the last `trendLookback` bars.
   */
  protected wantsToEnter(_pair: RankedPair, metrics: PairMetricsSnapshot, _ctx: StrategyContext<ScannerRotationParams>): boolean {
    return metrics.close !== undefined && metrics.ema !== undefined && metrics.trendPercent !== undefined
      && metrics.close > metrics.ema && metrics.trendPercent > 0;
  }

  /**
   * Whether to stay in the held pair while it is still a candidate. Default: the EMA is still rising
   * (a close dipping under the EMA alone does not sell: that would trade every wiggle).
   */
  protected wantsToHold(_pair: RankedPair, metrics: PairMetricsSnapshot, _ctx: StrategyContext<ScannerRotationParams>): boolean {
    return metrics.trendPercent !== undefined && metrics.trendPercent > 0;
  }

  /** Called when the candidate list changes (a different pair, or a different order). */
  protected onRankingChanged(_ranking: PairRanking, _candidates: readonly InstrumentId[], _time: EpochMs, _ctx: StrategyContext<ScannerRotationParams>): void {}

  private step(time: EpochMs, ctx: StrategyContext<ScannerRotationParams>): void {
    const params = ctx.params;
    if (this.stepCount++ % params.rescanEveryBars !== 0) return;
    const snapshots = this.pairs.map((pair) => {
      const snapshot = this.metrics.get(pair)!.snapshot();
      return { ...snapshot, status: ctx.market.instrument(pair).status };
    });
    const ranking = rankPairs(snapshots, {
      minQuoteVolume: params.minQuoteVolume,
      ...(params.maxSpreadPercent === null ? {} : { maxSpreadPercent: params.maxSpreadPercent }),
      blacklist: params.blacklist,
      weights: params.weights,
      now: time,
      // A pair silent for a whole window has no current figures.
      maxAgeMs: params.window * this.interval,
    });
    this.current = ranking;
    const top = ranking.ranked.slice(0, params.topN).map((entry) => entry.instrumentId as InstrumentId);
    if (top.length !== this.top.length || top.some((pair, index) => pair !== this.top[index])) {
      this.top = Object.freeze(top);
      ctx.log.debug('scanner candidates changed', { time, candidates: top });
      this.onRankingChanged(ranking, this.top, time, ctx);
    }
    if (this.inFlight.size > 0) return;
    this.warnAboutForeignPositions(ctx);

    const held = this.pairs.find((pair) => ctx.portfolio.position(pair) !== undefined);
    const byId = new Map(ranking.ranked.map((entry) => [entry.instrumentId as InstrumentId, entry]));
    if (held !== undefined) {
      const entry = byId.get(held);
      const keep = entry !== undefined && top.includes(held) && this.wantsToHold(entry, this.metrics.get(held)!.snapshot(), ctx);
      if (!keep) {
        const position = ctx.portfolio.position(held)!;
        this.submit(ctx, { instrumentId: held, side: 'sell', type: 'market', quantity: position.quantity, tag: entry === undefined || !top.includes(held) ? 'left the candidates' : 'trend rule says out' });
      }
      return;
    }
    for (const pair of top) {
      if ((this.takenUntil.get(pair) ?? -Infinity) > time) continue;
      const entry = byId.get(pair)!;
      const metrics = this.metrics.get(pair)!.snapshot();
      if (!this.wantsToEnter(entry, metrics, ctx)) continue;
      const instrument = ctx.market.instrument(pair);
      const available = ctx.portfolio.balance(splitInstrumentId(pair).quote).available;
      // Too little left to trade: numbers decide, no Decimal is made.
      if (certainlyBelowMinimums(instrument, decimalToNumber(available) * params.allocation * (1 - 2 * decimalToNumber(instrument.takerFee)), metrics.close!)) return;
      // The taker fee twice over stays aside, so the venue's funds check passes at the next open.
      const spend = available.times(params.allocation).times(new Decimal(1).minus(instrument.takerFee.times(2)));
      const quantity = affordableQuantity(instrument, spend, decimalFromNumber(metrics.close!));
      if (quantity.lessThan(instrument.minQuantity) || quantity.isZero() || quantity.times(metrics.close!).lessThan(instrument.minCost)) return;
      this.submit(ctx, {
        instrumentId: pair, side: 'buy', type: 'market', quantity, tag: `rank ${entry.rank}`,
        features: { rank: entry.rank, score: entry.score, trendPercent: metrics.trendPercent!, volatilityPercent: metrics.volatilityPercent!, quoteVolume: metrics.quoteVolume! },
      });
      return;
    }
  }

  /**
   * Once, at the first decision: positions in the strategy's quote asset on pairs outside `pairs`
   * (typically left by a run with another `pairs` list) are left alone and do not count as the one
   * pair held. The scanner has no bars for them, so its rules cannot judge them, and a blind market
   * sell of real money cannot be undone. (Positions another strategy of the bot opened are not in
   * this strategy's view at all.)
   * Entries spend a share of the available quote only, so the leftover position is never spent twice.
   */
  private warnAboutForeignPositions(ctx: StrategyContext<ScannerRotationParams>): void {
    if (this.foreignPositionsChecked) return;
    this.foreignPositionsChecked = true;
    const quote = splitInstrumentId(this.pairs[0]!).quote;
    const scanned = new Set<string>(this.pairs);
    for (const position of ctx.portfolio.positions()) {
      if (scanned.has(position.instrumentId) || splitInstrumentId(position.instrumentId).quote !== quote) continue;
      ctx.log.warn(`${position.instrumentId} is held but not in pairs: left alone (neither sold nor counted as the pair held); sell it (kbot sell ${position.instrumentId}) or add it to pairs to have it rotated`, {
        instrumentId: position.instrumentId, quantity: position.quantity.toFixed(),
      });
    }
  }

  private submit(ctx: StrategyContext<ScannerRotationParams>, intent: OrderIntent): void {
    const id = ctx.orders.submit(intent);
    const order = ctx.portfolio.order(id);
    // The engine may settle the order during submit (a denial): then nothing is in flight.
    if (order === undefined || !isOrderTerminal(order.status)) this.inFlight.add(id);
  }
}
