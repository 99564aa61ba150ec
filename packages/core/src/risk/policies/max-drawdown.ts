import { Decimal, decimalAtLeast, decimalGreaterThan, type DecimalLike } from '../../model/decimal.js';
import type { JournaledEvent } from '../../model/events.js';
import { isoTime } from '../../model/time.js';
import { invalidStateField, objectAt, optionalDecimalAt, textAt } from '../../persistence/state-json.js';
import { requestState, type StateRequest } from '../breakers.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { money } from './order-value.js';
import { positiveAmount, positiveNumber } from './policy-options.js';

export interface MaxDrawdownOptions {
  /** Largest fall of equity from its peak, in percent (10 = 10%). */
  readonly percent: number;
  /**
   * Equity peak to start from, in the quote asset (e.g. restored after a restart); default: the
   * equity at the first check.
   */
  readonly peak?: DecimalLike;
}

/**
 * Max drawdown breaker. It follows the account's equity (`view.portfolio.equity()`, positions
 * marked at the last price) at every order check and keeps its peak. When equity has fallen
 * `percent` from the peak it trips: it asks for `halted` and denies every order with
 * `max-drawdown`. It stays tripped until an operator resumes trading (sets the state to `active`),
 * which also starts a new peak from the equity at the next check.
 */
export function maxDrawdown(options: MaxDrawdownOptions): RiskPolicy {
  const limit = new Decimal(positiveNumber(options.percent, 'risk.maxDrawdownPercent', 100));
  let peak: Decimal | undefined = options.peak === undefined ? undefined : positiveAmount(options.peak, 'risk.maxDrawdownPeak');
  let tripped: StateRequest | undefined;

  return {
    name: 'max-drawdown',
    snapshot() {
      return { peak: peak?.toFixed() ?? null, tripped: tripped ? { to: tripped.to, reason: tripped.reason } : null };
    },
    restore(value: unknown, where: string) {
      const state = objectAt(value, where);
      for (const field of ['peak', 'tripped']) if (!(field in state)) throw invalidStateField(`${where}.${field}`, undefined, 'a value or null');
      const restoredPeak = optionalDecimalAt(state['peak'], `${where}.peak`);
      let restoredTrip: StateRequest | undefined;
      if (state['tripped'] !== null) {
        const trip = objectAt(state['tripped'], `${where}.tripped`);
        if (trip['to'] !== 'halted') throw invalidStateField(`${where}.tripped.to`, trip['to'], '"halted"');
        restoredTrip = requestState('halted', textAt(trip['reason'], `${where}.tripped.reason`));
      }
      peak = restoredPeak;
      tripped = restoredTrip;
    },
    check(_order, view) {
      if (!tripped) {
        const equity = view.portfolio.equity();
        if (peak === undefined || decimalGreaterThan(equity, peak)) peak = equity;
        if (peak.isPositive() && !peak.isZero()) {
          const drawdown = peak.minus(equity).dividedBy(peak).times(100);
          if (decimalAtLeast(drawdown, limit)) {
            tripped = requestState('halted', `equity ${money(equity)} is ${drawdown.toDecimalPlaces(2).toFixed()}% below its peak of ${money(peak)} (limit ${limit.toFixed()}%) at ${isoTime(view.time)}`);
          }
        }
      }
      return tripped ? deny('max-drawdown', `${tripped.reason}: trading is halted until an operator resumes it`, tripped) : ALLOW;
    },
    observe(event: JournaledEvent) {
      if (event.type === 'trading-state-changed' && event.to === 'active' && tripped) {
        tripped = undefined;
        peak = undefined;
      }
    },
  };
}
