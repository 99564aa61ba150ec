import type { AggressorSide, EpochMs, Trade } from '@kbot/core';
import { FlatEntryScanner } from './flat-entry-scanner.js';
import { parseRfc3339Range } from './parse-timestamp.js';
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

const CLOSE_ARRAY = 93;
const COMMA = 44;
const CLOSE_OBJECT = 125;
const INTEGER_TEXT = /^-?\d+$/;

const scanner = new FlatEntryScanner();

/** An entry laid out as Kraken writes it (spec §8.9: symbol, side, price, qty, ord_type, trade_id, timestamp), matched piece by piece. */
function scanTradeEntry(scan: FlatEntryScanner, receivedAt: EpochMs): Trade | undefined {
  if (!scan.skip('{"symbol":') || !scan.readString()) return undefined;
  const symbolStart = scan.valueStart;
  const symbolEnd = scan.valueEnd;
  if (!scan.skip(',"side":') || !scan.value(false)) return undefined;
  const side: AggressorSide | undefined = scan.stringIs('buy') ? 'buy' : scan.stringIs('sell') ? 'sell' : undefined;
  if (!scan.skip(',"price":') || !scan.readNumber(true)) return undefined;
  const price = scan.numberValue;
  if (!scan.skip(',"qty":') || !scan.readNumber(true)) return undefined;
  const quantity = scan.numberValue;
  if (!scan.skip(',"ord_type":') || !scan.value(false)) return undefined;
  let tradeId: string | undefined;
  if (scan.skip(',"trade_id":')) {
    // Kept as its digits: exact at any size.
    if (!scan.readNumber(false)) return undefined;
    tradeId = scan.text.slice(scan.valueStart, scan.valueEnd);
    if (!INTEGER_TEXT.test(tradeId)) return undefined;
  }
  let time = receivedAt;
  if (scan.skip(',"timestamp":')) {
    if (!scan.readString()) return undefined;
    time = parseRfc3339Range(scan.text, scan.valueStart, scan.valueEnd);
    if (Number.isNaN(time)) return undefined;
  }
  if (scan.next() !== CLOSE_OBJECT || !Number.isFinite(price) || !Number.isFinite(quantity)) return undefined;
  const instrumentId = scan.instrumentIdAt(symbolStart, symbolEnd);
  if (instrumentId === undefined) return undefined;
  return tradeId === undefined ? { instrumentId, time, price, quantity, side } : { instrumentId, time, price, quantity, side, tradeId };
}

/**
 * A whole `trade` message in Kraken's compact form → its trades, read in place without a JSON
 * parser (see FlatEntryScanner): the same trades parseTrades gives for the message's `data`.
 * Undefined when the message is not in that form or anything in it is unusual (other spacing or
 * field order, escapes, a field missing or of another type, a fractional trade id, an empty
 * `data`): nothing is read then, and the caller parses it the general way, which also reports
 * what is wrong.
 */
export function scanTradeMessage(text: string, receivedAt: EpochMs): Trade[] | undefined {
  const scan = scanner;
  scan.start(text);
  if (!scan.skip('{"channel":"trade","type":"') || !(scan.skip('update"') || scan.skip('snapshot"')) || !scan.skip(',"data":[')) return undefined;
  const trades: Trade[] = [];
  for (;;) {
    const trade = scanTradeEntry(scan, receivedAt);
    if (trade === undefined) return undefined;
    trades.push(trade);
    const code = scan.next();
    if (code === CLOSE_ARRAY) break;
    if (code !== COMMA) return undefined;
  }
  return scan.next() === CLOSE_OBJECT && scan.position === text.length ? trades : undefined;
}
