import type { EpochMs } from '../model/time.js';

/** Where the engine reads the time. Backtests move a TestClock with the data; live uses the wall clock. */
export interface Clock {
  now(): EpochMs;
}

export class LiveClock implements Clock {
  now(): EpochMs {
    return Date.now();
  }
}

/** A clock that only moves when told to; it never goes backwards. */
export class TestClock implements Clock {
  private time: EpochMs;

  constructor(start: EpochMs = 0) {
    this.time = start;
  }

  now(): EpochMs {
    return this.time;
  }

  /** Moves to `time`; earlier times are ignored, so out-of-order data cannot rewind the engine. */
  advanceTo(time: EpochMs): void {
    if (time > this.time) this.time = time;
  }

  advanceBy(ms: number): void {
    this.time += ms;
  }
}
