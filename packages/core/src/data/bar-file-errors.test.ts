import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../errors/errors.js';
import { openBarFile, type BarFileOptions } from './bar-file.js';
import { detectDataFormat } from './data-format.js';

const directory = mkdtempSync(join(tmpdir(), 'kbot-data-errors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `lines` (joined with \n, trailing newline) to a fresh file named `name`. */
function write(name: string, lines: readonly string[], ending = '\n'): string {
  // One folder per file, so that names (which carry the instrument and interval) can repeat.
  const folder = join(directory, String(fileCount++));
  const file = join(folder, name);
  mkdirSync(folder);
  writeFileSync(file, lines.map((line) => line + ending).join(''));
  return file;
}

/** Opens and fully reads a file; returns the DataError thrown (fails the test if none). */
function errorOf(file: string, options: BarFileOptions = {}): DataError {
  try {
    const source = openBarFile(file, options);
    for (const bar of source) void bar;
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error(`expected a DataError from ${file}`);
}

// Three good 15-minute rows of q1-2023/XBTUSD_15.csv.
const ROW_1 = '1672531200,16528.7,16530.0,16511.0,16514.9,10.30276815,203';
const ROW_2 = '1672532100,16514.9,16529.0,16511.9,16528.9,32.96155707,184';
const ROW_3 = '1672533000,16529.0,16529.0,16505.2,16512.2,30.29098984,270';
const ROW_4 = '1672533900,16508.9,16520.0,16508.7,16519.3,23.06436523,146';

describe('openBarFile rejects broken Kraken OHLCVT rows with the file, line and problem', () => {
  it('reads the good rows it is given (the control case)', () => {
    const file = write('XBTUSD_15.csv', [ROW_1, ROW_2, ROW_3, ROW_4]);
    expect([...openBarFile(file)].map((bar) => bar.close)).toEqual([16514.9, 16528.9, 16512.2, 16519.3]);
  });

  it('a row with 6 columns', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, ROW_2, '1672533000,16529.0,16529.0,16505.2,16512.2,30.29098984']));
    expect(error.line).toBe(3);
    expect(error.file).toMatch(/XBTUSD_15\.csv$/);
    expect(error.message).toContain('received 6 columns, expected 7 (time,open,high,low,close,volume,trades)');
  });

  it('a non-numeric field such as 12abc, naming the column', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, ROW_2, ROW_3, '1672533900,16508.9,12abc,16508.7,16519.3,23.06436523,146']));
    expect(error.line).toBe(4);
    expect(error.message).toContain('column 3 (high): received "12abc", expected a number');
  });

  it.each([
    ['an empty field', '1672532100,16514.9,16529.0,,16528.9,32.96155707,184', 'column 4 (low): received "", expected a number, found an empty field'],
    ['a padded field', '1672532100,16514.9,16529.0, 16511.9,16528.9,32.96155707,184', 'column 4 (low): received " 16511.9", expected a number'],
    ['a hexadecimal field', '1672532100,16514.9,16529.0,0x10,16528.9,32.96155707,184', 'column 4 (low): received "0x10", expected a number'],
    ['Infinity', '1672532100,16514.9,Infinity,16511.9,16528.9,32.96155707,184', 'column 3 (high): received "Infinity", expected a number'],
    ['an overflowing exponent', '1672532100,16514.9,1e999,16511.9,16528.9,32.96155707,184', 'column 3 (high): received "1e999", expected a finite number'],
    ['a negative volume', '1672532100,16514.9,16529.0,16511.9,16528.9,-1,184', 'volume -1 is negative'],
    ['high below low', '1672532100,16514.9,16500.0,16511.9,16528.9,32.96155707,184', 'high 16500 is below low 16511.9'],
    ['open above high', '1672532100,16600,16529.0,16511.9,16528.9,32.96155707,184', 'open 16600 is outside [low 16511.9, high 16529]'],
    ['close below low', '1672532100,16514.9,16529.0,16511.9,16000,32.96155707,184', 'close 16000 is outside [low 16511.9, high 16529]'],
    ['a zero price', '1672532100,0,0,0,0,32.96155707,184', 'low 0 is not a positive price'],
    ['a fractional trade count', '1672532100,16514.9,16529.0,16511.9,16528.9,32.96155707,1.5', 'trade count 1.5 is not a whole number >= 0'],
    ['a fractional time', '1672532100.5,16514.9,16529.0,16511.9,16528.9,32.96155707,184', 'column 1 (time): received "1672532100.5", expected whole epoch seconds'],
  ])('%s', (_name, badRow, message) => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, badRow, ROW_3]));
    expect(error.line).toBe(2);
    expect(error.message).toContain(message);
  });

  it('accepts exponent notation in any numeric column (1E+1, 1.916e-05)', () => {
    const file = write('XBTUSD_15.csv', [ROW_1, '1672532100,1.6514E+4,1.6529E+4,16511.9,16528.9,1E+1,184']);
    const bars = [...openBarFile(file)];
    expect(bars[1]).toMatchObject({ open: 16514, high: 16529, volume: 10 });
  });

  it('a duplicate time, naming the earlier line', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, ROW_2, ROW_2.replace('16514.9', '16515.0')]));
    expect(error.line).toBe(3);
    expect(error.message).toContain('duplicate time: 2023-01-01T00:15:00.000Z is not after 2023-01-01T00:15:00.000Z on line 2');
  });

  it('a time that goes backwards', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, ROW_3, ROW_2]));
    expect(error.line).toBe(3);
    expect(error.message).toContain('time goes backwards: 2023-01-01T00:15:00.000Z is not after 2023-01-01T00:30:00.000Z on line 2');
  });

  it('a time not aligned to the interval from the file name', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, ROW_2, ROW_3.replace('1672533000', '1672533060')]));
    expect(error.line).toBe(3);
    expect(error.message).toContain('time 2023-01-01T00:31:00.000Z is not aligned to the 15m interval');
  });

  it('a file read with the wrong interval fails on its first bar, when opened', () => {
    // 00:15 is not on a 1h boundary (the name gives no interval, so the option is taken).
    const file = write('XBTUSD.csv', [ROW_2, ROW_3]);
    expect(() => openBarFile(file, { interval: '1h' })).toThrow(/:1: time 2023-01-01T00:15:00.000Z is not aligned to the 1h interval/);
  });

  it('counts lines the same way with CRLF endings, blank lines and a header', () => {
    const file = write('XBTUSD_15.csv', ['time,open,high,low,close,volume,trades', ROW_1, '', ROW_2, '1672533000,16529.0,16529.0,16505.2,16512.2,30.29098984,x'], '\r\n');
    const error = errorOf(file);
    expect(error.line).toBe(5);
    expect(error.message).toContain('column 7 (trades): received "x"');
  });

  it('a header line anywhere but first is a non-numeric row', () => {
    const error = errorOf(write('XBTUSD_15.csv', [ROW_1, 'time,open,high,low,close,volume,trades', ROW_2]));
    expect(error.line).toBe(2);
    expect(error.message).toContain('column 1 (time): received "time", expected a number');
  });

  it('a time in milliseconds, which as seconds would be the year 54970', () => {
    const error = errorOf(write('XBTUSD_60.csv', ['1672531200000,16500,16600,16400,16550,12.5,100']));
    expect(error.line).toBe(1);
    expect(error.message).toContain('column 1 (time): received "1672531200000", expected epoch seconds before the year 3000 (this looks like milliseconds)');
    // The last second before 3000-01-01 is still a time.
    expect(openBarFile(write('XBTUSD_60.csv', ['32503676400,1,1,1,1,1,1'])).summary().first).toBe(32503676400_000);
    expect(errorOf(write('XBTUSD_60.csv', ['32503680000,1,1,1,1,1,1'])).message).toContain('expected epoch seconds before the year 3000');
  });

  it('the DataError message starts with file:line', () => {
    const file = write('XBTUSD_15.csv', [ROW_1, 'garbage']);
    const error = errorOf(file, { format: 'kraken-ohlcvt' });
    expect(error.message.startsWith(`${file}:2: `)).toBe(true);
    expect(error.code).toBe('data-invalid');
  });
});

