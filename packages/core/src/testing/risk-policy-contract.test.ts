import { describe, expect, it } from 'vitest';
import { maxOpenOrders } from '../risk/policies/max-open-orders.js';
import { maxPosition } from '../risk/policies/max-position.js';
import { ALLOW, deny, type RiskPolicy } from '../risk/risk-policy.js';
import { runContractCheck } from './contract-check.js';
import { order, position, submitOrder } from './order-builders.js';
import { riskPolicyContractChecks, runRiskPolicyContract, type RiskPolicyCase } from './risk-policy-contract.js';
import { riskView } from './risk-view-builder.js';

const maxPositionCases: RiskPolicyCase[] = [
  { name: 'buy of 0.4 BTC when flat, limit 0.5', order: submitOrder({ quantity: '0.4' }), view: riskView(), expected: { allowed: true } },
  { name: 'buy of 0.6 BTC when flat, limit 0.5', order: submitOrder({ quantity: '0.6' }), view: riskView(), expected: { allowed: false, code: 'max-position' } },
  {
    name: 'buy of 0.3 BTC holding 0.3, limit 0.5',
    order: submitOrder({ quantity: '0.3' }),
    view: riskView({ portfolio: { balances: { USD: '1000', BTC: '0.3' }, positions: [position({ quantity: '0.3', averageEntryPrice: 1000 })] } }),
    expected: { allowed: false, code: 'max-position' },
  },
  {
    name: 'buy of 0.3 BTC with an open buy of 0.3, limit 0.5',
    order: submitOrder({ quantity: '0.3' }),
    view: riskView({ portfolio: { balances: { USD: '1000' }, orders: [order({ quantity: '0.3', price: '1000' })] } }),
    expected: { allowed: false, code: 'max-position' },
  },
  {
    name: 'sell of 10 BTC holding 0.3 (sells only shrink a position)',
    order: submitOrder({ side: 'sell', quantity: '10' }),
    view: riskView({ portfolio: { balances: { BTC: '0.3' }, positions: [position({ quantity: '0.3' })] } }),
    expected: { allowed: true },
  },
  { name: 'buy of 0.04 BTC at 20000 (800 USD), quote limit 1000', order: submitOrder({ quantity: '0.04', price: '20000' }), view: riskView(), expected: { allowed: true } },
  { name: 'market buy of 0.06 BTC, last price 20000 (1200 USD), quote limit 1000', order: submitOrder({ quantity: '0.06' }), view: riskView({ lastPrice: 20000 }), expected: { allowed: false, code: 'max-position' } },
];

runRiskPolicyContract('maxPosition({ base: 0.5, quote: 1000 })', () => maxPosition({ base: '0.5', quote: '1000' }), maxPositionCases);

const openBuy = (id: string) => order({ clientOrderId: id, quantity: '0.01', price: '20000' });
runRiskPolicyContract('maxOpenOrders(2)', () => maxOpenOrders(2), [
  { name: 'nothing open', order: submitOrder(), view: riskView(), expected: { allowed: true } },
  { name: 'one order open', order: submitOrder(), view: riskView({ portfolio: { orders: [openBuy('a')] } }), expected: { allowed: true } },
  { name: 'two orders open', order: submitOrder(), view: riskView({ portfolio: { orders: [openBuy('a'), openBuy('b')] } }), expected: { allowed: false, code: 'max-open-orders' } },
  {
    name: 'two orders, one of them filled',
    order: submitOrder(),
    view: riskView({ portfolio: { orders: [openBuy('a'), order({ clientOrderId: 'b', status: 'filled', quantity: '0.01', filledQuantity: '0.01' })] } }),
    expected: { allowed: true },
  },
]);

describe('the RiskPolicy contract catches broken policies', () => {
  const cases: RiskPolicyCase[] = [
    { name: 'small buy', order: submitOrder({ quantity: '0.1' }), view: riskView(), expected: { allowed: true } },
    { name: 'big buy', order: submitOrder({ quantity: '2' }), view: riskView(), expected: { allowed: false, code: 'max-position' } },
  ];
  const policy = (check: RiskPolicy['check'], name = 'broken-policy'): (() => RiskPolicy) => () => ({ name, check });

  it('a policy that decides the wrong way', async () => {
    const checks = riskPolicyContractChecks(policy(() => ALLOW), cases);
    await expect(runContractCheck(checks, 'case: big buy → denied (max-position)')).rejects.toThrow();
  });

  it('a policy that denies with the wrong code', async () => {
    const checks = riskPolicyContractChecks(policy((order) => (order.quantity.greaterThan(1) ? deny('too-big', 'big') : ALLOW)), cases);
    await expect(runContractCheck(checks, 'case: big buy → denied (max-position)')).rejects.toThrow();
  });

  it('a policy whose verdicts are not frozen or whose code is not kebab-case', async () => {
    const unfrozen = riskPolicyContractChecks(policy((order) => (order.quantity.greaterThan(1) ? { allowed: false, code: 'max-position', reason: 'big' } : ALLOW)), cases);
    await expect(runContractCheck(unfrozen, 'every verdict is frozen, with a kebab-case code and a reason when it denies')).rejects.toThrow(/frozen/);
    const shouting = riskPolicyContractChecks(policy((order) => (order.quantity.greaterThan(1) ? deny('MAX_POSITION', 'big') : ALLOW)), cases);
    await expect(runContractCheck(shouting, 'every verdict is frozen, with a kebab-case code and a reason when it denies')).rejects.toThrow(/kebab-case/);
  });

  it('a policy that changes its mind between calls', async () => {
    let calls = 0;
    const checks = riskPolicyContractChecks(() => ({ name: 'flaky', check: () => (++calls % 2 === 0 ? deny('max-position', 'every other call') : ALLOW) }), cases);
    await expect(runContractCheck(checks, 'check is deterministic: the same order and view give the same verdict')).rejects.toThrow();
  });

  it('a policy that throws on orders without a price', async () => {
    const checks = riskPolicyContractChecks(policy((order) => (order.price!.greaterThan(0) ? ALLOW : ALLOW)), cases);
    await expect(runContractCheck(checks, 'check never throws on a valid order of any side and type')).rejects.toThrow();
  });

  it('a policy whose name is not kebab-case, and cases without a denial', async () => {
    await expect(runContractCheck(riskPolicyContractChecks(policy(() => ALLOW, 'Max Position'), cases), 'the policy name is non-empty kebab-case')).rejects.toThrow();
    await expect(runContractCheck(riskPolicyContractChecks(policy(() => ALLOW), [cases[0]!]), 'the cases include an allowed and a denied order')).rejects.toThrow();
  });
});
