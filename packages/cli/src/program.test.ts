import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { runCli } from './program.js';

/** Runs the CLI in-process in `cwd`, capturing what a user would see. */
async function kbot(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

function project(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-cli-'));
  writeFileSync(join(dir, 'kbot.config.mjs'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const GOOD = `export default {
  name: 'cli-test',
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 5, slowPeriod: 20 } }],
  backtest: { balances: { USD: '5000' }, data: [{ generated: { instrument: 'BTC/USD', interval: '1h', bars: 600, seed: 3, startPrice: 30000 } }] },
};`;

describe('kbot backtest', () => {
  it('runs a config, prints the summary and writes a complete report', async () => {
    const dir = project(GOOD);
    const result = await kbot(dir, 'backtest', '--out', 'out', '--no-progress');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toContain('GENERATED');
    expect(result.stdout).toContain('net P&L (after fees)');
    for (const file of ['report.json', 'trades.csv', 'report.html']) expect(existsSync(join(dir, 'out', file))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.run.bars ?? report.run.barsProcessed).toBe(600);
  });

  it('--json prints the report as one JSON document', async () => {
    const result = await kbot(project(GOOD), 'backtest', '--json', '--out', 'out');
    expect(result.code).toBe(EXIT.ok);
    const report = JSON.parse(result.stdout);
    expect(typeof report.metrics.netPnl).toBe('string');
  });

  it('a missing data file is one line naming the file, exit 3, and no report', async () => {
    const dir = project(GOOD);
    const result = await kbot(dir, 'backtest', '--data', 'nope.csv', '--out', 'out');
    expect(result.code).toBe(EXIT.data);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/nope\.csv: file not found/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a CSV with a broken row names file and line, exit 3, and writes no report', async () => {
    const rows = ['1672531200,16500.1,16510,16490,16505,1.5,10', '1672534800,16505,16520,16500,16515,abc,12', '1672538400,16515,16530,16510,16520,2,9'];
    const dir = project(GOOD, { 'XBTUSD_60.csv': `${rows.join('\n')}\n` });
    const result = await kbot(dir, 'backtest', '--data', 'XBTUSD_60.csv', '--out', 'out');
    expect(result.code).toBe(EXIT.data);
    expect(result.stderr).toMatch(/XBTUSD_60\.csv:2:/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(false);
  });

  it('an impossible date is a usage error naming the flag', async () => {
    const result = await kbot(project(GOOD), 'backtest', '--from', '2023-02-30');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/--from: received "2023-02-30", expected a real date/);
  });

  it('from after to is refused', async () => {
    const result = await kbot(project(GOOD), 'backtest', '--from', '2024-03-01', '--to', '2024-01-01');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/to: received .*expected a time after from/);
  });

  it('an unknown strategy name lists the known ones', async () => {
    const dir = project(GOOD.replace("use: 'ema-rsi'", "use: 'moon-shot'"));
    const result = await kbot(dir, 'backtest');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/strategies\[0\]\.use: received "moon-shot", expected one of "ema-rsi"/);
  });

  it('a pair a strategy trades with no data is refused before the run, naming the pair, the interval and the strategy', async () => {
    const rows = ['1672531200,16500.1,16510,16490,16505,1.5,10', '1672545600,16505,16520,16500,16515,2,12'];
    const config = `export default {
      strategies: [{ use: 'portfolio', params: { targets: { 'BTC/USD': 0.5, 'ETH/USD': 0.3 }, interval: '4h' } }],
      backtest: { data: ['XBTUSD_240.csv'] },
    };`;
    const dir = project(config, { 'XBTUSD_240.csv': `${rows.join('\n')}\n` });
    const result = await kbot(dir, 'backtest');
    expect(result.code).toBe(EXIT.usage);
    const problem = 'backtest.data: received strategy "portfolio" subscribes to ETH/USD 4h bars; no entry gives them (entries give BTC/USD 4h), expected a data file of ETH/USD 4h bars';
    expect(result.stderr).toContain(problem);
    expect(result.stderr).not.toContain('BTC/USD 4h bars; no entry');
    const check = await kbot(dir, 'config', 'check');
    expect(check.code).toBe(EXIT.usage);
    expect(check.stderr).toContain(problem);
  });

  it('data that no strategy subscribes to is refused before the run', async () => {
    const rows = ['1672531200,16500.1,16510,16490,16505,1.5,10', '1672532100,16505,16520,16500,16515,2,12'];
    const dir = project(GOOD, { 'XBTUSD_15.csv': `${rows.join('\n')}\n` });
    const result = await kbot(dir, 'backtest', '--data', 'XBTUSD_15.csv');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/backtest\.data: received BTC\/USD 15m bars, expected bars a strategy subscribes to \(BTC\/USD 1h\)/);
  });

  it('an unknown flag is a usage error', async () => {
    const result = await kbot(project(GOOD), 'backtest', '--speed', 'fast');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/unknown option '--speed'/);
  });
});

