import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/errors.js';
import { order, position, submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { maxExposure } from './max-exposure.js';
import { filledEvent } from './policy-test-events.js';

const ethHeld = { balances: { USD: '5000', ETH: '0.25' }, positions: [position({ instrumentId: 'ETH/USD', quantity: '0.25', averageEntryPrice: 1000 })] };

runRiskPolicyContract('maxExposure({ quote: 1000 })', () => maxExposure({ quote: '1000' }), [
  { name: 'flat, buy worth 200', order: submitOrder({ quantity: '0.01', price: '20000' }), view: riskView(), expected: { allowed: true } },
  { name: 'flat, market buy worth 1200 at the last price', order: submitOrder({ quantity: '0.06' }), view: riskView({ lastPrice: 20000 }), expected: { allowed: false, code: 'max-exposure' } },
  { name: 'ETH position at its entry (250) + buy worth 600', order: submitOrder({ quantity: '0.03', price: '20000' }), view: riskView({ portfolio: ethHeld }), expected: { allowed: true } },
  {
    name: 'ETH position marked at its last fill (500) + buy worth 600',
    order: submitOrder({ quantity: '0.03', price: '20000' }),
    observe: [filledEvent({ instrumentId: 'ETH/USD', side: 'buy', quantity: '0.25', price: '2000' })],
    view: riskView({ portfolio: ethHeld }),
    expected: { allowed: false, code: 'max-exposure' },
  },
  {
    name: 'an open buy worth 600 + buy worth 600',
    order: submitOrder({ quantity: '0.03', price: '20000' }),
    view: riskView({ portfolio: { balances: { USD: '5000' }, orders: [order({ quantity: '0.03', price: '20000' })] } }),
    expected: { allowed: false, code: 'max-exposure' },
  },
  {
    name: 'an open buy on a EUR pair does not count toward USD exposure',
    order: submitOrder({ quantity: '0.03', price: '20000' }),
    view: riskView({ portfolio: { balances: { USD: '5000', EUR: '5000' }, orders: [order({ instrumentId: 'BTC/EUR', quantity: '0.03', price: '20000' })] } }),
    expected: { allowed: true },
  },
  { name: 'a sell, whatever its size', order: submitOrder({ side: 'sell', quantity: '5', price: '20000' }), view: riskView({ portfolio: ethHeld }), expected: { allowed: true } },
]);

describe('maxExposure', () => {
  it('rejects a limit that is not a positive amount', () => {
    expect(() => maxExposure({ quote: 0 })).toThrow(ConfigError);
    expect(() => maxExposure({ quote: '0' })).toThrow(/risk\.maxExposureQuote: received "0"/);
  });
});
