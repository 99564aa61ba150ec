import { MINUTE_MS, type Bar } from '@kbot/core';
import { wsFieldError, wsInstrumentId, wsInteger, wsNumber, wsRecord, wsTime } from './ws-fields.js';

/** Candle lengths, in minutes, that the `ohlc` channel accepts (spec §8.10). */
export const KRAKEN_OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600] as const;

/**
 * One `ohlc` entry (spec §8.10) → Bar, opened at `interval_begin`. Kraken re-sends the current
 * candle each time it changes, so a Bar from an update is provisional until a candle with a
 * later `interval_begin` arrives; the data client decides when a bar is closed.
 */
export function parseOhlc(entry: unknown): Bar {
  const fields = wsRecord(entry, 'ohlc entry');
  const minutes = wsInteger(fields.interval, 'ohlc.interval');
  if (minutes <= 0) throw wsFieldError('ohlc.interval', fields.interval, 'a positive number of minutes');
  return {
    instrumentId: wsInstrumentId(fields.symbol, 'ohlc.symbol'),
    interval: minutes * MINUTE_MS,
    openTime: wsTime(fields.interval_begin, 'ohlc.interval_begin'),
    open: wsNumber(fields.open, 'ohlc.open'),
    high: wsNumber(fields.high, 'ohlc.high'),
    low: wsNumber(fields.low, 'ohlc.low'),
    close: wsNumber(fields.close, 'ohlc.close'),
    volume: wsNumber(fields.volume, 'ohlc.volume'),
    ...(fields.trades === undefined ? {} : { trades: wsInteger(fields.trades, 'ohlc.trades') }),
  };
}
