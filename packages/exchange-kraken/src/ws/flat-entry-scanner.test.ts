import { describe, expect, it } from 'vitest';
import { FALSE_VALUE, FlatEntryScanner, NULL_VALUE, NUMBER_VALUE, STRING_VALUE, TRUE_VALUE } from './flat-entry-scanner.js';

/** Reads one `"key":value` pair from `text`; the scanner after it, or undefined when it could not be read. */
function pair(text: string, read = true): FlatEntryScanner | undefined {
  const scan = new FlatEntryScanner();
  scan.start(text);
  return scan.key() && scan.value(read) ? scan : undefined;
}

describe('FlatEntryScanner', () => {
  it('reads keys and scalar values where they stand', () => {
    const text = '"symbol":"BTC/USD","flag":true,"off":false,"none":null,"bid":29430.2}';
    const scan = new FlatEntryScanner();
    scan.start(text);
    const seen: [string, number, string][] = [];
    for (;;) {
      expect(scan.key()).toBe(true);
      expect(scan.value()).toBe(true);
      seen.push([text.slice(scan.keyStart, scan.keyEnd), scan.kind, text.slice(scan.valueStart, scan.valueEnd)]);
      if (scan.next() !== 44) break;
    }
    expect(seen).toEqual([
      ['symbol', STRING_VALUE, 'BTC/USD'],
      ['flag', TRUE_VALUE, 'true'],
      ['off', FALSE_VALUE, 'false'],
      ['none', NULL_VALUE, 'null'],
      ['bid', NUMBER_VALUE, '29430.2'],
    ]);
    expect(scan.numberValue).toBe(29430.2);
    expect(scan.position).toBe(text.length);
  });

  it('reads numbers exactly as JSON.parse, by arithmetic up to 2^53 - 1 and 22 decimals, by Number() beyond', () => {
    for (const token of ['0', '-0', '7', '-12.5', '9007199254740991', '9007199254740992', '0.9007199254740991', '1.0000000000000000000001', '0.0000000000000000000001', '0.00000000000000000000001', '1e-7', '-2.5E+3', '123456789012345678901234567890']) {
      const scan = pair(`"n":${token},`)!;
      expect(scan.kind).toBe(NUMBER_VALUE);
      expect(Object.is(scan.numberValue, JSON.parse(token)), token).toBe(true);
    }
  });

  it('checks a number it is told not to read, and leaves its value alone', () => {
    const scan = new FlatEntryScanner();
    scan.start('"a":1.5,"b":2.25');
    expect(scan.key() && scan.value()).toBe(true);
    expect(scan.next()).toBe(44);
    expect(scan.key() && scan.value(false)).toBe(true);
    expect(scan.numberValue).toBe(1.5);
    expect(scan.text.slice(scan.valueStart, scan.valueEnd)).toBe('2.25');
    expect(pair('"b":2.,', false)).toBeUndefined();
  });

  it('refuses what is not compact JSON with plain strings and scalars', () => {
    for (const text of ['"k" :1', ' "k":1', '"k":01', '"k":1.', '"k":.5', '"k":-', '"k":1e', '"k":+1', '"k":"a\\"b"', '"k\\u0041":1', '"k":"tab\there"', '"k":{}', '"k":[1]', '"k":tru', '"k":nul', '"k"', '"k', '']) {
      const scan = pair(text);
      // A number may stop early ("01" reads "0"): the caller then finds no ',' or '}' after it.
      if (scan !== undefined) expect([44, 125]).not.toContain(scan.text.charCodeAt(scan.position));
    }
  });

  it('recognises the last key and string value, and turns a symbol into an instrument id', () => {
    const scan = pair('"side":"sell"')!;
    expect([scan.keyIs('side'), scan.keyIs('sid'), scan.stringIs('sell'), scan.stringIs('buy')]).toEqual([true, false, true, false]);
    expect(scan.instrumentIdAt(0, 4)).toBeUndefined(); // `"sid` is not a symbol
    scan.start('"ETH/USD" "ETH/USD" "ETHUSD"');
    expect(scan.instrumentIdAt(1, 8)).toBe('ETH/USD');
    expect(scan.instrumentIdAt(11, 18)).toBe('ETH/USD');
    expect(scan.instrumentIdAt(21, 27)).toBeUndefined();
  });
});
