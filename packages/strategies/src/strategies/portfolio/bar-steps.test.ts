import { describe, expect, it } from 'vitest';
import { HOUR_MS, instrumentId } from '@kbot/core';
import { TEST_START_TIME, bar } from '@kbot/core/testing';
import { BarSteps } from './bar-steps.js';

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');
const at = (pair: string, index: number) => bar({ instrumentId: pair, interval: '1h', openTime: TEST_START_TIME + index * HOUR_MS, close: 100 });
const close = (index: number) => TEST_START_TIME + (index + 1) * HOUR_MS;

describe('BarSteps', () => {
  it('completes a step on the bar that brings the last pair', () => {
    const steps = new BarSteps([BTC, ETH]);
    expect(steps.onBar(at('BTC/USD', 0))).toEqual({ flushed: undefined, completed: undefined });
    expect(steps.onBar(at('ETH/USD', 0))).toEqual({ flushed: undefined, completed: close(0) });
    expect(steps.onBar(at('ETH/USD', 1))).toEqual({ flushed: undefined, completed: undefined });
    expect(steps.onBar(at('BTC/USD', 1))).toEqual({ flushed: undefined, completed: close(1) });
  });

  it('flushes a step a pair skipped when the next step starts, so a silent pair never stalls the rest', () => {
    const steps = new BarSteps([BTC, ETH]);
    steps.onBar(at('BTC/USD', 0));
    // ETH had no trades in hour 0: its next bar is hour 1's.
    expect(steps.onBar(at('BTC/USD', 1))).toEqual({ flushed: close(0), completed: undefined });
    expect(steps.onBar(at('ETH/USD', 1))).toEqual({ flushed: undefined, completed: close(1) });
    // A pair that stops altogether: every step is flushed by the next one.
    expect(steps.onBar(at('BTC/USD', 2))).toEqual({ flushed: undefined, completed: undefined });
    expect(steps.onBar(at('BTC/USD', 3))).toEqual({ flushed: close(2), completed: undefined });
  });

  it('ignores a bar older than the open step (unsorted input)', () => {
    const steps = new BarSteps([BTC, ETH]);
    steps.onBar(at('BTC/USD', 1));
    expect(steps.onBar(at('ETH/USD', 0))).toEqual({ flushed: undefined, completed: undefined });
    expect(steps.onBar(at('ETH/USD', 1))).toEqual({ flushed: undefined, completed: close(1) });
  });

  it('a single pair completes every step on its own bar; bars of other pairs are ignored', () => {
    const steps = new BarSteps([BTC]);
    expect(steps.onBar(at('ETH/USD', 0))).toEqual({ flushed: undefined, completed: undefined });
    expect(steps.onBar(at('BTC/USD', 0))).toEqual({ flushed: undefined, completed: close(0) });
  });
});
