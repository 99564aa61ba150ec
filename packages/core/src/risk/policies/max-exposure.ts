import { decimalAtMost, type DecimalLike } from '../../model/decimal.js';
import type { JournaledEvent } from '../../model/events.js';
import { splitInstrumentId } from '../../model/ids.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { LastPrices } from './last-prices.js';
import { money, orderNotional, orderPrice } from './order-value.js';
import { positiveAmount } from './policy-options.js';

export interface MaxExposureOptions {
  /** Largest total value of what the bot holds and is buying, over all instruments, in the quote asset. */
  readonly quote: DecimalLike;
}

/**
 * Caps the bot's total exposure: the value of every open position, plus what open buy orders
 * still buy, plus the new order, over all instruments quoted in the order's quote asset. Positions
 * are valued at the last price the policy saw (this order's market price, earlier orders, fills),
 * else their entry price. Only buys are checked: sells shrink exposure.
 */
export function maxExposure(options: MaxExposureOptions): RiskPolicy {
  const limit = positiveAmount(options.quote, 'risk.maxExposureQuote');
  const prices = new LastPrices();
  return {
    name: 'max-exposure',
    check(order, view) {
      prices.noteView(view);
      if (order.side === 'sell') return ALLOW;
      const value = orderNotional(order, view.lastPrice);
      if (value === undefined) return ALLOW;
      const quote = view.instrument.quote;
      let exposure = value;
      for (const held of view.portfolio.positions()) {
        if (splitInstrumentId(held.instrumentId).quote !== quote) continue;
        exposure = exposure.plus(held.quantity.times(prices.get(held.instrumentId) ?? held.averageEntryPrice));
      }
      for (const open of view.portfolio.openOrders()) {
        if (open.side !== 'buy' || splitInstrumentId(open.instrumentId).quote !== quote) continue;
        const price = orderPrice(open, prices.get(open.instrumentId));
        if (price) exposure = exposure.plus(open.quantity.minus(open.filledQuantity).times(price));
      }
      if (decimalAtMost(exposure, limit)) return ALLOW;
      return deny('max-exposure', `total exposure would be ${money(exposure)} ${quote}, above the limit of ${limit.toFixed()} ${quote}`);
    },
    observe(event: JournaledEvent) {
      prices.noteEvent(event);
    },
  };
}

