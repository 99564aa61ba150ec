import { KrakenExecutionClient } from '@kbot/exchange-kraken';

/** What orderChannelText says while the private WebSocket is open. */
export const ORDERS_OVER_WEBSOCKET = 'Kraken private WebSocket';

/**
 * How a live bot's orders reach Kraken, for `kbot status` and `kbot run`: its private WebSocket,
 * or REST while that socket is down (fills are then found by polling, so they come later).
 * Undefined for an execution client that is not Kraken's (the paper venue, tests).
 */
export function orderChannelText(execution: unknown): string | undefined {
  if (!(execution instanceof KrakenExecutionClient)) return undefined;
  const state = execution.connectionState;
  return state === 'open' ? ORDERS_OVER_WEBSOCKET : `REST: the private WebSocket is ${state}, fills are found by polling`;
}
