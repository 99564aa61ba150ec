import { InvariantError } from '../errors/errors.js';
import type { OrderStatus } from './order.js';

/** What can happen to an order. Fills name the state they leave the order in. */
export type OrderTransitionEvent =
  | 'denied'
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'partially-filled'
  | 'filled'
  | 'cancel-requested'
  | 'cancel-rejected'
  | 'canceled'
  | 'expired';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'initialized', 'denied', 'submitted', 'accepted', 'rejected', 'partially-filled', 'filled', 'pending-cancel', 'canceled', 'expired',
];

export const ORDER_TRANSITION_EVENTS: readonly OrderTransitionEvent[] = [
  'denied', 'submitted', 'accepted', 'rejected', 'partially-filled', 'filled', 'cancel-requested', 'cancel-rejected', 'canceled', 'expired',
];

/** `previous` means: back to the status the order had before the cancel was requested. */
type Target = OrderStatus | 'previous';

/**
 * The order lifecycle as data. A pair missing from the table is an invalid transition.
 *
 * Venues race: a fill can arrive before the acknowledgement (submitted → filled), while a cancel
 * is in flight (pending-cancel stays pending-cancel until the cancel or the last fill lands; so
 * does the order's own acceptance, and its rejection ends it), or
 * after the cancel was confirmed. Late fills are real trades and must be counted, so a canceled or
 * expired order takes them: a partial one keeps the terminal status, a completing one makes the
 * order filled.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderTransitionEvent, Target>>>>> = {
  initialized: { denied: 'denied', submitted: 'submitted' },
  denied: {},
  submitted: {
    accepted: 'accepted', rejected: 'rejected', 'partially-filled': 'partially-filled', filled: 'filled',
    'cancel-requested': 'pending-cancel', canceled: 'canceled', expired: 'expired',
  },
  accepted: {
    'partially-filled': 'partially-filled', filled: 'filled', 'cancel-requested': 'pending-cancel', canceled: 'canceled', expired: 'expired',
  },
  rejected: {},
  'partially-filled': {
    'partially-filled': 'partially-filled', filled: 'filled', 'cancel-requested': 'pending-cancel', canceled: 'canceled', expired: 'expired',
  },
  filled: {},
  'pending-cancel': {
    'partially-filled': 'pending-cancel', filled: 'filled', 'cancel-rejected': 'previous', canceled: 'canceled', expired: 'expired',
    // A second cancel request while one is in flight changes nothing.
    'cancel-requested': 'pending-cancel',
    // The venue's answer to the order itself can come after the cancel request (a strategy that
    // cancels in the handler that submitted): a refused order ends refused, whatever the cancel
    // then says; an accepted one waits for the cancel's answer (a refused cancel leaves it accepted).
    rejected: 'rejected',
    accepted: 'pending-cancel',
  },
  canceled: { 'partially-filled': 'canceled', filled: 'filled' },
  expired: { 'partially-filled': 'expired', filled: 'filled' },
};

export function canTransition(from: OrderStatus, event: OrderTransitionEvent): boolean {
  return ORDER_TRANSITIONS[from][event] !== undefined;
}

/**
 * The status after `event`. `beforeCancel` is the status the order had when its cancel was
 * requested (needed only for `cancel-rejected`). Throws InvariantError on an invalid pair.
 */
export function nextOrderStatus(from: OrderStatus, event: OrderTransitionEvent, beforeCancel?: OrderStatus): OrderStatus {
  const target = ORDER_TRANSITIONS[from][event];
  if (target === undefined) throw new InvariantError(`order transition ${from} --${event}--> is not allowed`);
  if (target !== 'previous') return target;
  if (beforeCancel === undefined || beforeCancel === 'pending-cancel') {
    throw new InvariantError(`order transition ${from} --${event}--> needs the status before the cancel request`);
  }
  return beforeCancel;
}
