import { expect } from 'vitest';
import type { Clock } from '../clock/clock.js';
import { registerContract, type ContractCheck } from './contract-check.js';

/** The largest time a JavaScript Date can hold (year 275760). */
const MAX_DATE_MS = 8.64e15;

export interface ClockContractOptions<C extends Clock = Clock> {
  /**
   * Moves the clock between reads (step = 0, 1, 2, ...), for clocks that only move when told.
   * Include attempts to go backwards: the clock must ignore them.
   */
  readonly advance?: (clock: C, step: number) => void;
  /** How many reads the monotonicity check makes; default 2000. */
  readonly reads?: number;
}

/** The rules every Clock keeps; `runClockContract` registers them as tests. */
export function clockContractChecks<C extends Clock>(createClock: () => C, options: ClockContractOptions<C> = {}): ContractCheck[] {
  const reads = options.reads ?? 2000;
  return [
    {
      name: 'now() is a whole number of epoch milliseconds a Date can hold',
      run: () => {
        const clock = createClock();
        for (let step = 0; step < 20; step++) {
          const now = clock.now();
          expect(typeof now).toBe('number');
          expect(Number.isFinite(now), `now() returned ${now}`).toBe(true);
          expect(now, 'now() must not be before 1970').toBeGreaterThanOrEqual(0);
          expect(now).toBeLessThanOrEqual(MAX_DATE_MS);
          expect(Math.abs(now - Math.round(now)), `now() returned ${now}, expected whole milliseconds`).toBeLessThan(1e-6);
          expect(Number.isNaN(new Date(now).getTime())).toBe(false);
          options.advance?.(clock, step);
        }
      },
    },
    {
      name: 'now() never decreases',
      run: () => {
        const clock = createClock();
        let previous = clock.now();
        for (let step = 0; step < reads; step++) {
          options.advance?.(clock, step);
          const now = clock.now();
          if (now < previous) expect.fail(`now() went back from ${previous} to ${now} at read ${step + 1}`);
          previous = now;
        }
      },
    },
  ];
}

/**
 * The Clock contract: `now()` is a finite, whole epoch-millisecond time that never goes back.
 *
 * @example runClockContract('TestClock', () => new TestClock(0), { advance: (clock, step) => clock.advanceTo(step % 2 ? 0 : step * 1000) })
 */
export function runClockContract<C extends Clock>(name: string, createClock: () => C, options: ClockContractOptions<C> = {}): void {
  registerContract(`${name} keeps the Clock contract`, clockContractChecks(createClock, options));
}
