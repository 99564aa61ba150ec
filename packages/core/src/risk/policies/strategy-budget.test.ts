import { describe, expect, it } from 'vitest';
import { order, submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { filledEvent } from './policy-test-events.js';
import { strategyBudget } from './strategy-budget.js';

const ema = (input: Parameters<typeof submitOrder>[0] = {}) => submitOrder({ strategyId: 'ema-rsi', ...input });

runRiskPolicyContract("strategyBudget({ 'ema-rsi': 5000 })", () => strategyBudget({ 'ema-rsi': '5000' }), [
  { name: 'a strategy without a budget, any size', order: submitOrder({ strategyId: 'scalper', quantity: '10', price: '40000' }), view: riskView(), expected: { allowed: true } },
  { name: 'ema-rsi buys 4000 with nothing held', order: ema({ quantity: '0.1', price: '40000' }), view: riskView(), expected: { allowed: true } },
  {
    name: 'ema-rsi bought 2000 and buys 4000',
    order: ema({ quantity: '0.1', price: '40000' }),
    observe: [filledEvent({ strategyId: 'ema-rsi', side: 'buy', quantity: '0.05', price: '40000' })],
    view: riskView(),
    expected: { allowed: false, code: 'strategy-budget' },
  },
  {
    name: 'another strategy bought 2000; ema-rsi buys 4000',
    order: ema({ quantity: '0.1', price: '40000' }),
    observe: [filledEvent({ strategyId: 'scalper', side: 'buy', quantity: '0.05', price: '40000' })],
    view: riskView(),
    expected: { allowed: true },
  },
  {
    name: 'ema-rsi bought and sold 2000; buys 4000',
    order: ema({ quantity: '0.1', price: '40000' }),
    observe: [filledEvent({ strategyId: 'ema-rsi', side: 'buy', quantity: '0.05', price: '40000' }), filledEvent({ strategyId: 'ema-rsi', side: 'sell', quantity: '0.05', price: '41000' })],
    view: riskView(),
    expected: { allowed: true },
  },
  {
    name: 'ema-rsi has an open buy of 2000; buys 4000',
    order: ema({ quantity: '0.1', price: '40000' }),
    view: riskView({ portfolio: { balances: { USD: '10000' }, orders: [order({ strategyId: 'ema-rsi', quantity: '0.05', price: '40000' })] } }),
    expected: { allowed: false, code: 'strategy-budget' },
  },
  {
    name: 'ema-rsi bought 0.05 at 40000, now marked at 20000 (1000); market buy of 0.1 (2000)',
    order: ema({ quantity: '0.1' }),
    observe: [filledEvent({ strategyId: 'ema-rsi', side: 'buy', quantity: '0.05', price: '40000' })],
    view: riskView({ lastPrice: 20000 }),
    expected: { allowed: true },
  },
  { name: 'ema-rsi sells', order: ema({ side: 'sell', quantity: '1', price: '40000' }), view: riskView(), expected: { allowed: true } },
]);

describe('strategyBudget', () => {
  it('rejects a budget that is not positive, naming the strategy', () => {
    expect(() => strategyBudget({ 'ema-rsi': '0' })).toThrow(/risk\.strategyBudgets\.ema-rsi: received "0", expected a positive decimal amount/);
  });
});
