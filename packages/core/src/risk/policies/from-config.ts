import type { KbotConfig } from '../../config/schema.js';
import type { RiskPolicy } from '../risk-policy.js';
import { bookHealth } from './book-health.js';
import { dailyLoss } from './daily-loss.js';
import { fatFinger } from './fat-finger.js';
import { maxDrawdown } from './max-drawdown.js';
import { maxExposure } from './max-exposure.js';
import { maxOpenOrders } from './max-open-orders.js';
import { maxPosition } from './max-position.js';
import { minBalance } from './min-balance.js';
import { orderRate } from './order-rate.js';
import { priceBand } from './price-band.js';
import { strategyBudget } from './strategy-budget.js';

/**
 * The policy chain a config's `risk` section describes: the user's own policies first, then the
 * built-in ones whose keys are set, cheapest and most order-specific first. Every policy runs on
 * every order; the order only decides which denial is reported when several deny.
 */
export function riskPoliciesFromConfig(risk: KbotConfig['risk']): RiskPolicy[] {
  const policies: RiskPolicy[] = [...risk.policies];
  if (risk.priceBandPercent !== undefined) policies.push(priceBand({ percent: risk.priceBandPercent }));
  if (risk.fatFinger !== undefined) policies.push(fatFinger(risk.fatFinger));
  if (risk.maxPositionQuote !== undefined || risk.maxPositionBase !== undefined) {
    policies.push(maxPosition({ quote: risk.maxPositionQuote, base: risk.maxPositionBase }));
  }
  if (risk.maxExposureQuote !== undefined) policies.push(maxExposure({ quote: risk.maxExposureQuote }));
  if (risk.strategyBudgets !== undefined && Object.keys(risk.strategyBudgets).length > 0) policies.push(strategyBudget(risk.strategyBudgets));
  if (risk.minBalance !== undefined && Object.keys(risk.minBalance).length > 0) policies.push(minBalance(risk.minBalance));
  if (risk.maxOpenOrders !== undefined) policies.push(maxOpenOrders(risk.maxOpenOrders));
  if (risk.maxOrdersPerMinute !== undefined || risk.tradingBudget !== undefined) {
    policies.push(orderRate({ maxOrders: risk.maxOrdersPerMinute, budget: risk.tradingBudget }));
  }
  if (risk.bookHealth !== undefined) policies.push(bookHealth(risk.bookHealth));
  if (risk.dailyLossQuote !== undefined) policies.push(dailyLoss({ limit: risk.dailyLossQuote, action: risk.dailyLossAction ?? 'reducing' }));
  if (risk.maxDrawdownPercent !== undefined) policies.push(maxDrawdown({ percent: risk.maxDrawdownPercent }));
  return policies;
}
