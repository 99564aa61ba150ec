import type { Decimal } from '../model/decimal.js';
import type { DenialCode, JournaledEvent, TradingState } from '../model/events.js';
import type { Instrument } from '../model/instrument.js';
import type { BookHealth } from '../model/market-data.js';
import type { SubmitOrder } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import type { PortfolioView } from '../strategy/strategy.js';
import type { StateRequest } from './breakers.js';

/** What a policy may look at when it judges an order. */
export interface RiskView {
  /** Engine clock time (data time in backtests): policies never read the wall clock. */
  readonly time: EpochMs;
  readonly tradingState: TradingState;
  readonly instrument: Instrument;
  /** Last known market price of the order's instrument, when there is one. */
  readonly lastPrice: Decimal | undefined;
  readonly portfolio: PortfolioView;
}

/**
 * A policy's judgement of one order. A breaker may also ask for a trading-state change
 * (`requestState`); the risk engine applies it whether or not the order itself is allowed.
 */
export type RiskVerdict =
  | { readonly allowed: true; readonly requestState?: StateRequest }
  | { readonly allowed: false; readonly code: DenialCode; readonly reason: string; readonly requestState?: StateRequest };

export const ALLOW: RiskVerdict = Object.freeze({ allowed: true });

export function deny(code: DenialCode, reason: string, requestState?: StateRequest): RiskVerdict {
  return Object.freeze(requestState === undefined ? { allowed: false, code, reason } : { allowed: false, code, reason, requestState });
}

/** Allows the order; with a request, also asks for a trading-state change (a breaker that trips or releases). */
export function allow(requestState?: StateRequest): RiskVerdict {
  return requestState === undefined ? ALLOW : Object.freeze({ allowed: true, requestState });
}

/**
 * One pre-trade rule. `check` is synchronous and pure with respect to the order; a policy that
 * keeps state (rates, daily loss) updates it in `observe`, which sees every journaled event.
 * A breaker returns a `StateRequest` from `check` (in its verdict) or from `observe`.
 */
export interface RiskPolicy {
  readonly name: string;
  check(order: SubmitOrder, view: RiskView): RiskVerdict;
  observe?(event: JournaledEvent): StateRequest | void;
  /**
   * The account's equity in the quote asset (cash plus positions at their last prices), as a
   * number, at every bar close: for breakers that follow equity between orders (a peak reached
   * while holding, a drawdown while no order is sent). The engine computes it only when a policy
   * has this method.
   */
  observeEquity?(equity: number, time: EpochMs): StateRequest | void;
  /**
   * A venue-kept book was dropped or verified again (paper and live sessions whose market data
   * keeps checked books, and their parity replays): for policies that keep orders off an
   * instrument without a verified book, or trip when books keep failing (`bookHealth`). `time` is
   * the engine clock's (data time in a replay), as in `check`; `health.time` is the client's wall
   * clock.
   */
  observeBookHealth?(health: BookHealth, time: EpochMs): StateRequest | void;
  /**
   * A count that goes up whenever the policy learns something between journaled events that a
   * crash must not lose (max-drawdown: a new equity peak at a bar close). Paper and live engines
   * then write a snapshot, at that bar close or at the end of the step, at most once a minute,
   * instead of waiting for the next thousand events. State learned from journaled events (`observe`) needs none: the
   * journal's replay teaches it again.
   */
  stateRevision?(): number;
  /**
   * What the policy has learned so far (today's loss, an equity peak, each strategy's holdings),
   * as plain JSON with money as decimal strings. The engine keeps it in its snapshots; after a
   * restart it hands it to `restore` and then replays the journal after the snapshot through
   * `observe`, so a restart (which writes a snapshot at once) never resets a limit. A policy
   * with nothing to keep leaves both out.
   */
  snapshot?(): unknown;
  /**
   * Takes back what `snapshot` returned in an earlier run, replacing what the policy holds; a
   * state it cannot read throws, naming `where` and the field. Limits come from the options,
   * not the state, so a config changed between runs applies its new limits to the old state.
   */
  restore?(state: unknown, where: string): void;
}
