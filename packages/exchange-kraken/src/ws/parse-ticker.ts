import type { EpochMs, Quote } from '@kbot/core';
import { wsInstrumentId, wsNumber, wsRecord, wsTimeOr } from './ws-fields.js';

/**
 * One `ticker` entry (spec §8.6) → Quote. Kraken's 24-hour statistics (last, volume, vwap, high,
 * low, change) are not part of a quote and are left out. `receivedAt` stands in for `timestamp`,
 * which older server versions do not send.
 */
export function parseTicker(entry: unknown, receivedAt: EpochMs): Quote {
  const fields = wsRecord(entry, 'ticker entry');
  return {
    instrumentId: wsInstrumentId(fields.symbol, 'ticker.symbol'),
    time: wsTimeOr(fields.timestamp, 'ticker.timestamp', receivedAt),
    bid: wsNumber(fields.bid, 'ticker.bid'),
    bidSize: wsNumber(fields.bid_qty, 'ticker.bid_qty'),
    ask: wsNumber(fields.ask, 'ticker.ask'),
    askSize: wsNumber(fields.ask_qty, 'ticker.ask_qty'),
  };
}
