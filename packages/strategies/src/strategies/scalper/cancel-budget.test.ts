import { describe, expect, it } from 'vitest';
import { CancelBudget } from './cancel-budget.js';

describe('CancelBudget', () => {
  it('allows at most perMinute cancels in any 60-second window', () => {
    const budget = new CancelBudget(2);
    expect(budget.allows(0)).toBe(true);
    budget.spend(0);
    budget.spend(30_000);
    expect(budget.allows(59_999)).toBe(false);
    // The first cancel leaves the window exactly 60 s after it.
    expect(budget.allows(60_000)).toBe(true);
    expect(budget.used(60_000)).toBe(1);
    expect(budget.used(90_000)).toBe(0);
  });

  it('rejects a budget below 1', () => {
    expect(() => new CancelBudget(0)).toThrow('CancelBudget perMinute: received 0, expected an integer of 1 or more');
  });
});
