import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/** 1h BTC/USD bars at 00, 01, 02, 05, 06 and 10 o'clock: gaps of 2 and 3 hours. */
const HOURS = [0, 1, 2, 5, 6, 10].map((hour) => `${1704067200 + hour * 3600},100,101,99,100,1.5,3`).join('\n') + '\n';

function dataFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-list-'));
  mkdirSync(join(dir, 'candles'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'candles', name), content);
  return dir;
}

describe('kbot data list', () => {
  it('lists each file with pair, interval, first and last bar, rows and gaps, and downloads in progress', async () => {
    const state = { kind: 'kbot-data-download', version: 1, pair: 'XBTUSD', bars: 42, lastTradeTime: Date.UTC(2024, 0, 3, 12) };
    const dir = dataFolder({ 'XBTUSD_60.csv': HOURS, 'XBTUSD_1.csv.download.json': JSON.stringify(state), 'XBTUSD_1.csv.part': '', 'notes.txt': 'not data' });
    const json = await kbot(dir, 'data', 'list', '--dir', 'candles', '--json');
    expect(json.code).toBe(EXIT.ok);
    expect(JSON.parse(json.stdout)).toEqual([
      { file: 'XBTUSD_1.csv.part', status: 'downloading', download: { bars: 42, through: Date.UTC(2024, 0, 3, 12) } },
      {
        file: 'XBTUSD_60.csv', status: 'complete',
        summary: expect.objectContaining({ instrumentId: 'BTC/USD', interval: '1h', bars: 6, first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, 1, 10), gaps: 5, largestGapMs: 3 * 3600_000 }),
      },
    ]);
    const table = await kbot(dir, 'data', 'list', '--dir', 'candles');
    expect(table.stdout).toMatch(/XBTUSD_60\.csv\s*│ BTC\/USD\s*│ 1h\s*│ 2024-01-01T00:00 │ 2024-01-01T10:00 │ 6\s*│ 5\s*│ 3h/);
    expect(table.stdout).toContain('XBTUSD_1.csv.part: downloading, 42 bars so far, trades read through 2024-01-03T12:00 (run the same kbot data download to continue)');
  });

  it('--gaps lists the longest gaps of each file, longest first', async () => {
    const dir = dataFolder({ 'XBTUSD_60.csv': HOURS });
    const result = await kbot(dir, 'data', 'list', '--dir', 'candles', '--gaps', '1');
    expect(result.stdout).toContain('XBTUSD_60.csv: longest gaps (intervals without a bar)\n  2024-01-01T07:00 .. 2024-01-01T10:00  3 missing\n');
    const json = JSON.parse((await kbot(dir, 'data', 'list', '--dir', 'candles', '--gaps', '--json')).stdout);
    expect(json[0].longestGaps).toEqual([
      { from: Date.UTC(2024, 0, 1, 7), to: Date.UTC(2024, 0, 1, 10), missing: 3 },
      { from: Date.UTC(2024, 0, 1, 3), to: Date.UTC(2024, 0, 1, 5), missing: 2 },
    ]);
  });

  it('an unreadable file is listed with its file:line error and makes the exit code 3', async () => {
    const broken = HOURS.split('\n').map((line, index) => (index === 2 ? line.replace('101,99', '98,99') : line)).join('\n');
    const dir = dataFolder({ 'XBTUSD_60.csv': HOURS, 'ETHUSD_60.csv': broken });
    const result = await kbot(dir, 'data', 'list', '--dir', 'candles', '--json');
    expect(result.code).toBe(EXIT.data);
    const [eth, btc] = JSON.parse(result.stdout);
    expect(eth).toMatchObject({ file: 'ETHUSD_60.csv', status: 'unreadable', error: expect.stringMatching(/ETHUSD_60\.csv:3: high 98 is below low 99$/) });
    expect(btc.status).toBe('complete');
  });

  it('an empty or missing folder is not an error; a bad --gaps is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-list-'));
    const missing = await kbot(dir, 'data', 'list', '--dir', 'nowhere');
    expect(missing.code).toBe(EXIT.ok);
    expect(missing.stdout).toMatch(/no data in .*nowhere yet: kbot data download and kbot data import put files there/);
    const badGaps = await kbot(dir, 'data', 'list', '--dir', 'nowhere', '--gaps', 'all');
    expect([badGaps.code, badGaps.stderr.trim()]).toEqual([EXIT.usage, 'kbot: --gaps: received "all", expected how many gaps to show per file, a whole number ≥ 1']);
  });

  it('without --dir it lists <storage.dir>/candles of the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-list-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), `export default { strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h' } }], storage: { dir: './store' } };`);
    mkdirSync(join(dir, 'store', 'candles'), { recursive: true });
    writeFileSync(join(dir, 'store', 'candles', 'XBTUSD_60.csv'), HOURS);
    const result = await kbot(dir, 'data', 'list', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ file: 'XBTUSD_60.csv', status: 'complete' })]);
  });
});

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// A real Kraken file from /work/shared/data (README section 2); skipped where that folder is absent.
describe.skipIf(!DATA)('kbot data list on real Kraken data', () => {
  it('reports the exchange-wide halt of 2023-02-22 as the only gap of XBTUSD 15m Q1 2023', async () => {
    const dir = dataFolder({});
    copyFileSync(join(DATA, 'ohlcv', 'kraken', 'q1-2023', 'XBTUSD_15.csv'), join(dir, 'candles', 'XBTUSD_15.csv'));
    const [entry] = JSON.parse((await kbot(dir, 'data', 'list', '--dir', 'candles', '--gaps', '--json')).stdout);
    expect(entry.summary).toMatchObject({ bars: 8635, gaps: 5, largestGapMs: 5 * 15 * 60_000, first: Date.UTC(2023, 0, 1), last: Date.UTC(2023, 2, 31, 23, 45) });
    expect(entry.longestGaps).toEqual([{ from: Date.UTC(2023, 1, 22, 0, 15), to: Date.UTC(2023, 1, 22, 1, 30), missing: 5 }]);
  });
});
