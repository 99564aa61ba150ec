import { ConfigError } from '../../errors/errors.js';
import { ZERO, decimalLessThan, type Decimal, type DecimalLike } from '../../model/decimal.js';
import type { JournaledEvent } from '../../model/events.js';
import type { Fill } from '../../model/fill.js';
import { splitInstrumentId } from '../../model/ids.js';
import { DAY_MS, isoTime } from '../../model/time.js';
import { isBreakerAction, requestState, type BreakerAction, type StateRequest } from '../breakers.js';
import { reducesExposure } from '../risk-engine.js';
import { allow, deny, type RiskPolicy } from '../risk-policy.js';
import { decimalAt, objectAt, optionalTextAt, wholeNumberAt } from '../../persistence/state-json.js';
import { LastPrices } from './last-prices.js';
import { money } from './order-value.js';
import { positiveAmount } from './policy-options.js';

export interface DailyLossOptions {
  /** The largest loss per UTC day, in the quote asset: realized plus unrealized, fees included. */
  readonly limit: DecimalLike;
  /** Where the breaker moves trading when the limit is reached; default `reducing`. */
  readonly action?: BreakerAction;
}

/** The daily-loss policy's snapshot: days as whole days since 1970 (UTC), money as decimal strings. */
interface DailyLossState {
  readonly day: number | null;
  readonly realized: string;
  readonly offset: string;
  readonly trippedDay: number | null;
  readonly tripReason: string;
  readonly quoteAsset: string;
  readonly holdings: Readonly<Record<string, { readonly quantity: string; readonly reference: string }>>;
  readonly prices: Readonly<Record<string, string>>;
}

/** What the bot holds of one instrument and the price today's P&L on it is measured from. */
interface Holding {
  quantity: Decimal;
  reference: Decimal;
}

function feeInQuote(fill: Fill): Decimal {
  const { base, quote } = splitInstrumentId(fill.instrumentId);
  if (fill.feeAsset === quote) return fill.fee;
  if (fill.feeAsset === base) return fill.fee.times(fill.price);
  // A fee in a third asset (e.g. KFEE credits) has no price here; it does not count as a loss.
  return ZERO;
}

/**
 * Daily loss breaker. Today's P&L is what the bot's trades realized since 00:00 UTC (fees
 * included) plus the change in value of what it holds: holdings carried over midnight are
 * measured from the last price seen before midnight, holdings bought today from their cost.
 * Prices come from the orders it checks (the view's last price) and from fills.
 *
 * When the loss reaches the limit the breaker trips for the rest of the UTC day: it asks for
 * `reducing` (or `halted`) and denies orders that add exposure with `daily-loss`. The first check
 * or event of the next UTC day releases it. An operator resume (state set to `active` from outside)
 * also releases it, and losses count again from that moment.
 */
