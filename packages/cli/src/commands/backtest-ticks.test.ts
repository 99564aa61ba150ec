import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { runCli } from '../program.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';

async function kbot(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

const CONFIG = `export default {
  name: 'scalper-ticks-test',
  strategies: [{ use: 'scalper', params: { pair: 'BTC/USD', interval: '1m', quantity: '0.01', maxPosition: '0.02' } }],
  backtest: { from: '2022-01-25T23:00:00Z' },
  log: { level: 'silent' },
};`;

// Replays Kraken's BTC/USD Spread sample and trades from the shared data folder (README section 6),
// which lives outside the repository; skipped where it is absent.
describe.skipIf(!DATA)('kbot backtest with --data <spreads> and --trades <trades>', () => {
  it('replays quotes and trades through the scalper and counts them in the summary and report.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-ticks-cli-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
    const trades = join(DATA, 'trades/kraken/Kraken_BTCUSD_tradeprints.csv');
    const spreads = join(DATA, 'ohlcv/kraken/rest-ohlc-2022-01-25/Kraken_BTCUSD_spreads.csv');
    const result = await kbot(dir, 'backtest', '--data', trades, '--interval', '1m', '--data', spreads, '--trades', trades, '--out', 'out', '--no-progress');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain('35 trades');
    expect(result.stdout).toContain('220 quotes');
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.run).toMatchObject({ barsProcessed: 3, tradesProcessed: 35, quotesProcessed: 220 });
    expect(report.dataSources.map((source: { format: string }) => source.format)).toEqual(['kraken-trades', 'kraken-spreads', 'kraken-trades']);
    // Starter fees: the spread never pays two 0.25% maker fees, so the scalper never quotes.
    expect(report.metrics).toMatchObject({ netPnl: '0', fillCount: 0, tradeCount: 0 });
  });

  it('refuses to run the scalper on bars alone, saying what it needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-ticks-cli-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
    const result = await kbot(dir, 'backtest', '--data', join(DATA, 'trades/kraken/Kraken_BTCUSD_tradeprints.csv'), '--interval', '1m', '--no-progress');
    expect(result.code).not.toBe(EXIT.ok);
    expect(result.stderr).toContain('subscribes to quotes of BTC/USD; no entry replays them');
  });
});
