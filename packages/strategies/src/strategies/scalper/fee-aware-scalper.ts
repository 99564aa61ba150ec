import { z } from 'zod';
import {
  BaseStrategy, Decimal, ZERO, instrumentId, isOrderTerminal, parseInterval, roundPrice, roundQuantity,
  type Bar, type BookHealth, type BookView, type ClientOrderId, type EpochMs, type Instrument, type OrderEvent, type OrderSide, type Quote,
  type OrderEntryBudget, type StrategyContext, type Subscription, type Trade,
} from '@kbot/core';
import { CancelBudget } from './cancel-budget.js';
import { ordersLeftOpen } from '../orders-left-open.js';

const amountText = z.union([z.string().regex(/^\d+(\.\d+)?$/, 'an amount such as "0.01"'), z.number().finite().positive()]).transform(String)
  .refine((value) => Number(value) > 0, 'an amount above 0');

export const feeAwareScalperParams = z.object({
  /** Instrument, e.g. `ETH/USD`. */
  pair: z.string().regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9.]+$/, 'an instrument such as "ETH/USD"'),
  /** Bars for the fast-market guard; the scalper quotes only after the first one. */
  interval: z.string().regex(/^[1-9]\d*[mhdw]$/, 'a positive interval such as "1m"').default('1m'),
  /** Where the best bid and ask come from: `quotes` (ticker) or `book` (L2, which also gives the imbalance). */
  source: z.enum(['quotes', 'book']).default('quotes'),
  /** Book levels summed for the imbalance. */
  bookDepth: z.number().int().min(1).default(10),
  /** Base quantity of each quote. */
  quantity: amountText,
  /** Most base inventory held (filled) plus bid (resting). */
  maxPosition: amountText,
  /** Quote only when the spread captured, less 2 × the maker fee, is above this (percent of mid). */
  minEdgePercent: z.number().finite().min(0).default(0),
  /** Quote this many ticks inside the best bid and ask (0: join them). */
  improveTicks: z.number().int().min(0).default(0),
  /** At full inventory both quotes sit this many ticks lower (less eager to buy, keener to sell); proportional below. */
  skewTicks: z.number().int().min(0).default(2),
  /** Cancel (and re-place) a quote this old, in milliseconds; no quotes at all on a top of book this old. */
  staleAfterMs: z.number().int().positive().default(30_000),
  /** Cancel a quote more than this many ticks from where it would be placed now. */
  repriceTicks: z.number().int().min(0).default(2),
  /** Order-rate cap on repricing: at most this many cancels in any minute; past it, stale quotes stay (unwanted ones are still pulled). */
  maxCancelsPerMinute: z.number().int().min(1).default(20),
  /** Pull quotes while the last bar's range (high − low) / close is above this, percent; null: never. */
  maxBarRangePercent: z.number().positive().nullable().default(null),
  /** Book only: no bid when (bids − asks) / (bids + asks) over `bookDepth` ≤ −this, no ask when ≥ this; null: off. */
  imbalanceThreshold: z.number().gt(0).max(1).nullable().default(null),
  /** Sell only at or above the entry plus both maker fees (never realize a loss on inventory). */
  sellAboveBreakEven: z.boolean().default(true),
}).strict();

export type FeeAwareScalperParams = z.output<typeof feeAwareScalperParams>;

/** The longest wait after repeated denials on a side (unless one bar interval is longer). */
const MAX_DENIAL_BACKOFF_MS = 15 * 60_000;

/** `quote`: bring the orders in line with a fresh top of book; `pull`: only cancel quotes no longer wanted. */
type Pass = 'quote' | 'pull';

interface Top {
  readonly bid: number;
  readonly ask: number;
  readonly time: EpochMs;
  /** (bids − asks) / (bids + asks) over the book depth; undefined from quotes. */
  readonly imbalance: number | undefined;
}

interface LiveQuote {
  readonly id: ClientOrderId;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly placedAt: EpochMs;
  cancelRequested: boolean;
}

/** What the scalper would post now, per side; undefined: no quote on that side. */
export interface ScalperQuotes {
  readonly bid: { readonly price: Decimal; readonly quantity: Decimal } | undefined;
  readonly ask: { readonly price: Decimal; readonly quantity: Decimal } | undefined;
  /** Spread captured by bid and ask at these prices, less 2 × maker fee, percent of mid. */
  readonly edgePercent: number;
}

