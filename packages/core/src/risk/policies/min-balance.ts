import { decimalAtLeast, type Decimal, type DecimalLike } from '../../model/decimal.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { orderNotional } from './order-value.js';
import { nonNegativeAmount } from './policy-options.js';

/** Amount to keep untouched per asset: `{ USD: '100', BTC: '0.01' }`. */
export type MinBalanceOptions = Readonly<Record<string, DecimalLike>>;

/**
 * Keeps a reserve of each listed asset: an order may not take the asset's available balance
 * (the total minus what open orders hold) below it. A buy spends the quote asset (quantity ×
 * price plus the fee: maker for post-only orders, taker otherwise); a sell spends the base asset.
 * Code `min-balance`.
 */
export function minBalance(reserves: MinBalanceOptions): RiskPolicy {
  const floor = new Map<string, Decimal>();
  for (const [asset, amount] of Object.entries(reserves)) floor.set(asset, nonNegativeAmount(amount, `risk.minBalance.${asset}`));
  return {
    name: 'min-balance',
    check(order, view) {
      const asset = order.side === 'buy' ? view.instrument.quote : view.instrument.base;
      const reserve = floor.get(asset);
      if (reserve === undefined) return ALLOW;
      let spend: Decimal | undefined = order.quantity;
      if (order.side === 'buy') {
        const fee = order.postOnly ? view.instrument.makerFee : view.instrument.takerFee;
        spend = orderNotional(order, view.lastPrice)?.times(fee.plus(1));
        if (spend === undefined) return ALLOW;
      }
      const available = view.portfolio.balance(asset).available;
      const after = available.minus(spend);
      if (decimalAtLeast(after, reserve)) return ALLOW;
      return deny('min-balance', `the order would leave ${after.toDecimalPlaces(8).toFixed()} ${asset} available, below the reserve of ${reserve.toFixed()} ${asset}`);
    },
  };
}
