import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseTrades } from './parse-trade.js';

describe('parseTrades', () => {
  it('turns every trade of a message into a Trade with the taker side and trade id', () => {
    const data = parseLosslessJson(
      '[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"},' +
        '{"symbol":"MATIC/USD","side":"sell","price":0.5147,"qty":1136.19677815,"ord_type":"market","trade_id":4665847,"timestamp":"2023-09-25T07:49:36.925603Z"}]',
    );
    expect(parseTrades(data, 0)).toEqual([
      { instrumentId: 'MATIC/USD', time: Date.parse('2023-09-25T07:48:36.925Z'), price: 0.5147, quantity: 6423.46326, side: 'buy', tradeId: '4665846' },
      { instrumentId: 'MATIC/USD', time: Date.parse('2023-09-25T07:49:36.925Z'), price: 0.5147, quantity: 1136.19677815, side: 'sell', tradeId: '4665847' },
    ]);
  });

  it('keeps an unknown side as not said and refuses a message without a list', () => {
    expect(parseTrades([{ symbol: 'BTC/USD', side: '?', price: 1, qty: 1 }], 5)[0]).toEqual({ instrumentId: 'BTC/USD', time: 5, price: 1, quantity: 1, side: undefined });
    expect(() => parseTrades({}, 0)).toThrow('Kraken WebSocket trade.data: received {}, expected an array');
  });
});