/**
 * Fee-aware micro-scalping with post-only limit orders around the spread. It bids only when the
 * spread it would capture, less two maker fees (the instrument's `makerFee`: the account's tier),
 * beats `minEdgePercent`; it offers its inventory at the ask, never below the entry plus both fees.
 * Quotes skew down as inventory builds and the bid stops at `maxPosition`. A quote is cancelled
 * when it is older than `staleAfterMs` or more than `repriceTicks` from where it belongs, within a
 * cancel budget per minute and the venue's order-entry budget (`ctx.orders.budget`); a quote no
 * longer wanted at all is pulled regardless. Every order is post-only (maker or nothing).
 *
 * Needs quotes or an L2 book, and public trades, in time order: bar data cannot show a spread or a
 * queue, so a backtest on bars cannot evaluate it (see the README).
 */
export class FeeAwareScalper extends BaseStrategy<FeeAwareScalperParams> {
  static readonly paramsSchema = feeAwareScalperParams;

  private instrument!: Instrument;
  private quantity!: Decimal;
  private maxPosition!: Decimal;
  private cancelBudget!: CancelBudget;
  private intervalMs!: number;
  private top: Top | undefined;
  private lastTrade: Trade | undefined;
  private lastBar: Bar | undefined;
  private readonly live: { buy: LiveQuote | undefined; sell: LiveQuote | undefined } = { buy: undefined, sell: undefined };
  /**
   * Per side, after risk denied an order: no quote on that side before `until`; `count` denials in
   * a row; `byState` when the trading state denied it (cleared as soon as the state allows the side).
   */
  private readonly denied = { buy: { until: 0, count: 0, byState: false }, sell: { until: 0, count: 0, byState: false } };

  subscriptions(params: FeeAwareScalperParams): Subscription[] {
    const id = instrumentId(params.pair);
    return [
      { instrumentId: id, kind: 'bars', interval: parseInterval(params.interval) },
      params.source === 'book' ? { instrumentId: id, kind: 'book', depth: params.bookDepth } : { instrumentId: id, kind: 'quotes' },
      { instrumentId: id, kind: 'trades' },
    ];
  }

  onStart(ctx: StrategyContext<FeeAwareScalperParams>): void {
    this.instrument = ctx.market.instrument(ctx.params.pair);
    this.quantity = new Decimal(ctx.params.quantity);
    this.maxPosition = new Decimal(ctx.params.maxPosition);
    this.cancelBudget = new CancelBudget(ctx.params.maxCancelsPerMinute);
    this.intervalMs = parseInterval(ctx.params.interval);
    // Sizes under the pair's minimum order would fail silently on every update: say so once.
    const minimum = this.instrument.minQuantity;
    const where = `(the ${this.instrument.id} minimum order size)`;
    if (roundQuantity(this.instrument, this.quantity).lessThan(minimum)) {
      ctx.log.warn(`quantity: received ${ctx.params.quantity}, expected at least ${minimum.toFixed()} ${where}: the scalper will never quote`, { instrumentId: this.instrument.id });
    } else if (roundQuantity(this.instrument, this.maxPosition).lessThan(minimum)) {
      ctx.log.warn(`maxPosition: received ${ctx.params.maxPosition}, expected at least ${minimum.toFixed()} ${where}: the scalper will never bid`, { instrumentId: this.instrument.id });
    }
    this.adoptQuotes(ctx);
  }

  /**
   * After a restart, the quotes an earlier run left resting are this run's: per side, the newest
   * open limit order becomes the side's quote (repriced or pulled like any other), and older ones
   * are cancelled. Otherwise the scalper would quote beside its own old quotes: twice the size on
   * the book, at prices nobody watches any more.
   */
  private adoptQuotes(ctx: StrategyContext<FeeAwareScalperParams>): void {
    const now = ctx.clock.now();
    let found = 0;
    let canceled = 0;
    for (const side of ['buy', 'sell'] as const) {
      const [newest, ...older] = ordersLeftOpen(ctx, this.instrument.id, side).filter((order) => order.type === 'limit' && order.price !== undefined);
      if (newest === undefined) continue;
      found++;
      this.live[side] = { id: newest.clientOrderId, side, price: newest.price!, placedAt: newest.createdAt, cancelRequested: newest.status === 'pending-cancel' };
      for (const order of older) {
        if (order.status === 'pending-cancel') continue;
        this.cancelBudget.spend(now);
        ctx.orders.cancel(order.clientOrderId);
        canceled++;
      }
    }
    if (found === 0) return;
    ctx.log.info('took over the quotes an earlier run left resting', {
      bid: this.live.buy?.id, ask: this.live.sell?.id, canceled,
    });
  }

