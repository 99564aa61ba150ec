import type { DenialCode, JournaledEvent, TradingState } from '../model/events.js';
import type { SubmitOrder } from '../model/order.js';
import type { RiskPolicy, RiskView } from './risk-policy.js';

export type RiskDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: DenialCode; readonly reason: string; readonly policy: string };

/** True when the order can only make the position smaller (sells up to the held quantity). */
export function reducesExposure(order: SubmitOrder, view: RiskView): boolean {
  if (order.side !== 'sell') return false;
  const position = view.portfolio.position(order.instrumentId);
  return position !== undefined && order.quantity.lessThanOrEqualTo(position.quantity);
}

/**
 * Runs every policy on every order, in order, and owns the trading state:
 * `active` lets policies decide; `reducing` lets only exposure-reducing orders through;
 * `halted` denies every new order (cancels are never checked and always pass).
 */
export class RiskEngine {
  private tradingState: TradingState = 'active';

  constructor(private readonly policies: readonly RiskPolicy[] = []) {}

  get state(): TradingState {
    return this.tradingState;
  }

  policyNames(): string[] {
    return this.policies.map((policy) => policy.name);
  }

  check(order: SubmitOrder, view: RiskView): RiskDecision {
    if (this.tradingState === 'halted') {
      return { allowed: false, code: 'trading-halted', reason: 'trading is halted: only cancels are accepted', policy: 'trading-state' };
    }
    if (this.tradingState === 'reducing' && !reducesExposure(order, view)) {
      return { allowed: false, code: 'reducing-only', reason: 'trading is reducing: only orders that shrink a position are accepted', policy: 'trading-state' };
    }
    for (const policy of this.policies) {
      const verdict = policy.check(order, view);
      if (!verdict.allowed) return { allowed: false, code: verdict.code, reason: verdict.reason, policy: policy.name };
    }
    return { allowed: true };
  }

  /** Moves the trading state; returns false when it already was `to`. */
  setState(to: TradingState): boolean {
    if (to === this.tradingState) return false;
    this.tradingState = to;
    return true;
  }

  observe(event: JournaledEvent): void {
    for (const policy of this.policies) policy.observe?.(event);
  }
}
