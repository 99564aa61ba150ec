import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { kbot } from '../operator-test-harness.js';

// What `kbot backtest` checks around the run: a report folder it cannot make fails before the
// run, and a run that replayed nothing says why instead of writing an empty report.

const CONFIG = `export default {
  name: 'cli-checks',
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 5, slowPeriod: 20 } }],
  backtest: { balances: { USD: '5000' }, data: [{ file: 'XBTUSD_60.csv' }] },
};`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-cli-checks-'));
  writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
  // 2023-01-01 00:00 to 02:00 UTC, hourly
  writeFileSync(join(dir, 'XBTUSD_60.csv'), ['1672531200,16500,16510,16490,16505,1.5,10', '1672534800,16505,16520,16500,16515,2,12', '1672538400,16515,16530,16510,16520,2,9'].join('\n') + '\n');
  writeFileSync(join(dir, 'a-file'), 'not a folder\n');
  return dir;
}

describe('kbot backtest around the run', () => {
  it('refuses a report folder it cannot make before the run, naming --out, exit 2', async () => {
    const dir = project();
    const result = await kbot(dir, 'backtest', '--out', 'a-file/report', '--no-progress');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^kbot: --out: received "a-file\/report", expected a folder kbot can create and write \((ENOTDIR|EEXIST)/);
  });

  it('a period outside the data replays nothing: it says so, with what the data holds, and writes no report', async () => {
    const dir = project();
    const result = await kbot(dir, 'backtest', '--from', '2024-01-01', '--out', 'out', '--no-progress');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^kbot: backtest: received no bars, trades or quotes for 2024-01-01 to the end, expected market data for the strategies to trade on \(XBTUSD_60\.csv: nothing in that period\)/);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(false);
    const whole = await kbot(dir, 'backtest', '--out', 'out', '--no-progress', '--json');
    expect(whole.code).toBe(EXIT.ok);
  });
});
