import type { ClientOrderId, OrderIntent } from '@kbot/core';
import type { ExitReason } from './exit-rule.js';

/**
 * What the exits ask the strategy to do. Hand them to `exits.apply(actions, ctx.orders)` in the
 * same handler: the exits count on these orders (they learn their ids there) and on the events
 * that follow.
 */
export type ExitAction =
  /** Send an order: a market sell, or the resting `stop-loss` order. Quantities are Decimal. */
  | { readonly kind: 'submit'; readonly reason: ExitReason; readonly intent: OrderIntent }
  /** Cancel the resting stop (to move it, or to free the coins it holds for another exit). */
  | { readonly kind: 'cancel'; readonly reason: ExitReason; readonly clientOrderId: ClientOrderId };