describe('usage errors', () => {
  it('an unknown option, a missing value or argument, an extra argument: one kbot: line, exit 2', async () => {
    const dir = project(GOOD);
    const cases: [string[], string][] = [
      [['backtest', '--speed', 'fast'], `kbot: unknown option '--speed' (run "kbot --help" for usage)`],
      [['backtest', '--config'], `kbot: option '-c, --config <file>' argument missing (run "kbot --help" for usage)`],
      [['init', 'a', 'b'], `kbot: too many arguments for 'init'. Expected 1 argument but got 2. (run "kbot --help" for usage)`],
      [['bakctest'], `kbot: unknown command 'bakctest' (Did you mean backtest?) (run "kbot --help" for usage)`],
    ];
    for (const [argv, line] of cases) {
      const result = await kbot(dir, ...argv);
      expect(result.code).toBe(EXIT.usage);
      expect(result.stderr).toBe(`${line}\n`);
    }
  });

  it('--help is unchanged: usage on stdout, exit 0', async () => {
    const result = await kbot(project(GOOD), 'config', 'check', '--help');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: kbot config check \[options\]\n/);
  });
});

describe('kbot config check', () => {
  it('lists every problem with path, received and expected, exit 2', async () => {
    const dir = project(`export default {
      mode: 'yolo',
      strategies: [{ use: 'ema-rsi', params: { pair: 'BTCUSD', interval: '1h', fastPeriod: 30, slowPeriod: 20 } }],
      backtest: { balances: { USD: 'lots' }, slippageBps: -1 },
    };`);
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/mode: received "yolo", expected one of "backtest", "paper", "live"/);
    expect(result.stderr).toMatch(/backtest\.balances\.USD: received "lots", expected/);
    expect(result.stderr).toMatch(/backtest\.slippageBps: received -1, expected ≥ 0/);
  });

  it('reports strategy parameter problems by their path', async () => {
    const dir = project(GOOD.replace("pair: 'BTC/USD'", "pair: 'BTCUSD'"));
    const result = await kbot(dir, 'config', 'check', '--json');
    expect(result.code).toBe(EXIT.usage);
    const outcome = JSON.parse(result.stdout);
    expect(outcome.ok).toBe(false);
    expect(outcome.problems.join('\n')).toMatch(/strategies\[0\]\.params\.pair: received "BTCUSD", expected an instrument such as "BTC\/USD"/);
  });

  it('accepts a good config', async () => {
    const result = await kbot(project(GOOD), 'config', 'check', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, summary: { strategies: ['ema-rsi'] } });
  });

  it('a config with a syntax error is one clear line', async () => {
    const result = await kbot(project('export default { strategies: [ };'), 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/config has 1 problem/);
  });

  it('no config anywhere says how to make one', async () => {
    const result = await kbot(mkdtempSync(join(tmpdir(), 'kbot-empty-')), 'backtest');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/kbot init/);
  });
});

describe('kbot init', () => {
  it('scaffolds a project and refuses to overwrite it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kbot-init-')), 'my-bot');
    const first = await kbot(process.cwd(), 'init', dir);
    expect(first.code).toBe(EXIT.ok);
    for (const file of ['kbot.config.ts', 'strategies/sma-cross.ts', 'package.json', 'tsconfig.json']) expect(existsSync(join(dir, file))).toBe(true);
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).toMatchObject({ experimentalDecorators: true, emitDecoratorMetadata: true });
    const second = await kbot(process.cwd(), 'init', dir);
    expect(second.code).toBe(EXIT.usage);
    expect(second.stderr).toMatch(/already has .*kbot\.config\.ts.*nothing was written/);
  });
});

describe('kbot strategies', () => {
  it('lists every registered strategy with its parameters', async () => {
    const result = await kbot(process.cwd(), 'strategies', '--json');
    expect(result.code).toBe(EXIT.ok);
    const entries = JSON.parse(result.stdout) as { name: string; params: { name: string; required: boolean; default: unknown }[] }[];
    expect(entries.map((entry) => entry.name)).toEqual(expect.arrayContaining(['ema-rsi', 'mean-reversion', 'momentum', 'portfolio', 'scanner-rotation', 'scalper']));
    const emaRsi = entries.find((entry) => entry.name === 'ema-rsi')!;
    expect(emaRsi.params).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'pair', required: true }),
      expect.objectContaining({ name: 'fastPeriod', required: false, default: 12 }),
    ]));
  });
});
