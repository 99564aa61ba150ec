import { z } from 'zod';
import {
  BaseStrategy, Decimal, affordableQuantity, certainlyBelowMinimums, decimalFromNumber, decimalToNumber, instrumentId, minDecimal, isOrderTerminal, parseInterval,
  type Bar, type ClientOrderId, type OrderEvent, type StrategyContext, type Subscription,
} from '@kbot/core';
import { ExitManager } from '../../exits/exit-manager.js';
import { exitRulesSchema, type ExitRule } from '../../exits/exit-rules.js';
import { exitRulesWarmUp } from '../../exits/exit-warm-up.js';
import { ATR } from '../../indicators/atr.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { DonchianChannel } from '../../indicators/donchian-channel.js';
import { EMA } from '../../indicators/ema.js';
import { ordersLeftOpen } from '../orders-left-open.js';

export const momentumBreakoutParams = z.object({
  /** Instrument, e.g. `BTC/USD`. */
  pair: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
  /** Bar interval, e.g. `4h`. */
  interval: z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "15m", "1h", "4h"'),
  /** `donchian`: the close above the highest high of the previous `channelPeriod` bars; `ema-cross`: the fast EMA crosses above the slow one. */
  breakout: z.enum(['donchian', 'ema-cross']).default('donchian'),
  channelPeriod: z.number().int().min(2).max(1000).default(20),
  fastPeriod: z.number().int().min(2).max(1000).default(12),
  slowPeriod: z.number().int().min(3).max(2000).default(26),
  atrPeriod: z.number().int().min(1).max(1000).default(14),
  /** Share of equity lost if the initial stop is hit: quantity = equity × riskFraction / (ATR × stopMultiple). */
  riskFraction: z.number().gt(0).max(0.2).default(0.01),
  /** Initial stop: this many ATRs (at entry) under the entry. */
  stopMultiple: z.number().gt(0).max(20).default(2),
  /** Trailing stop: this many ATRs under the highest high since the entry (0 disables). */
  trailMultiple: z.number().min(0).max(50).default(3),
  /** Cap on one entry: this share of the available quote balance. */
  maxAllocation: z.number().gt(0).max(1).default(1),
  /** More exit rules on top of the ATR stop and trail (a time stop, a take-profit ladder, ...). */
  exits: exitRulesSchema.default([]),
  /** Keep the stop resting on Kraken as a stop-loss order instead of selling at market after a close under it. */
  restingStop: z.boolean().default(false),
  /**
   * After a restart, until the ATR is warm again: a stop this many percent under the highest of
   * the entry and the highs since, when no stop was left on the exchange and no percent rule applies.
   */
  fallbackStopPercent: z.number().gt(0).lt(100).default(5),
}).strict().refine((params) => params.breakout !== 'ema-cross' || params.fastPeriod < params.slowPeriod, {
  message: 'fastPeriod below slowPeriod',
  path: ['fastPeriod'],
});

export type MomentumBreakoutParams = z.output<typeof momentumBreakoutParams>;
export type MomentumBreakoutInput = z.input<typeof momentumBreakoutParams>;

/**
 * Its `warmUpBars`: the bars after which an entry is decided as a long-running bot decides it, so
 * a paper or live session trades from its first live bar. The breakout compares this bar with the
 * bar before's figure, one bar more than the indicator needs: the Donchian channel of the previous
 * `channelPeriod` bars, or the EMA spread of the bar before (a crossing), with the EMAs settled
 * (`settledAfter`). The ATR sizes the entry and sets the stops (settled too), and the exit rules'
 * ATRs must be warm at the entry.
 */
function momentumBreakoutWarmUp(params: Pick<MomentumBreakoutParams, 'breakout' | 'channelPeriod' | 'fastPeriod' | 'slowPeriod' | 'atrPeriod' | 'exits'>): number {
  const breakout = params.breakout === 'donchian'
    ? settledAfter(new DonchianChannel(params.channelPeriod)) + 1
    : Math.max(settledAfter(new EMA(params.fastPeriod)), settledAfter(new EMA(params.slowPeriod))) + 1;
  return Math.max(breakout, settledAfter(new ATR(params.atrPeriod)), exitRulesWarmUp(params.exits));
}

/**
 * Buys strength and lets the winners run. Long only (spot).
 *
 * Entry, on a bar close, when flat: a breakout — the close above the highest high of the previous
 * `channelPeriod` bars (Donchian), or the fast EMA crossing above the slow EMA. Size: the quantity
 * that loses `riskFraction` of equity if the initial stop (`stopMultiple` ATRs under the entry) is
 * hit, capped by `maxAllocation` of the available balance. Exits only through the exit rules: the
 * ATR stop, an ATR trailing stop (`trailMultiple`), and any rules in `exits`.
 *
 * When it loses: in ranges, where most breakouts fail and each failure costs about `riskFraction`
 * plus two taker fees; on low timeframes, where the stop distance is small next to the fees and the
 * risk-sized position hits the `maxAllocation` cap.
 */
export class MomentumBreakout extends BaseStrategy<MomentumBreakoutParams> {
  static readonly paramsSchema = momentumBreakoutParams;

