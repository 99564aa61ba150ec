import { describe, expect, it } from 'vitest';
import { BookMessageScan, scanBookMessage } from './parse-book.js';

function levels(text: string, offsets: Int32Array, count: number): [string, string][] {
  return Array.from({ length: count }, (_, level) => [text.slice(offsets[level * 4]!, offsets[level * 4 + 1]!), text.slice(offsets[level * 4 + 2]!, offsets[level * 4 + 3]!)]);
}

describe('scanBookMessage', () => {
  it("records each price and qty token's exact text, the checksum and the time", () => {
    const text = '{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[{"price":0.567,"qty":5.1e-05},{"price":0.5671,"qty":0}],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}';
    const scan = new BookMessageScan();
    expect(scanBookMessage(text, scan)).toBe('book');
    expect(scan.type).toBe('update');
    expect(scan.entryCount).toBe(1);
    const entry = scan.entry(0);
    expect(entry.symbol).toBe('MATIC/USD');
    expect(levels(text, entry.bids, entry.bidCount)).toEqual([['0.5657', '1098.3947558']]);
    expect(levels(text, entry.asks, entry.askCount)).toEqual([['0.567', '5.1e-05'], ['0.5671', '0']]);
    expect(entry.checksum).toBe(2114181697);
    expect(entry.timestamp).toBe(Date.parse('2023-10-06T17:35:55.440Z'));
  });

  it('accepts any key order, whitespace, unknown fields, string numbers and several entries', () => {
    const text = `{
      "data": [ { "bids": [ { "qty": "0.10000000", "extra": {"a":[1,"]"]}, "price": "45283.5" } ], "symbol": "BTC/USD", "asks": [ ], "unknown": null },
                { "symbol": "ETH/USD", "bids": [], "asks": [ {"price": 1800.25, "qty": 3} ] } ],
      "type": "snapshot", "channel": "book", "sequence": 5 }`;
    const scan = new BookMessageScan();
    expect(scanBookMessage(text, scan)).toBe('book');
    expect(scan.type).toBe('snapshot');
    expect(scan.entryCount).toBe(2);
    expect(levels(text, scan.entry(0).bids, scan.entry(0).bidCount)).toEqual([['45283.5', '0.10000000']]);
    expect(scan.entry(0).checksum).toBe(-1);
    expect(scan.entry(0).timestamp).toBeNaN();
    expect(scan.entry(1).symbol).toBe('ETH/USD');
    expect(levels(text, scan.entry(1).asks, scan.entry(1).askCount)).toEqual([['1800.25', '3']]);
  });

  it('grows its offset arrays for a deep snapshot and reuses them afterwards', () => {
    const bids = Array.from({ length: 1000 }, (_, index) => `{"price":${30000 - index},"qty":1}`).join(',');
    const text = `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${bids}],"asks":[],"checksum":1}]}`;
    const scan = new BookMessageScan();
    expect(scanBookMessage(text, scan)).toBe('book');
    expect(scan.entry(0).bidCount).toBe(1000);
    expect(levels(text, scan.entry(0).bids, 1000).at(-1)).toEqual(['29001', '1']);
  });

  it('says not-book for every other message without reading it', () => {
    const scan = new BookMessageScan();
    for (const text of ['{"channel":"heartbeat"}', '{"channel":"ticker","type":"update","data":[]}', '{"method":"pong","req_id":1}', '[1,2]', 'nonsense', '{}', '{"channel":"bookish","data":[]}']) {
      expect(scanBookMessage(text, scan), text).toBe('not-book');
    }
  });

  it('says malformed, with the reason and position, for a book message it cannot read', () => {
    const scan = new BookMessageScan();
    const cases: [string, RegExp][] = [
      ['{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1}],"asks":[]}]}', /a level without price or qty/],
      ['{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":2}],"asks":[]', /expected ',' or '}'|unterminated/],
      ['{"channel":"book","type":"weird","data":[]}', /type: expected "snapshot" or "update"/],
      ['{"channel":"book","data":[]}', /without type/],
      ['{"channel":"book","type":"update"}', /without data/],
      ['{"channel":"book","type":"update","data":[{"bids":[],"asks":[]}]}', /without symbol/],
      ['{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":2}],"checksum":-5}]}', /checksum: expected an unsigned integer/],
      ['{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":true,"qty":2}]}]}', /expected a number at character/],
    ];
    for (const [text, reason] of cases) {
      expect(scanBookMessage(text, scan), text).toBe('malformed');
      expect(scan.error, text).toMatch(reason);
    }
  });
});
