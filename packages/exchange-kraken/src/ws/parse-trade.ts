import type { AggressorSide, EpochMs, Trade } from '@kbot/core';
import { wsArray, wsInstrumentId, wsIntegerText, wsNumber, wsRecord, wsTimeOr } from './ws-fields.js';

function parseSide(value: unknown): AggressorSide | undefined {
  return value === 'buy' || value === 'sell' ? value : undefined; // unknown sides are kept as "not said"
}

/** One `trade` entry (spec §8.9) → Trade; `side` is the taker's. */
export function parseTrade(entry: unknown, receivedAt: EpochMs): Trade {
  const fields = wsRecord(entry, 'trade entry');
  return {
    instrumentId: wsInstrumentId(fields.symbol, 'trade.symbol'),
    time: wsTimeOr(fields.timestamp, 'trade.timestamp', receivedAt),
    price: wsNumber(fields.price, 'trade.price'),
    quantity: wsNumber(fields.qty, 'trade.qty'),
    side: parseSide(fields.side),
    ...(fields.trade_id === undefined ? {} : { tradeId: wsIntegerText(fields.trade_id, 'trade.trade_id') }),
  };
}

/** A `trade` message's `data` (one or more trades, oldest first) → Trade[]. */
export function parseTrades(data: unknown, receivedAt: EpochMs): Trade[] {
  return wsArray(data, 'trade.data').map((entry) => parseTrade(entry, receivedAt));
}
