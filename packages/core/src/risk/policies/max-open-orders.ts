import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';

/** Denies a new order when the bot already has `limit` open orders (all instruments). */
export function maxOpenOrders(limit: number): RiskPolicy {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`risk.maxOpenOrders: received ${limit}, expected an integer ≥ 1`);
  return {
    name: 'max-open-orders',
    check(_order, view) {
      const open = view.portfolio.openOrders().length;
      return open >= limit ? deny('max-open-orders', `${open} orders are open, the limit is ${limit}`) : ALLOW;
    },
  };
}
