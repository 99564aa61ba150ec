import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacedPoller, type PollTask } from './paced-poller.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder(): { starts: [string, number][]; task(name: string, fail?: () => boolean): PollTask } {
  const starts: [string, number][] = [];
  return {
    starts,
    task: (name, fail) => ({
      name,
      run: async () => {
        starts.push([name, Date.now()]);
        if (fail?.()) throw new Error(`${name} failed`);
      },
    }),
  };
}

describe('PacedPoller', () => {
  it('starts one request per requestGapMs, round after round, in the order of the round', async () => {
    const { starts, task } = recorder();
    const poller = new PacedPoller({ requestGapMs: 1_000, round: () => [task('a'), task('b')] });
    poller.start();
    await vi.advanceTimersByTimeAsync(3_500);
    poller.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(starts).toEqual([
      ['a', 0],
      ['b', 1_000],
      ['a', 2_000],
      ['b', 3_000],
    ]);
    expect(poller.requests).toBe(4);
  });

  it('waits out a slow request before the next one and counts the gap from its start', async () => {
    const starts: number[] = [];
    const poller = new PacedPoller({
      requestGapMs: 1_000,
      round: () => [{ name: 'slow', run: () => (starts.push(Date.now()), new Promise((resolve) => setTimeout(resolve, 1_500))) }],
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(5_000);
    poller.stop();
    expect(starts).toEqual([0, 1_500, 3_000, 4_500]);
  });

  it('doubles the pause after failures in a row up to maxBackoffMs, and goes back to the gap after a success', async () => {
    const { starts, task } = recorder();
    let calls = 0;
    const errors: number[] = [];
    const poller = new PacedPoller({
      requestGapMs: 100,
      maxBackoffMs: 300,
      round: () => [task('flaky', () => ++calls <= 3)],
      onError: (_task, error, failures) => errors.push(failures) && expect((error as Error).message).toBe('flaky failed'),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_050);
    poller.stop();
    expect(starts.map(([, at]) => at)).toEqual([0, 200, 500, 800, 900, 1_000]);
    expect(errors).toEqual([1, 2, 3]);
  });

  it('does not burst when stopped and started again: the gap counts from the last start', async () => {
    const { starts, task } = recorder();
    const poller = new PacedPoller({ requestGapMs: 1_000, round: () => [task('a')] });
    poller.start();
    await vi.advanceTimersByTimeAsync(10);
    poller.stop();
    poller.start();
    await vi.advanceTimersByTimeAsync(1_500);
    poller.stop();
    expect(starts).toEqual([
      ['a', 0],
      ['a', 1_000],
    ]);
  });

  it('asks for the round again each time, idling while it is empty', async () => {
    const { starts, task } = recorder();
    let tasks: PollTask[] = [];
    const poller = new PacedPoller({ requestGapMs: 100, round: () => tasks });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts).toEqual([]);
    tasks = [task('late')];
    await vi.advanceTimersByTimeAsync(250);
    poller.stop();
    // Seen at the next look (one gap after the last), then paced as usual.
    expect(starts).toEqual([
      ['late', 1_100],
      ['late', 1_200],
    ]);
  });

  it('refuses a gap that is not a positive number of milliseconds', () => {
    expect(() => new PacedPoller({ requestGapMs: 0, round: () => [] })).toThrow(/requestGapMs: received 0, expected a number of milliseconds above 0/);
  });
});
