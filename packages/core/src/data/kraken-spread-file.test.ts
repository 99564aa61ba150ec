import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/errors.js';
import { isSpreadHeader, openSpreadFile } from './kraken-spread-file.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const dir = mkdtempSync(join(tmpdir(), 'kbot-spreads-'));
let files = 0;
function file(text: string, name = `XBTUSD_spreads_${++files}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const plain = (path: string) => [...openSpreadFile(path)].map((quote) => ({ ...quote }));

describe('openSpreadFile (Kraken Spread data as quotes)', () => {
  it('reads unix,bid,ask,date,spread rows as quotes at the last millisecond of their second, sizes unknown (0), file order kept within a second', () => {
    const path = file([
      'unix,bid,ask,date,spread',
      '1643151684,36767.70000,36768.70000,2022-01-25 23:01:24,1.0',
      '1643151684,36766.30000,36768.70000,2022-01-25 23:01:24,2.4',
      '',
      '1643151685,36766.30000,36767.90000,2022-01-25 23:01:25,1.6',
    ].join('\n'));
    const second = Date.UTC(2022, 0, 25, 23, 1, 24);
    expect(plain(path)).toEqual([
      { instrumentId: 'BTC/USD', time: second + 999, bid: 36767.7, bidSize: 0, ask: 36768.7, askSize: 0 },
      { instrumentId: 'BTC/USD', time: second + 999, bid: 36766.3, bidSize: 0, ask: 36768.7, askSize: 0 },
      { instrumentId: 'BTC/USD', time: second + 1999, bid: 36766.3, bidSize: 0, ask: 36767.9, askSize: 0 },
    ]);
  });

  it('uses times with a fraction or in milliseconds as they are, and size columns when the file has them', () => {
    const fractional = file('time,bid,ask\n1643151684.25,10,11\n1643151684.5,10,12\n');
    expect(plain(fractional).map((quote) => quote.time)).toEqual([1643151684250, 1643151684500]);
    const headerless = file('1643151684250,10,11\n1643151684251,10.5,11\n', 'ETHUSD_ticks.csv');
    expect(plain(headerless)).toEqual([
      { instrumentId: 'ETH/USD', time: 1643151684250, bid: 10, bidSize: 0, ask: 11, askSize: 0 },
      { instrumentId: 'ETH/USD', time: 1643151684251, bid: 10.5, bidSize: 0, ask: 11, askSize: 0 },
    ]);
    const sized = file('unix,bid,ask,bid_size,ask_size\n1643151684,10,11,0.5,2\n');
    expect(plain(sized)[0]).toMatchObject({ bidSize: 0.5, askSize: 2 });
  });

  it('keeps only quotes with from <= time < to, compared with the replayed time', () => {
    const path = file('unix,bid,ask\n100,1,2\n101,1,2\n102,1,2\n');
    expect([...openSpreadFile(path, { from: 101_000, to: 102_000 })].map((quote) => quote.time)).toEqual([101_999]);
  });

  it('names the file, line, column, value and expectation of a bad row', () => {
    const crossed = file('unix,bid,ask,date,spread\n1643151684,10,11,x,1\n1643151685,12,11,x,-1\n');
    expect(() => plain(crossed)).toThrow(DataError);
    expect(() => plain(crossed)).toThrow(`${crossed}:3: column 2 (bid): received "12", expected a bid at or below the ask (11): a crossed book is not a valid top of book`);
    const backwards = file('unix,bid,ask\n1643151685,10,11\n1643151684,10,11\n');
    expect(() => plain(backwards)).toThrow(`${backwards}:3: time goes backwards: 2022-01-25T23:01:24.999Z is before 2022-01-25T23:01:25.999Z on line 2; expected quotes in time order`);
    const text = file('unix,bid,ask\n1643151684,ten,11\n');
    expect(() => plain(text)).toThrow(`${text}:2: column 2 (bid): received "ten", expected a number`);
    const negative = file('unix,bid,ask\n1643151684,0,11\n');
    expect(() => plain(negative)).toThrow(`${negative}:2: column 2 (bid): received "0", expected a positive price`);
    const short = file('unix,bid,ask\n1643151684,10\n');
    expect(() => plain(short)).toThrow(`${short}:2: received 2 columns, expected 3 (unix,bid,ask)`);
    const oneSize = file('unix,bid,ask,bid_size\n1643151684,10,11,1\n');
    expect(() => openSpreadFile(oneSize)).toThrow(/:1: header "unix,bid,ask,bid_size" has a size column for one side only/);
    const noAsk = file('unix,bid,offer\n1643151684,10,11\n');
    expect(() => openSpreadFile(noAsk)).toThrow(`${noAsk}:1: header "unix,bid,offer" has no ask column`);
  });

  it('fails on open for an empty file or one without an instrument in its name', () => {
    const empty = file('unix,bid,ask,date,spread\n');
    expect(() => openSpreadFile(empty)).toThrow(`${empty}: no quote rows: the file is empty or holds only a header (Kraken spreads: unix,bid,ask,...)`);
    const anonymous = file('unix,bid,ask\n1,1,2\n', 'quotes.csv');
    expect(() => openSpreadFile(anonymous)).toThrow(/cannot tell the instrument from the file name/);
    expect([...openSpreadFile(anonymous, { instrumentId: 'BTC/USD' })]).toHaveLength(1);
  });

  it('refuses an instrument other than the one the file name says', () => {
    const named = file('unix,bid,ask\n1,1,2\n', 'Kraken_BTCUSD_spreads.csv');
    expect(() => openSpreadFile(named, { instrumentId: 'ETH/USD' })).toThrow(`instrumentId: received "ETH/USD", expected "BTC/USD", the pair the name of ${named} says`);
    expect(openSpreadFile(named, { instrumentId: 'BTC/USD' }).instrumentId).toBe('BTC/USD');
  });

  it('tells a spreads header from other CSV headers', () => {
    expect(isSpreadHeader('unix,bid,ask,date,spread')).toBe(true);
    expect(isSpreadHeader('price,volume,time,buysell,ordtype,date,dollaramount')).toBe(false);
    expect(isSpreadHeader('unix,open,high,low,close,vwap,volume,tradecount,date,volume_from')).toBe(false);
  });
});

// Reads Kraken's BTC/USD Spread sample in the shared data folder (README section 6), which lives
// outside the repository; skipped where it is absent.
describe.skipIf(!DATA)('the real Kraken_BTCUSD_spreads.csv', () => {
  it('replays its 220 rows (23:01:24 to 23:02:49 UTC, 2022-01-25) in file order, never crossed', () => {
    const quotes = [...openSpreadFile(join(DATA, 'ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_spreads.csv'))];
    expect(quotes).toHaveLength(220);
    expect(quotes[0]).toEqual({ instrumentId: 'BTC/USD', time: Date.UTC(2022, 0, 25, 23, 1, 24, 999), bid: 36767.7, bidSize: 0, ask: 36768.7, askSize: 0 });
    expect(quotes.at(-1)).toEqual({ instrumentId: 'BTC/USD', time: Date.UTC(2022, 0, 25, 23, 2, 49, 999), bid: 36777.9, bidSize: 0, ask: 36778, askSize: 0 });
    expect(quotes.every((quote) => quote.bid < quote.ask)).toBe(true);
    // 174 rows repeat the previous row's second (README section 6): 46 distinct seconds.
    expect(new Set(quotes.map((quote) => quote.time)).size).toBe(46);
  });
});