  onBar(bar: Bar, ctx: StrategyContext<FeeAwareScalperParams>): void {
    this.lastBar = bar;
    // History another strategy of the bot asked for on this pair and interval (the scalper asks
    // for none: it reads no indicator): the last bar is kept for the fast-market guard, and no
    // quote is placed or cancelled on an old bar.
    if (ctx.warmingUp) return;
    this.maintain(ctx, 'quote');
  }

  onQuote(quote: Quote, ctx: StrategyContext<FeeAwareScalperParams>): void {
    this.top = { bid: quote.bid, ask: quote.ask, time: quote.time, imbalance: undefined };
    this.maintain(ctx, 'quote');
  }

  onBook(book: BookView, ctx: StrategyContext<FeeAwareScalperParams>): void {
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (!bid || !ask) return;
    const depth = ctx.params.bookDepth;
    let bids = 0;
    let asks = 0;
    for (const level of book.bids(depth)) bids += level.quantity;
    for (const level of book.asks(depth)) asks += level.quantity;
    this.top = { bid: bid.price, ask: ask.price, time: book.time, imbalance: bids + asks > 0 ? (bids - asks) / (bids + asks) : 0 };
    this.maintain(ctx, 'quote');
  }

  /**
   * The venue's book of the pair was dropped (a checksum mismatch, a lost connection): the top of
   * book held is no longer known to be the venue's, so quotes priced on it are pulled now rather
   * than when it turns stale; the next verified book or quote quotes again.
   */
  onBookHealth(health: BookHealth, ctx: StrategyContext<FeeAwareScalperParams>): void {
    if (health.status !== 'resync' || health.instrumentId !== this.instrument.id || this.top === undefined) return;
    this.top = { ...this.top, time: Number.NEGATIVE_INFINITY };
    this.maintain(ctx, 'pull');
  }

  /**
   * A trade only pulls: the top of book the scalper holds predates it, and the book update showing
   * its effect follows within milliseconds. Quotes placed or repriced on the old book would be
   * cancelled as soon as that update arrives (each cancel of a young order costing Kraken's
   * counter 8 points), so posting, repricing and replacing stale quotes wait for the next quote or
   * book. What a trade can do is pull a quote it went through, or one no longer wanted at all.
   */
  onTrade(trade: Trade, ctx: StrategyContext<FeeAwareScalperParams>): void {
    this.lastTrade = trade;
    this.maintain(ctx, 'pull');
  }

  onOrderEvent(event: OrderEvent): void {
    for (const side of ['buy', 'sell'] as const) {
      const live = this.live[side];
      if (live && live.id === event.clientOrderId && isOrderTerminal(event.order.status)) this.live[side] = undefined;
    }
    const side = event.order.side;
    if (event.type === 'order-accepted') {
      this.denied[side].count = 0;
    } else if (event.type === 'order-denied') {
      // A denial (trading halted or reducing, a risk limit) holds until something changes that the
      // scalper cannot see: retrying on every update would journal a denial per update. The side
      // waits one bar interval, doubling with each denial in a row. A halt stops both sides.
      for (const denied of event.code === 'trading-halted' ? (['buy', 'sell'] as const) : [side]) {
        const state = this.denied[denied];
        state.count++;
        state.byState = event.code === 'trading-halted' || event.code === 'reducing-only';
        const wait = Math.min(this.intervalMs * 2 ** Math.min(state.count - 1, 30), Math.max(this.intervalMs, MAX_DENIAL_BACKOFF_MS));
        state.until = Math.max(state.until, event.time + wait);
      }
    }
  }