describe('openBarFile on empty, unknown and unnamed files', () => {
  it('a folder given for a file says it is a folder, and what was expected', () => {
    const folder = join(directory, 'XBTUSD_15');
    mkdirSync(folder);
    expect(() => detectDataFormat(folder)).toThrow(`${folder}: it is a folder, expected a market data file (CSV, JSON or JSON lines; \`kbot data list\` shows the ones downloaded)`);
  });

  it('an empty file says so', () => {
    const file = write('XBTUSD_15.csv', []);
    expect(() => detectDataFormat(file)).toThrow(/file is empty/);
    expect(() => openBarFile(file)).toThrow(DataError);
    expect(() => openBarFile(file, { format: 'kraken-ohlcvt' })).toThrow(/no data rows: the file is empty or holds only a header/);
  });

  it('a file with only a header has no data rows', () => {
    const file = write('BONKUSD_1440.csv', ['time,open,high,low,close,volume,trades']);
    expect(() => openBarFile(file)).toThrow(/no data rows/);
  });

  it('a Kraken spreads file says it holds quotes, replayed with replay: quotes', () => {
    const file = write('Kraken_BTCUSD_spreads.csv', ['unix,bid,ask,date,spread', '1643151684,36769.5,36769.6,2022-01-25 23:01:24,0.1']);
    expect(() => detectDataFormat(file)).toThrow(
      `${file}:1: received the Kraken spreads header "unix,bid,ask,date,spread", expected bar data: spreads are top-of-book quotes, not bars, so they cannot be read as bars or imported into the data folder; replay them as quotes in a backtest (kbot backtest --data <file>, or { file, replay: 'quotes' } in backtest.data)`,
    );
  });

  it('an unrecognised first line asks for the format', () => {
    const file = write('XBTUSD_15.csv', ['hello,world']);
    expect(() => openBarFile(file)).toThrow(/:1: unrecognised first line "hello,world".*pass the format explicitly/);
  });

  it('a missing file', () => {
    expect(() => openBarFile(join(directory, 'nope', 'XBTUSD_15.csv'))).toThrow(/cannot open the file \(ENOENT\)/);
  });

  it('a file name without an instrument asks for one', () => {
    const file = write('candles.csv', [ROW_1, ROW_2]);
    expect(() => openBarFile(file)).toThrow(/cannot tell the instrument from the file name "candles\.csv": pass it explicitly/);
    expect(openBarFile(file, { instrumentId: 'BTC/USD' }).summary()).toMatchObject({ bars: 2, interval: 900_000 });
  });

  it('one bar and no interval in the name asks for the interval', () => {
    const file = write('XBT_train.csv', [ROW_1]);
    expect(() => openBarFile(file)).toThrow(/cannot infer the bar interval from 1 bar: pass it explicitly/);
    expect(openBarFile(file, { interval: '15m' }).summary()).toMatchObject({ bars: 1, instrumentId: 'BTC/USD' });
  });

  it('bad options are ConfigErrors naming the option', () => {
    const file = write('XBTUSD_15.csv', [ROW_1]);
    expect(() => openBarFile(file, { interval: '15 minutes' })).toThrow(ConfigError);
    expect(() => openBarFile(file, { interval: -5 })).toThrow(/interval: received -5/);
    expect(() => openBarFile(file, { instrumentId: 'BTCUSD' })).toThrow(/instrumentId: received "BTCUSD", expected BASE\/QUOTE/);
    expect(() => openBarFile(file, { from: 10, to: 5 })).toThrow(/to: received 5, expected a time after from/);
    expect(() => openBarFile(file, { format: 'csv' as never })).toThrow(/format: received "csv"/);
  });
});

