import { Decimal, decimalAtLeast, decimalGreaterThan, type DecimalLike } from '../../model/decimal.js';
import { decimalFromNumber } from '../../model/decimal-arithmetic.js';
import type { JournaledEvent } from '../../model/events.js';
import { isoTime, type EpochMs } from '../../model/time.js';
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
 * Max drawdown breaker. It follows the account's equity (positions marked at the last price) at
 * every bar close (`observeEquity`) and every order check, and keeps its peak, so a peak reached
 * while holding, with no order sent, counts. When equity has fallen `percent` from the peak it
 * trips, at that bar or that check: it asks for `halted` and denies every order with
 * `max-drawdown`. It stays tripped until an operator resumes trading (sets the state to `active`),
 * which also starts a new peak from the equity seen next.
 */
/** Equity within this share of the limit's distance below the peak is judged exactly (Decimal), not by the number test. */
const NEAR_LIMIT = 0.9;

export function maxDrawdown(options: MaxDrawdownOptions): RiskPolicy {
  const limit = new Decimal(positiveNumber(options.percent, 'risk.maxDrawdownPercent', 100));
  let peak: Decimal | undefined = options.peak === undefined ? undefined : positiveAmount(options.peak, 'risk.maxDrawdownPeak');
  let tripped: StateRequest | undefined;
  /** `peak` as a number, for the per-bar test. */
  let peakNumber = peak === undefined ? Number.NaN : peak.toNumber();
  const limitFraction = limit.toNumber() / 100;
  /** Goes up with every new peak and every trip: what a snapshot must keep before a crash. */
  let revision = 0;

  function setPeak(value: Decimal | undefined): void {
    peak = value;
    peakNumber = value === undefined ? Number.NaN : value.toNumber();
    revision++;
  }

  /** Moves the peak up to `equity`, or trips when `equity` is `percent` or more below it. */
  function judge(equity: Decimal, time: EpochMs): void {
    if (peak === undefined || decimalGreaterThan(equity, peak)) setPeak(equity);
    const top = peak!;
    if (!top.isPositive() || top.isZero()) return;
    const drawdown = top.minus(equity).dividedBy(top).times(100);
    if (decimalAtLeast(drawdown, limit)) {
      revision++;
      tripped = requestState('halted', `equity ${money(equity)} is ${drawdown.toDecimalPlaces(2).toFixed()}% below its peak of ${money(top)} (limit ${limit.toFixed()}%) at ${isoTime(time)}`);
    }
  }

  return {
    name: 'max-drawdown',
    stateRevision() {
      return revision;
    },
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
      setPeak(restoredPeak);
      tripped = restoredTrip;
    },
    check(_order, view) {
      if (!tripped) judge(view.portfolio.equity(), view.time);
      return tripped ? deny('max-drawdown', `${tripped.reason}: trading is halted until an operator resumes it`, tripped) : ALLOW;
    },
    observeEquity(equity: number, time: EpochMs) {
      if (tripped) return undefined;
      // Numbers first: most bars neither set a peak nor come near the limit, and make no Decimal.
      if (peak !== undefined && equity <= peakNumber && peakNumber - equity < peakNumber * limitFraction * NEAR_LIMIT) return undefined;
      judge(decimalFromNumber(equity), time);
      return tripped;
    },
    observe(event: JournaledEvent) {
      if (event.type === 'trading-state-changed' && event.to === 'active' && tripped) {
        tripped = undefined;
        setPeak(undefined);
      }
    },
  };
}
