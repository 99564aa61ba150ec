import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseTrades, scanTradeMessage } from './parse-trade.js';

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

/** What the general path makes of a trade message: parseTrades of the data the lossless parser reads. */
function viaLosslessParse(text: string, receivedAt: number): unknown {
  return parseTrades((parseLosslessJson(text) as { data: unknown }).data, receivedAt);
}

const MATIC_BUY = '{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"}';

describe('scanTradeMessage', () => {
  it('reads compact trade messages into the same trades as the lossless parser and parseTrades', () => {
    for (const text of [
      `{"channel":"trade","type":"update","data":[${MATIC_BUY}]}`,
      `{"channel":"trade","type":"snapshot","data":[${MATIC_BUY},${MATIC_BUY.replace('"buy"', '"sell"').replace('4665846', '4665847').replace('0.5147', '5.1e-05')}]}`,
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"?","price":29430.2,"qty":0.00000001,"ord_type":"market","trade_id":18446744073709551615,"timestamp":"2023-09-25T07:48:36Z"}]}',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":null,"price":1,"qty":2,"ord_type":"limit"}]}',
    ]) {
      const trades = scanTradeMessage(text, 1_700_000_000_000);
      expect(trades, text).toEqual(viaLosslessParse(text, 1_700_000_000_000));
      expect(trades!.length).toBeGreaterThan(0);
    }
    // A trade id beyond 2^53 keeps every digit.
    expect(scanTradeMessage('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":2,"ord_type":"limit","trade_id":18446744073709551615}]}', 0)![0]!.tradeId).toBe('18446744073709551615');
  });

  it('leaves anything but the compact form with the usual fields to the general path', () => {
    for (const text of [
      `{"channel":"trade","type":"update","data":[]}`,
      `{"channel":"trade", "type":"update","data":[${MATIC_BUY}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('4665846', '4665846.5')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('0.5147', '"0.5147"')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('"side":"buy",', '')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('"2023-09-25T07:48:36.925533Z"', '"then"')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('MATIC/USD', 'MATICUSD')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY.replace('6423.46326', '1e999')}]}`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY}]`,
      `{"channel":"trade","type":"update","data":[${MATIC_BUY}]}x`,
    ]) {
      expect(scanTradeMessage(text, 0), text).toBeUndefined();
    }
  });
});
