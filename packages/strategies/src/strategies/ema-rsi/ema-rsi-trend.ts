import { z } from 'zod';
import { BaseStrategy, Decimal, ONE, affordableQuantity, certainlyBelowMinimums, decimalFromNumber, decimalLessThan, decimalTimes, decimalToNumber, instrumentId, parseInterval, type Bar, type OrderEvent, type StrategyContext, type Subscription } from '@kbot/core';
import { ordersLeftOpen } from '../orders-left-open.js';
import { EMA } from '../../indicators/ema.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { RSI } from '../../indicators/rsi.js';

export const emaRsiTrendParams = z.object({
  /** Instrument, e.g. `BTC/USD`. */
  pair: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
  /** Bar interval, e.g. `1h`. */
  interval: z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "15m", "1h", "4h"'),
  fastPeriod: z.number().int().min(2).default(12),
  slowPeriod: z.number().int().min(3).default(26),
  rsiPeriod: z.number().int().min(2).default(14),
  /** No entry when RSI is at or above this (the move is already stretched). */
  entryRsiBelow: z.number().min(1).max(100).default(70),
  /** Exit when RSI reaches this (take the stretch). */
  exitRsiAbove: z.number().min(1).max(100).default(80),
  /** Share of the available quote balance one entry spends (0.5 = half). */
  allocation: z.number().gt(0).max(1).default(0.5),
  /** Exit when price falls this many percent below the entry (0 disables). */
  stopLossPercent: z.number().min(0).max(100).default(5),
}).strict().refine((params) => params.fastPeriod < params.slowPeriod, { message: 'fastPeriod below slowPeriod', path: ['fastPeriod'] });

export type EmaRsiTrendParams = z.output<typeof emaRsiTrendParams>;

/**
 * Its `warmUpBars`: bars after which both EMAs and the RSI have settled (`settledAfter`: their
 * seeds weigh under 1%, so they read what a bot running for weeks reads and a restart does not
 * see a crossing the running bot would not), plus one bar for the crossing, which compares the
 * EMA spread with the bar before's. A paper or live session starts with that much history.
 */
function emaRsiTrendWarmUp(params: Pick<EmaRsiTrendParams, 'fastPeriod' | 'slowPeriod' | 'rsiPeriod'>): number {
  return Math.max(settledAfter(new EMA(params.fastPeriod)), settledAfter(new EMA(params.slowPeriod)), settledAfter(new RSI(params.rsiPeriod))) + 1;
}

/**
 * Trend following with a momentum filter. Enters long when the fast EMA crosses above the slow
 * EMA while RSI is not overbought; exits when the fast EMA crosses back below, when RSI gets
 * stretched, or at a stop below the entry. Market orders on bar closes; fills come at the next
 * bar's open (the simulated venue never looks ahead).
 *
 * When it loses: sideways markets (whipsaws: every crossing pays two taker fees), and gaps
 * through the stop.
 */
export class EmaRsiTrend extends BaseStrategy<EmaRsiTrendParams> {
  static readonly paramsSchema = emaRsiTrendParams;

  private fast!: EMA;
  private slow!: EMA;
  private rsi!: RSI;
  // The spread of the bar before, valid once `hasPreviousSpread`. A number field that is never
  // undefined is stored in place; `number | undefined` made V8 allocate a heap number every bar.
  private previousSpread = Number.NaN;
  private hasPreviousSpread = false;
  private entryPrice: number | undefined;
  private orderInFlight = false;
  /** allocation × (1 − 2 × taker fee), the share of the available balance an entry spends; set on the first entry. */
  private spendShare: Decimal | undefined;
  /** `spendShare` as a number, for the quick too-little-to-trade check. */
  private spendShareNumber = Number.NaN;

