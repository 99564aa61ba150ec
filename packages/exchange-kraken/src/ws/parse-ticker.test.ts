import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseTicker } from './parse-ticker.js';

describe('parseTicker', () => {
  it('turns a ticker entry into a Quote, from lossless or plain JSON alike', () => {
    const text = '{"symbol":"ETH/USD","bid":1850.55,"bid_qty":12.5,"ask":1850.56,"ask_qty":0.1,"last":1850.56,"volume":20000.1,"vwap":1840,"low":1800,"high":1900,"change":5,"change_pct":0.27,"timestamp":"2023-10-06T17:35:55.440295Z"}';
    const expected = { instrumentId: 'ETH/USD', time: Date.parse('2023-10-06T17:35:55.440Z'), bid: 1850.55, bidSize: 12.5, ask: 1850.56, askSize: 0.1 };
    expect(parseTicker(parseLosslessJson(text), 0)).toEqual(expected);
    expect(parseTicker(JSON.parse(text), 0)).toEqual(expected);
  });

  it('uses the receive time when the server version sends no timestamp', () => {
    expect(parseTicker({ symbol: 'BTC/USD', bid: 1, bid_qty: 2, ask: 3, ask_qty: 4 }, 1_700_000_000_000).time).toBe(1_700_000_000_000);
  });

  it('names the field and value that are wrong', () => {
    expect(() => parseTicker({ symbol: 'BTC/USD', bid: null, bid_qty: 2, ask: 3, ask_qty: 4 }, 0)).toThrow('Kraken WebSocket ticker.bid: received null, expected a number');
    expect(() => parseTicker({ symbol: 'BTCUSD', bid: 1, bid_qty: 2, ask: 3, ask_qty: 4 }, 0)).toThrow(/ticker\.symbol: received "BTCUSD", expected a symbol such as "BTC\/USD"/);
  });
});
