import { decimalAtMost } from '../model/decimal.js';
import type { DenialCode, JournaledEvent, TradingState } from '../model/events.js';
import type { SubmitOrder } from '../model/order.js';
import type { BookHealth } from '../model/market-data.js';
import type { EpochMs } from '../model/time.js';
import { mostSevereState, requestState, type StateRequest } from './breakers.js';
import type { RiskPolicy, RiskVerdict, RiskView } from './risk-policy.js';

/** One policy's state in an engine snapshot (`RiskPolicy.snapshot`). */
export interface RiskPolicyState {
  readonly name: string;
  /** Its place among the chain's policies of the same name: 0 for the first. */
  readonly occurrence: number;
  readonly state: unknown;
}

/** The risk engine's state in an engine snapshot: who asked for the trading state, and every policy's state. */
export interface RiskEngineState {
  /** The state last set from outside (an operator, `kbot panic`); breakers never go below it. */
  readonly operatorState: TradingState;
  /** The reason journaled with it. */
  readonly operatorReason?: string;
  /** Breakers asking for a state other than `active`. */
  readonly requests: readonly { readonly policy: string; readonly to: TradingState; readonly reason: string }[];
  readonly policies: readonly RiskPolicyState[];
}

export type RiskDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: DenialCode; readonly reason: string; readonly policy: string };

/** Called when a breaker wants the trading state moved; the engine journals the change and calls `setState`. */
export type StateRequestListener = (to: TradingState, reason: string) => void;

const ALLOWED: RiskDecision = Object.freeze({ allowed: true });
const HALTED = Object.freeze({ allowed: false, code: 'trading-halted', reason: 'trading is halted: only cancels are accepted', policy: 'trading-state' }) satisfies RiskDecision;
const REDUCING = Object.freeze({ allowed: false, code: 'reducing-only', reason: 'trading is reducing: only orders that shrink a position are accepted', policy: 'trading-state' }) satisfies RiskDecision;

/** True when the order can only make the position smaller (sells up to the held quantity). */
export function reducesExposure(order: SubmitOrder, view: RiskView): boolean {
  if (order.side !== 'sell') return false;
  const position = view.portfolio.position(order.instrumentId);
  return position !== undefined && decimalAtMost(order.quantity, position.quantity);
}

function decision(verdict: RiskVerdict & { allowed: false }, policy: string): RiskDecision {
  return Object.freeze({ allowed: false, code: verdict.code, reason: verdict.reason, policy });
}

/**
 * Runs every policy on every order and owns the trading state:
 * `active` lets policies decide; `reducing` lets only exposure-reducing orders through;
 * `halted` denies every new order (cancels are never checked and always pass).
 *
 * Every policy runs on every order, even after a denial and even when trading is halted, so
 * breakers see each check (a new UTC day releases the daily-loss breaker on the next order of
 * any kind). The first policy denial wins, except that the state gate comes first; when a breaker
 * trips on this very order, the order carries the breaker's code rather than the gate's.
 *
 * State changes are journaled by the engine: a breaker's request goes to the listener
 * (`onStateRequest`), which is the engine's `setTradingState`, and comes back through `setState`.
 * Until it does, the gate already uses the requested state, so the order after a trip is gated.
 */
export class RiskEngine {
  private tradingState: TradingState = 'active';
  /** What we asked the engine for and it has not applied yet, oldest first. */
  private readonly pending: TradingState[] = [];
  /** The state set from outside (an operator, `kbot panic`); breakers never go below it. */
  private operatorState: TradingState = 'active';
  /** Why the outside state was set (the reason journaled with it). */
  private operatorReason = '';
  private readonly requests = new Map<string, StateRequest>();
  private listener: StateRequestListener | undefined;

  /** Some policy follows equity between orders (`RiskPolicy.observeEquity`): the engine feeds it at bar closes. */
  readonly followsEquity: boolean;
  /** Some policy counts what it learns between journaled events (`RiskPolicy.stateRevision`). */
  readonly countsRevisions: boolean;

  constructor(private readonly policies: readonly RiskPolicy[] = [], options: { onStateRequest?: StateRequestListener } = {}) {
    this.listener = options.onStateRequest;
    this.followsEquity = policies.some((policy) => policy.observeEquity !== undefined);
    this.countsRevisions = policies.some((policy) => policy.stateRevision !== undefined);
  }

  /** The sum of the policies' `stateRevision`s: it changes whenever one of them does (they only go up). */
  stateRevision(): number {
    let sum = 0;
    for (const policy of this.policies) sum += policy.stateRevision?.() ?? 0;
    return sum;
  }

  /** The applied trading state (what the journal says). */
  get state(): TradingState {
    return this.tradingState;
  }

  /**
   * The state orders are gated by: the most severe of the outside state and every breaker's
   * request. It runs ahead of `state` while a request waits for the engine to apply it.
   */
  get effectiveState(): TradingState {
    if (this.requests.size === 0) return this.operatorState;
    return mostSevereState([this.operatorState, ...[...this.requests.values()].map((entry) => entry.to)]);
  }

  policyNames(): string[] {
    return this.policies.map((policy) => policy.name);
  }

  /** Breakers currently asking for a state other than `active`, by policy name. */
  stateRequests(): ReadonlyMap<string, StateRequest> {
    return this.requests;
  }

