import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { ORDER_STATUSES, ORDER_TRANSITION_EVENTS, canTransition, nextOrderStatus, type OrderTransitionEvent } from './order-fsm.js';
import type { OrderStatus } from './order.js';

// The expected lifecycle, written out independently of the table in order-fsm.ts: every pair
// not listed here must be refused.
const EXPECTED: Record<string, OrderStatus | 'previous'> = {
  'initialized|denied': 'denied',
  'initialized|submitted': 'submitted',
  'submitted|accepted': 'accepted',
  'submitted|rejected': 'rejected',
  'submitted|partially-filled': 'partially-filled',
  'submitted|filled': 'filled',
  'submitted|cancel-requested': 'pending-cancel',
  'submitted|canceled': 'canceled',
  'submitted|expired': 'expired',
  'accepted|partially-filled': 'partially-filled',
  'accepted|filled': 'filled',
  'accepted|cancel-requested': 'pending-cancel',
  'accepted|canceled': 'canceled',
  'accepted|expired': 'expired',
  'partially-filled|partially-filled': 'partially-filled',
  'partially-filled|filled': 'filled',
  'partially-filled|cancel-requested': 'pending-cancel',
  'partially-filled|canceled': 'canceled',
  'partially-filled|expired': 'expired',
  'pending-cancel|partially-filled': 'pending-cancel',
  'pending-cancel|filled': 'filled',
  'pending-cancel|cancel-rejected': 'previous',
  'pending-cancel|canceled': 'canceled',
  'pending-cancel|expired': 'expired',
  'pending-cancel|cancel-requested': 'pending-cancel',
  'pending-cancel|rejected': 'rejected',
  'pending-cancel|accepted': 'pending-cancel',
  // late fills after a cancel or expiry are real trades: they are accepted
  'canceled|partially-filled': 'canceled',
  'canceled|filled': 'filled',
  'expired|partially-filled': 'expired',
  'expired|filled': 'filled',
};

describe('order lifecycle transition table', () => {
  const pairs = ORDER_STATUSES.flatMap((status) => ORDER_TRANSITION_EVENTS.map((event) => [status, event] as const));

  it('covers all 10 statuses and 10 events (100 pairs)', () => {
    expect(ORDER_STATUSES).toHaveLength(10);
    expect(pairs).toHaveLength(100);
  });

  it.each(pairs)('%s --%s--> follows the lifecycle', (status, event) => {
    const expected = EXPECTED[`${status}|${event}`];
    expect(canTransition(status, event)).toBe(expected !== undefined);
    if (expected === undefined) {
      expect(() => nextOrderStatus(status, event, 'accepted')).toThrow(InvariantError);
    } else if (expected === 'previous') {
      expect(nextOrderStatus(status, event, 'accepted')).toBe('accepted');
      expect(nextOrderStatus(status, event, 'partially-filled')).toBe('partially-filled');
    } else {
      expect(nextOrderStatus(status, event, 'accepted')).toBe(expected);
    }
  });

  it('a rejected cancel needs to know the status before the request', () => {
    expect(() => nextOrderStatus('pending-cancel', 'cancel-rejected' as OrderTransitionEvent)).toThrow(/status before the cancel/);
  });

  it('terminal statuses other than canceled and expired accept nothing', () => {
    for (const status of ['denied', 'rejected', 'filled'] as const) {
      for (const event of ORDER_TRANSITION_EVENTS) expect(canTransition(status, event)).toBe(false);
    }
  });
});
