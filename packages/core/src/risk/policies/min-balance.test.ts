import { describe, expect, it } from 'vitest';
import { order, position, submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { minBalance } from './min-balance.js';

const btc = { balances: { USD: '1000', BTC: '0.1' }, positions: [position({ quantity: '0.1' })] };

runRiskPolicyContract('minBalance({ USD: 100, BTC: 0.01 })', () => minBalance({ USD: '100', BTC: '0.01' }), [
  { name: 'buy worth 200.8 with fees, 10000 USD', order: submitOrder({ quantity: '0.01', price: '20000' }), view: riskView(), expected: { allowed: true } },
  { name: 'buy worth 10040 with fees, 10000 USD', order: submitOrder({ quantity: '0.5', price: '20000' }), view: riskView(), expected: { allowed: false, code: 'min-balance' } },
  {
    name: 'an open buy holds 800 of 1000 USD; a buy of 100.4 leaves 99.6',
    order: submitOrder({ quantity: '0.005', price: '20000' }),
    view: riskView({ portfolio: { balances: { USD: '1000' }, orders: [order({ quantity: '0.04', price: '20000' })] } }),
    expected: { allowed: false, code: 'min-balance' },
  },
  { name: 'post-only buy of 990 at the maker fee leaves 100.03 of 1092.5', order: submitOrder({ quantity: '0.0495', price: '20000', postOnly: true }), view: riskView({ portfolio: { balances: { USD: '1092.5' } } }), expected: { allowed: true } },
  { name: 'the same buy at the taker fee leaves 98.54', order: submitOrder({ quantity: '0.0495', price: '20000' }), view: riskView({ portfolio: { balances: { USD: '1092.5' } } }), expected: { allowed: false, code: 'min-balance' } },
  { name: 'sell of 0.05 of 0.1 BTC leaves 0.05', order: submitOrder({ side: 'sell', quantity: '0.05' }), view: riskView({ portfolio: btc }), expected: { allowed: true } },
  { name: 'sell of 0.095 of 0.1 BTC leaves 0.005', order: submitOrder({ side: 'sell', quantity: '0.095' }), view: riskView({ portfolio: btc }), expected: { allowed: false, code: 'min-balance' } },
  { name: 'market buy with no known price', order: submitOrder({ quantity: '5' }), view: riskView(), expected: { allowed: true } },
  { name: 'market buy of 10040 at the last price', order: submitOrder({ quantity: '0.5' }), view: riskView({ lastPrice: 20000 }), expected: { allowed: false, code: 'min-balance' } },
]);

describe('minBalance', () => {
  it('only guards the assets it lists', () => {
    const policy = minBalance({ EUR: '100' });
    expect(policy.check(submitOrder({ quantity: '0.5', price: '20000' }), riskView())).toEqual({ allowed: true });
  });

  it('rejects a negative reserve, naming the asset', () => {
    expect(() => minBalance({ USD: '-1' })).toThrow(/risk\.minBalance\.USD: received "-1", expected a decimal amount of 0 or more/);
  });
});
