import type { EpochMs, Quote } from '@kbot/core';
import { FlatEntryScanner, JSON_NUMBER_SOURCE, NULL_VALUE, NUMBER_VALUE, STRING_VALUE } from './flat-entry-scanner.js';
import { parseRfc3339Range } from './parse-timestamp.js';
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

const CLOSE_ARRAY = 93;
const COMMA = 44;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

const scanner = new FlatEntryScanner();

/** Kraken's 24-hour statistics, in the order it sends them after the best bid and offer: each a JSON number, checked, not read. */
const STATISTICS = new RegExp(['last', 'volume', 'vwap', 'low', 'high', 'change', 'change_pct'].map((key) => `,"${key}":${JSON_NUMBER_SOURCE}`).join(''), 'y');

/** The entry's fields once read: undefined when one is missing or a number is beyond the doubles (1e999); the general path names it. */
function quoteOf(scan: FlatEntryScanner, symbolStart: number, symbolEnd: number, time: number, bid: number, bidSize: number, ask: number, askSize: number): Quote | undefined {
  if (symbolStart < 0 || !Number.isFinite(bid) || !Number.isFinite(bidSize) || !Number.isFinite(ask) || !Number.isFinite(askSize)) return undefined;
  const instrumentId = scan.instrumentIdAt(symbolStart, symbolEnd);
  if (instrumentId === undefined) return undefined;
  return { instrumentId, time, bid, bidSize, ask, askSize };
}

/** An entry laid out as Kraken writes it (fields in its order, `timestamp` last or absent), matched piece by piece. */
function scanKrakenEntry(scan: FlatEntryScanner, receivedAt: EpochMs): Quote | undefined {
  if (!scan.skip('{"symbol":') || !scan.readString()) return undefined;
  const symbolStart = scan.valueStart;
  const symbolEnd = scan.valueEnd;
  if (!scan.skip(',"bid":') || !scan.readNumber(true)) return undefined;
  const bid = scan.numberValue;
  if (!scan.skip(',"bid_qty":') || !scan.readNumber(true)) return undefined;
  const bidSize = scan.numberValue;
  if (!scan.skip(',"ask":') || !scan.readNumber(true)) return undefined;
  const ask = scan.numberValue;
  if (!scan.skip(',"ask_qty":') || !scan.readNumber(true)) return undefined;
  const askSize = scan.numberValue;
  if (!scan.skipMatch(STATISTICS)) return undefined;
  let time = receivedAt;
  if (scan.skip(',"timestamp":')) {
    if (!scan.readString()) return undefined;
    time = parseRfc3339Range(scan.text, scan.valueStart, scan.valueEnd);
    if (Number.isNaN(time)) return undefined;
  }
  if (scan.next() !== CLOSE_OBJECT) return undefined;
  return quoteOf(scan, symbolStart, symbolEnd, time, bid, bidSize, ask, askSize);
}

/** An entry with its fields in any order, and others besides (scalars only). */
function scanAnyEntry(scan: FlatEntryScanner, receivedAt: EpochMs): Quote | undefined {
  if (scan.next() !== OPEN_OBJECT) return undefined;
  let symbolStart = -1;
  let symbolEnd = -1;
  let time = receivedAt;
  let bid = Number.NaN;
  let bidSize = Number.NaN;
  let ask = Number.NaN;
  let askSize = Number.NaN;
  for (;;) {
    if (!scan.key()) return undefined;
    // By key length first: most keys (last, volume, vwap, low, high, change, change_pct) are only checked.
    const length = scan.keyEnd - scan.keyStart;
    const wanted = length === 3 || length === 6 || length === 7 || length === 9;
    if (!scan.value(wanted)) return undefined;
    const kind = scan.kind;
    switch (length) {
      case 3:
        if (scan.keyIs('bid')) {
          if (kind !== NUMBER_VALUE) return undefined;
          bid = scan.numberValue;
        } else if (scan.keyIs('ask')) {
          if (kind !== NUMBER_VALUE) return undefined;
          ask = scan.numberValue;
        }
        break;
      case 6:
        if (scan.keyIs('symbol')) {
          if (kind !== STRING_VALUE) return undefined;
          symbolStart = scan.valueStart;
          symbolEnd = scan.valueEnd;
        }
        break;
      case 7:
        if (scan.keyIs('bid_qty')) {
          if (kind !== NUMBER_VALUE) return undefined;
          bidSize = scan.numberValue;
        } else if (scan.keyIs('ask_qty')) {
          if (kind !== NUMBER_VALUE) return undefined;
          askSize = scan.numberValue;
        }
        break;
      case 9:
        if (scan.keyIs('timestamp')) {
          if (kind === NULL_VALUE) {
            time = receivedAt;
          } else {
            if (kind !== STRING_VALUE) return undefined;
            time = parseRfc3339Range(scan.text, scan.valueStart, scan.valueEnd);
            if (Number.isNaN(time)) return undefined;
          }
        }
        break;
      default:
    }
    const code = scan.next();
    if (code === CLOSE_OBJECT) break;
    if (code !== COMMA) return undefined;
  }
  return quoteOf(scan, symbolStart, symbolEnd, time, bid, bidSize, ask, askSize);
}

/** One entry at the scanner's position → Quote; undefined when it is not one in a form read here (the general path decides). */
function scanTickerEntry(scan: FlatEntryScanner, receivedAt: EpochMs): Quote | undefined {
  const start = scan.position;
  const quote = scanKrakenEntry(scan, receivedAt);
  if (quote !== undefined) return quote;
  scan.position = start;
  return scanAnyEntry(scan, receivedAt);
}

/**
 * A whole `ticker` message in Kraken's compact form (`{"channel":"ticker","type":…,"data":[…]}`)
 * → its quotes, read in place without JSON.parse (see FlatEntryScanner): the same quotes
 * parseTicker gives for each entry of `JSON.parse(text).data`. Undefined when the message is not
 * in that form or anything in it is unusual (other spacing or key order, escapes, a field
 * missing or of another type, an empty `data`): nothing is read then, and the caller parses it
 * the general way, which also reports what is wrong.
 */
export function scanTickerMessage(text: string, receivedAt: EpochMs): Quote[] | undefined {
  const scan = scanner;
  scan.start(text);
  if (!scan.skip('{"channel":"ticker","type":"') || !(scan.skip('update"') || scan.skip('snapshot"')) || !scan.skip(',"data":[')) return undefined;
  const quotes: Quote[] = [];
  for (;;) {
    const quote = scanTickerEntry(scan, receivedAt);
    if (quote === undefined) return undefined;
    quotes.push(quote);
    const code = scan.next();
    if (code === CLOSE_ARRAY) break;
    if (code !== COMMA) return undefined;
  }
  return scan.next() === CLOSE_OBJECT && scan.position === text.length ? quotes : undefined;
}