  /** The quotes the scalper wants now (for tests and tools); undefined before a bar and a top of book. */
  desiredQuotes(ctx: StrategyContext<FeeAwareScalperParams>): ScalperQuotes | undefined {
    const top = this.top;
    const bar = this.lastBar;
    if (top === undefined || bar === undefined) return undefined;
    const params = ctx.params;
    const instrument = this.instrument;
    const now = ctx.clock.now();
    // No quotes on a top of book this old: the feed may be down or the book resyncing (a checksum
    // mismatch drops it until a fresh snapshot), and resting quotes priced on it are pulled.
    const fresh = now - top.time < params.staleAfterMs;
    const tick = instrument.priceIncrement;
    const inventory = ctx.portfolio.position(instrument.id)?.quantity ?? ZERO;
    const bestBid = new Decimal(top.bid);
    const bestAsk = new Decimal(top.ask);

    // Inside the spread by `improveTicks`, but never crossing: bid and ask keep a tick between them.
    let bid = roundPrice(instrument, bestBid.plus(tick.times(params.improveTicks)), 'down');
    let ask = roundPrice(instrument, bestAsk.minus(tick.times(params.improveTicks)), 'up');
    if (bid.greaterThanOrEqualTo(ask)) {
      bid = roundPrice(instrument, bestBid, 'down');
      ask = roundPrice(instrument, bestAsk, 'up');
    }
    // Exact, so a spread of exactly two maker fees is no edge (it is not a rounding error above zero).
    const mid = bestBid.plus(bestAsk).dividedBy(2);
    const edge = ask.minus(bid).dividedBy(mid).minus(instrument.makerFee.times(2)).times(100);
    const edgePercent = edge.toNumber();

    // Skew: at full inventory both quotes move `skewTicks` lower.
    const fill = this.maxPosition.isZero() ? 0 : Math.min(1, inventory.dividedBy(this.maxPosition).toNumber());
    const skew = tick.times(Math.round(params.skewTicks * fill));
    bid = bid.minus(skew);
    ask = Decimal.max(ask.minus(skew), roundPrice(instrument, bestBid.plus(tick), 'up'));

    const fastMarket = params.maxBarRangePercent !== null && ((bar.high - bar.low) / bar.close) * 100 > params.maxBarRangePercent;
    const imbalance = top.imbalance;
    const threshold = params.imbalanceThreshold;
    // A trade printed after the top of book at or through our price: the book we see is stale.
    const trade = this.lastTrade !== undefined && this.lastTrade.time > top.time ? this.lastTrade : undefined;

    // What the trading state lets through: nothing when halted; in reducing, only the ask (selling
    // inventory shrinks exposure). Read here rather than learnt from denials, so the scalper stops at
    // once and starts again as soon as an operator resumes the bot.
    const tradingState = ctx.orders.tradingState;
    const mayBuy = tradingState === 'active';
    const maySell = tradingState !== 'halted';
    this.clearStateBackoff('buy', mayBuy);
    this.clearStateBackoff('sell', maySell);

    let bidQuote: ScalperQuotes['bid'];
    const room = this.maxPosition.minus(inventory);
    const bidQuantity = roundQuantity(instrument, Decimal.min(this.quantity, room));
    if (
      fresh && mayBuy && now >= this.denied.buy.until
      && !fastMarket && edge.greaterThan(params.minEdgePercent) && bidQuantity.greaterThanOrEqualTo(instrument.minQuantity) && bidQuantity.isPositive()
      && bidQuantity.times(bid).greaterThanOrEqualTo(instrument.minCost)
      && !(threshold !== null && imbalance !== undefined && imbalance <= -threshold)
      && !(trade !== undefined && trade.price <= bid.toNumber())
    ) {
      bidQuote = { price: bid, quantity: bidQuantity };
    }

    let askQuote: ScalperQuotes['ask'];
    const askQuantity = roundQuantity(instrument, Decimal.min(this.quantity, inventory));
    if (params.sellAboveBreakEven) {
      const entry = ctx.portfolio.position(instrument.id)?.averageEntryPrice;
      if (entry !== undefined && entry.isPositive()) {
        const fee = instrument.makerFee;
        ask = Decimal.max(ask, roundPrice(instrument, entry.times(fee.plus(1)).dividedBy(new Decimal(1).minus(fee)), 'up'));
      }
    }
    if (
      fresh && maySell && now >= this.denied.sell.until
      && !fastMarket && askQuantity.greaterThanOrEqualTo(instrument.minQuantity) && askQuantity.isPositive()
      && askQuantity.times(ask).greaterThanOrEqualTo(instrument.minCost)
      && !(threshold !== null && imbalance !== undefined && imbalance >= threshold)
      && !(trade !== undefined && trade.price >= ask.toNumber())
    ) {
      askQuote = { price: ask, quantity: askQuantity };
    }
    // Never bid at or above our own ask: reducing inventory comes first.
    if (bidQuote !== undefined && askQuote !== undefined && bidQuote.price.greaterThanOrEqualTo(askQuote.price)) bidQuote = undefined;
    return { bid: bidQuote, ask: askQuote, edgePercent };
  }

  /** A backoff the trading state caused ends when the state allows the side again. */
  private clearStateBackoff(side: 'buy' | 'sell', allowed: boolean): void {
    const state = this.denied[side];
    if (allowed && state.byState) {
      state.until = 0;
      state.count = 0;
      state.byState = false;
    }
  }

