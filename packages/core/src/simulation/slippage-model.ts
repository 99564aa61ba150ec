import { Decimal, ZERO, type DecimalLike, toDecimal } from '../model/decimal.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderSide, OrderType } from '../model/order.js';

/** What a slippage model may look at. Only taker fills slip: a maker fill gets its own limit price. */
export interface SlippageContext {
  readonly instrument: Instrument;
  readonly side: OrderSide;
  /** `limit` here means a marketable limit order taking liquidity; it is capped at its limit anyway. */
  readonly orderType: OrderType;
  readonly quantity: Decimal;
  /** The price before slippage (bar open, trade price, bid/ask or trigger price). */
  readonly price: Decimal;
}

/**
 * How far a taker fill moves against the trader, as a fraction of the price (0.0005 = 5 bps).
 * The venue applies it (buy: up, sell: down), rounds to the tick against the trader, and also
 * uses it at submission to size the funds a market buy must hold.
 */
export interface SlippageModel {
  fraction(context: SlippageContext): Decimal;
}

export class NoSlippage implements SlippageModel {
  fraction(): Decimal {
    return ZERO;
  }
}

const BPS = new Decimal(10_000);

function checkBps(value: DecimalLike, field: string): Decimal {
  const bps = toDecimal(value, field);
  if (bps.isNegative() || bps.greaterThanOrEqualTo(BPS)) {
    throw new TypeError(`${field}: received ${bps.toFixed()}, expected basis points from 0 to below 10000`);
  }
  return bps;
}

/**
 * A fixed number of basis points on market and triggered (stop-loss, take-profit) fills, and
 * `limitBps` (default 0) on marketable limit orders, whose price is capped at the limit anyway.
 */
export class FixedBpsSlippage implements SlippageModel {
  private readonly marketFraction: Decimal;
  private readonly limitFraction: Decimal;

  constructor(bps: DecimalLike, limitBps: DecimalLike = 0) {
    this.marketFraction = checkBps(bps, 'FixedBpsSlippage bps').dividedBy(BPS);
    this.limitFraction = checkBps(limitBps, 'FixedBpsSlippage limitBps').dividedBy(BPS);
  }

  fraction(context: SlippageContext): Decimal {
    return context.orderType === 'limit' ? this.limitFraction : this.marketFraction;
  }
}
