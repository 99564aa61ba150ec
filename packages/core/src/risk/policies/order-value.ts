import type { Decimal } from '../../model/decimal.js';
import type { SubmitOrder } from '../../model/order.js';

/**
 * The price an order is valued at: its limit price, else its trigger price, else the market
 * price (for market orders). Undefined when none is known: policies that need a value let such
 * an order through, and `priceBand({ requireMarketPrice: true })` is the policy that refuses them.
 */
export function orderPrice(order: Pick<SubmitOrder, 'price' | 'triggerPrice'>, marketPrice: Decimal | undefined): Decimal | undefined {
  return order.price ?? order.triggerPrice ?? marketPrice;
}

/** Quantity × `orderPrice`, in the instrument's quote asset; undefined when no price is known. */
export function orderNotional(order: Pick<SubmitOrder, 'price' | 'triggerPrice' | 'quantity'>, marketPrice: Decimal | undefined): Decimal | undefined {
  const price = orderPrice(order, marketPrice);
  return price === undefined ? undefined : order.quantity.times(price);
}

/** `12.3456789` → `12.35`, for reasons people read. */
export function money(value: Decimal): string {
  return value.toDecimalPlaces(2).toFixed();
}
