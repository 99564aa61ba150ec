import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBarFile } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import { runCli } from '../program.js';

async function kbot(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-import-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Kraken OHLCVT, 15m, with the exponent-notation volume Kraken's files contain; 00:30 had no trades. */
const OHLCVT = ['1672531200,16535.97,16536.9,16505.54,16513.4,0.01489468,5', '1672532100,16514.99,16536.9,16505.54,16536.9,1E+1,15', '1672533900,16518.97,16519.29,16507.93,16512.17,0.10233292,8'].join('\n') + '\n';
/** REST trades saved as CSV (header), three minutes of BTC/USD. */
const TRADES = [
  'price,volume,time,buysell,ordtype',
  '36629.3,0.5,1643147229.2935,buy,limit',
  '36639.6,0.25,1643147239.1,buy,market',
  '36609.2,0.25,1643147249.9,sell,limit',
  '36591.4,1,1643147281,sell,market',
  '36600,2,1643147400.5,buy,limit',
].join('\n') + '\n';
/** The same trades starting on a minute boundary (21:47:00), and one more at 21:49:00 before the last. */
const TRADES_FROM_BOUNDARY = TRADES.replace('1643147229.2935', '1643147220').replace('36600,2,1643147400.5', '36595,1,1643147340,sell,limit\n36600,2,1643147400.5');
/** Three hourly BTC/USD rows. */
const HOURLY = ['1672531200,16500,16600,16400,16550,12.5,100', '1672534800,16550,16600,16400,16560,12.5,100', '1672538400,16560,16600,16400,16570,12.5,100'].join('\n') + '\n';

describe('kbot data import', () => {
  it('copies a Kraken OHLCVT file byte for byte under Kraken\'s name, after checking every row', async () => {
    const dir = folder({ 'btc-quarter-hours.csv': OHLCVT });
    const result = await kbot(dir, 'data', 'import', 'btc-quarter-hours.csv', '--pair', 'BTC/USD', '--interval', '15m', '--out', 'candles');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(readFileSync(join(dir, 'candles', 'XBTUSD_15.csv'), 'utf8')).toBe(OHLCVT);
    expect(result.stdout).toMatch(/imported .*btc-quarter-hours\.csv -> .*XBTUSD_15\.csv \(BTC\/USD 15m, 3 bars, 2023-01-01T00:00 \.\. 2023-01-01T00:45, 1 empty interval\)/);
  });

  it('aggregates a trade CSV into bars of --interval and writes them as Kraken OHLCVT', async () => {
    const dir = folder({ 'kraken_btc_usd_trades.csv': TRADES_FROM_BOUNDARY });
    const result = await kbot(dir, 'data', 'import', 'kraken_btc_usd_trades.csv', '--interval', '1m', '--out', 'candles', '--json');
    expect(result.code).toBe(EXIT.ok);
    const [entry] = JSON.parse(result.stdout);
    expect(entry).toMatchObject({ converted: true, format: 'kraken-trades', summary: { instrumentId: 'BTC/USD', interval: '1m', bars: 3, gaps: 0 } });
    // The last trade (21:50:00.5) opens an interval the file does not cover: its bar is left out.
    expect(entry.partialBarsLeftOut).toEqual([1643147400_000]);
    expect(readFileSync(join(dir, 'candles', 'XBTUSD_1.csv'), 'utf8')).toBe([
      '1643147220,36629.3,36639.6,36609.2,36609.2,1,3',
      '1643147280,36591.4,36591.4,36591.4,36591.4,1,1',
      '1643147340,36595,36595,36595,36595,1,1',
    ].join('\n') + '\n');
  });

  it('keeps only the intervals the trades cover whole, as downloads do: the first and last bars of a sample are partial', async () => {
    const dir = folder({ 'kraken_btc_usd_trades.csv': TRADES });
    const result = await kbot(dir, 'data', 'import', 'kraken_btc_usd_trades.csv', '--interval', '1m', '--out', 'candles');
    expect(result.code).toBe(EXIT.ok);
    // Trades from 21:47:09: the 21:47 bar would miss its first 9 seconds; the 21:50 bar holds one trade of an unfinished minute.
    expect(readFileSync(join(dir, 'candles', 'XBTUSD_1.csv'), 'utf8')).toBe('1643147280,36591.4,36591.4,36591.4,36591.4,1,1\n');
    expect(result.stdout).toMatch(/\(BTC\/USD 1m, 1 bars?, 2022-01-25T21:48 \.\. 2022-01-25T21:48, .*converted to Kraken OHLCVT; left out the partial bars at 2022-01-25T21:47 and 2022-01-25T21:50 \(trades from 2022-01-25T21:47:09\.293Z to 2022-01-25T21:50:00\.500Z\)\)/);
    const tooShort = await kbot(dir, 'data', 'import', 'kraken_btc_usd_trades.csv', '--interval', '5m', '--out', 'five');
    expect(tooShort.code).toBe(EXIT.data);
    expect(tooShort.stderr).toMatch(/kraken_btc_usd_trades\.csv: no whole 5m interval: the trades run from 2022-01-25T21:47:09\.293Z to 2022-01-25T21:50:00\.500Z; expected at least one whole interval/);
    expect(existsSync(join(dir, 'five'))).toBe(false);
  });

  it('writes the rows of a headered Kraken OHLCVT file without the header', async () => {
    const dir = folder({ 'XBTUSD_15.csv': `time,open,high,low,close,volume,trades\r\n${OHLCVT.replaceAll('\n', '\r\n')}` });
    const result = await kbot(dir, 'data', 'import', 'XBTUSD_15.csv', '--out', 'candles');
    expect(result.code).toBe(EXIT.ok);
    expect(readFileSync(join(dir, 'candles', 'XBTUSD_15.csv'), 'utf8')).toBe(OHLCVT.replaceAll('\n', '\r\n'));
  });

  it('refuses --pair and --interval that contradict the file name (exit 2), and millisecond times (exit 3)', async () => {
    const dir = folder({ 'XBTUSD_60.csv': HOURLY, 'XBTUSD_5.csv': '1672531200000,16500,16600,16400,16550,12.5,100\n' });
    const interval = await kbot(dir, 'data', 'import', 'XBTUSD_60.csv', '--interval', '15m', '--out', 'candles');
    expect([interval.code, interval.stderr]).toEqual([EXIT.usage,
      `kbot: --interval: received "15m", expected 1h, the interval the name of ${join(dir, 'XBTUSD_60.csv')} says (the option is only for files whose name does not say; rename the file if its name is wrong)\n`]);
    const pair = await kbot(dir, 'data', 'import', 'XBTUSD_60.csv', '--pair', 'ETH/USD', '--out', 'candles');
    expect(pair.code).toBe(EXIT.usage);
    expect(pair.stderr).toContain(`--pair: received "ETH/USD", expected "BTC/USD", the pair the name of ${join(dir, 'XBTUSD_60.csv')} says`);
    expect((await kbot(dir, 'data', 'import', 'XBTUSD_60.csv', '--pair', 'XBTUSD', '--interval', '1h', '--out', 'candles')).code).toBe(EXIT.ok);
    const milliseconds = await kbot(dir, 'data', 'import', 'XBTUSD_5.csv', '--out', 'candles');
    expect(milliseconds.code).toBe(EXIT.data);
    expect(milliseconds.stderr).toContain('XBTUSD_5.csv:1: column 1 (time): received "1672531200000", expected epoch seconds before the year 3000 (this looks like milliseconds)');
    expect(existsSync(join(dir, 'candles', 'XBTUSD_5.csv'))).toBe(false);
  });

  it('says what to do with a spreads file, and names --interval when a trade file needs it', async () => {
    const dir = folder({ 'Kraken_BTCUSD_spreads.csv': 'unix,bid,ask,date,spread\n1643151684,36769.5,36769.6,2022-01-25 23:01:24,0.1\n', 'kraken_btc_usd_trades.csv': TRADES });
    const spreads = await kbot(dir, 'data', 'import', 'Kraken_BTCUSD_spreads.csv', '--out', 'candles');
    expect(spreads.code).toBe(EXIT.data);
    expect(spreads.stderr).toContain("spreads are top-of-book quotes, not bars, so they cannot be read as bars or imported into the data folder; replay them as quotes in a backtest (kbot backtest --data <file>, or { file, replay: 'quotes' } in backtest.data)");
    expect(spreads.stderr).not.toContain('pass the format');
    const noInterval = await kbot(dir, 'data', 'import', 'kraken_btc_usd_trades.csv', '--out', 'candles');
    expect([noInterval.code, noInterval.stderr.trim()]).toEqual([EXIT.usage,
      `kbot: --interval: received nothing, expected the interval to aggregate the trades of ${join(dir, 'kraken_btc_usd_trades.csv')} into: one of 1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d`]);
  });

  it('a bad row anywhere stops the import with file:line, exit 3, and nothing is written', async () => {
    const broken = OHLCVT.replace('16519.29', '16419.29');
    const dir = folder({ 'XBTUSD_15.csv': OHLCVT, 'ETHUSD_15.csv': broken });
    const result = await kbot(dir, 'data', 'import', 'XBTUSD_15.csv', 'ETHUSD_15.csv', '--out', 'candles');
    expect(result.code).toBe(EXIT.data);
    expect(result.stderr.trim()).toMatch(/^kbot: .*ETHUSD_15\.csv:3: high 16419\.29 is below low 16507\.93$/);
    expect(existsSync(join(dir, 'candles'))).toBe(false);
  });

  it('refuses data that is not Kraken\'s, a file that would overwrite another, and bad flags', async () => {
    const dir = folder({ 'BTCUSD_1m_20230301_20230321.csv': 'open_time,open,high,low,close,volume\n2023-03-01 00:00:00+00:00,1,1,1,1,1\n', 'XBTUSD_15.csv': OHLCVT, 'trades.csv': TRADES });
    const binance = await kbot(dir, 'data', 'import', 'BTCUSD_1m_20230301_20230321.csv', '--out', 'candles');
    expect(binance.code).toBe(EXIT.data);
    expect(binance.stderr).toMatch(/binance-csv data is not Kraken's: import takes Kraken OHLCVT CSV/);
    expect((await kbot(dir, 'data', 'import', 'XBTUSD_15.csv', '--out', 'candles')).code).toBe(EXIT.ok);
    const again = await kbot(dir, 'data', 'import', 'XBTUSD_15.csv', '--out', 'candles');
    expect(again.code).toBe(EXIT.usage);
    expect(again.stderr).toMatch(/XBTUSD_15\.csv exists: pass --force to replace it/);
    expect((await kbot(dir, 'data', 'import', 'XBTUSD_15.csv', '--out', 'candles', '--force')).code).toBe(EXIT.ok);
    const noInterval = await kbot(dir, 'data', 'import', 'trades.csv', '--pair', 'BTC/USD', '--out', 'candles');
    expect(noInterval.code).toBe(EXIT.usage);
    expect(noInterval.stderr).toMatch(/--interval: received nothing, expected the interval to aggregate the trades of .*trades\.csv into/);
    const badPair = await kbot(dir, 'data', 'import', 'trades.csv', '--pair', 'bitcoin', '--out', 'candles');
    expect([badPair.code, badPair.stderr.trim()]).toEqual([EXIT.usage, 'kbot: --pair: received "bitcoin", expected a pair such as BTC/USD or XBTUSD']);
    const badInterval = await kbot(dir, 'data', 'import', 'trades.csv', '--interval', '2h', '--out', 'candles');
    expect([badInterval.code, badInterval.stderr.trim()]).toEqual([EXIT.usage, 'kbot: --interval: received "2h", expected one of 1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d']);
    const missing = await kbot(dir, 'data', 'import', 'nope.csv', '--out', 'candles');
    expect([missing.code, missing.stderr.trim()]).toEqual([EXIT.data, `kbot: ${join(dir, 'nope.csv')}: file not found`]);
  });
});

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// Real Kraken files from /work/shared/data (README sections 2 and 6); skipped where that folder is absent.
describe.skipIf(!DATA)('kbot data import on real Kraken files', () => {
  it('imports Kraken\'s REST OHLC CSV and its trades, and the imported files read back as the same bars', async () => {
    const dir = folder();
    const restOhlc = join(DATA, 'ohlcv', 'kraken', 'rest-ohlc-2022-01-25', 'Kraken_BTCUSD_minute.csv');
    const trades = join(DATA, 'trades', 'kraken', 'Kraken_BTCUSD_tradeprints.csv');
    const first = await kbot(dir, 'data', 'import', restOhlc, '--out', 'minutes');
    expect(first.code).toBe(EXIT.ok);
    const ohlc = (file: string, interval?: string) => [...openBarFile(file, interval ? { interval } : {})].map((bar) => ({ ...bar }));
    // Kraken's OHLC answer ends with the candle still forming (23:02, saved at about 23:02:49): left out.
    expect(ohlc(join(dir, 'minutes', 'XBTUSD_1.csv'))).toEqual(ohlc(restOhlc).slice(0, -1));
    expect(first.stdout).toMatch(/719 bars, 2022-01-25T11:03 \.\. 2022-01-25T23:01, .*; left out the last candle, 2022-01-25T23:02 \(still forming when Kraken sent it\)/);
    const second = await kbot(dir, 'data', 'import', trades, '--interval', '5m', '--out', 'trades');
    expect(second.code).toBe(EXIT.ok);
    const imported = ohlc(join(dir, 'trades', 'XBTUSD_5.csv'));
    // The trades run from 21:47:09 to 23:02:42: the 21:45 and 23:00 bars are partial and left out.
    const direct = ohlc(trades, '5m').slice(1, -1);
    expect([imported[0]!.openTime, imported.at(-1)!.openTime]).toEqual([Date.UTC(2022, 0, 25, 21, 50), Date.UTC(2022, 0, 25, 22, 55)]);
    expect(imported.map(({ volume, ...rest }) => rest)).toEqual(direct.map(({ volume, ...rest }) => rest));
    imported.forEach((bar, index) => expect(bar.volume).toBeCloseTo(direct[index]!.volume, 8));
  });

  it('imports the headered Kraken OHLCVT files without their header line, and spreads files not at all', async () => {
    const dir = folder();
    const daily = join(DATA, 'ohlcv', 'kraken', 'daily-1440m', 'BTCUSD_Daily_OHLC.csv');
    const train = join(DATA, 'ohlcv', 'kraken', 'h1-q3-2023', 'trading_train_data', 'XBT_train.csv');
    expect((await kbot(dir, 'data', 'import', daily, train, '--out', 'candles')).code).toBe(EXIT.ok);
    for (const [source, target] of [[daily, 'XBTUSD_1440.csv'], [train, 'XBTUSD_15.csv']] as const) {
      const lines = readFileSync(source, 'utf8').split('\n');
      expect(readFileSync(join(dir, 'candles', target), 'utf8')).toBe(lines.slice(1).join('\n'));
    }
    const spreads = await kbot(dir, 'data', 'import', join(DATA, 'ohlcv', 'kraken', 'rest-ohlc-2022-01-25', 'Kraken_BTCUSD_spreads.csv'), '--out', 'candles');
    expect(spreads.code).toBe(EXIT.data);
    expect(spreads.stderr).toContain("replay them as quotes in a backtest (kbot backtest --data <file>, or { file, replay: 'quotes' } in backtest.data)");
  });
});
