import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../errors/errors.js';
import { MINUTE_MS } from '../model/time.js';
import { openBarFile } from './bar-file.js';
import { openTradeFile } from './trade-file.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const BTC_TRADES = () => join(DATA, 'trades', 'kraken', 'Kraken_BTCUSD_tradeprints.csv');
const ETH_TRADES = () => join(DATA, 'trades', 'kraken', 'kraken_eth_usd_historical_price_source.csv');

// Reads the two Kraken trade samples in /work/shared/data (README sections 6 and 7); skipped
// where that folder is absent.
describe.skipIf(!DATA)('Kraken trades aggregated into bars', () => {
  it('builds the first 1m BTC/USD bars exactly as computed by hand from the first trades', () => {
    const source = openBarFile(BTC_TRADES(), { interval: '1m' });
    expect([source.format, source.instrumentId, source.interval]).toEqual(['kraken-trades', 'BTC/USD', MINUTE_MS]);
    const [first, second] = source;
    // Lines 2-15 of the file: the 14 trades of 2022-01-25 21:47 (21:47:09.2935 .. 21:47:53.7103).
    // open = 36629.3 (line 2), high = 36639.6 (line 10), low = 36609.2 (line 14), close = 36618.2 (line 15),
    // volume = 0.00265967 + 0.00063930 + 0.14161016 + 0.08795131 + 0.05990556 + 0.11968221 + 0.00272952
    //        + 0.00120000 + 0.00010000 + 0.00329607 + 0.00045905 + 0.00190995 + 0.00093464 + 0.02143983 = 0.44451727
    expect(first).toMatchObject({ instrumentId: 'BTC/USD', interval: MINUTE_MS, openTime: Date.UTC(2022, 0, 25, 21, 47), open: 36629.3, high: 36639.6, low: 36609.2, close: 36618.2, trades: 14 });
    expect(first!.volume).toBeCloseTo(0.44451727, 12);
    // Lines 16-19, 21:48: 36591.4 x 0.02, 36573.4 x 0.173986, 36571.5 x 0.0027027, 36571.5 x 0.00329273.
    expect(second).toMatchObject({ openTime: Date.UTC(2022, 0, 25, 21, 48), open: 36591.4, high: 36591.4, low: 36571.5, close: 36571.5, trades: 4 });
    expect(second!.volume).toBeCloseTo(0.19998143, 12);
  });

  it('accounts for every trade of the file: 1,000 trades in 76 one-minute bars', () => {
    const source = openBarFile(BTC_TRADES(), { interval: '1m' });
    let trades = 0;
    for (const bar of source) trades += bar.trades!;
    expect(trades).toBe(1000);
    expect(source.summary()).toMatchObject({ bars: 76, first: Date.UTC(2022, 0, 25, 21, 47), last: Date.UTC(2022, 0, 25, 23, 2), gaps: 0 });
  });

  it('leaves out intervals without trades, as Kraken does, and counts them as gaps (ETH/USD, CRLF file)', () => {
    const source = openBarFile(ETH_TRADES(), { interval: '1m' });
    expect(source.instrumentId).toBe('ETH/USD');
    const [first, second] = source;
    // Line 2 is alone in 10:18; the next trade (line 3) is at 10:22:21, so 10:19-10:21 have no bar.
    expect(first).toMatchObject({ openTime: Date.UTC(2022, 2, 20, 10, 18), open: 2912.89, high: 2912.89, low: 2912.89, close: 2912.89, volume: 0.00066296, trades: 1 });
    expect(second!.openTime).toBe(Date.UTC(2022, 2, 20, 10, 22));
    const summary = source.summary();
    expect(summary.bars).toBe(83);
    // From 10:18 to 12:07 there are 110 minutes; 83 have trades.
    expect(summary.gaps).toBe(110 - 83);
  });

  it('builds 5m bars: the second ETH bar holds lines 3-18', () => {
    const bars = [...openBarFile(ETH_TRADES(), { interval: '5m' })];
    expect(bars).toHaveLength(23);
    expect(bars[1]).toMatchObject({ openTime: Date.UTC(2022, 2, 20, 10, 20), open: 2916.86, high: 2916.86, low: 2915.28, close: 2915.33, trades: 17 });
    expect(bars[1]!.volume).toBeCloseTo(9.52287929, 10);
  });

  it('filters by from/to on the bar open time', () => {
    const bars = [...openBarFile(BTC_TRADES(), { interval: '1m', from: Date.UTC(2022, 0, 25, 21, 48), to: Date.UTC(2022, 0, 25, 21, 50) })];
    expect(bars.map((bar) => [bar.openTime, bar.trades])).toEqual([[Date.UTC(2022, 0, 25, 21, 48), 4], [Date.UTC(2022, 0, 25, 21, 49), expect.any(Number)]]);
  });

  it('refuses an instrument other than the one the file name says, for bars and for trades', () => {
    expect(() => openBarFile(BTC_TRADES(), { interval: '1m', instrumentId: 'ETH/USD' })).toThrow(/instrumentId: received "ETH\/USD", expected "BTC\/USD", the pair the name of .*Kraken_BTCUSD_tradeprints\.csv says/);
    expect(() => openTradeFile(BTC_TRADES(), { instrumentId: 'ETH/USD', optionNames: { instrumentId: '--instrument' } })).toThrow(/--instrument: received "ETH\/USD", expected "BTC\/USD"/);
    expect(openTradeFile(BTC_TRADES(), { instrumentId: 'XBT/USD' }).instrumentId).toBe('XBT/USD');
  });

  it('needs an interval to aggregate into', () => {
    expect(() => openBarFile(BTC_TRADES())).toThrow(/pass it explicitly \(interval: "1m"/);
  });

  it('streams the trades themselves through openTradeFile', () => {
    const trades = [...openTradeFile(ETH_TRADES())];
    expect(trades).toHaveLength(1000);
    // 2916.85000,0.01394357,1647771748.1141374,s,m,
    expect(trades[2]).toEqual({ instrumentId: 'ETH/USD', time: 1647771748114, price: 2916.85, quantity: 0.01394357, side: 'sell', tradeId: undefined });
    expect(trades[0]!.side).toBe('buy');
    const btc = openTradeFile(BTC_TRADES(), { from: Date.UTC(2022, 0, 25, 21, 48), to: Date.UTC(2022, 0, 25, 21, 49) });
    expect([...btc].map((trade) => trade.price)).toEqual([36591.4, 36573.4, 36571.5, 36571.5]);
  });
});

describe('broken trade files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kbot-trades-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  let count = 0;
  const write = (lines: string[]) => {
    const folder = join(directory, String(count++));
    mkdirSync(folder);
    const file = join(folder, 'Kraken_BTCUSD_tradeprints.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  const HEADER = 'price,volume,time,buysell,ordtype,date,dollaramount';

  it('a trade earlier than the one before it', () => {
    const file = write([HEADER, '36629.3,0.1,1643147229.2935,buy,limit,,', '36629.3,0.1,1643147230,buy,limit,,', '36629.3,0.1,1643147229,sell,limit,,']);
    expect(() => [...openBarFile(file, { interval: '1m' })]).toThrow(/:4: time goes backwards: 2022-01-25T21:47:09.000Z is before 2022-01-25T21:47:10.000Z on line 3/);
  });

  it('an unknown side', () => {
    const file = write([HEADER, '36629.3,0.1,1643147229.2935,up,limit,,']);
    const error = (() => {
      try {
        [...openTradeFile(file)];
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toContain(':2: column 4 (buysell): received "up", expected b, s, buy or sell');
  });

  it('a zero quantity', () => {
    const file = write([HEADER, '36629.3,0,1643147229.2935,buy,limit,,']);
    expect(() => [...openBarFile(file, { interval: '1m' })]).toThrow(/:2: column 2 \(volume\): received "0", expected a positive quantity/);
  });

  it('Kraken time-and-sales rows without a header: timestamp,price,volume', () => {
    const file = write(['1643147229,36629.3,0.5', '1643147231,36630.1,0.25', '1643147290,36620,1']);
    const bars = [...openBarFile(file, { interval: '1m', format: 'kraken-trades' })];
    expect(bars.map((bar) => [bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades])).toEqual([
      [1643147220000, 36629.3, 36630.1, 36629.3, 36630.1, 0.75, 2],
      [1643147280000, 36620, 36620, 36620, 36620, 1, 1],
    ]);
  });
});
