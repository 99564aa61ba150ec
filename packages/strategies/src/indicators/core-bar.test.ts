import type { Bar } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { ADX } from './adx.js';
import { ATR } from './atr.js';
import { DonchianChannel } from './donchian-channel.js';
import type { Indicator } from './indicator.js';
import { OBV } from './obv.js';
import { RollingVWAP } from './rolling-vwap.js';
import { SessionVWAP } from './session-vwap.js';
import { Stochastic } from './stochastic.js';
import { createSyntheticBars } from './test-bars.js';

describe("bar indicators take core's Bar as it is", () => {
  // Typed as core's Bar: if an indicator's input type drifts from it, this file stops compiling.
  const bars: Bar[] = createSyntheticBars(60).map((bar) => ({
    ...bar,
    instrumentId: 'XBT/USD' as Bar['instrumentId'],
    interval: 3_600_000,
    trades: 1,
  }));
  const indicators: [string, Indicator<Bar, unknown>][] = [
    ['ATR', new ATR()],
    ['ADX', new ADX()],
    ['Stochastic', new Stochastic()],
    ['OBV', new OBV()],
    ['SessionVWAP', new SessionVWAP()],
    ['RollingVWAP', new RollingVWAP(24)],
    ['DonchianChannel', new DonchianChannel()],
  ];
  for (const [name, indicator] of indicators) {
    it(name, () => {
      for (const bar of bars) indicator.add(bar);
      expect(indicator.isStable).toBe(true);
      expect(indicator.value).toBeDefined();
    });
  }
});
