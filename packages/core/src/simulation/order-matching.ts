import type { Decimal } from '../model/decimal.js';
import { decimalFromNumber } from '../model/decimal-arithmetic.js';
import type { Liquidity } from '../model/fill.js';
import type { OrderSide, OrderType, TimeInForce } from '../model/order.js';
import type { PricePath } from './market-slice.js';

/**
 * When a resting limit order fills. `through` (the default) needs the market to trade beyond the
 * limit: a bar whose low only equals a buy limit may have traded there without reaching this
 * order in the queue, so touching is not proof of a fill. `touch` is the optimistic alternative.
 */
export type LimitFillRule = 'through' | 'touch';

/**
 * What the rules need to know about one open order. The limit and trigger come twice: as Decimal
 * (the fill price when the order trades at it) and as a number for comparing with market data,
 * which is numbers. For prices of up to 15 significant digits, comparing the nearest doubles gives
 * the same answer as comparing the decimals, and this runs for every open order on every bar.
 */
export interface MatchableOrder {
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Limit price (limit orders). */
  readonly price: Decimal | undefined;
  readonly priceValue: number;
  /** Trigger price (stop-loss, take-profit). */
  readonly triggerPrice: Decimal | undefined;
  readonly triggerValue: number;
  readonly postOnly: boolean;
  readonly timeInForce: TimeInForce;
  /** A limit order that is on the book as a maker (it did not cross when it arrived). */
  readonly resting: boolean;
  /** A trigger order whose trigger has traded: it is a market order now. */
  readonly triggered: boolean;
}

export type MatchOutcome =
  /** Nothing trades; `resting` / `triggered` are the order's flags after the slice. */
  | { readonly kind: 'none'; readonly resting: boolean; readonly triggered: boolean }
  /**
   * The order trades at `price` (before slippage, which only taker fills get). `limitPrice` caps a
   * taker fill of a limit order after slippage.
   */
  | {
      readonly kind: 'fill';
      readonly price: Decimal;
      readonly liquidity: Liquidity;
      readonly limitPrice: Decimal | undefined;
      readonly resting: boolean;
      readonly triggered: boolean;
    }
  /** A post-only order would take liquidity on arrival: the venue cancels it instead. */
  | { readonly kind: 'post-only-would-take' };

function fill(price: Decimal, liquidity: Liquidity, limitPrice: Decimal | undefined, resting: boolean, triggered: boolean): MatchOutcome {
  return { kind: 'fill', price, liquidity, limitPrice, resting, triggered };
}

/**
 * Decides whether and at what price one order trades against one slice of market data (one side's
 * price path: open first, then anything between low and high). The cases:
 *
 * - market, and triggered trigger orders: taker at the open, the first price after the order.
 * - stop-loss sell / take-profit buy fire when the price falls to the trigger (low ≤ trigger);
 *   stop-loss buy / take-profit sell fire when it rises to it (high ≥ trigger). Triggers fire on
 *   touch, as Kraken's do on the last trade price. The fill is a taker (the order becomes a market
 *   order) at the trigger, or at the open when the slice opens beyond the trigger (a gap): a gap
 *   down fills a stop-loss sell at the worse open and a take-profit buy at the better open; a gap
 *   up fills a stop-loss buy at the worse open and a take-profit sell at the better open.
 * - limit, not resting (it crossed the last known price on arrival, or no price was known): if the
 *   open is at or better than the limit it takes liquidity at the open (taker, capped at the limit);
 *   a post-only order in that position is cancelled instead. Otherwise it joins the book (resting).
 *   Immediate-or-cancel orders never rest: they trade at the open or not at all.
 * - limit, resting: maker at its own limit price once the path trades through the limit
 *   (or touches it, with `touch`). A slice that opens beyond the limit (a gap) also fills at the
 *   limit, not the better open: on a continuous book the resting order is hit at its own price by
 *   the first order that reaches it, and Kraken has no opening auction to give price improvement.
 */
export function matchOrder(order: MatchableOrder, path: PricePath, limitFillOn: LimitFillRule): MatchOutcome {
  const buy = order.side === 'buy';
  const open = path.open;

  if (order.type === 'market' || order.triggered) return fill(decimalFromNumber(open), 'taker', undefined, false, order.triggered);

  if (order.type === 'stop-loss' || order.type === 'take-profit') {
    const trigger = order.triggerValue;
    const fallsToTrigger = (order.type === 'stop-loss') !== buy;
    if (fallsToTrigger ? open <= trigger : open >= trigger) return fill(decimalFromNumber(open), 'taker', undefined, false, true);
    if (fallsToTrigger ? path.low <= trigger : path.high >= trigger) return fill(order.triggerPrice!, 'taker', undefined, false, true);
    return NOTHING;
  }

  const limit = order.priceValue;
  if (!order.resting) {
    if (buy ? open <= limit : open >= limit) {
      if (order.postOnly) return POST_ONLY_WOULD_TAKE;
      return fill(decimalFromNumber(open), 'taker', order.price, false, false);
    }
    if (order.timeInForce === 'ioc') return NOTHING;
  }
  const through = limitFillOn === 'through';
  const fills = buy ? (through ? path.low < limit : path.low <= limit) : through ? path.high > limit : path.high >= limit;
  return fills ? fill(order.price!, 'maker', undefined, true, false) : RESTING;
}

const NOTHING: MatchOutcome = Object.freeze({ kind: 'none', resting: false, triggered: false });
const RESTING: MatchOutcome = Object.freeze({ kind: 'none', resting: true, triggered: false });
const POST_ONLY_WOULD_TAKE: MatchOutcome = Object.freeze({ kind: 'post-only-would-take' });
