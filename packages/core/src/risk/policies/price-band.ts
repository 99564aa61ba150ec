import { Decimal, decimalAtMost, decimalGreaterThan } from '../../model/decimal.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { positiveNumber } from './policy-options.js';

export interface PriceBandOptions {
  /** Largest distance of a limit price from the last market price, in percent (5 = 5%). */
  readonly percent: number;
  /**
   * Deny every order while the instrument has no known market price. Default false: without a
   * price there is nothing to compare with, and the order passes (as it does every price-based policy).
   */
  readonly requireMarketPrice?: boolean;
}

/**
 * Rejects a limit price too far from the market: more than `percent` above or below the view's
 * last price, on either side (a buy far above the market fills at a bad price; a sell far above it
 * is usually a typo too). Market and trigger orders are not checked. Code `price-band`.
 */
export function priceBand(options: PriceBandOptions): RiskPolicy {
  const percent = new Decimal(positiveNumber(options.percent, 'risk.priceBandPercent'));
  const requireMarketPrice = options.requireMarketPrice ?? false;
  return {
    name: 'price-band',
    check(order, view) {
      const market = view.lastPrice;
      if (market === undefined || market.isZero()) {
        return requireMarketPrice ? deny('price-band', `no market price is known for ${order.instrumentId}, and this bot requires one before it trades`) : ALLOW;
      }
      if (order.type !== 'limit' || order.price === undefined) return ALLOW;
      const distance = order.price.minus(market).abs().dividedBy(market).times(100);
      if (decimalAtMost(distance, percent)) return ALLOW;
      const above = decimalGreaterThan(order.price, market);
      const limit = market.times(percent.dividedBy(100)).times(above ? 1 : -1).plus(market);
      // The distance with enough digits to be over the band (5.0005%, not a rounded 5%), and the
      // price the band allows, so the reason never reads as within the band.
      return deny(
        'price-band',
        `limit price ${order.price.toFixed()} is ${distance.toSignificantDigits(Math.max(3, distance.e + 5)).toFixed()}% ${above ? 'above' : 'below'} the market price ${market.toFixed()}, more than the ${percent.toFixed()}% band (${above ? 'at most' : 'at least'} ${limit.toFixed()})`,
      );
    },
  };
}
