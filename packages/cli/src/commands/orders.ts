import { decimalString, isoTime, type InstrumentId } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import type { OpenOrderView } from '../operator/operator-venue.js';
import { listedInstrument } from '../operator/listed-instrument.js';
import { pairFlag } from './data-files.js';
import { withOperatorSession, type CommandOutcome, type OperatorContext } from '../operator/operator-session.js';
import { ordersTable } from '../output/operator-tables.js';

export interface OrdersFlags {
  readonly config?: string;
  readonly json?: boolean;
  /** Only this pair's orders. */
  readonly pair?: string;
}

export function openOrderJson(order: OpenOrderView): Record<string, string | null> {
  return {
    id: order.id,
    clientOrderId: order.clientOrderId ?? null,
    pair: order.instrumentId ?? null,
    venuePair: order.venuePair,
    side: order.side ?? null,
    type: order.type,
    price: order.price === undefined ? null : decimalString(order.price),
    quantity: decimalString(order.quantity),
    filled: decimalString(order.filled),
    status: order.status,
    openedAt: order.openedAt > 0 ? isoTime(order.openedAt) : null,
  };
}

/**
 * `kbot orders`: the account's open orders at the configured exchange (Kraken OpenOrders), oldest
 * first; `--pair` (BTC/USD or Kraken's XBTUSD) shows one listed pair's.
 */
export async function ordersCommand(flags: OrdersFlags, context: OperatorContext): Promise<CommandOutcome> {
  // The parser of `kbot data download`: BTC/USD, or Kraken's names (XBTUSD, XXBTZUSD).
  const pair: InstrumentId | undefined = flags.pair === undefined ? undefined : pairFlag('--pair', flags.pair);
  return withOperatorSession({ flags, context, command: 'kbot orders', account: true }, async ({ venue }) => {
    // A pair the venue does not list has no orders to show: say that it is not listed, not "no open orders".
    if (pair !== undefined) listedInstrument(await venue.instruments(), pair, '--pair', venue.exchangeId);
    const orders = (await venue.fetchOpenOrders()).filter((order) => pair === undefined || order.instrumentId === pair);
    if (flags.json) return { exitCode: EXIT.ok, output: JSON.stringify({ exchange: venue.exchangeId, endpoint: venue.endpoint, orders: orders.map(openOrderJson) }) };
    const head = `open orders at ${venue.exchangeId} (${venue.endpoint})${pair === undefined ? '' : ` on ${pair}`}`;
    return { exitCode: EXIT.ok, output: orders.length === 0 ? `${head}\nno open orders` : `${head}\n${ordersTable(orders)}` };
  });
}
