import { instrumentId } from '@kbot/core';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { L3Book } from '../book/l3-book.js';
import { parseLosslessJson, type JsonObject } from './lossless-json.js';
import { parseLevel3Entry } from './parse-level3.js';

/** A `level3` message's data entry as Kraken writes it: prices and quantities as JSON numbers. */
const ENTRY =
  '{"symbol":"BTC/USD","checksum":3029376366,' +
  '"bids":[{"order_id":"OB1","limit_price":44939.4,"order_qty":0.10000000,"timestamp":"2023-10-06T17:35:55.440295Z"}],' +
  '"asks":[{"event":"add","order_id":"OA1","limit_price":44939.5,"order_qty":4.52308393,"timestamp":"2023-10-06T17:35:56.000000Z"},' +
  '{"event":"add","order_id":"OA2","limit_price":44939.5,"order_qty":0.00111261,"timestamp":"2023-10-06T17:35:57.000000Z"}]}';

describe('parseLevel3Entry', () => {
  it("keeps each price and quantity as the text Kraken wrote when read losslessly, and passes event, id and time on", () => {
    const message = parseLevel3Entry('update', 'BTC/USD', parseLosslessJson(ENTRY) as JsonObject);
    expect(message).toEqual({
      type: 'update',
      symbol: 'BTC/USD',
      checksum: 3029376366,
      bids: [{ order_id: 'OB1', limit_price: '44939.4', order_qty: '0.10000000', timestamp: '2023-10-06T17:35:55.440295Z' }],
      asks: [
        { event: 'add', order_id: 'OA1', limit_price: '44939.5', order_qty: '4.52308393', timestamp: '2023-10-06T17:35:56.000000Z' },
        { event: 'add', order_id: 'OA2', limit_price: '44939.5', order_qty: '0.00111261', timestamp: '2023-10-06T17:35:57.000000Z' },
      ],
    });
    // JSON.parse gives numbers, whose shortest text drops the trailing zeros: the same value.
    expect(parseLevel3Entry('update', 'BTC/USD', JSON.parse(ENTRY) as Record<string, unknown>).bids[0]!.order_qty).toBe('0.1');
  });

  it('gives the book what it verifies: the checksum of the documented rule (§9.3), computed apart', () => {
    // Asks ascending then bids, each order's price and quantity with the '.' and leading zeros removed.
    const expected = crc32('449395' + '452308393' + '449395' + '111261' + '449394' + '10000000') >>> 0;
    const entry = parseLosslessJson(ENTRY.replace('3029376366', String(expected))) as JsonObject;
    const book = new L3Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 10 });
    expect(book.apply(parseLevel3Entry('snapshot', 'BTC/USD', entry))).toBe('verified');
    expect(book.apply(parseLevel3Entry('snapshot', 'BTC/USD', { ...entry, checksum: expected + 1 }))).toBe('mismatch');
  });

  it('names the field when a side is not an array or an order not an object', () => {
    expect(() => parseLevel3Entry('update', 'BTC/USD', { symbol: 'BTC/USD', checksum: 1, bids: {}, asks: [] })).toThrow(
      'Kraken WebSocket level3.bids: received {}, expected an array',
    );
    expect(() => parseLevel3Entry('update', 'BTC/USD', { symbol: 'BTC/USD', checksum: 1, bids: [], asks: [5] })).toThrow(
      'Kraken WebSocket level3.asks[]: received 5, expected an object',
    );
  });
});
