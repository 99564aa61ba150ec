import { barCloseTime } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseOhlc } from './parse-ohlc.js';

describe('parseOhlc', () => {
  it('opens the bar at interval_begin and turns minutes into milliseconds', () => {
    const entry = parseLosslessJson(
      '{"symbol":"MATIC/USD","open":0.5624,"high":0.5628,"low":0.5622,"close":0.5627,"trades":12,"volume":30927.68066226,"vwap":0.56253,"interval_begin":"2023-10-04T16:10:00.000000000Z","interval":5,"timestamp":"2023-10-04T16:15:00.000000Z"}',
    );
    const bar = parseOhlc(entry);
    expect(bar).toEqual({ instrumentId: 'MATIC/USD', interval: 300_000, openTime: Date.parse('2023-10-04T16:10:00Z'), open: 0.5624, high: 0.5628, low: 0.5622, close: 0.5627, volume: 30927.68066226, trades: 12 });
    expect(barCloseTime(bar)).toBe(Date.parse('2023-10-04T16:15:00Z'));
  });

  it('refuses a candle without its open time or with a non-positive interval', () => {
    const base = { symbol: 'BTC/USD', open: 1, high: 1, low: 1, close: 1, volume: 1, interval: 1 };
    expect(() => parseOhlc(base)).toThrow(/ohlc\.interval_begin: received nothing, expected an RFC3339 time/);
    expect(() => parseOhlc({ ...base, interval: 0, interval_begin: '2023-10-04T16:10:00Z' })).toThrow(/ohlc\.interval: received 0, expected a positive number of minutes/);
  });
});
