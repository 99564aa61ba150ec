import { Decimal, roundQuantity, type Instrument } from '@kbot/core';

/** True when the venue would refuse to trade `quantity` at `price`: under the minimum quantity or cost. */
export function isBelowMinimum(instrument: Instrument, quantity: Decimal, price: Decimal): boolean {
  return quantity.lessThan(instrument.minQuantity) || quantity.times(price).lessThan(instrument.minCost);
}

/**
 * How much of `held` to sell when `wanted` is asked for, so that both the order and what stays
 * behind are tradable:
 * - the order is a whole number of lots, never more than is held;
 * - an order under the instrument's minimum (quantity or cost at `price`) is raised to it;
 * - if what would stay behind is under the minimum, everything is sold instead: a remainder no
 *   order could ever sell is worse than selling a little more now;
 * - undefined when even the whole holding is under the minimum (dust that cannot be sold).
 */
export function exitQuantity(instrument: Instrument, held: Decimal, wanted: Decimal, price: Decimal): Decimal | undefined {
  const all = roundQuantity(instrument, held);
  if (all.isZero() || isBelowMinimum(instrument, all, price)) return undefined;
  if (wanted.greaterThanOrEqualTo(held)) return all;
  let quantity = roundQuantity(instrument, wanted);
  if (isBelowMinimum(instrument, quantity, price)) quantity = smallestTradable(instrument, price);
  if (quantity.greaterThanOrEqualTo(all)) return all;
  return isBelowMinimum(instrument, held.minus(quantity), price) ? all : quantity;
}

/** The smallest whole number of lots that meets both minimums at `price`. */
function smallestTradable(instrument: Instrument, price: Decimal): Decimal {
  const byCost = price.isZero() ? instrument.minQuantity : instrument.minCost.dividedBy(price);
  const needed = Decimal.max(instrument.minQuantity, byCost);
  const lot = instrument.quantityIncrement;
  return lot.isZero() ? needed : needed.dividedBy(lot).ceil().times(lot);
}
