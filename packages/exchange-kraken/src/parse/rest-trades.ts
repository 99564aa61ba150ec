import { ExchangeError, type AggressorSide, type InstrumentId, type Trade } from '@kbot/core';
import type { TradesResult } from '../rest/types.js';
import { restNumber, restPairRows, restRow } from './rest-market-rows.js';

export interface RestTrades {
  /** Oldest first, as Kraken lists them. */
  readonly trades: readonly Trade[];
  /** Kraken's opaque `last` cursor: pass it back verbatim as `since` for the trades after these. */
  readonly last: string;
}

const SIDES: Readonly<Record<string, AggressorSide>> = { b: 'buy', s: 'sell' };

/**
 * A `/0/public/Trades` answer (spec §5.8) → Trades. Row: `[price, volume, time, b|s, m|l, misc,
 * trade_id]`; `b`/`s` is the taker's side, as `side` on the WebSocket. `tradeId` is the same
 * per-pair sequence number the WebSocket `trade` channel sends, so a trade seen on both is
 * recognised. Times are whole milliseconds.
 */
export function parseRestTrades(result: TradesResult, pair: string, instrumentId: InstrumentId): RestTrades {
  const rows = restPairRows(result, 'Trades', pair);
  const last = result.last;
  if ((typeof last !== 'string' && typeof last !== 'number') || String(last).trim() === '') {
    throw new ExchangeError('bad-response', `Kraken Trades ${pair}.last: received ${JSON.stringify(last)}, expected the cursor of the next page`);
  }
  const trades = rows.map((entry, index): Trade => {
    const field = `Trades ${pair}[${index}]`;
    const row = restRow(entry, 7, field);
    const id = row[6];
    if (!((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^\d+$/.test(id)))) {
      throw new ExchangeError('bad-response', `Kraken ${field}[6] (trade_id): received ${JSON.stringify(id)}, expected a whole number`);
    }
    return {
      instrumentId,
      time: Math.round(restNumber(row[2], `${field}[2] (time)`) * 1000),
      price: restNumber(row[0], `${field}[0] (price)`),
      quantity: restNumber(row[1], `${field}[1] (volume)`),
      side: SIDES[String(row[3])],
      tradeId: String(id),
    };
  });
  return { trades, last: String(last) };
}