describe('openBarFile refuses options that contradict the file name or the rows', () => {
  /** `count` hourly rows from 2023-01-01 00:00. */
  const hourly = (count: number) => Array.from({ length: count }, (_, index) => `${1672531200 + index * 3600},16500,16600,16400,16550,12.5,100`);

  it('an instrument other than the one the name says (hourly BTC prices would replay as ETH/USD)', () => {
    const file = write('XBTUSD_60.csv', hourly(3));
    expect(() => openBarFile(file, { instrumentId: 'ETH/USD' })).toThrow(ConfigError);
    expect(() => openBarFile(file, { instrumentId: 'ETH/USD' })).toThrow(
      `instrumentId: received "ETH/USD", expected "BTC/USD", the pair the name of ${file} says (the option is only for files whose name does not say; rename the file if its name is wrong)`,
    );
    expect(() => openBarFile(file, { instrumentId: 'ETH/USD', optionNames: { instrumentId: '--pair' } })).toThrow(/\n {2}--pair: received "ETH\/USD", expected "BTC\/USD"/);
  });

  it('the same pair in Kraken\'s spelling, or any quote for a name that gives only the base', () => {
    expect(openBarFile(write('XBTUSD_60.csv', hourly(3)), { instrumentId: 'XBT/USD' }).instrumentId).toBe('XBT/USD');
    const bare = write('XBT_train.csv', hourly(3));
    expect(openBarFile(bare, { instrumentId: 'BTC/EUR' }).instrumentId).toBe('BTC/EUR');
    expect(() => openBarFile(bare, { instrumentId: 'ETH/USD' })).toThrow(`instrumentId: received "ETH/USD", expected a BTC pair such as "BTC/USD", the base the name of ${bare} says`);
  });

  it('an interval other than the one the name says (hourly bars would replay as 15m bars with 3 gaps each)', () => {
    const file = write('XBTUSD_60.csv', hourly(3));
    expect(() => openBarFile(file, { interval: '15m' })).toThrow(ConfigError);
    expect(() => openBarFile(file, { interval: '15m', optionNames: { interval: '--interval' } })).toThrow(
      `--interval: received "15m", expected 1h, the interval the name of ${file} says (the option is only for files whose name does not say; rename the file if its name is wrong)`,
    );
    expect(openBarFile(file, { interval: 3_600_000 }).interval).toBe(3_600_000);
  });

  it('an interval shorter than every step between the first rows, when the name does not say', () => {
    const file = write('candles.csv', hourly(25));
    expect(() => openBarFile(file, { instrumentId: 'BTC/USD', interval: '15m' })).toThrow(
      `interval: received "15m", expected the spacing of the rows of ${file}: no two of its first 25 bars are less than 1h apart`,
    );
    expect(openBarFile(file, { instrumentId: 'BTC/USD', interval: '1h' }).summary()).toMatchObject({ bars: 25, gaps: 0 });
    // Too few rows to tell longer bars from a quiet market: taken as given.
    expect(openBarFile(write('candles.csv', hourly(5)), { instrumentId: 'BTC/USD', interval: '15m' }).summary()).toMatchObject({ bars: 5, gaps: 12 });
  });
});

