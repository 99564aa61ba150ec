import { describe, expect, it } from 'vitest';
import type { TradingState } from '../model/events.js';
import { position, submitOrder } from '../testing/order-builders.js';
import { riskView } from '../testing/risk-view-builder.js';
import { requestState } from './breakers.js';
import { RiskEngine } from './risk-engine.js';
import { ALLOW, allow, deny, type RiskPolicy } from './risk-policy.js';

/** A breaker the test trips and releases by hand. */
function switchBreaker(name: string, action: 'reducing' | 'halted') {
  let tripped = false;
  const policy: RiskPolicy = {
    name,
    check: () => (tripped ? deny(name, `${name} is tripped`, requestState(action, `${name} tripped`)) : ALLOW),
  };
  return { policy, trip: () => (tripped = true), reset: () => (tripped = false) };
}

const buy = () => submitOrder({ side: 'buy', quantity: '0.01' });
const sellHeld = () => submitOrder({ side: 'sell', quantity: '0.05' });
const holding = riskView({ lastPrice: 40000, portfolio: { balances: { USD: '1000', BTC: '0.1' }, positions: [position({ quantity: '0.1', averageEntryPrice: 40000 })] } });

/** A risk engine whose listener applies requests the way the engine does (later, through setState). */
function wired(policies: RiskPolicy[]) {
  const requested: Array<{ to: TradingState; reason: string }> = [];
  const risk = new RiskEngine(policies, { onStateRequest: (to, reason) => requested.push({ to, reason }) });
  const applyRequests = () => {
    const changes = requested.splice(0).map((request) => risk.setState(request.to));
    return changes;
  };
  return { risk, requested, applyRequests };
}

describe('RiskEngine', () => {
  it('gives the order that trips a breaker the breaker’s code, and gates the next ones before the state is applied', () => {
    const breaker = switchBreaker('daily-loss', 'reducing');
    const { risk, requested, applyRequests } = wired([breaker.policy]);
    expect(risk.check(buy(), holding)).toEqual({ allowed: true });
    breaker.trip();
    expect(risk.check(buy(), holding)).toMatchObject({ allowed: false, code: 'daily-loss', policy: 'daily-loss' });
    expect(requested).toEqual([{ to: 'reducing', reason: 'daily-loss: daily-loss tripped' }]);
    expect(risk.state).toBe('active');
    expect(risk.effectiveState).toBe('reducing');
    // The next buy is gated by the requested state even though the engine has not applied it yet.
    expect(risk.check(buy(), holding)).toMatchObject({ allowed: false, code: 'reducing-only', policy: 'trading-state' });
    expect(applyRequests()).toEqual([true]);
    expect(risk.state).toBe('reducing');
    expect(requested).toHaveLength(0);
  });

  it('lets an exposure-reducing sell through while reducing, and a breaker’s own deny still applies to it', () => {
    const breaker = switchBreaker('daily-loss', 'reducing');
    breaker.trip();
    const { risk, applyRequests } = wired([breaker.policy]);
    risk.check(buy(), holding);
    applyRequests();
    // This toy breaker denies everything; a real one (dailyLoss) allows reducing orders.
    expect(risk.check(sellHeld(), holding)).toMatchObject({ allowed: false, code: 'daily-loss' });
    const lenient: RiskPolicy = { name: 'lenient', check: () => allow(requestState('reducing', 'still tripped')) };
    const second = wired([lenient]);
    expect(second.risk.check(sellHeld(), holding)).toEqual({ allowed: true });
    expect(second.risk.check(buy(), holding)).toMatchObject({ code: 'reducing-only' });
    expect(second.risk.check(submitOrder({ side: 'sell', quantity: '0.2' }), holding)).toMatchObject({ code: 'reducing-only' });
  });

  it('moves to the most severe request: one breaker releasing never undoes another’s halt', () => {
    let dailyWants: TradingState = 'reducing';
    const daily: RiskPolicy = { name: 'daily-loss', check: () => allow(requestState(dailyWants, 'daily')) };
    const drawdown = switchBreaker('max-drawdown', 'halted');
    const { risk, requested, applyRequests } = wired([daily, drawdown.policy]);
    risk.check(buy(), holding);
    applyRequests();
    expect(risk.state).toBe('reducing');
    drawdown.trip();
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'max-drawdown' });
    applyRequests();
    expect(risk.state).toBe('halted');
    dailyWants = 'active';
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'trading-halted' });
    expect(requested).toHaveLength(0);
    expect(risk.state).toBe('halted');
    expect([...risk.stateRequests().keys()]).toEqual(['max-drawdown']);
  });

  it('treats a move it did not ask for as an operator’s: it clears breaker requests, and a still-tripped breaker asks again', () => {
    const breaker = switchBreaker('max-drawdown', 'halted');
    const { risk, requested, applyRequests } = wired([breaker.policy]);
    breaker.trip();
    risk.check(buy(), holding);
    applyRequests();
    expect(risk.state).toBe('halted');
    expect(risk.setState('active')).toBe(true);
    expect(risk.stateRequests().size).toBe(0);
    expect(risk.effectiveState).toBe('active');
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'max-drawdown' });
    expect(requested.map((request) => request.to)).toEqual(['halted']);
  });

  it('refuses a request that went stale before it was applied (an operator halted meanwhile)', () => {
    const breaker = switchBreaker('daily-loss', 'reducing');
    const { risk, applyRequests } = wired([breaker.policy]);
    breaker.trip();
    risk.check(buy(), holding);
    // The operator's halt is applied first, then the queued breaker request arrives.
    expect(risk.setState('halted')).toBe(true);
    expect(applyRequests()).toEqual([false]);
    expect(risk.state).toBe('halted');
  });

  it('applies requests at once when nothing listens', () => {
    const breaker = switchBreaker('max-drawdown', 'halted');
    const risk = new RiskEngine([breaker.policy]);
    breaker.trip();
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'max-drawdown' });
    expect(risk.state).toBe('halted');
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'trading-halted' });
  });

  it('takes requests from observe, and runs every policy even after a denial', () => {
    const seen: string[] = [];
    const first: RiskPolicy = { name: 'first', check: () => deny('max-position', 'too big') };
    const second: RiskPolicy = { name: 'second', check: () => (seen.push('second'), ALLOW), observe: (event) => (event.type === 'engine-stopped' ? requestState('halted', 'stopped') : undefined) };
    const { risk, requested } = wired([first, second]);
    expect(risk.check(buy(), holding)).toMatchObject({ code: 'max-position', policy: 'first' });
    expect(seen).toEqual(['second']);
    risk.observe({ type: 'engine-started', time: 0, sequence: 1, mode: 'backtest' });
    expect(requested).toHaveLength(0);
    risk.observe({ type: 'engine-stopped', time: 0, sequence: 2, reason: 'test' });
    expect(requested).toEqual([{ to: 'halted', reason: 'second: stopped' }]);
  });
});
