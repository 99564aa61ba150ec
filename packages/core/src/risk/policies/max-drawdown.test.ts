import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../../backtest/instruments.js';
import { TestClock } from '../../clock/clock.js';
import { Engine } from '../../engine/engine.js';
import { ConfigError } from '../../errors/errors.js';
import { StaticInstrumentProvider } from '../../exchange/static-instrument-provider.js';
import type { TradingStateChanged } from '../../model/events.js';
import { HOUR_MS } from '../../model/time.js';
import { InMemoryStore } from '../../persistence/store.js';
import { FakeExecutionClient } from '../../testing/fake-execution-client.js';
import { bar } from '../../testing/market-data-builders.js';
import { submitOrder } from '../../testing/order-builders.js';
import { runRiskPolicyContract } from '../../testing/risk-policy-contract.js';
import { riskView } from '../../testing/risk-view-builder.js';
import { maxDrawdown } from './max-drawdown.js';
import { stateChangedEvent } from './policy-test-events.js';

const equity = (value: string) => riskView({ portfolio: { balances: { USD: value } } });

runRiskPolicyContract('maxDrawdown({ percent: 10, peak: 10000 })', () => maxDrawdown({ percent: 10, peak: '10000' }), [
  { name: 'equity at the peak', order: submitOrder(), view: equity('10000'), expected: { allowed: true } },
  { name: 'equity 5% below the peak', order: submitOrder(), view: equity('9500'), expected: { allowed: true } },
  { name: 'equity 11% below the peak', order: submitOrder(), view: equity('8900'), expected: { allowed: false, code: 'max-drawdown' } },
  { name: 'equity 11% below the peak, a sell', order: submitOrder({ side: 'sell' }), view: equity('8900'), expected: { allowed: false, code: 'max-drawdown' } },
  { name: 'a new peak of 12000', order: submitOrder(), view: equity('12000'), expected: { allowed: true } },
]);

describe('maxDrawdown', () => {
  it('follows the peak across checks and stays tripped when equity recovers, until an operator resumes', () => {
    const policy = maxDrawdown({ percent: 10 });
    expect(policy.check(submitOrder(), equity('10000'))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), equity('12000'))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), equity('10900'))).toEqual({ allowed: true });
    const tripped = policy.check(submitOrder(), equity('10800'));
    expect(tripped).toMatchObject({ allowed: false, code: 'max-drawdown', requestState: { to: 'halted' } });
    expect(policy.check(submitOrder(), equity('13000'))).toMatchObject({ allowed: false, code: 'max-drawdown' });
    policy.observe!(stateChangedEvent('halted', 'active'));
    // The resume starts a new peak: 9000 is the peak now, not 12000.
    expect(policy.check(submitOrder(), equity('9000'))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), equity('8200'))).toEqual({ allowed: true });
    expect(policy.check(submitOrder(), equity('8100'))).toMatchObject({ code: 'max-drawdown' });
  });

  it('rejects a percent outside (0, 100]', () => {
    expect(() => maxDrawdown({ percent: 0 })).toThrow(ConfigError);
    expect(() => maxDrawdown({ percent: 150 })).toThrow(/risk\.maxDrawdownPercent: received 150, expected a number above 0 and at most 100/);
  });
});

describe('maxDrawdown between orders', () => {
  it('counts a peak reached while holding, with no order checked, and trips at the bar close that falls too far from it', () => {
    const policy = maxDrawdown({ percent: 10 });
    expect(policy.check(submitOrder(), equity('10000')).allowed).toBe(true);
    // Holding through a rally to 12,000, then a fall: 10,900 is 9.2% under 12,000, 10,700 is 10.8%.
    expect(policy.observeEquity!(12_000, Date.UTC(2024, 0, 1, 1))).toBeUndefined();
    expect(policy.observeEquity!(10_900, Date.UTC(2024, 0, 1, 2))).toBeUndefined();
    expect(policy.observeEquity!(10_700, Date.UTC(2024, 0, 1, 3))).toEqual({ to: 'halted', reason: 'equity 10700 is 10.83% below its peak of 12000 (limit 10%) at 2024-01-01T03:00:00.000Z' });
    // Measured from the 10,000 of the last check, 10,700 would pass.
    expect(policy.check(submitOrder(), equity('10700'))).toMatchObject({ allowed: false, code: 'max-drawdown' });
    expect(policy.snapshot!()).toMatchObject({ peak: '12000' });
  });
});

describe('maxDrawdown in the engine', () => {
  it('halts trading on a drawdown: orders are denied, cancels still pass, and an operator resume starts a new peak', async () => {
    const start = Date.UTC(2024, 0, 1);
    const clock = new TestClock(start);
    const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
    const venue = new FakeExecutionClient({ clock, autoRespond: true, instruments: (id) => instruments.get(id) });
    const store = new InMemoryStore();
    const engine = new Engine({
      mode: 'backtest', clock, instruments, execution: venue, store, strategies: [], quoteAsset: 'USD', startBalances: { USD: '10000' },
      riskPolicies: [maxDrawdown({ percent: 10 })],
    });
    engine.risk.onStateRequest((to, reason) => engine.setTradingState(to, reason));
    await engine.start();
    const price = (hour: number, close: number) => engine.onBar(bar({ instrumentId: 'BTC/USD', interval: '1h', openTime: start + hour * HOUR_MS, close }));

    price(0, 40000);
    const entry = engine.submit('trend', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.2' });
    venue.fill(entry, '0.2', '40000');
    const target = engine.submit('trend', { instrumentId: 'BTC/USD', side: 'sell', type: 'limit', price: '45000', quantity: '0.1' });
    expect(engine.orders.get(target)?.status).toBe('accepted');

    // 2000 USD + 0.2 BTC at 34000 = 8800: 12% below the 10000 peak. The breaker follows equity at
    // every bar close, so it trips at this bar, before any order is sent.
    price(1, 34000);
    const halt = store.events().find((event) => event.type === 'trading-state-changed') as TradingStateChanged;
    expect(halt).toMatchObject({ from: 'active', to: 'halted' });
    expect(halt.reason).toContain('max-drawdown: equity 8800 is 12% below its peak of 10000 (limit 10%)');
    expect(engine.risk.state).toBe('halted');
    const denied = engine.submit('trend', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.001' });
    expect(engine.orders.get(denied)?.status).toBe('denied');
    expect(store.events().find((event) => event.type === 'order-denied' && event.clientOrderId === denied)).toMatchObject({ code: 'trading-halted', policy: 'trading-state' });

    const sell = engine.submit('trend', { instrumentId: 'BTC/USD', side: 'sell', type: 'market', quantity: '0.05' });
    expect(store.events().find((event) => event.type === 'order-denied' && event.clientOrderId === sell)).toMatchObject({ code: 'trading-halted' });
    engine.cancel(target);
    expect(engine.orders.get(target)?.status).toBe('canceled');
    expect(venue.submitted).toHaveLength(2);

    engine.setTradingState('active', 'operator resumed');
    const resumed = engine.submit('trend', { instrumentId: 'BTC/USD', side: 'buy', type: 'market', quantity: '0.001' });
    expect(engine.orders.get(resumed)?.status).toBe('accepted');
    expect(engine.risk.state).toBe('active');
  });
});