  subscriptions(params: EmaRsiTrendParams): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: parseInterval(params.interval), warmUpBars: emaRsiTrendWarmUp(params) }];
  }

  onStart(ctx: StrategyContext<EmaRsiTrendParams>): void {
    this.fast = new EMA(ctx.params.fastPeriod);
    this.slow = new EMA(ctx.params.slowPeriod);
    this.rsi = new RSI(ctx.params.rsiPeriod);
    // After a restart: the stop is measured from the position the earlier run bought, and an
    // order it left open is in flight (nothing is sent beside it until it ends).
    const position = ctx.portfolio.position(ctx.params.pair);
    if (position !== undefined) this.entryPrice = decimalToNumber(position.averageEntryPrice);
    if (ordersLeftOpen(ctx, ctx.params.pair).length > 0) this.orderInFlight = true;
  }

  onBar(bar: Bar, ctx: StrategyContext<EmaRsiTrendParams>): void {
    const fast = this.fast.add(bar.close);
    const slow = this.slow.add(bar.close);
    const rsi = this.rsi.add(bar.close);
    if (fast === undefined || slow === undefined || rsi === undefined) return;
    const spread = fast - slow;
    const previous = this.previousSpread;
    const hadPrevious = this.hasPreviousSpread;
    this.previousSpread = spread;
    this.hasPreviousSpread = true;
    // History at start (ctx.warmingUp): the indicators and the spread above move as on any bar, so
    // the first live bar crosses only if it crosses itself; nothing is traded on an old bar.
    if (!hadPrevious || this.orderInFlight || ctx.warmingUp) return;

    const params = ctx.params;
    const entry = previous <= 0 && spread > 0 && rsi < params.entryRsiBelow;
    const stopped = params.stopLossPercent > 0 && this.entryPrice !== undefined && bar.close <= this.entryPrice * (1 - params.stopLossPercent / 100);
    const exit = (previous >= 0 && spread < 0) || rsi >= params.exitRsiAbove || stopped;
    // Neither an entry nor an exit signal: nothing to do, flat or not, so the position is not looked up.
    if (!entry && !exit) return;
    const position = ctx.portfolio.position(bar.instrumentId);
    if (position === undefined) {
      if (entry) this.enter(bar, ctx, { fast, slow, rsi });
      return;
    }
    if (exit) {
      this.orderInFlight = true;
      ctx.orders.submit({
        instrumentId: bar.instrumentId, side: 'sell', type: 'market', quantity: position.quantity,
        tag: stopped ? 'stop loss' : rsi >= params.exitRsiAbove ? 'rsi stretched' : 'trend turned',
      });
    }
  }

  onOrderEvent(event: OrderEvent): void {
    if (event.type === 'order-filled' && event.order.side === 'buy') this.entryPrice = event.order.averageFillPrice === undefined ? undefined : decimalToNumber(event.order.averageFillPrice);
    if (event.order.status === 'filled' || event.order.status === 'denied' || event.order.status === 'rejected' || event.order.status === 'canceled' || event.order.status === 'expired') {
      this.orderInFlight = false;
    }
  }

  private enter(bar: Bar, ctx: StrategyContext<EmaRsiTrendParams>, features: Record<string, number>): void {
    const instrument = ctx.market.instrument(bar.instrumentId);
    const available = ctx.portfolio.balance(instrument.quote).available;
    // Two taker fees are left aside so the venue's funds check passes; the share of the balance
    // is worked out once.
    if (this.spendShare === undefined) {
      this.spendShare = new Decimal(ctx.params.allocation).times(ONE.minus(instrument.takerFee.times(2)));
      this.spendShareNumber = decimalToNumber(this.spendShare);
    }
    // Too little left to trade (a losing run keeps signalling): numbers decide, no Decimal is made.
    if (certainlyBelowMinimums(instrument, decimalToNumber(available) * this.spendShareNumber, bar.close)) return;
    // Money becomes Decimal here, once per order, not per bar.
    const spend = decimalTimes(available, this.spendShare);
    // Rounded down to the lot here (as the engine would), with a division only as long as that needs.
    const quantity = affordableQuantity(instrument, spend, decimalFromNumber(bar.close));
    // Below the venue's minimums the order would only be denied: skip it here.
    if (decimalLessThan(quantity, instrument.minQuantity) || decimalLessThan(spend, instrument.minCost)) return;
    this.orderInFlight = true;
    ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'buy', type: 'market', quantity, tag: 'ema cross up', features });
  }
}
