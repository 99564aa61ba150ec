import { z } from 'zod';
import {
  BaseStrategy, Decimal, affordableQuantity, certainlyBelowMinimums, decimalFromNumber, decimalToNumber, instrumentId, isOrderTerminal, parseInterval,
  type Bar, type ClientOrderId, type OrderEvent, type StrategyContext, type Subscription,
} from '@kbot/core';
import { ExitManager } from '../../exits/exit-manager.js';
import { exitRulesSchema } from '../../exits/exit-rules.js';
import { exitRulesWarmUp } from '../../exits/exit-warm-up.js';
import { ADX } from '../../indicators/adx.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { BollingerBands } from '../../indicators/bollinger-bands.js';
import { EMA } from '../../indicators/ema.js';
import { RSI } from '../../indicators/rsi.js';
import { ZScore } from '../../indicators/z-score.js';
import { ordersLeftOpen } from '../orders-left-open.js';

export const meanReversionParams = z.object({
  /** Instrument, e.g. `BTC/USD`. */
  pair: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "BTC/USD"'),
  /** Bar interval, e.g. `15m`. */
  interval: z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "15m", "1h", "4h"'),
  /** `bollinger`: close under the lower Bollinger band; `z-score`: z-score of the close at or under −deviations. */
  bands: z.enum(['bollinger', 'z-score']).default('bollinger'),
  /** Bars in the band window. */
  period: z.number().int().min(2).max(1000).default(20),
  /** Band width in population standard deviations. */
  deviations: z.number().gt(0).max(10).default(2),
  rsiPeriod: z.number().int().min(2).max(1000).default(14),
  /** Enter only while RSI is under this (oversold). */
  entryRsiBelow: z.number().min(1).max(100).default(30),
  /** The strategy's own exit: the close back at the middle band (the mean), or at the upper band. */
  exitAt: z.enum(['middle', 'upper']).default('middle'),
  /**
   * No longs in a falling market: `ema` — the close more than `maxBelowTrendPercent` under the
   * long EMA; `adx` — ADX at or above `maxAdx` with −DI over +DI (a strong downtrend); `both`
   * blocks on either; `none` disables the guard.
   */
  trendGuard: z.enum(['ema', 'adx', 'both', 'none']).default('both'),
  trendEmaPeriod: z.number().int().min(2).max(5000).default(200),
  maxBelowTrendPercent: z.number().min(0).max(100).default(5),
  adxPeriod: z.number().int().min(2).max(1000).default(14),
  maxAdx: z.number().gt(0).max(100).default(30),
  /** Share of the available quote balance one entry spends (0.5 = half). */
  allocation: z.number().gt(0).max(1).default(0.5),
  /** Exit rules besides the return to the mean (see the exits toolkit). */
  exits: exitRulesSchema.default([
    { kind: 'stop-loss', atrMultiple: 2, atrPeriod: 14 },
    { kind: 'take-profit-ladder', steps: [{ atPercent: 1, sellFraction: 0.5 }] },
    { kind: 'time-stop', bars: 48 },
  ]),
  /** Keep the stop resting on Kraken as a stop-loss order instead of selling at market after a close under it. */
  restingStop: z.boolean().default(false),
  /**
   * After a restart, until the ATR is warm again: a stop this many percent under the highest of
   * the entry and the highs since, when no stop was left on the exchange and no percent rule applies.
   */
  fallbackStopPercent: z.number().gt(0).lt(100).default(5),
}).strict();

export type MeanReversionParams = z.output<typeof meanReversionParams>;
export type MeanReversionInput = z.input<typeof meanReversionParams>;

type WarmUpParams = Pick<MeanReversionParams, 'bands' | 'period' | 'rsiPeriod' | 'trendGuard' | 'trendEmaPeriod' | 'adxPeriod'>;

/**
 * Bars after which the entry rule decides in full: the bands (or z-score), the RSI and the trend
 * guard's EMA and/or ADX are warm (each indicator's `warmUp`). The strategy waits for it before
 * any entry.
 */
