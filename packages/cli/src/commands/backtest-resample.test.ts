import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { runCli } from '../program.js';

async function kbot(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

const CONFIG = `export default {
  name: 'resample-test',
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 3, slowPeriod: 6 } }],
  log: { level: 'silent' },
};`;

/** Two days of 5m BTC/USD bars (Kraken OHLCVT), a gentle zigzag. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-resample-cli-'));
  writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
  const start = Date.UTC(2024, 0, 1) / 1000;
  const rows = Array.from({ length: 576 }, (_, index) => {
    const price = 40_000 + 200 * Math.sin(index / 20);
    return `${start + index * 300},${price.toFixed(1)},${(price + 5).toFixed(1)},${(price - 5).toFixed(1)},${price.toFixed(1)},0.5,3`;
  });
  writeFileSync(join(dir, 'XBTUSD_5.csv'), `${rows.join('\n')}\n`);
  return dir;
}

describe('kbot backtest --resample', () => {
  it('replays 5m data as the 1h bars the strategy subscribes to', async () => {
    const dir = project();
    const result = await kbot(dir, 'backtest', '--data', 'XBTUSD_5.csv', '--resample', '1h', '--out', 'out', '--no-progress');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.dataSources[0]).toMatchObject({ instrumentId: 'BTC/USD', interval: 3_600_000, bars: 48, gaps: 0 });
  });

  it('without it the 5m file does not match the strategy; a target that is not a multiple names the flag', async () => {
    const dir = project();
    expect((await kbot(dir, 'backtest', '--data', 'XBTUSD_5.csv', '--out', 'out')).stderr).toMatch(/received BTC\/USD 5m bars, expected bars a strategy subscribes to \(BTC\/USD 1h\)/);
    const bad = await kbot(dir, 'backtest', '--data', 'XBTUSD_5.csv', '--resample', '7m', '--out', 'out');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--resample: received "7m", expected a whole multiple of the source interval 5m of .*XBTUSD_5\.csv \(such as 15m or 1h\)/);
    const nonsense = await kbot(dir, 'backtest', '--data', 'XBTUSD_5.csv', '--resample', 'hourly', '--out', 'out');
    expect(nonsense.code).toBe(EXIT.usage);
    expect(nonsense.stderr).toMatch(/--resample: received "hourly", expected .*"15m"/);
  });
});
