import { describe, expect, it } from 'vitest';
import { TRADES_CSV_COLUMNS, csvField, toTradesCsv } from './trades-csv.js';
import { buildFixtureResult } from './test-fixture.js';

describe('toTradesCsv', () => {
  const csv = toTradesCsv(buildFixtureResult());
  const lines = csv.split('\r\n');

  it('writes a header and one CRLF-terminated row per fill', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines).toHaveLength(1 + 3 + 1);
    expect(lines[0]).toBe('time,time_ms,instrument,side,quantity,price,notional,fee,fee_asset,liquidity,client_order_id,venue_order_id,trade_id,strategy_id');
    expect(lines[0]!.split(',')).toEqual([...TRADES_CSV_COLUMNS]);
    expect(lines[4]).toBe('');
  });

  it('writes exact decimal strings and quotes fields per RFC 4180', () => {
    expect(lines[1]).toBe(
      '2024-01-01T01:00:00.000Z,1704070800000,BTC/USD,buy,0.1,20000.5,2000.05,5.000125,USD,taker,o-1,OABC-1,T-1,"mean ""rev"", v2"',
    );
    // No venue order id: an empty field, not "undefined".
    expect(lines[2]).toBe('2024-01-01T02:00:00.000Z,1704074400000,BTC/USD,sell,0.1,21000,2100,5.25,USD,maker,o-2,,T-2,"mean ""rev"", v2"');
  });

  it('writes only the header when there are no fills', () => {
    expect(toTradesCsv({ fills: [] })).toBe(`${TRADES_CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('csvField', () => {
  it('quotes only fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });
});