export function dailyLoss(options: DailyLossOptions): RiskPolicy {
  const limit = positiveAmount(options.limit, 'risk.dailyLossQuote');
  const action = options.action ?? 'reducing';
  if (!isBreakerAction(action)) throw new ConfigError([{ path: 'risk.dailyLossAction', received: JSON.stringify(action), expected: '"reducing" or "halted"' }]);

  const prices = new LastPrices();
  const holdings = new Map<string, Holding>();
  let day: number | undefined;
  let realized = ZERO;
  /** Today's P&L when an operator resumed trading: the limit applies to losses after that. */
  let offset = ZERO;
  let trippedDay: number | undefined;
  let tripReason = '';
  let quoteAsset = '';

  function roll(time: number): void {
    const today = Math.floor(time / DAY_MS);
    // A late report stamped yesterday counts toward today: the day never moves back.
    if (day !== undefined && today <= day) return;
    if (day !== undefined) {
      for (const [id, holding] of holdings) if (!holding.quantity.isZero()) holding.reference = prices.get(id) ?? holding.reference;
      realized = ZERO;
      offset = ZERO;
    }
    day = today;
  }

  function pnl(): Decimal {
    let total = realized;
    for (const [id, holding] of holdings) {
      if (holding.quantity.isZero()) continue;
      const mark = prices.get(id) ?? holding.reference;
      total = total.plus(holding.quantity.times(mark.minus(holding.reference)));
    }
    return total.minus(offset);
  }

  function applyFill(fill: Fill): void {
    quoteAsset = splitInstrumentId(fill.instrumentId).quote;
    realized = realized.minus(feeInQuote(fill));
    const holding = holdings.get(fill.instrumentId) ?? { quantity: ZERO, reference: fill.price };
    holdings.set(fill.instrumentId, holding);
    if (fill.side === 'buy') {
      const quantity = holding.quantity.plus(fill.quantity);
      holding.reference = holding.quantity.times(holding.reference).plus(fill.quantity.times(fill.price)).dividedBy(quantity);
      holding.quantity = quantity;
    } else {
      // Selling more than the bot bought sells holdings it never priced; only its own count.
      const sold = decimalLessThan(fill.quantity, holding.quantity) ? fill.quantity : holding.quantity;
      realized = realized.plus(sold.times(fill.price.minus(holding.reference)));
      holding.quantity = holding.quantity.minus(sold);
    }
  }

  function evaluate(): void {
    if (trippedDay === day) return;
    const loss = pnl().negated();
    if (decimalLessThan(loss, limit)) return;
    trippedDay = day;
    tripReason = `loss of ${money(loss)} ${quoteAsset} since ${isoTime(day! * DAY_MS)} reached the daily limit of ${limit.toFixed()}`;
  }

  /** While tripped it keeps asking (requests are idempotent); after a trip it keeps releasing. */
  function currentRequest(): StateRequest | undefined {
    if (trippedDay === undefined) return undefined;
    if (trippedDay === day) return requestState(action, tripReason);
    return requestState('active', `a new UTC day began at ${isoTime(day! * DAY_MS)}`);
  }

  function snapshot(): DailyLossState {
    const kept: Record<string, { quantity: string; reference: string }> = {};
    for (const [id, holding] of holdings) kept[id] = { quantity: holding.quantity.toFixed(), reference: holding.reference.toFixed() };
    return {
      day: day ?? null,
      realized: realized.toFixed(),
      offset: offset.toFixed(),
      trippedDay: trippedDay ?? null,
      tripReason,
      quoteAsset,
      holdings: kept,
      prices: prices.toJSON(),
    };
  }

  function restore(value: unknown, where: string): void {
    const state = objectAt(value, where);
    const dayOf = (field: string) => (state[field] === null ? undefined : wholeNumberAt(state[field], `${where}.${field}`));
    const restoredHoldings = new Map<string, Holding>();
    for (const [id, entry] of Object.entries(objectAt(state['holdings'], `${where}.holdings`))) {
      const holding = objectAt(entry, `${where}.holdings.${id}`);
      restoredHoldings.set(id, {
        quantity: decimalAt(holding['quantity'], `${where}.holdings.${id}.quantity`),
        reference: decimalAt(holding['reference'], `${where}.holdings.${id}.reference`),
      });
    }
    const restoredDay = dayOf('day');
    const restoredTrippedDay = dayOf('trippedDay');
    const restoredRealized = decimalAt(state['realized'], `${where}.realized`);
    const restoredOffset = decimalAt(state['offset'], `${where}.offset`);
    const restoredReason = optionalTextAt(state['tripReason'], `${where}.tripReason`) ?? '';
    const restoredQuote = optionalTextAt(state['quoteAsset'], `${where}.quoteAsset`) ?? '';
    prices.restore(state['prices'], `${where}.prices`);
    // Only now that every field read: a state that fails halfway leaves the policy as it was.
    holdings.clear();
    for (const [id, holding] of restoredHoldings) holdings.set(id, holding);
    day = restoredDay;
    trippedDay = restoredTrippedDay;
    realized = restoredRealized;
    offset = restoredOffset;
    tripReason = restoredReason;
    quoteAsset = restoredQuote;
  }

  return {
    name: 'daily-loss',
    snapshot,
    restore,
    check(order, view) {
      roll(view.time);
      prices.noteView(view);
      quoteAsset ||= view.instrument.quote;
      evaluate();
      const request = currentRequest();
      if (trippedDay !== day || reducesExposure(order, view)) return allow(request);
      return deny('daily-loss', `${tripReason}: only orders that reduce a position are allowed until the next UTC day`, request);
    },
    observe(event: JournaledEvent) {
      if (event.type === 'trading-state-changed') {
        if (event.to === 'active' && trippedDay !== undefined && trippedDay === day) {
          offset = offset.plus(pnl());
          trippedDay = undefined;
        }
        return undefined;
      }
      roll(event.time);
      prices.noteEvent(event);
      if (event.type === 'order-filled') applyFill(event.fill);
      evaluate();
      return currentRequest();
    },
  };
}
