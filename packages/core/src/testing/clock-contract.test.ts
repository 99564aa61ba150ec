import { describe, expect, it } from 'vitest';
import { LiveClock, TestClock, type Clock } from '../clock/clock.js';
import { clockContractChecks, runClockContract } from './clock-contract.js';
import { runContractCheck } from './contract-check.js';

runClockContract('LiveClock', () => new LiveClock());

// Every third step tries to move the clock back: a TestClock must ignore that.
runClockContract('TestClock', () => new TestClock(1_704_067_200_000), {
  advance: (clock, step) => (step % 3 === 2 ? clock.advanceTo(clock.now() - 60_000) : clock.advanceBy(step * 7)),
});

describe('the Clock contract catches broken clocks', () => {
  it('a clock that jumps back', async () => {
    let time = 10_000;
    const checks = clockContractChecks((): Clock => ({ now: () => (time += 1) % 1000 === 0 ? time - 5000 : time }));
    await expect(runContractCheck(checks, 'now() never decreases')).rejects.toThrow(/went back/);
  });

  it('a clock that goes back when told to', async () => {
    const checks = clockContractChecks(() => {
      let time = 5000;
      return { now: () => time, set: (value: number) => (time = value) };
    }, { advance: (clock, step) => clock.set(step % 2 ? 1000 : 6000) });
    await expect(runContractCheck(checks, 'now() never decreases')).rejects.toThrow();
  });

  it('a clock in seconds with fractions, or NaN', async () => {
    await expect(runContractCheck(clockContractChecks(() => ({ now: () => 1_704_067_200.5 })), 'now() is a whole number of epoch milliseconds a Date can hold')).rejects.toThrow();
    await expect(runContractCheck(clockContractChecks(() => ({ now: () => Number.NaN })), 'now() is a whole number of epoch milliseconds a Date can hold')).rejects.toThrow();
  });
});
