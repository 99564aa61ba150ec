import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseTicker, scanTickerMessage } from './parse-ticker.js';

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

/** What the general path makes of a ticker message: parseTicker of every entry JSON.parse reads. */
function viaJsonParse(text: string, receivedAt: number): unknown[] {
  return (JSON.parse(text) as { data: unknown[] }).data.map((entry) => parseTicker(entry, receivedAt));
}

/** A ticker message as Kraken writes it, with `fields` spliced into the entry as raw JSON text. */
function ticker(fields: string, type = 'update'): string {
  return `{"channel":"ticker","type":"${type}","data":[{${fields}}]}`;
}

const KRAKEN_ENTRY =
  '"symbol":"BTC/USD","bid":29430.2,"bid_qty":0.5,"ask":29430.3,"ask_qty":8.25215653,"last":29430.3,"volume":1000,"vwap":29400,"low":29000,"high":29500,"change":-10.5,"change_pct":-0.03,"timestamp":"2023-07-30T15:29:58.343415Z"';

describe('scanTickerMessage', () => {
  it('reads a compact ticker message into the same quotes as JSON.parse and parseTicker', () => {
    for (const text of [
      ticker(KRAKEN_ENTRY),
      ticker(KRAKEN_ENTRY, 'snapshot'),
      `{"channel":"ticker","type":"update","data":[{${KRAKEN_ENTRY}},{${KRAKEN_ENTRY.replace('BTC/USD', 'ETH/USD').replace('29430.2', '1850.55')}}]}`,
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"timestamp":null,"flag":true,"other":false,"note":"x y","none":null'),
      ticker('"ask_qty":4,"ask":3,"bid_qty":2,"bid":1,"symbol":"XBT/EUR","bid":7'),
    ]) {
      const quotes = scanTickerMessage(text, 1_700_000_000_000);
      expect(quotes, text).toEqual(viaJsonParse(text, 1_700_000_000_000));
      expect(quotes!.length).toBeGreaterThan(0);
    }
    expect(scanTickerMessage(ticker(KRAKEN_ENTRY), 0)![0]).toEqual({ instrumentId: 'BTC/USD', time: Date.parse('2023-07-30T15:29:58.343Z'), bid: 29430.2, bidSize: 0.5, ask: 29430.3, askSize: 8.25215653 });
  });

  it('reads every number as the very double JSON.parse gives', () => {
    const special = ['0', '-0', '0.0', '-0.000', '1e-8', '5.1e-05', '1E3', '2.5E+2', '9007199254740991', '9007199254740993', '123456789012345678901', '0.1234567890123456789', '0.0000000000000000000001', '0.00000000000000000000001', '29430.2', '1.7976931348623157e308', '4.9e-324', '-12.34'];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const digits = (count: number): string => Array.from({ length: count }, () => String(Math.floor(random() * 10))).join('');
    const tokens = [...special];
    for (let index = 0; index < 20_000; index++) {
      const whole = random() < 0.2 ? '0' : String(1 + Math.floor(random() * 9)) + digits(Math.floor(random() * 12));
      const fraction = random() < 0.2 ? '' : `.${digits(1 + Math.floor(random() * 18))}`;
      const exponent = random() < 0.1 ? `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 30)}` : '';
      tokens.push(`${random() < 0.1 ? '-' : ''}${whole}${fraction}${exponent}`);
    }
    const different: string[] = [];
    for (const token of tokens) {
      const quote = scanTickerMessage(ticker(`"symbol":"BTC/USD","bid":${token},"bid_qty":1,"ask":${token},"ask_qty":1`), 0)?.[0];
      const expected = JSON.parse(token) as number;
      if (quote === undefined || !Object.is(quote.bid, expected) || !Object.is(quote.ask, expected)) different.push(`${token}: ${quote?.bid} vs ${expected}`);
    }
    expect(different).toEqual([]);
    expect(tokens.length).toBeGreaterThan(20_000);
  });

  it('leaves anything but the compact form with the usual fields to the general path', () => {
    const leftAlone = [
      '{"channel":"ticker", "type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]}',
      '{"type":"update","channel":"ticker","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]}',
      '{"channel":"ticker","type":"update","data":[]}',
      '{"channel":"ticker","type":"other","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]}',
      '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}],"extra":1}',
      `${ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4')} `,
      ticker('"symbol":"BTC/USD","bid":"1","bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":null,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":1e999,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":01,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":1.,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":-,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"nested":{"a":1}'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"list":[1]'),
      ticker('"symbol":"BTC\\/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTCUSD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"","bid":1,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":7,"bid":1,"bid_qty":2,"ask":3,"ask_qty":4'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"timestamp":"yesterday"'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"timestamp":1690730998'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,'),
      ticker('"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4,"x":tru'),
      '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}',
      '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]',
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]}',
    ];
    for (const text of leftAlone) expect(scanTickerMessage(text, 0), text).toBeUndefined();
  });
});
