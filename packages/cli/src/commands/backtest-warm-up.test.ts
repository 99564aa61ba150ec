import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import { kbot } from '../operator-test-harness.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';

/**
 * A strategy written in the config (the config cannot import @kbot/core from a temporary folder):
 * it wants 30 bars of BTC/USD 15m history and records the bars it warmed up on in a file.
 */
const CONFIG = `import { appendFileSync } from 'node:fs';
class Watcher {
  subscriptions() { return [{ instrumentId: 'BTC/USD', kind: 'bars', interval: 900000, warmUpBars: 30 }]; }
  onBar(bar, ctx) { if (ctx.warmingUp) appendFileSync(new URL('./warm-up.txt', import.meta.url), bar.openTime + '\\n'); }
}
export default {
  name: 'warm-up-test',
  strategies: [{ kind: 'strategy-spec', id: 'watcher', strategy: Watcher, params: {}, schema: undefined }],
  backtest: { balances: { USD: '10000' } },
  log: { level: 'silent' },
};`;

// Replays Kraken's Q1 2023 BTC/USD 15m file from the shared data folder (its README, section 2),
// which lives outside the repository; skipped where it is absent.
describe.skipIf(!DATA)('kbot backtest --from warms the strategies up on the bars before it', () => {
  const file = join(DATA, 'ohlcv', 'kraken', 'q1-2023', 'XBTUSD_15.csv');

  it('hands them the 30 bars before --from and says so in the summary and report.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-warm-up-cli-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
    const result = await kbot(dir, 'backtest', '--data', file, '--from', '2023-02-15', '--out', 'out', '--no-progress');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain('warm-up: BTC/USD 15m: the strategies warmed up on the 30 bars before the first one replayed');
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.dataSources[0]).toMatchObject({ firstIso: '2023-02-15T00:00:00.000Z', warmUp: { wanted: 30, received: 30 } });
    const from = Date.UTC(2023, 1, 15);
    const warmedOn = readFileSync(join(dir, 'warm-up.txt'), 'utf8').trim().split('\n').map(Number);
    expect(warmedOn).toEqual(Array.from({ length: 30 }, (_, index) => from - (30 - index) * 15 * 60_000));
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('Warm-up bars');
  });

  it('warms up on what there is when the file starts less than 30 bars before --from, and says that', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-warm-up-cli-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
    // The file starts at 2023-01-01T00:00Z: 12 bars before 03:00.
    const result = await kbot(dir, 'backtest', '--data', file, '--from', '2023-01-01T03:00:00Z', '--to', '2023-01-02', '--json', '--out', 'out', '--no-progress');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout).dataSources[0].warmUp).toEqual({ wanted: 30, received: 12 });
    expect(readFileSync(join(dir, 'warm-up.txt'), 'utf8').trim().split('\n')).toHaveLength(12);
    const text = await kbot(dir, 'backtest', '--data', file, '--from', '2023-01-01T03:00:00Z', '--to', '2023-01-02', '--out', 'out', '--no-progress');
    expect(text.stdout).toContain('NOTE: warm-up: BTC/USD 15m: 12 of the 30 bars wanted before the first one replayed (the data starts there)');
  });

  it('without --from the first bars of the file are the warm-up: nothing is handed over before them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-warm-up-cli-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), CONFIG);
    const result = await kbot(dir, 'backtest', '--data', file, '--to', '2023-01-02', '--json', '--out', 'out', '--no-progress');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout).dataSources[0].warmUp).toBeNull();
    expect(() => readFileSync(join(dir, 'warm-up.txt'), 'utf8')).toThrow(/ENOENT/);
  });
});
