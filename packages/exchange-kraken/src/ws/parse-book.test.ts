import { describe, expect, it } from 'vitest';
import { BookMessageScan, scanBookMessage } from './parse-book.js';
import { parseRfc3339 } from './parse-timestamp.js';

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

  describe('fast path (Kraken\'s compact layout, read as bytes)', () => {
    const compact =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":29430.2,"qty":0.18967538},{"price":29429.6,"qty":0.0}],"asks":[{"price":29431.5,"qty":4.0},{"price":2.5e3,"qty":12345678901234567}],"checksum":4294967295,"timestamp":"2023-07-30T15:29:58.343415Z"}]}';

    function summary(text: string, scan: BookMessageScan): unknown {
      const entry = scan.entry(0);
      return {
        type: scan.type,
        symbol: entry.symbol,
        bids: levels(text, entry.bids, entry.bidCount),
        asks: levels(text, entry.asks, entry.askCount),
        checksum: entry.checksum,
        timestamp: entry.timestamp,
      };
    }

    it('reads what the general scanner reads from the same message laid out differently', () => {
      const spaced = compact.replace(/,"/g, ', "').replace(/":/g, '": ');
      const fast = new BookMessageScan();
      const general = new BookMessageScan();
      expect(scanBookMessage(compact, fast)).toBe('book');
      expect(fast.valuesSource).toBe(compact);
      expect(scanBookMessage(spaced, general)).toBe('book');
      expect(general.valuesSource).toBeUndefined();
      expect(summary(compact, fast)).toEqual(summary(spaced, general));
      expect(fast.entry(0).checksum).toBe(4294967295);
    });

    it('reads plain numbers as digits and decimals, and leaves other forms to their text', () => {
      const scan = new BookMessageScan();
      expect(scanBookMessage(compact, scan)).toBe('book');
      const entry = scan.entry(0);
      expect([...entry.bidValues.subarray(0, 8)]).toEqual([294302, 1, 18967538, 8, 294296, 1, 0, 1]);
      // 2.5e3 has an exponent and the quantity 17 digits: decimals -1, read the text.
      expect(entry.askValues[4 + 1]).toBe(-1);
      expect(entry.askValues[4 + 3]).toBe(-1);
      expect([entry.askValues[0], entry.askValues[1], entry.askValues[2], entry.askValues[3]]).toEqual([294315, 1, 40, 1]);
    });

    it('never reads past the end of a message into the bytes of a longer one scanned before', () => {
      const scan = new BookMessageScan();
      expect(scanBookMessage(compact, scan)).toBe('book');
      for (let length = 1; length < compact.length; length++) {
        const prefix = compact.slice(0, length);
        expect(scanBookMessage(prefix, scan), prefix).not.toBe('book');
      }
    });

    it('rejects a checksum beyond 32 bits, as the general scanner does', () => {
      const scan = new BookMessageScan();
      const text = compact.replace('4294967295', '4294967296');
      expect(scanBookMessage(text, scan)).toBe('malformed');
      expect(scan.error).toMatch(/checksum/);
    });

    it('hands text that is not ASCII to the general scanner', () => {
      const scan = new BookMessageScan();
      const text = compact.replace('BTC/USD', 'BTC/€UR');
      expect(scanBookMessage(text, scan)).toBe('book');
      expect(scan.valuesSource).toBeUndefined();
      expect(scan.entry(0).symbol).toBe('BTC/€UR');
      // The fast path then sees the symbol change back.
      expect(scanBookMessage(compact, scan)).toBe('book');
      expect(scan.entry(0).symbol).toBe('BTC/USD');
    });

    it('reads every timestamp as parseRfc3339 does, within a second, across seconds and minutes, and in other forms', () => {
      const scan = new BookMessageScan();
      const at = (timestamp: string): string => compact.replace('2023-07-30T15:29:58.343415Z', timestamp);
      const cases = [
        '2023-07-30T15:29:58.343415Z',
        '2023-07-30T15:29:58.999999Z', // same second: the cached second is reused
        '2023-07-30T15:29:59.000001Z', // the next second
        '2023-07-30T15:30:00.5Z', // one fraction digit, padded
        '2023-07-30T15:30:00.123Z',
        '2023-07-30T15:30:00.123456789Z', // nine digits, truncated
        '2023-07-30T15:30:00.12Z',
        '2023-07-30T15:30:00.120Z',
        '2023-07-30T23:59:60.250Z', // a leap second is read as :59
        '2023-07-30T16:00:00.000000Z',
        '2023-07-30T16:00:00.000000+02:00', // an offset
        '2023-07-30T16:00:00Z', // no fraction
        '2023-07-30T16:00:00.000000Z',
        '2023-07-30T16:00:00.00000aZ', // not a time: NaN, and the cached second is not used
        // Six fraction digits within the cached second are tested a word at a time: a byte just
        // outside '0'..'9' in any of the six places, or no 'Z', is not a time.
        '2023-07-30T16:00:00.654321Z',
        '2023-07-30T16:00:00./54321Z',
        '2023-07-30T16:00:00.6:4321Z',
        '2023-07-30T16:00:00.65/321Z',
        '2023-07-30T16:00:00.654:21Z',
        '2023-07-30T16:00:00.6543/1Z',
        '2023-07-30T16:00:00.65432:Z',
        '2023-07-30T16:00:00.6543210',
        '2023-07-30T16:00:00.987654Z',
        '2023-07-30T16:00:00.00000aZ',
      ];
      for (const timestamp of cases) {
        const text = at(timestamp);
        expect(scanBookMessage(text, scan), timestamp).toBe('book');
        expect(scan.valuesSource, timestamp).toBe(text);
        expect(scan.entry(0).timestamp, timestamp).toBe(parseRfc3339(timestamp));
      }
      expect(scan.entry(0).timestamp).toBeNaN();
      expect(parseRfc3339('2023-07-30T23:59:60.250Z')).toBe(Date.parse('2023-07-30T23:59:59.250Z'));
    });

    it('follows the symbol from message to message, whatever its length', () => {
      const scan = new BookMessageScan();
      for (const symbol of ['BTC/USD', 'BTC/USD', 'DOGE/USDT', 'ETH/EUR', 'BTC/USD', 'A/B', 'XBT/USD', 'LONGNAME/USD', 'LONGNAME/USDC']) {
        const text = compact.replace('BTC/USD', symbol);
        expect(scanBookMessage(text, scan), symbol).toBe('book');
        expect(scan.valuesSource, symbol).toBe(text);
        expect(scan.entry(0).symbol).toBe(symbol);
      }
    });

    it('reads several entries of the compact layout', () => {
      const scan = new BookMessageScan();
      const second = '{"symbol":"ETH/USD","bids":[],"asks":[{"price":1800.25,"qty":3.5}],"checksum":12,"timestamp":"2023-07-30T15:29:58.400000Z"}';
      const both = compact.slice(0, -2) + ',' + second + ']}';
      expect(scanBookMessage(both, scan)).toBe('book');
      expect(scan.valuesSource).toBe(both);
      expect(scan.entryCount).toBe(2);
      expect(scan.entry(1).symbol).toBe('ETH/USD');
      expect(levels(both, scan.entry(1).asks, scan.entry(1).askCount)).toEqual([['1800.25', '3.5']]);
      expect(scan.entry(1).checksum).toBe(12);
      expect(scan.entry(1).timestamp).toBe(Date.parse('2023-07-30T15:29:58.400Z'));
    });
  });

  describe('a message as the bytes received', () => {
    const compact =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":29430.2,"qty":0.18967538},{"price":29429.6,"qty":0.0}],"asks":[{"price":29431.5,"qty":4.0},{"price":2.5e3,"qty":12345678901234567}],"checksum":4294967295,"timestamp":"2023-07-30T15:29:58.343415Z"}]}';

    /** Everything a scan says, its level texts read through scan.text() (what the book reads). */
    function outcome(result: string, scan: BookMessageScan): unknown {
      if (result !== 'book') return { result, error: result === 'malformed' ? scan.error : '' };
      const text = scan.text();
      return {
        result,
        type: scan.type,
        entries: Array.from({ length: scan.entryCount }, (_, index) => {
          const entry = scan.entry(index);
          return {
            symbol: entry.symbol,
            bids: levels(text, entry.bids, entry.bidCount),
            asks: levels(text, entry.asks, entry.askCount),
            checksum: entry.checksum,
            timestamp: entry.timestamp,
          };
        }),
      };
    }

    /** Scans `bytes` and their UTF-8 text (as ws would decode them) into separate scans; both outcomes. */
    function bothWays(bytes: Uint8Array, scans = { bytes: new BookMessageScan(), text: new BookMessageScan() }): { bytes: unknown; text: unknown } {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
      return { bytes: outcome(scanBookMessage(bytes, scans.bytes), scans.bytes), text: outcome(scanBookMessage(text, scans.text), scans.text) };
    }

    const messages = [
      compact,
      compact.replace('BTC/USD', 'BTC/€UR'), // a symbol beyond ASCII: the general scanner, over the decoded text
      compact.replace('BTC/USD', 'ÄÖÜ/日本'),
      compact.replace(/,"/g, ', "'), // another layout
      compact.replace('"price":29430.2', '"price":"29430.2"'), // a number in a string
      compact.replace('2023-07-30T15:29:58.343415Z', '2023-07-30T15:29:58.34341€Z'), // not a time, beyond ASCII
      compact.replace('2023-07-30T15:29:58.343415Z', '2023-07-30T16:00:00.000000+02:00'),
      compact.replace('"BTC/USD"', '"BTC\\/USD"'), // an escape
      compact.replace('4294967295', '4294967296'), // malformed: beyond 32 bits
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/€UR","bids":[{"price":1}],"asks":[]}]}', // malformed, after text beyond ASCII: same character offset
      '{"channel":"book","type":"weird","data":[]}',
      '{"channel":"ticker","type":"update","data":[]}',
      '{"method":"pong","req_id":1}',
      '{"channel":"bookish","data":[]}',
      '\uFEFF' + compact, // a byte order mark is kept, as Buffer.toString keeps it
      '',
      '{',
    ];

    it('gives exactly what scanning the same message as text gives', () => {
      for (const text of messages) {
        const { bytes, text: fromText } = bothWays(Buffer.from(text, 'utf8'));
        expect(bytes, text).toEqual(fromText);
      }
    });

    it('reads the compact layout with the fast path, offsets into the bytes and values read', () => {
      const scan = new BookMessageScan();
      const bytes = Buffer.from(compact);
      expect(scanBookMessage(bytes, scan)).toBe('book');
      expect(scan.valuesSource).toBe(bytes);
      expect([...scan.entry(0).bidValues.subarray(0, 4)]).toEqual([294302, 1, 18967538, 8]);
      expect(scan.text()).toBe(compact);
    });

    it('gives the same results as text when bytes that are not valid UTF-8 are in the symbol or elsewhere', () => {
      const [head, tail] = compact.split('BTC/USD') as [string, string];
      for (const inner of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80, 0x41]]) {
        const bytes = Buffer.concat([Buffer.from(head), Buffer.from(inner), Buffer.from(tail)]);
        const { bytes: fromBytes, text } = bothWays(bytes);
        expect(fromBytes, String(inner)).toEqual(text);
        expect((fromBytes as { result: string }).result).toBe('book');
      }
      // In the type, where the fast path matches ASCII literals only.
      const bytes = Buffer.concat([Buffer.from('{"channel":"book","type":"upd'), Buffer.from([0xe9]), Buffer.from('te","data":[]}')]);
      expect(bothWays(bytes).bytes).toEqual(bothWays(bytes).text);
    });

    it('reads only the message: not the bytes after it in the same memory, nor those of a longer message scanned before', () => {
      const scans = { bytes: new BookMessageScan(), text: new BookMessageScan() };
      // A longer message first, so the scan's copy holds its bytes after each shorter one.
      scanBookMessage(Buffer.from(compact + compact), scans.bytes);
      // Each prefix of the message, as a view into memory that goes on with the rest of it (and
      // with digits, a quote and a brace, which would complete a number, string or object).
      const memory = Buffer.from(compact + '12345"}]}');
      for (let length = 0; length < compact.length; length++) {
        const prefix = memory.subarray(0, length);
        const { bytes, text } = bothWays(prefix, scans);
        expect(bytes, compact.slice(0, length)).toEqual(text);
        expect((bytes as { result: string }).result, compact.slice(0, length)).not.toBe('book');
      }
      // And the whole message, at an offset into a larger buffer, after a longer one.
      const inside = Buffer.from('xx' + compact + '99').subarray(2, 2 + compact.length);
      expect(bothWays(inside, scans).bytes).toEqual(bothWays(Buffer.from(compact)).text);
    });

    it('reads a message given as a Uint8Array or as fragments joined, as ws delivers them', () => {
      const bytes = new TextEncoder().encode(compact);
      expect(bothWays(bytes).bytes).toEqual(bothWays(Buffer.from(compact)).text);
      const fragments = Buffer.concat([Buffer.from(compact.slice(0, 100)), Buffer.from(compact.slice(100))]);
      expect(bothWays(fragments).bytes).toEqual(bothWays(Buffer.from(compact)).text);
    });

    it('alternates between bytes and text in one scan object', () => {
      const scan = new BookMessageScan();
      const other = compact.replace('BTC/USD', 'ETH/USD').replace('29430.2', '1800.25');
      const sequence: (string | Uint8Array)[] = [Buffer.from(compact), other, Buffer.from(other), compact, Buffer.from(compact.replace('BTC/USD', 'BTC/€UR')), Buffer.from(compact)];
      for (const message of sequence) {
        const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
        const expected = outcome(scanBookMessage(text, new BookMessageScan()), (() => {
          const fresh = new BookMessageScan();
          scanBookMessage(text, fresh);
          return fresh;
        })());
        expect(outcome(scanBookMessage(message, scan), scan), text).toEqual(expected);
      }
    });
  });
});
