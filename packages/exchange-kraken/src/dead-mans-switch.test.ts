import { ConfigError } from '@kbot/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadMansSwitch, deadMansSwitchHeartbeat } from './dead-mans-switch.js';

describe('DeadMansSwitch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function create(options: { fail?: () => boolean; staleAfterSeconds?: number } = {}) {
    const calls: { at: number; timeout: number }[] = [];
    const start = Date.now();
    const dms = new DeadMansSwitch({
      timeoutSeconds: 60,
      refreshSeconds: 20,
      ...(options.staleAfterSeconds === undefined ? {} : { staleAfterSeconds: options.staleAfterSeconds }),
      arm: async (timeout) => {
        calls.push({ at: (Date.now() - start) / 1000, timeout });
        if (options.fail?.()) throw new Error('EService:Unavailable');
      },
    });
    return { dms, calls };
  }

  it('arms on the first heartbeat and refreshes every refreshSeconds while heartbeats keep coming', async () => {
    const { dms, calls } = create();
    expect(dms.state).toBe('idle');
    dms.heartbeat();
    for (let second = 0; second < 60; second += 10) {
      await vi.advanceTimersByTimeAsync(10_000);
      dms.heartbeat();
    }
    expect(calls).toEqual([
      { at: 0, timeout: 60 },
      { at: 20, timeout: 60 },
      { at: 40, timeout: 60 },
      { at: 60, timeout: 60 },
    ]);
    expect(dms.state).toBe('armed');
    expect(dms.refreshes).toBe(4);
  });

  it('stops refreshing when the heartbeat stops, so Kraken cancels when the timeout runs out', async () => {
    const { dms, calls } = create();
    dms.heartbeat();
    // The last heartbeat was at 0: refreshes continue while it is at most timeoutSeconds (60 s) old.
    await vi.advanceTimersByTimeAsync(200_000);
    expect(calls.map((call) => call.at)).toEqual([0, 20, 40, 60]);
    expect(dms.state).toBe('stale');
    // The bot recovers: the next heartbeat re-arms at once.
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((call) => call.at)).toEqual([0, 20, 40, 60, 200]);
    expect(dms.state).toBe('armed');
  });

  it('stops refreshing for good on halt() and sends nothing, not even on stop()', async () => {
    const { dms, calls } = create();
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(1);
    dms.halt('daily loss breaker');
    for (let second = 0; second < 100; second += 10) {
      await vi.advanceTimersByTimeAsync(10_000);
      dms.heartbeat();
    }
    await dms.stop();
    expect(calls).toEqual([{ at: 0, timeout: 60 }]);
    expect(dms.state).toBe('stopped');
  });

  it('disarms with timeout 0 on a clean stop, and never refreshes after it', async () => {
    const { dms, calls } = create();
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(25_000);
    dms.heartbeat();
    await dms.stop();
    await vi.advanceTimersByTimeAsync(100_000);
    dms.heartbeat();
    expect(calls.map((call) => call.timeout)).toEqual([60, 60, 0]);
  });

  it('does not disarm what it never armed', async () => {
    const { dms, calls } = create();
    await dms.stop();
    expect(calls).toEqual([]);
  });

  it('keeps trying after a failed refresh', async () => {
    let failures = 1;
    const { dms, calls } = create({ fail: () => failures-- > 0 });
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(1);
    expect(dms.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(20_000);
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(dms.state).toBe('armed');
  });

  it('goes stale sooner with a shorter staleAfterSeconds', async () => {
    const { dms, calls } = create({ staleAfterSeconds: 20 });
    dms.heartbeat();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(calls.map((call) => call.at)).toEqual([0, 20]);
  });

  it('refuses a refresh interval that is not below the timeout', () => {
    expect(() => new DeadMansSwitch({ timeoutSeconds: 30, refreshSeconds: 30, arm: async () => {} })).toThrow(ConfigError);
    expect(() => new DeadMansSwitch({ timeoutSeconds: 0, refreshSeconds: 1, arm: async () => {} })).toThrow(/timeoutSeconds: received 0/);
  });
});

describe('deadMansSwitchHeartbeat', () => {
  it('refreshes the switch while the bot trades or reduces, and stops refreshing for good once it halts', async () => {
    const armed: number[] = [];
    const deadMansSwitch = new DeadMansSwitch({ timeoutSeconds: 60, refreshSeconds: 15, arm: async (timeout) => armed.push(timeout) });
    const heartbeat = deadMansSwitchHeartbeat(deadMansSwitch);
    // Three beats per stale period (60 s), capped at 5 s.
    expect(heartbeat.intervalMs).toBe(5_000);
    heartbeat.beat('active');
    await Promise.resolve();
    expect(armed).toEqual([60]);
    expect(deadMansSwitch.state).toBe('armed');
    heartbeat.beat('reducing');
    expect(deadMansSwitch.state).toBe('armed');
    heartbeat.beat('halted');
    expect(deadMansSwitch.state).toBe('halted');
    heartbeat.beat('active');
    expect(deadMansSwitch.state).toBe('halted');
    await deadMansSwitch.stop();
  });
});
