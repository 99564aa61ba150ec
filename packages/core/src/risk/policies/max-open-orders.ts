import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { integerAtLeast } from './policy-options.js';

/** Denies a new order when the bot already has `limit` open orders (all instruments). Code `max-open-orders`. */
export function maxOpenOrders(limit: number): RiskPolicy {
  integerAtLeast(limit, 'risk.maxOpenOrders', 1);
  return {
    name: 'max-open-orders',
    check(_order, view) {
      const open = view.portfolio.openOrders().length;
      return open >= limit ? deny('max-open-orders', `${open} orders are open, the limit is ${limit}`) : ALLOW;
    },
  };
}
