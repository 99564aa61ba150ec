import { describe, expect, it } from 'vitest';
import { isBreakerAction, mostSevereState, requestState, stateSeverity } from './breakers.js';

describe('breakers', () => {
  it('orders trading states active < reducing < halted', () => {
    expect(['halted', 'active', 'reducing'].map((state) => stateSeverity(state as never))).toEqual([2, 0, 1]);
    expect(mostSevereState([])).toBe('active');
    expect(mostSevereState(['reducing', 'active'])).toBe('reducing');
    expect(mostSevereState(['reducing', 'halted', 'active'])).toBe('halted');
  });

  it('builds frozen requests and knows which states a breaker may trip to', () => {
    const request = requestState('halted', 'drawdown');
    expect(request).toEqual({ to: 'halted', reason: 'drawdown' });
    expect(Object.isFrozen(request)).toBe(true);
    expect([isBreakerAction('reducing'), isBreakerAction('halted'), isBreakerAction('active'), isBreakerAction('panic')]).toEqual([true, true, false, false]);
  });
});
