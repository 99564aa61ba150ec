import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from './backoff.js';

describe('fullJitterDelay', () => {
  it('doubles the ceiling per attempt up to the maximum and draws the whole wait at random', () => {
    expect([1, 2, 3, 4, 5, 10, 100].map((attempt) => fullJitterDelay(attempt, 500, 5_000, () => 0.999999))).toEqual([499, 999, 1999, 3999, 4999, 4999, 4999]);
    expect(fullJitterDelay(3, 500, 30_000, () => 0.5)).toBe(1000);
    expect(fullJitterDelay(3, 500, 30_000, () => 0)).toBe(0);
  });

  it('stays inside [0, ceiling) whatever the random source returns', () => {
    expect(fullJitterDelay(1, 100, 1_000, () => 1)).toBeLessThan(100);
    expect(fullJitterDelay(1, 100, 1_000, () => -3)).toBe(0);
  });
});
