import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../model/time.js';
import { detectDataFormat, formatOfFirstLine } from './data-format.js';
import { inferFromFileName } from './file-name-inference.js';
import { krakenAssetName, krakenPairToInstrumentId } from './kraken-names.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';

describe('formatOfFirstLine', () => {
  it.each([
    ['1672531200,16528.7,16530.0,16511.0,16514.9,10.30276815,203', 'kraken-ohlcvt'],
    ['time,open,high,low,close,volume,trades', 'kraken-ohlcvt'],
    ['Time,Open,High,Low,Close,Volume,Trades', 'kraken-ohlcvt'],
    ['unix,open,high,low,close,vwap,volume,tradecount,date,volume_from', 'kraken-rest-ohlc'],
    ['open_time,open,high,low,close,volume', 'binance-csv'],
    ['price,volume,time,buysell,ordtype,date,dollaramount', 'kraken-trades'],
    ['price,volume,time,buy/sell,market/limit,miscellaneous', 'kraken-trades'],
    ['1643147229,36629.3,0.00265967', 'kraken-trades'],
    ['30243.40000,0.34507674,1688669597.8277369,b,m,', 'kraken-trades'],
    ['date,symbol,close', undefined],
    ['1,2,3,4', undefined],
  ])('%s -> %s', (line, format) => {
    expect(formatOfFirstLine(line)).toBe(format);
  });
});

// Reads the first line of the real files in /work/shared/data; skipped where that folder is absent.
describe.skipIf(!DATA)('detectDataFormat on the real files', () => {
  it.each([
    ['ohlcv/kraken/q1-2023/XBTUSD_15.csv', 'kraken-ohlcvt'],
    ['ohlcv/kraken/daily-1440m/BONKUSD_1440.csv', 'kraken-ohlcvt'],
    ['ohlcv/kraken/h1-q3-2023/trading_train_data/XBT_train.csv', 'kraken-ohlcvt'],
    ['ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_minute.csv', 'kraken-rest-ohlc'],
    ['ohlcv/binance/freqtrade-2021/BTC_USDT-5m.json', 'freqtrade-json'],
    ['ohlcv/binance/binance-us-2023-03/BTCUSDT_1m_20230301_20230321.csv', 'binance-csv'],
    ['trades/kraken/Kraken_BTCUSD_tradeprints.csv', 'kraken-trades'],
    ['trades/kraken/kraken_eth_usd_historical_price_source.csv', 'kraken-trades'],
  ])('%s is %s', (file, format) => {
    expect(detectDataFormat(join(DATA, file))).toBe(format);
  });

  it('refuses a file that is none of them', () => {
    expect(() => detectDataFormat(join(DATA, 'ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_spreads.csv'))).toThrow(/:1: received the Kraken spreads header "unix,bid,ask,date,spread", expected bar data: .*replay them as quotes/);
  });
});

describe('inferFromFileName', () => {
  it.each([
    ['data/XBTUSD_15.csv', 'kraken-ohlcvt', 'BTC/USD', 15 * MINUTE_MS],
    ['XBTUSDT_1440.csv', 'kraken-ohlcvt', 'BTC/USDT', DAY_MS],
    ['XBTUSDC_720.csv', 'kraken-ohlcvt', 'BTC/USDC', 12 * HOUR_MS],
    ['XBTEUR_240.csv', 'kraken-ohlcvt', 'BTC/EUR', 4 * HOUR_MS],
    ['BONKUSD_1440.csv', 'kraken-ohlcvt', 'BONK/USD', DAY_MS],
    ['AVAXUSD_15.csv', 'kraken-ohlcvt', 'AVAX/USD', 15 * MINUTE_MS],
    ['XXBTZUSD_60.csv', 'kraken-ohlcvt', 'BTC/USD', HOUR_MS],
    ['XDGUSD_5.csv', 'kraken-ohlcvt', 'DOGE/USD', 5 * MINUTE_MS],
    ['BTCUSD_Daily_OHLC.csv', 'kraken-ohlcvt', 'BTC/USD', DAY_MS],
    // A bare base: the quote is assumed, which the hints say.
    ['XBT_train.csv', 'kraken-ohlcvt', 'BTC/USD', undefined, true],
    ['AVAX_train.csv', 'kraken-ohlcvt', 'AVAX/USD', undefined, true],
    ['Kraken_BTCUSD_minute.csv', 'kraken-rest-ohlc', 'BTC/USD', MINUTE_MS],
    ['BTC_USDT-5m.json', 'freqtrade-json', 'BTC/USDT', 5 * MINUTE_MS],
    ['ETH_USDT-1m.json', 'freqtrade-json', 'ETH/USDT', MINUTE_MS],
    ['BTCUSDC_1m_20230301_20230321.csv', 'binance-csv', 'BTC/USDC', MINUTE_MS],
    ['Kraken_BTCUSD_tradeprints.csv', 'kraken-trades', 'BTC/USD', undefined],
    ['kraken_eth_usd_historical_price_source.csv', 'kraken-trades', 'ETH/USD', undefined],
    ['candles.csv', 'kraken-ohlcvt', undefined, undefined],
    ['data.csv', 'kraken-ohlcvt', undefined, undefined],
  ] as const)('%s (%s) -> %s, %s ms', (file, format, instrumentId, interval, quoteAssumed?: boolean) => {
    expect(inferFromFileName(file, format)).toEqual({
      ...(instrumentId === undefined ? {} : { instrumentId }),
      ...(quoteAssumed === undefined ? {} : { quoteAssumed }),
      ...(interval === undefined ? {} : { interval }),
    });
  });

  it('does not read dates in non-Kraken names as Kraken minutes', () => {
    expect(inferFromFileName('BTCUSD_20230301.csv', 'binance-csv')).toEqual({ instrumentId: 'BTC/USD' });
    expect(inferFromFileName('XBTUSD_20230301.csv', 'kraken-ohlcvt')).toEqual({ instrumentId: 'BTC/USD' });
  });
});

describe('Kraken names', () => {
  it.each([
    ['XBT', 'BTC'],
    ['XXBT', 'BTC'],
    ['XDG', 'DOGE'],
    ['XXDG', 'DOGE'],
    ['ZUSD', 'USD'],
    ['XETH', 'ETH'],
    ['XRP', 'XRP'],
    ['ZEUS', 'ZEUS'],
    ['usdt', 'USDT'],
  ])('asset %s -> %s', (name, expected) => {
    expect(krakenAssetName(name)).toBe(expected);
  });

  it.each([
    ['XBTUSD', 'BTC/USD'],
    ['XXBTZUSD', 'BTC/USD'],
    ['XETHZEUR', 'ETH/EUR'],
    ['XXDGXXBT', 'DOGE/BTC'],
    ['XBTUSDT', 'BTC/USDT'],
    ['ETHXBT', 'ETH/BTC'],
    ['XBT/USD', 'BTC/USD'],
    ['XRPUSD', 'XRP/USD'],
    ['ZEUSUSD', 'ZEUS/USD'],
    ['NOTAPAIR', undefined],
    ['USD', undefined],
  ])('pair %s -> %s', (name, expected) => {
    expect(krakenPairToInstrumentId(name)).toBe(expected);
  });
});