  private maintain(ctx: StrategyContext<FeeAwareScalperParams>, pass: Pass): void {
    const desired = this.desiredQuotes(ctx);
    if (desired === undefined) return;
    const now = ctx.clock.now();
    const params = ctx.params;
    const tolerance = this.instrument.priceIncrement.times(params.repriceTicks);
    // Kraken's per-pair trading counter in live mode; undefined where the venue sets no limit. Our
    // own cancels and orders reach the exchange client only after this handler returns, so what
    // they spend is taken off here as they are sent.
    const budget = ctx.orders.budget(this.instrument.id);
    let remaining = budget?.remaining ?? Number.POSITIVE_INFINITY;

    for (const side of ['buy', 'sell'] as const) {
      const live = this.live[side];
      if (live === undefined || live.cancelRequested) continue;
      const want = side === 'buy' ? desired.bid : desired.ask;
      // A kept bid at or above the ask about to be posted would meet it: the ask (selling
      // inventory) goes first, so the bid is cancelled and the ask waits until it is gone.
      const askComing = pass === 'quote' && desired.ask !== undefined && (this.live.sell === undefined || this.live.sell.cancelRequested);
      const meetsAsk = side === 'buy' && askComing && live.price.greaterThanOrEqualTo(desired.ask!.price);
      if (want === undefined || meetsAsk) {
        // Pulled whatever the budgets say: a quote no longer wanted at any price (inventory full,
        // trading halted, a guard, a trade through it) is risk, not order flow. Holding it back to
        // save the counter would leave it to fill. Every order posted kept room for this cancel.
        remaining -= budget?.cancelCost(live.id) ?? 0;
        this.cancel(ctx, live, now);
        continue;
      }
      if (pass === 'pull') continue;
      const stale = now - live.placedAt >= params.staleAfterMs;
      const moved = live.price.minus(want.price).abs().greaterThan(tolerance);
      if (!(stale || moved) || !this.cancelBudget.allows(now)) continue;
      // A reprice is a cancel and a new order: only when the venue budget pays for both and keeps
      // room to cancel the new one and whatever else rests.
      if (budget !== undefined) {
        const cancelCost = budget.cancelCost(live.id);
        if (remaining < cancelCost + this.submitNeed(budget, live.id)) continue;
        remaining -= cancelCost;
      }
      this.cancel(ctx, live, now);
    }

    if (pass === 'pull') return;
    // The ask first: with little budget left, selling inventory comes before buying more.
    for (const side of ['sell', 'buy'] as const) {
      if (this.live[side] !== undefined) continue;
      const want = side === 'buy' ? desired.bid : desired.ask;
      if (want === undefined) continue;
      // Never into our own order on the other side, even one being cancelled (it may still rest).
      const other = this.live[side === 'buy' ? 'sell' : 'buy'];
      if (other !== undefined && (side === 'buy' ? want.price.greaterThanOrEqualTo(other.price) : want.price.lessThanOrEqualTo(other.price))) continue;
      if (budget !== undefined) {
        if (remaining < this.submitNeed(budget)) continue;
        remaining -= budget.submitCost;
      }
      const id = ctx.orders.submit({
        instrumentId: this.instrument.id, side, type: 'limit', price: want.price, quantity: want.quantity, postOnly: true, timeInForce: 'gtc',
        tag: side === 'buy' ? 'scalp bid' : 'scalp ask', features: { edgePercent: desired.edgePercent },
      });
      // The engine may settle the order during submit (a denial, a post-only rejection).
      const order = ctx.portfolio.order(id);
      if (order === undefined || !isOrderTerminal(order.status)) this.live[side] = { id, side, price: want.price, placedAt: now, cancelRequested: false };
    }
  }

  /**
   * Venue budget a new quote needs: the order, its own cancel while young, and the cancels of the
   * quotes resting beside it (all but `replacing`), so every quote can always be pulled.
   */
  private submitNeed(budget: OrderEntryBudget, replacing?: ClientOrderId): number {
    // Without an id: what cancelling the new quote will cost while it is young (Kraken: 8).
    let need = budget.submitCost + budget.cancelCost();
    for (const live of [this.live.buy, this.live.sell]) {
      if (live !== undefined && !live.cancelRequested && live.id !== replacing) need += budget.cancelCost(live.id);
    }
    return need;
  }

  private cancel(ctx: StrategyContext<FeeAwareScalperParams>, live: LiveQuote, now: EpochMs): void {
    this.cancelBudget.spend(now);
    live.cancelRequested = true;
    ctx.orders.cancel(live.id);
  }
}
