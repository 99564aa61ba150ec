import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacedPoller } from './paced-poller.js';
import { RequestPacing, waitForTurn } from './request-pacing.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RequestPacing', () => {
  it('lets callers waiting at the same time start one gap apart, the first at once', async () => {
    const pacing = new RequestPacing(1_000);
    const starts: number[] = [];
    const callers = [1, 2, 3].map(async () => {
      await waitForTurn(pacing);
      starts.push(Date.now());
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(callers);
    expect(starts).toEqual([0, 1_000, 2_000]);
  });

  it('counts the gap from the last start, and holdUntil pushes the next start later, never earlier', async () => {
    const pacing = new RequestPacing(1_000);
    pacing.started(0);
    expect(pacing.delayMs(400)).toBe(600);
    pacing.holdUntil(3_000);
    pacing.holdUntil(2_000);
    expect(pacing.delayMs(400)).toBe(2_600);
    expect(pacing.delayMs(3_500)).toBe(0);
  });

  it('is shared with the fallback poller: together they never start two requests closer than the gap', async () => {
    const pacing = new RequestPacing(1_000);
    const starts: [string, number][] = [];
    const poller = new PacedPoller({ requestGapMs: 1_000, pacing, round: () => [{ name: 'poll', run: async () => void starts.push(['poll', Date.now()]) }] });
    poller.start();
    const history = (async () => {
      for (let index = 0; index < 3; index++) {
        await waitForTurn(pacing);
        starts.push(['history', Date.now()]);
      }
    })();
    await vi.advanceTimersByTimeAsync(5_500);
    poller.stop();
    await history;
    const times = starts.map(([, at]) => at);
    expect(times).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(starts.filter(([name]) => name === 'history')).toHaveLength(3);
    expect(starts.filter(([name]) => name === 'poll')).toHaveLength(3);
  });

  it('refuses a gap that is not a positive number of milliseconds', () => {
    expect(() => new RequestPacing(0)).toThrow('request pacing gapMs: received 0, expected a number of milliseconds above 0');
    expect(() => new RequestPacing(Number.NaN)).toThrow(/received NaN/);
  });
});
