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
    const dir = folder({ 'kraken_btc_usd_trades.csv': TRADES });
    const result = await kbot(dir, 'data', 'import', 'kraken_btc_usd_trades.csv', '--interval', '1m', '--out', 'candles', '--json');
    expect(result.code).toBe(EXIT.ok);
    const [entry] = JSON.parse(result.stdout);
    expect(entry).toMatchObject({ converted: true, format: 'kraken-trades', summary: { instrumentId: 'BTC/USD', interval: '1m', bars: 3, gaps: 1 } });
    expect(readFileSync(join(dir, 'candles', 'XBTUSD_1.csv'), 'utf8')).toBe([
      '1643147220,36629.3,36639.6,36609.2,36609.2,1,3',
      '1643147280,36591.4,36591.4,36591.4,36591.4,1,1',
      '1643147400,36600,36600,36600,36600,2,1',
    ].join('\n') + '\n');
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
    expect(noInterval.code).toBe(EXIT.data);
    expect(noInterval.stderr).toMatch(/trades are aggregated into bars of a requested interval: pass it explicitly \(.*--interval 1m\)/);
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
    expect(ohlc(join(dir, 'minutes', 'XBTUSD_1.csv'))).toEqual(ohlc(restOhlc));
    const second = await kbot(dir, 'data', 'import', trades, '--interval', '5m', '--out', 'trades');
    expect(second.code).toBe(EXIT.ok);
    const imported = ohlc(join(dir, 'trades', 'XBTUSD_5.csv'));
    const direct = ohlc(trades, '5m');
    expect(imported.map(({ volume, ...rest }) => rest)).toEqual(direct.map(({ volume, ...rest }) => rest));
    imported.forEach((bar, index) => expect(bar.volume).toBeCloseTo(direct[index]!.volume, 8));
  });
});
