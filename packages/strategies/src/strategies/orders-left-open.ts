import type { InstrumentId, Order, OrderSide, PortfolioView } from '@kbot/core';

/**
 * The strategy's own orders on `pair` still open at start, newest first: after a restart, what the
 * earlier run sent and the venue has not finished (recovery hands them over as open orders; their
 * fills and cancels reach `onOrderEvent` like any other). A strategy that sends one order at a time
 * treats them as in flight instead of sending another beside them.
 */
export function ordersLeftOpen(
  ctx: { readonly strategyId: string; readonly portfolio: Pick<PortfolioView, 'openOrders'> }, pair: InstrumentId | string, side?: OrderSide,
): Order[] {
  return ctx.portfolio
    .openOrders(pair)
    .filter((order) => order.strategyId === ctx.strategyId && (side === undefined || order.side === side))
    .sort((a, b) => b.createdAt - a.createdAt);
}
