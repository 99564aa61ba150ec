import { ExchangeError, type EpochMs, type InstrumentId, type Quote } from '@kbot/core';
import type { TickerResult } from '../rest/types.js';
import { restNumber } from './rest-market-rows.js';

/**
 * A `/0/public/Ticker` answer for one pair (spec §5.5) → the best bid and offer as a Quote. `a`
 * and `b` are `[price, whole lot volume, lot volume]`; the size is the lot volume. Kraken's
 * ticker carries no timestamp, so the caller says when it was true (`time`).
 */
export function parseRestTicker(result: TickerResult, pair: string, instrumentId: InstrumentId, time: EpochMs): Quote {
  const entries = typeof result === 'object' && result !== null ? Object.values(result) : [];
  const entry = entries[0] as Partial<Record<'a' | 'b', unknown>> | undefined;
  if (entries.length !== 1 || typeof entry !== 'object' || entry === null) {
    throw new ExchangeError('bad-response', `Kraken Ticker ${pair}: received ${JSON.stringify(result)}, expected the ticker of that one pair`);
  }
  const side = (name: 'a' | 'b'): readonly unknown[] => {
    const value = entry[name];
    if (!Array.isArray(value) || value.length < 3) throw new ExchangeError('bad-response', `Kraken Ticker ${pair}.${name}: received ${JSON.stringify(value)}, expected [price, whole lot volume, lot volume]`);
    return value;
  };
  const ask = side('a');
  const bid = side('b');
  return {
    instrumentId,
    time,
    bid: restNumber(bid[0], `Ticker ${pair}.b[0] (price)`),
    bidSize: restNumber(bid[2], `Ticker ${pair}.b[2] (lot volume)`),
    ask: restNumber(ask[0], `Ticker ${pair}.a[0] (price)`),
    askSize: restNumber(ask[2], `Ticker ${pair}.a[2] (lot volume)`),
  };
}