function entryWarmUp(params: WarmUpParams): number {
  const guard = params.trendGuard;
  return Math.max(
    params.bands === 'bollinger' ? new BollingerBands({ period: params.period }).warmUp : new ZScore(params.period).warmUp,
    new RSI(params.rsiPeriod).warmUp,
    guard === 'ema' || guard === 'both' ? new EMA(params.trendEmaPeriod).warmUp : 0,
    guard === 'adx' || guard === 'both' ? new ADX(params.adxPeriod).warmUp : 0,
  );
}

/**
 * Its `warmUpBars`: bars after which the entry rule's indicators have settled (`settledAfter`: the
 * RSI's and the trend guard's seeds weigh under 1%, so the first live bar reads what a bot running
 * for weeks reads), and the exit rules' ATRs are warm (an ATR stop needs its ATR at the first
 * entry). With the defaults (trend EMA 200) that is 661 bars; Kraken keeps 719.
 */
function meanReversionWarmUp(params: WarmUpParams & Pick<MeanReversionParams, 'exits'>): number {
  const guard = params.trendGuard;
  const settled = Math.max(
    settledAfter(params.bands === 'bollinger' ? new BollingerBands({ period: params.period }) : new ZScore(params.period)),
    settledAfter(new RSI(params.rsiPeriod)),
    guard === 'ema' || guard === 'both' ? settledAfter(new EMA(params.trendEmaPeriod)) : 0,
    guard === 'adx' || guard === 'both' ? settledAfter(new ADX(params.adxPeriod)) : 0,
  );
  return Math.max(entryWarmUp(params), settled, exitRulesWarmUp(params.exits));
}

/**
 * Buys a stretch below the mean and sells the return to it. Long only (spot).
 *
 * Entry, on a bar close, when flat: the close is under the lower band (or its z-score at or under
 * −deviations), RSI is under `entryRsiBelow`, and the trend guard allows longs. Exit: the close
 * back at the middle band (or the upper band), or one of the exit rules (by default a 2-ATR stop,
 * half taken at +1%, and a 48-bar time stop). Market orders on bar closes fill at the next open.
 *
 * When it loses: in steady downtrends the guard does not catch (each band touch is a new low), and
 * in quiet markets where the move back to the mean is smaller than the two taker fees (0.8% at
 * Kraken's starting tier).
 */
export class MeanReversion extends BaseStrategy<MeanReversionParams> {
  static readonly paramsSchema = meanReversionParams;

  private bands: BollingerBands | undefined;
  private zScore: ZScore | undefined;
  private rsi!: RSI;
  private trend!: EMA;
  private adx!: ADX;
  private exits!: ExitManager;
  private entryOrder: ClientOrderId | undefined;
  private warmUp = 0;
  private seen = 0;

