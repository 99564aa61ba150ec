import { MINUTE_MS, instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import type { OhlcResult, OhlcRow } from '../rest/types.js';
import { parseRestOhlc } from './rest-ohlc.js';

const BTC = instrumentId('BTC/USD');
const T0 = 1_688_671_200; // a whole minute, in seconds

function row(minute: number, close: string, count = 3): OhlcRow {
  return [T0 + minute * 60, '30000.0', '30100.0', '29900.0', close, '30010.0', count === 0 ? '0.00000000' : '1.50000000', count];
}

function answer(rows: readonly OhlcRow[], last: number | string): OhlcResult {
  return { XXBTZUSD: rows, last } as OhlcResult;
}

const options = { instrumentId: BTC, interval: MINUTE_MS, requestedAt: Number.NEGATIVE_INFINITY, graceMs: 5_000 };
const minutesOf = (bars: readonly { openTime: number }[]) => bars.map((bar) => (bar.openTime / 1000 - T0) / 60);

describe('parseRestOhlc', () => {
  it('never takes the last row, Kraken\'s uncommitted candle, as closed', () => {
    const parsed = parseRestOhlc(answer([row(0, '30001.0'), row(1, '30002.0'), row(2, '30003.0')], T0 + 60), 'XBTUSD', options);
    expect(minutesOf(parsed.closed)).toEqual([0, 1]);
    expect(parsed.closed[1]).toEqual({ instrumentId: BTC, interval: MINUTE_MS, openTime: (T0 + 60) * 1000, open: 30_000, high: 30_100, low: 29_900, close: 30_002, volume: 1.5, trades: 3 });
    expect(parsed.forming).toMatchObject({ openTime: (T0 + 120) * 1000, close: 30_003 });
  });

  it("takes a last row as closed when Kraken's `last` cursor says it is committed (a string cursor too)", () => {
    const parsed = parseRestOhlc(answer([row(0, '30001.0'), row(1, '30002.0')], String(T0 + 60)), 'XBTUSD', options);
    expect(minutesOf(parsed.closed)).toEqual([0, 1]);
    expect(parsed.forming).toBeUndefined();
    expect(parsed.lastCommitted).toBe((T0 + 60) * 1000);
  });

  it('takes a last row as closed when its interval ended the grace period before the request, and not a moment sooner', () => {
    const rows = [row(0, '30001.0'), row(1, '30002.0')];
    const end = (T0 + 120) * 1000;
    expect(minutesOf(parseRestOhlc(answer(rows, T0), 'XBTUSD', { ...options, requestedAt: end + 4_999 }).closed)).toEqual([0]);
    expect(minutesOf(parseRestOhlc(answer(rows, T0), 'XBTUSD', { ...options, requestedAt: end + 5_000 }).closed)).toEqual([0, 1]);
  });

  it('makes no bar of an interval without trades, but a later empty row still closes the one before', () => {
    const parsed = parseRestOhlc(answer([row(0, '30001.0'), row(1, '30001.0', 0), row(3, '30004.0'), row(4, '30004.0', 0)], T0), 'XBTUSD', options);
    expect(minutesOf(parsed.closed)).toEqual([0, 3]);
    expect(parsed.forming).toBeUndefined();
  });

  it('names the row and field of a bad answer', () => {
    expect(() => parseRestOhlc(answer([row(0, 'abc')], T0), 'XBTUSD', options)).toThrow('Kraken OHLC XBTUSD[0][4] (close): received "abc", expected a number or decimal string');
    expect(() => parseRestOhlc(answer([row(1, '1'), row(0, '1')], T0), 'XBTUSD', options)).toThrow(/OHLC XBTUSD\[1\]\[0\] \(time\): received \d+, expected whole seconds on a 1-minute boundary, after the row before/);
    expect(() => parseRestOhlc({ last: T0 } as OhlcResult, 'XBTUSD', options)).toThrow('Kraken OHLC XBTUSD: received the keys ["last"], expected one pair\'s rows and "last"');
    expect(() => parseRestOhlc(answer([[T0, '1', '1', '1'] as unknown as OhlcRow], T0), 'XBTUSD', options)).toThrow(/OHLC XBTUSD\[0\]: received .*, expected an array of 8 fields/);
  });
});
