import { BaseStrategy, instrumentId, type Bar, type InstrumentId, type StrategyContext, type Subscription } from '@kbot/core';

export interface RestingLadderParams {
  readonly pair: string;
  /** Buy orders kept resting below the market. */
  readonly levels: number;
  /** Distance of each level from the last close, as a fraction of the price (0.0006 = 0.06%). */
  readonly step: number;
  /** Base quantity of each buy. */
  readonly quantity: string;
  /** A resting order further than this fraction from the close is canceled (it is placed again nearer). */
  readonly cancelBeyond: number;
}

/**
 * A test strategy for the kill -9 recovery proof: it keeps a ladder of resting limit buys under
 * the market and offers what it holds just above it, so at any moment it has open orders, some
 * of them partly filled, fills arriving and cancels in flight. It keeps no state of its own: every
 * decision is read off the portfolio and the open orders, so a restarted bot carries on with the
 * orders and position recovery gives it.
 */
export class RestingLadder extends BaseStrategy<RestingLadderParams> {
  subscriptions(params: RestingLadderParams): Subscription[] {
    return [{ instrumentId: instrumentId(params.pair), kind: 'bars', interval: 60_000 }];
  }

  onBar(bar: Bar, ctx: StrategyContext<RestingLadderParams>): void {
    const { params } = ctx;
    const pair: InstrumentId = instrumentId(params.pair);
    const close = bar.close;
    const open = ctx.portfolio.openOrders(pair);
    for (const order of open) {
      if (order.status === 'pending-cancel' || order.status === 'submitted' || order.price === undefined) continue;
      if (Math.abs(order.price.toNumber() - close) / close > params.cancelBeyond) ctx.orders.cancel(order.clientOrderId);
    }
    const resting = open.filter((order) => order.status !== 'pending-cancel');
    const buys = resting.filter((order) => order.side === 'buy').length;
    const quantity = Number(params.quantity);
    if (buys < params.levels) {
      const price = close * (1 - params.step * (buys + 1));
      if (ctx.portfolio.balance('USD').available.toNumber() > price * quantity * 1.01) {
        ctx.orders.submit({ instrumentId: pair, side: 'buy', type: 'limit', price: price.toFixed(1), quantity: params.quantity, tag: 'ladder' });
      }
    }
    const base = ctx.portfolio.balance('BTC').available.toNumber();
    if (base >= 0.001 && resting.filter((order) => order.side === 'sell').length < 2) {
      const size = Math.min(base, quantity * 2);
      ctx.orders.submit({ instrumentId: pair, side: 'sell', type: 'limit', price: (close * (1 + params.step)).toFixed(1), quantity: size.toFixed(8), tag: 'offer' });
    }
  }
}
