import { ConfigError } from '../../errors/errors.js';
import { ZERO, decimalGreaterThan, type Decimal, type DecimalLike } from '../../model/decimal.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { money, orderPrice } from './order-value.js';
import { positiveAmount } from './policy-options.js';

export interface MaxPositionOptions {
  /** Largest position value per instrument, in its quote asset, counting open buy orders. */
  readonly quote?: DecimalLike;
  /** Largest base quantity per instrument, counting open buy orders. */
  readonly base?: DecimalLike;
}

/**
 * Denies buys that would make a position larger than the limit (sells always reduce it). The
 * position after the order counts open buys; its value uses the order's limit or trigger price,
 * else the market price (without any, only the base limit applies). Code `max-position`.
 */
export function maxPosition(options: MaxPositionOptions): RiskPolicy {
  const quoteLimit: Decimal | undefined = options.quote === undefined ? undefined : positiveAmount(options.quote, 'risk.maxPositionQuote');
  const baseLimit: Decimal | undefined = options.base === undefined ? undefined : positiveAmount(options.base, 'risk.maxPositionBase');
  if (!quoteLimit && !baseLimit) throw new ConfigError([{ path: 'risk.maxPositionQuote', received: 'nothing', expected: 'a quote limit, a base limit (maxPositionBase) or both' }]);
  return {
    name: 'max-position',
    check(order, view) {
      if (order.side === 'sell') return ALLOW;
      let quantity = view.portfolio.position(order.instrumentId)?.quantity ?? ZERO;
      for (const open of view.portfolio.openOrders(order.instrumentId)) {
        if (open.side === 'buy') quantity = quantity.plus(open.quantity.minus(open.filledQuantity));
      }
      const after = quantity.plus(order.quantity);
      if (baseLimit && decimalGreaterThan(after, baseLimit)) {
        return deny('max-position', `position would be ${after.toFixed()} ${view.instrument.base}, above the limit of ${baseLimit.toFixed()}`);
      }
      const price = orderPrice(order, view.lastPrice);
      if (quoteLimit && price) {
        const value = after.times(price);
        if (decimalGreaterThan(value, quoteLimit)) {
          return deny('max-position', `position would be worth ${money(value)} ${view.instrument.quote}, above the limit of ${quoteLimit.toFixed()}`);
        }
      }
      return ALLOW;
    },
  };
}