  subscriptions(params: MeanReversionParams): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: parseInterval(params.interval), warmUpBars: meanReversionWarmUp(params) }];
  }

  onStart(ctx: StrategyContext<MeanReversionParams>): void {
    // After a restart, an entry the earlier run left open (a market order filling over thin bars)
    // is in flight: no second entry beside it, and an exit still cancels it.
    this.entryOrder = ordersLeftOpen(ctx, ctx.params.pair, 'buy').find((order) => order.tag?.startsWith('entry') === true)?.clientOrderId;
    const params = ctx.params;
    if (params.bands === 'bollinger') this.bands = new BollingerBands({ period: params.period, multiplier: params.deviations });
    else this.zScore = new ZScore(params.period);
    this.rsi = new RSI(params.rsiPeriod);
    this.trend = new EMA(params.trendEmaPeriod);
    this.adx = new ADX(params.adxPeriod);
    this.warmUp = entryWarmUp(params);
    this.exits = new ExitManager({ instrument: ctx.market.instrument(params.pair), rules: params.exits, resting: params.restingStop, context: ctx, fallbackStopPercent: params.fallbackStopPercent });
  }

  onBar(bar: Bar, ctx: StrategyContext<MeanReversionParams>): void {
    const params = ctx.params;
    this.seen += 1;
    // undefined until the bands are warm.
    let stretched: boolean | undefined;
    let exitLevelReached = false;
    if (this.bands) {
      const band = this.bands.add(bar.close);
      if (band) {
        stretched = bar.close < band.lower;
        exitLevelReached = bar.close >= (params.exitAt === 'middle' ? band.middle : band.upper);
      }
    } else {
      const z = this.zScore!.add(bar.close);
      if (z !== undefined) {
        stretched = z <= -params.deviations;
        exitLevelReached = z >= (params.exitAt === 'middle' ? 0 : params.deviations);
      }
    }
    const rsi = this.rsi.add(bar.close);
    const trend = this.trend.add(bar.close);
    const adx = this.adx.add(bar);
    if (ctx.warmingUp) {
      // History at start: the indicators (and the exits' ATRs) warm up as on a live bar; no entry,
      // no exit, and the exits leave a position held now alone (see ExitManager.warmUp).
      this.exits.warmUp(bar);
      return;
    }

    const position = ctx.portfolio.position(bar.instrumentId);
    this.exits.apply(this.exits.onBar(bar, position), ctx.orders);
    this.cancelEntryWhenExiting(ctx);
    if (this.seen < this.warmUp || stretched === undefined || rsi === undefined) return;

    if (this.exits.holding) {
      if (exitLevelReached) {
        this.exits.apply(this.exits.closePosition(params.exitAt === 'middle' ? 'exit: mean reached' : 'exit: upper band reached'), ctx.orders);
        this.cancelEntryWhenExiting(ctx);
      }
      return;
    }
    if (this.entryOrder !== undefined || this.exits.busy) return;
    if (!stretched || rsi >= params.entryRsiBelow) return;
    const guard = params.trendGuard;
    const belowTrendPercent = trend === undefined ? 0 : ((trend - bar.close) / trend) * 100;
    if ((guard === 'ema' || guard === 'both') && belowTrendPercent > params.maxBelowTrendPercent) return;
    if ((guard === 'adx' || guard === 'both') && adx !== undefined && adx.adx >= params.maxAdx && adx.minusDI > adx.plusDI) return;

    const instrument = ctx.market.instrument(bar.instrumentId);
    const available = ctx.portfolio.balance(instrument.quote).available;
    // Too little left to trade: numbers decide, no Decimal is made.
    if (certainlyBelowMinimums(instrument, decimalToNumber(available) * params.allocation * (1 - 2 * decimalToNumber(instrument.takerFee)), bar.close)) return;
    // Money becomes Decimal here, once per order. Two taker fees are left aside so the venue's
    // funds check passes after slippage.
    const spend = available.times(params.allocation).times(new Decimal(1).minus(instrument.takerFee.times(2)));
    const price = decimalFromNumber(bar.close);
    const quantity = affordableQuantity(instrument, spend, price);
    if (quantity.lessThan(instrument.minQuantity) || quantity.times(price).lessThan(instrument.minCost)) return;
    this.entryOrder = ctx.orders.submit({
      instrumentId: bar.instrumentId,
      side: 'buy',
      type: 'market',
      quantity,
      tag: 'entry: stretched below the mean',
      features: adx === undefined ? { rsi, belowTrendPercent } : { rsi, belowTrendPercent, adx: adx.adx },
    });
  }

  /** An entry still filling (thin bars fill a market order over several) stops when an exit starts. */
  private cancelEntryWhenExiting(ctx: StrategyContext<MeanReversionParams>): void {
    if (this.entryOrder !== undefined && this.exits.exiting) ctx.orders.cancel(this.entryOrder);
  }

  onOrderEvent(event: OrderEvent, ctx: StrategyContext<MeanReversionParams>): void {
    if (event.clientOrderId === this.entryOrder && isOrderTerminal(event.order.status)) this.entryOrder = undefined;
    this.exits.apply(this.exits.onOrderEvent(event), ctx.orders);
  }
}
