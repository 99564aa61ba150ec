import type { Decimal } from '../model/decimal.js';
import type { DenialCode, JournaledEvent, TradingState } from '../model/events.js';
import type { Instrument } from '../model/instrument.js';
import type { SubmitOrder } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import type { PortfolioView } from '../strategy/strategy.js';

/** What a policy may look at when it judges an order. */
export interface RiskView {
  readonly time: EpochMs;
  readonly tradingState: TradingState;
  readonly instrument: Instrument;
  /** Last known market price of the order's instrument, when there is one. */
  readonly lastPrice: Decimal | undefined;
  readonly portfolio: PortfolioView;
}

export type RiskVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: DenialCode; readonly reason: string };

export const ALLOW: RiskVerdict = Object.freeze({ allowed: true });

export function deny(code: DenialCode, reason: string): RiskVerdict {
  return Object.freeze({ allowed: false, code, reason });
}

/**
 * One pre-trade rule. `check` is synchronous and pure with respect to the order; a policy that
 * keeps state (rates, daily loss) updates it in `observe`, which sees every journaled event.
 */
export interface RiskPolicy {
  readonly name: string;
  check(order: SubmitOrder, view: RiskView): RiskVerdict;
  observe?(event: JournaledEvent): void;
}
