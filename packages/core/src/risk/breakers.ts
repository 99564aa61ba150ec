import type { TradingState } from '../model/events.js';

/**
 * What a circuit breaker (a policy that watches losses rather than single orders) wants the
 * trading state to be. A breaker keeps saying so for as long as it is tripped; `active` releases
 * whatever the same policy asked for before. The risk engine keeps one request per policy and
 * moves the state to the most severe of them, so one breaker releasing never undoes another's halt.
 */
export interface StateRequest {
  readonly to: TradingState;
  readonly reason: string;
}

/** The states a breaker can trip to. */
export type BreakerAction = Exclude<TradingState, 'active'>;

const SEVERITY: Readonly<Record<TradingState, number>> = Object.freeze({ active: 0, reducing: 1, halted: 2 });

/** `active` < `reducing` < `halted`. */
export function stateSeverity(state: TradingState): number {
  return SEVERITY[state];
}

/** The most restrictive of the states (`active` when there are none). */
export function mostSevereState(states: Iterable<TradingState>): TradingState {
  let worst: TradingState = 'active';
  for (const state of states) if (SEVERITY[state] > SEVERITY[worst]) worst = state;
  return worst;
}

/** A frozen request, so verdicts that carry it stay frozen all the way down. */
export function requestState(to: TradingState, reason: string): StateRequest {
  return Object.freeze({ to, reason });
}

/** True for the states a breaker may trip to (`reducing`, `halted`). */
export function isBreakerAction(value: unknown): value is BreakerAction {
  return value === 'reducing' || value === 'halted';
}
