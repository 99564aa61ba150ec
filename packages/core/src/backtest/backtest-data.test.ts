import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { openBacktestData } from './backtest-data.js';

const dir = mkdtempSync(join(tmpdir(), 'kbot-backtest-data-'));
function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
/** `count` hourly Kraken OHLCVT rows from 2023-01-01 00:00. */
const hourly = (count: number) => Array.from({ length: count }, (_, index) => `${1672531200 + index * 3600},16500,16600,16400,16550,12.5,100`);

describe('openBacktestData: instrument and interval of a data entry against its file name', () => {
  const candles = file('XBTUSD_60.csv', hourly(3));
  const trades = file('Kraken_BTCUSD_tradeprints.csv', ['price,volume,time,buysell,ordtype', '36629.3,0.5,1672531229.2935,buy,limit']);

  it('refuses an instrument or interval the file name contradicts, naming the flag and the entry (--data XBTUSD_60.csv --instrument ETH/USD)', () => {
    expect(() => openBacktestData([{ file: candles, instrument: 'ETH/USD' }], { baseDir: dir })).toThrow(ConfigError);
    expect(() => openBacktestData([{ file: candles, instrument: 'ETH/USD' }], { baseDir: dir })).toThrow(
      `--instrument (backtest.data[0].instrument): received "ETH/USD", expected "BTC/USD", the pair the name of ${candles} says`,
    );
    expect(() => openBacktestData([candles, { file: candles, interval: '15m' }], { baseDir: dir })).toThrow(
      `--interval (backtest.data[1].interval): received "15m", expected 1h, the interval the name of ${candles} says`,
    );
    expect(() => openBacktestData([{ file: trades, replay: 'trades', instrument: 'ETH/USD' }], { baseDir: dir })).toThrow(
      `--instrument (backtest.data[0].instrument): received "ETH/USD", expected "BTC/USD", the pair the name of ${trades} says`,
    );
  });

  it('accepts what the name says, in any spelling', () => {
    const data = openBacktestData([{ file: candles, instrument: 'BTC/USD', interval: '1h' }], { baseDir: dir });
    expect(data.summaries()).toMatchObject([{ instrumentId: 'BTC/USD', interval: 3_600_000, bars: 3, gaps: 0 }]);
  });
});
