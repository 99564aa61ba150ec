import { checkOrderRules, decimalString, roundQuantity, type Decimal, type Instrument } from '@kbot/core';

export type SaleRefusal = 'nothing-to-sell' | 'below-lot' | 'below-minimum-quantity' | 'below-minimum-cost' | 'market-closed' | 'no-price';

export type SalePlan =
  | { readonly ok: true; readonly instrument: Instrument; readonly quantity: Decimal; readonly referencePrice: Decimal; readonly rounded: boolean }
  | { readonly ok: false; readonly instrument: Instrument; readonly code: SaleRefusal; readonly reason: string };

/**
 * A market sale of `requested` base units on `instrument`, rounded down to the lot size and checked
 * against the pair's minimums at `bid` (what a market sell roughly gets), before anything is sent:
 * the venue would refuse the same order, with a less helpful message. Pure.
 */
export function planMarketSale(instrument: Instrument, requested: Decimal, bid: Decimal | undefined): SalePlan {
  const { id, base, quote } = instrument;
  const refuse = (code: SaleRefusal, reason: string): SalePlan => ({ ok: false, instrument, code, reason });
  if (!requested.isFinite() || requested.lessThanOrEqualTo(0)) return refuse('nothing-to-sell', `there is no ${base} to sell`);
  if (instrument.status !== 'online' && instrument.status !== 'reduce-only') {
    return refuse('market-closed', `${id} is in ${instrument.status} mode at the venue: it takes no market orders now`);
  }
  if (bid === undefined || !bid.isFinite() || bid.lessThanOrEqualTo(0)) return refuse('no-price', `${id} has no bid price now, so a market sale cannot be sized or checked`);
  const quantity = roundQuantity(instrument, requested);
  if (quantity.lessThanOrEqualTo(0)) {
    return refuse('below-lot', `${decimalString(requested)} ${base} rounds down to 0 at the lot size of ${id} (${decimalString(instrument.quantityIncrement)} ${base})`);
  }
  const violation = checkOrderRules(instrument, { quantity, referencePrice: bid });
  if (violation?.code === 'below-minimum-quantity') {
    return refuse('below-minimum-quantity', `${decimalString(quantity)} ${base} is below the minimum order on ${id} (${decimalString(instrument.minQuantity)} ${base})`);
  }
  if (violation?.code === 'below-minimum-cost') {
    const value = quantity.times(bid).toDecimalPlaces(instrument.pricePrecision);
    return refuse('below-minimum-cost', `${decimalString(quantity)} ${base} is worth about ${decimalString(value)} ${quote}, below the minimum order value on ${id} (${decimalString(instrument.minCost)} ${quote})`);
  }
  if (violation !== undefined) return refuse(violation.code === 'market-closed' ? 'market-closed' : 'below-lot', `${id}: ${violation.message}`);
  return { ok: true, instrument, quantity, referencePrice: bid, rounded: !quantity.equals(requested) };
}