describe('openBarFile rejects broken rows in the other formats', () => {
  it('freqtrade JSON: a candle with 5 values names the candle', () => {
    const file = write('BTC_USDT-5m.json', ['[[1609459200000,28923.63,29017.5,28913.12,28975.65,182.889878],[1609459500000,28975.65,28979.53,28846.28,28858.94]]']);
    const error = errorOf(file);
    expect(error.line).toBe(1);
    expect(error.message).toContain('candle 2: received 5 values, expected 6');
  });

  it('freqtrade JSON: a string where a number belongs', () => {
    const file = write('BTC_USDT-5m.json', ['[', '[1609459200000,28923.63,29017.5,28913.12,28975.65,182.889878],', '[1609459500000,"28975.65",28979.53,28846.28,28858.94,1]', ']']);
    const error = errorOf(file);
    expect(error.line).toBe(3);
    expect(error.message).toContain('candle 2: value 2 (open): received "\\"28975.65\\"');
  });

  it('freqtrade JSON: text after the closing bracket', () => {
    const file = write('BTC_USDT-5m.json', ['[[1609459200000,28923.63,29017.5,28913.12,28975.65,182.889878]] x']);
    expect(errorOf(file).message).toContain('expected nothing after the closing "]" of the candle array');
  });

  it('Kraken REST OHLC CSV: a row with a column missing', () => {
    const file = write('Kraken_BTCUSD_minute.csv', [
      'unix,open,high,low,close,vwap,volume,tradecount,date,volume_from',
      '1643108580,36488.0,36514.7,36474.5,36514.7,36507.2,0.16819558,7,2022-01-25 11:03:00,6141.611145026',
      '1643108640,36514.7,36563.5,36514.7,36563.5,36551.6,0.08586469,9,2022-01-25 11:04:00',
    ]);
    const error = errorOf(file);
    expect(error.line).toBe(3);
    expect(error.message).toContain('received 9 columns, expected 10 as in the header');
  });

  it('Binance CSV: an impossible date', () => {
    const file = write('BTCUSD_1m_20230301_20230321.csv', [
      'open_time,open,high,low,close,volume',
      '2023-02-28 23:59:00+00:00,23144.78,23152.48,23133.11,23143.72,3.912156',
      '2023-02-29 00:00:00+00:00,23144.78,23152.48,23133.11,23143.72,3.912156',
    ]);
    const error = errorOf(file);
    expect(error.line).toBe(3);
    expect(error.message).toContain('column 1 (open_time): received "2023-02-29 00:00:00+00:00", expected a UTC date and time');
  });

  it('Binance CSV: honours a non-zero offset', () => {
    const file = write('BTCUSD_1m_x.csv', ['open_time,open,high,low,close,volume', '2023-03-01 01:00:00+01:00,1,1,1,1,0', '2023-03-01T00:01:00Z,1,1,1,1,0']);
    expect([...openBarFile(file)].map((bar) => bar.openTime)).toEqual([Date.UTC(2023, 2, 1), Date.UTC(2023, 2, 1, 0, 1)]);
  });
});

// /proc/self/fd lists this process's open files; only Linux has it.
describe.skipIf(!existsSync('/proc/self/fd'))('file descriptors', () => {
  it('are closed after a full pass, an early break, a broken row and a failed open', () => {
    const good = write('XBTUSD_15.csv', [ROW_1, ROW_2, ROW_3, ROW_4]);
    const broken = write('XBTUSD_15.csv', [ROW_1, ROW_2, 'broken']);
    const unaligned = write('XBTUSD.csv', [ROW_2]);
    const misnamed = write('XBTUSD_15.csv', [ROW_1]);
    const before = readdirSync('/proc/self/fd').length;
    for (let round = 0; round < 20; round++) {
      const source = openBarFile(good);
      expect([...source]).toHaveLength(4);
      for (const bar of source) {
        void bar;
        break;
      }
      expect(() => [...openBarFile(broken)]).toThrow(DataError);
      expect(() => openBarFile(unaligned, { interval: '1h' })).toThrow(DataError);
      expect(() => openBarFile(misnamed, { interval: '1h' })).toThrow(ConfigError);
      const iterator = openBarFile(good)[Symbol.iterator]();
      iterator.next();
      iterator.return();
    }
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});
