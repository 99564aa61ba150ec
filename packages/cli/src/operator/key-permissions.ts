import { randomUUID } from 'node:crypto';
import { ExchangeError } from '@kbot/core';
import type { AddOrderParams, KrakenRestClient } from '@kbot/exchange-kraken';

export type PermissionState = 'granted' | 'denied' | 'unknown' | 'error';

/** What one probe found out about one of the key's permissions. */
export interface PermissionProbe {
  /** Kraken's name for the permission, as its key settings page shows it. */
  readonly permission: string;
  /** The call that tested it (never a funding endpoint). */
  readonly endpoint: string;
  readonly state: PermissionState;
  readonly detail: string;
}

export interface PermissionReport {
  /** False when Kraken refused the key itself (invalid key or signature, lockout): nothing else was probed. */
  readonly authenticated: boolean;
  readonly probes: readonly PermissionProbe[];
}

export type PermissionRest = Pick<KrakenRestClient, 'balance' | 'openOrders' | 'closedOrders' | 'addOrder' | 'cancelOrder' | 'getWebSocketsToken'>;

/** Kraken gives no way to read a key's withdrawal permission except calling a funding endpoint, which kbot never does. */
export const WITHDRAWAL_NOT_CHECKABLE =
  'cannot be checked without calling a funding endpoint, which kbot never does; make sure the key lacks "Withdraw Funds" (and every other Funds permission but Query)';

function isPermissionDenied(error: unknown): boolean {
  return error instanceof ExchangeError && (error.kind === 'permission' || error.venueMessage?.startsWith('EGeneral:Permission denied') === true);
}

function text(error: unknown): string {
  if (error instanceof ExchangeError && error.venueMessage !== undefined) return error.venueMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Finds out which permissions an API key has by making one harmless call per permission:
 * Balance (Query Funds), OpenOrders, ClosedOrders, AddOrder with `validate=true` (checked, never
 * placed), CancelOrder of a client order id that cannot exist, and GetWebSocketsToken. Kraken has
 * no endpoint that lists a key's permissions; `EGeneral:Permission denied` is the only signal.
 *
 * For the two trading calls any answer but "permission denied" means the key may make the call:
 * Kraken looked at the order (or the cancel) itself. The first call stops the probe when Kraken
 * refuses the key outright, because repeated failures lock the key for about 15 minutes.
 *
 * Withdrawal permission is deliberately not probed: see WITHDRAWAL_NOT_CHECKABLE.
 */
export async function probeKeyPermissions(rest: PermissionRest, sampleOrder: AddOrderParams | undefined): Promise<PermissionReport> {
  const probes: PermissionProbe[] = [];
  const query = async (permission: string, endpoint: string, call: () => Promise<unknown>): Promise<unknown> => {
    try {
      await call();
      probes.push({ permission, endpoint, state: 'granted', detail: `${endpoint} answered` });
      return undefined;
    } catch (error) {
      probes.push({ permission, endpoint, state: isPermissionDenied(error) ? 'denied' : 'error', detail: text(error) });
      return error;
    }
  };
  const trading = async (permission: string, endpoint: string, call: () => Promise<unknown>, what: string): Promise<void> => {
    try {
      await call();
      probes.push({ permission, endpoint, state: 'granted', detail: `${what}: accepted` });
    } catch (error) {
      if (isPermissionDenied(error)) probes.push({ permission, endpoint, state: 'denied', detail: text(error) });
      else if (error instanceof ExchangeError && error.venueMessage !== undefined && error.kind !== 'authentication') {
        probes.push({ permission, endpoint, state: 'granted', detail: `${what}: Kraken answered ${error.venueMessage}, so the key may make the call` });
      } else probes.push({ permission, endpoint, state: 'error', detail: text(error) });
    }
  };

  const first = await query('Query Funds', 'Balance', () => rest.balance());
  if (first instanceof ExchangeError && (first.kind === 'authentication' || first.kind === 'invalid-nonce')) return { authenticated: false, probes };
  await query('Query Open Orders & Trades', 'OpenOrders', () => rest.openOrders());
  await query('Query Closed Orders & Trades', 'ClosedOrders', () => rest.closedOrders());
  if (sampleOrder === undefined) {
    probes.push({ permission: 'Create & Modify Orders', endpoint: 'AddOrder (validate)', state: 'unknown', detail: 'no pair with a price to build a validate-only order' });
  } else {
    const order = { ...sampleOrder, validate: true as const };
    await trading('Create & Modify Orders', 'AddOrder (validate)', () => rest.addOrder(order), `validate-only ${order.type} ${order.volume} ${order.pair} @ ${order.price ?? 'market'}`);
  }
  await trading('Cancel/Close Orders', 'CancelOrder', () => rest.cancelOrder({ cl_ord_id: randomUUID() }), 'cancel of an order id that does not exist');
  await query('Access WebSockets API', 'GetWebSocketsToken', () => rest.getWebSocketsToken());
  return { authenticated: true, probes };
}
