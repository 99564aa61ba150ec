import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors/errors.js';
import type { Bar, Subscription } from '../../model/market-data.js';
import { instrumentId } from '../../model/ids.js';
import { BaseStrategy } from '../../strategy/strategy.js';
import { submitOrder } from '../../testing/order-builders.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { ALLOW, type RiskPolicy } from '../risk-policy.js';
import { riskPoliciesFromConfig } from './from-config.js';

class Idle extends BaseStrategy<Record<string, never>> {
  subscriptions(): Subscription[] {
    return [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars', interval: 60_000 }];
  }
  onBar(_bar: Bar): void {}
}

const withRisk = (risk: unknown) => validateConfig({ strategies: [Idle.with({})], risk });

describe('riskPoliciesFromConfig', () => {
  it('builds every built-in policy from its key, after the user’s own', () => {
    const mine: RiskPolicy = { name: 'mine', check: () => ALLOW };
    const config = withRisk({
      policies: [mine],
      maxPositionQuote: '5000', maxPositionBase: '0.5', maxExposureQuote: '20000', maxOpenOrders: 4, maxOrdersPerMinute: 10,
      tradingBudget: () => 100, dailyLossQuote: '100', dailyLossAction: 'halted', maxDrawdownPercent: 10,
      minBalance: { USD: '100' }, strategyBudgets: { 'ema-rsi': '5000' }, priceBandPercent: 5,
      fatFinger: { maxOrderQuote: '2000', maxOrderMultipleOfAverage: 5 }, bookHealth: { maxResyncs: 3 },
    });
    const policies = riskPoliciesFromConfig(config.risk);
    expect(policies.map((policy) => policy.name)).toEqual([
      'mine', 'price-band', 'fat-finger', 'max-position', 'max-exposure', 'strategy-budget', 'min-balance', 'max-open-orders', 'order-rate', 'book-health', 'daily-loss', 'max-drawdown',
    ]);
    expect(policies[0]).toBe(mine);
  });

  it('passes the book-health settings through, and names a misspelt one', () => {
    const [policy] = riskPoliciesFromConfig(withRisk({ bookHealth: { maxResyncs: 1, action: 'halted' } }).risk);
    expect(policy!.observeBookHealth!({ instrumentId: instrumentId('BTC/USD'), time: 0, status: 'resync', mismatches: 1, resyncs: 1, ageMs: 0 }, 0)).toMatchObject({ to: 'halted' });
    expect(() => withRisk({ bookHealth: { maxResync: 1 } })).toThrow('did you mean "maxResyncs"?');
  });

  it('passes the values through: the fat-finger cap from the config denies', () => {
    const [fatFinger] = riskPoliciesFromConfig(withRisk({ fatFinger: { maxOrderQuote: '2000' } }).risk);
    expect(fatFinger!.check(submitOrder({ quantity: '0.1', price: '40000' }), riskView())).toMatchObject({ allowed: false, code: 'fat-finger' });
    const [dailyLoss] = riskPoliciesFromConfig(withRisk({ dailyLossQuote: '1' }).risk);
    expect(dailyLoss!.name).toBe('daily-loss');
  });

  it('builds nothing from an empty risk section', () => {
    expect(riskPoliciesFromConfig(withRisk({}).risk)).toEqual([]);
    expect(riskPoliciesFromConfig(validateConfig({ strategies: [Idle.with({})] }).risk)).toEqual([]);
  });

  it('reports bad risk values with their paths', () => {
    try {
      withRisk({ dailyLossAction: 'panic', maxDrawdownPercent: 0, minBalance: { usd: '1' }, fatFinger: {}, priceBandPercent: -1, tradingBudget: 5 });
      expect.unreachable('the config is invalid');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const paths = (error as ConfigError).issues.map((issue) => issue.path).sort();
      expect(paths).toEqual(['risk.dailyLossAction', 'risk.fatFinger', 'risk.maxDrawdownPercent', 'risk.minBalance.usd', 'risk.priceBandPercent', 'risk.tradingBudget']);
    }
  });
});