  private channel: DonchianChannel | undefined;
  private fast: EMA | undefined;
  private slow: EMA | undefined;
  private previousSpread: number | undefined;
  private atr!: ATR;
  private exits!: ExitManager;
  private entryOrder: ClientOrderId | undefined;

  subscriptions(params: MomentumBreakoutParams): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: parseInterval(params.interval), warmUpBars: momentumBreakoutWarmUp(params) }];
  }

  onStart(ctx: StrategyContext<MomentumBreakoutParams>): void {
    // After a restart, an entry the earlier run left open (a market order filling over thin bars)
    // is in flight: no second entry beside it, and an exit still cancels it.
    this.entryOrder = ordersLeftOpen(ctx, ctx.params.pair, 'buy').find((order) => order.tag?.startsWith('entry') === true)?.clientOrderId;
    const params = ctx.params;
    if (params.breakout === 'donchian') {
      this.channel = new DonchianChannel(params.channelPeriod);
    } else {
      this.fast = new EMA(params.fastPeriod);
      this.slow = new EMA(params.slowPeriod);
    }
    this.atr = new ATR(params.atrPeriod);
    const rules: ExitRule[] = [{ kind: 'stop-loss', atrMultiple: params.stopMultiple, atrPeriod: params.atrPeriod }];
    if (params.trailMultiple > 0) rules.push({ kind: 'trailing-stop', atrMultiple: params.trailMultiple, atrPeriod: params.atrPeriod, activateAtPercent: 0 });
    rules.push(...params.exits);
    this.exits = new ExitManager({ instrument: ctx.market.instrument(params.pair), rules, resting: params.restingStop, context: ctx, fallbackStopPercent: params.fallbackStopPercent });
  }

  onBar(bar: Bar, ctx: StrategyContext<MomentumBreakoutParams>): void {
    const params = ctx.params;
    const breakout = this.breakout(bar);
    const atr = this.atr.add(bar);
    if (ctx.warmingUp) {
      // History at start: the channel (or EMAs) and ATRs warm up as on a live bar, so the first
      // live bar breaks out only against the history's high (or crosses on its own); no entry, no
      // exit, and the exits leave a position held now alone (see ExitManager.warmUp).
      this.exits.warmUp(bar);
      return;
    }
    this.exits.apply(this.exits.onBar(bar, ctx.portfolio.position(bar.instrumentId)), ctx.orders);
    this.cancelEntryWhenExiting(ctx);
    if (!breakout || atr === undefined || atr <= 0 || this.exits.holding || this.exits.busy || this.entryOrder !== undefined) return;

    const instrument = ctx.market.instrument(bar.instrumentId);
    const available = ctx.portfolio.balance(instrument.quote).available;
    // Too little left to trade: numbers decide, no Decimal is made.
    if (certainlyBelowMinimums(instrument, decimalToNumber(available) * params.maxAllocation * (1 - 2 * decimalToNumber(instrument.takerFee)), bar.close)) return;
    // Money becomes Decimal here, once per order.
    const price = decimalFromNumber(bar.close);
    const stopDistance = new Decimal(atr * params.stopMultiple);
    // What the stop may lose, per unit of distance to it; both sizes rounded down to the lot.
    const bySize = affordableQuantity(instrument, ctx.portfolio.equity().times(params.riskFraction), stopDistance);
    // Two taker fees are left aside so the venue's funds check passes after slippage.
    const spendable = available.times(params.maxAllocation).times(new Decimal(1).minus(instrument.takerFee.times(2)));
    const quantity = minDecimal(bySize, affordableQuantity(instrument, spendable, price));
    if (quantity.lessThan(instrument.minQuantity) || quantity.times(price).lessThan(instrument.minCost)) return;
    this.entryOrder = ctx.orders.submit({
      instrumentId: bar.instrumentId,
      side: 'buy',
      type: 'market',
      quantity,
      tag: params.breakout === 'donchian' ? `entry: ${params.channelPeriod}-bar high broken` : 'entry: EMA cross up',
      features: { atrPercent: (atr / bar.close) * 100 },
    });
  }

  /** An entry still filling (thin bars fill a market order over several) stops when an exit starts. */
  private cancelEntryWhenExiting(ctx: StrategyContext<MomentumBreakoutParams>): void {
    if (this.entryOrder !== undefined && this.exits.exiting) ctx.orders.cancel(this.entryOrder);
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<MomentumBreakoutParams>): void {
    if (event.clientOrderId === this.entryOrder && isOrderTerminal(event.order.status)) this.entryOrder = undefined;
    this.exits.apply(this.exits.onOrderEvent(event), ctx.orders);
  }

  /** True on the bar that breaks out. The channel is read before this bar joins it: a close cannot break its own high. */
  private breakout(bar: Bar): boolean {
    if (this.channel) {
      const previousHigh = this.channel.value?.upper;
      this.channel.add(bar);
      return previousHigh !== undefined && bar.close > previousHigh;
    }
    const fast = this.fast!.add(bar.close);
    const slow = this.slow!.add(bar.close);
    if (fast === undefined || slow === undefined) return false;
    const spread = fast - slow;
    const previous = this.previousSpread;
    this.previousSpread = spread;
    return previous !== undefined && previous <= 0 && spread > 0;
  }
}