  /**
   * Who holds trading where it is, for operators (`kbot status`): the outside state when it is not
   * `active` (source `operator`), then each breaker asking for a state other than `active`.
   */
  stateHolders(): { readonly source: string; readonly state: TradingState; readonly reason: string }[] {
    const holders: { source: string; state: TradingState; reason: string }[] = [];
    if (this.operatorState !== 'active') holders.push({ source: 'operator', state: this.operatorState, reason: this.operatorReason });
    for (const [policy, request] of this.requests) holders.push({ source: policy, state: request.to, reason: request.reason });
    return holders;
  }

  /** Where breaker requests go; without a listener they are applied at once (and not journaled). */
  onStateRequest(listener: StateRequestListener | undefined): void {
    this.listener = listener;
  }

  check(order: SubmitOrder, view: RiskView): RiskDecision {
    let firstDenial: RiskDecision | undefined;
    let trippedBy: RiskDecision | undefined;
    for (const policy of this.policies) {
      const verdict = policy.check(order, view);
      const changed = verdict.requestState !== undefined && this.request(policy.name, verdict.requestState);
      if (!verdict.allowed) {
        firstDenial ??= decision(verdict, policy.name);
        if (changed) trippedBy ??= decision(verdict, policy.name);
      }
    }
    const state = this.effectiveState;
    if (state === 'halted') return trippedBy ?? HALTED;
    if (state === 'reducing' && !reducesExposure(order, view)) return trippedBy ?? REDUCING;
    return firstDenial ?? ALLOWED;
  }

  /**
   * Moves the trading state; returns false when nothing changes. A move the risk engine asked for
   * is applied unless it went stale meanwhile (a later request or an outside move superseded it).
   * Any other move comes from outside (an operator, `kbot panic`): it becomes the floor breakers
   * build on and clears every breaker's request; a breaker still tripped asks again on its next
   * check, so a resume to `active` cannot silently undo a loss limit.
   */
  setState(to: TradingState, reason = ''): boolean {
    if (this.pending.length > 0 && this.pending[0] === to) {
      this.pending.shift();
      if (to !== this.effectiveState) return false;
    } else {
      this.operatorState = to;
      this.operatorReason = reason;
      this.requests.clear();
    }
    if (to === this.tradingState) return false;
    this.tradingState = to;
    return true;
  }

  /**
   * What the engine's snapshot keeps: the outside state and the breakers' requests (so a breaker
   * tripped before a restart still releases itself after it, instead of its state becoming an
   * operator's floor), and each policy's `snapshot()`. Policies are told apart by name and, among
   * policies of one name, by their place in the chain (`occurrence`, 0 for the first).
   */
  snapshot(): RiskEngineState {
    const policies: RiskPolicyState[] = [];
    this.eachOccurrence((policy, occurrence) => {
      if (policy.snapshot !== undefined) policies.push({ name: policy.name, occurrence, state: policy.snapshot() });
    });
    const requests = [...this.requests].map(([policy, request]) => ({ policy, to: request.to, reason: request.reason }));
    return { operatorState: this.operatorState, operatorReason: this.operatorReason, requests, policies };
  }

  /**
   * Takes back an earlier run's `snapshot()`; `where` names the snapshot in errors. Returns the
   * names of the policies restored. A policy with no state there (added since) starts afresh; a
   * state with no policy (removed since) is ignored, and so is a request of a policy removed.
   */
  restore(state: RiskEngineState, where: string): string[] {
    const restored: string[] = [];
    this.eachOccurrence((policy, occurrence) => {
      if (policy.restore === undefined) return;
      const index = state.policies.findIndex((entry) => entry.name === policy.name && entry.occurrence === occurrence);
      if (index < 0) return;
      policy.restore(state.policies[index]!.state, `${where}.risk.policies[${index}].state (policy ${policy.name})`);
      restored.push(policy.name);
    });
    const names = new Set(this.policyNames());
    this.operatorState = state.operatorState;
    this.operatorReason = state.operatorReason ?? '';
    this.requests.clear();
    for (const request of state.requests) if (names.has(request.policy)) this.requests.set(request.policy, requestState(request.to, request.reason));
    this.pending.length = 0;
    this.tradingState = this.effectiveState;
    return restored;
  }

  private eachOccurrence(visit: (policy: RiskPolicy, occurrence: number) => void): void {
    const seen = new Map<string, number>();
    for (const policy of this.policies) {
      const occurrence = seen.get(policy.name) ?? 0;
      seen.set(policy.name, occurrence + 1);
      visit(policy, occurrence);
    }
  }

  /** Equity at a bar close, for the policies that follow it; a breaker may trip on it. */
  observeEquity(equity: number, time: EpochMs): void {
    for (const policy of this.policies) {
      const request = policy.observeEquity?.(equity, time);
      if (request) this.request(policy.name, request);
    }
  }

  /** A venue's report on one of its books, for the policies that follow book health. */
  observeBookHealth(health: BookHealth, time: EpochMs): void {
    for (const policy of this.policies) {
      const request = policy.observeBookHealth?.(health, time);
      if (request) this.request(policy.name, request);
    }
  }

  observe(event: JournaledEvent): void {
    for (const policy of this.policies) {
      const request = policy.observe?.(event);
      if (request) this.request(policy.name, request);
    }
  }

  /** Records a breaker's request; returns true when it changes the effective state. */
  private request(policy: string, request: StateRequest): boolean {
    const before = this.effectiveState;
    if (request.to === 'active') this.requests.delete(policy);
    else this.requests.set(policy, request);
    const target = this.effectiveState;
    if (target === before) return false;
    if (this.listener) {
      this.pending.push(target);
      this.listener(target, `${policy}: ${request.reason}`);
    } else {
      this.tradingState = target;
    }
    return true;
  }
}
