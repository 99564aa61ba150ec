import { mkdtempSync, writeFileSync } from 'node:fs';
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

function project(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-config-check-'));
  writeFileSync(join(dir, 'kbot.config.mjs'), config);
  return dir;
}

const strategy = (pair: string) => `strategies: [{ use: 'ema-rsi', params: { pair: '${pair}', interval: '1h', fastPeriod: 5, slowPeriod: 20 } }]`;
const data = (pair: string) => `data: [{ generated: { instrument: '${pair}', interval: '1h', bars: 300 } }]`;

/** The problem lines of `kbot config check` and `kbot backtest` for one config, which must agree. */
async function bothCommands(config: string) {
  const dir = project(config);
  const check = await kbot(dir, 'config', 'check');
  const backtest = await kbot(dir, 'backtest', '--no-progress', '--out', 'out');
  const problems = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
  return { check, backtest, checkProblems: problems(check.stderr), backtestProblems: problems(backtest.stderr) };
}

describe('kbot config check refuses what kbot backtest refuses, listing it with the other problems', () => {
  it('an impossible backtest.from', async () => {
    const result = await bothCommands(`export default { ${strategy('BTC/USD')}, backtest: { from: '2023-13-01', slippageBps: -1, ${data('BTC/USD')} } };`);
    const expected = [
      'backtest.from: received "2023-13-01", expected a real date such as 2023-01-31 or 2023-01-31T12:00:00Z',
      'backtest.slippageBps: received -1, expected ≥ 0',
    ];
    expect(result.check.code).toBe(EXIT.usage);
    expect(result.backtest.code).toBe(EXIT.usage);
    expect(result.checkProblems).toEqual(expected);
    expect(result.backtestProblems).toEqual(expected);
  });

  it('backtest.from after backtest.to', async () => {
    const result = await bothCommands(`export default { ${strategy('BTC/USD')}, backtest: { from: '2024-03-01', to: '2024-01-01', ${data('BTC/USD')} } };`);
    const expected = ['backtest.to: received "2024-01-01", expected a time after backtest.from (2024-03-01T00:00:00.000Z)'];
    expect(result.check.code).toBe(EXIT.usage);
    expect(result.backtest.code).toBe(EXIT.usage);
    expect(result.checkProblems).toEqual(expected);
    expect(result.backtestProblems).toEqual(expected);
  });

  it('a pair without order rules (not in the built-in table, no backtest.instruments entry)', async () => {
    const result = await bothCommands(`export default { ${strategy('PEPE/USD')}, backtest: { ${data('PEPE/USD')} } };`);
    const expected = ['backtest.instruments: received no order rules for PEPE/USD, expected an entry for PEPE/USD (pricePrecision, quantityPrecision, minQuantity, minCost)'];
    expect(result.check.code).toBe(EXIT.usage);
    expect(result.backtest.code).toBe(EXIT.usage);
    expect(result.checkProblems).toEqual(expected);
    expect(result.backtestProblems).toEqual(expected);
  });

  it('with an entry in backtest.instruments the pair is fine', async () => {
    const dir = project(`export default { ${strategy('PEPE/USD')}, backtest: { ${data('PEPE/USD')}, instruments: [{ id: 'PEPE/USD', pricePrecision: 9, quantityPrecision: 0 }] } };`);
    const result = await kbot(dir, 'config', 'check', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, problems: [], warnings: [] });
  });

  it('a paper config on such a pair is ok (the exchange gives the rules), with a warning about backtests', async () => {
    const dir = project(`export default { mode: 'paper', ${strategy('PEPE/USD')} };`);
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^config ok: /);
    expect(result.stderr).toBe('warning: backtest.instruments: received no order rules for PEPE/USD, expected an entry for PEPE/USD (pricePrecision, quantityPrecision, minQuantity, minCost) (kbot backtest would refuse this config)\n');
  });
});

describe('kbot config check warns about strategies that share a pair', () => {
  it('two strategies on BTC/USD: ok, with one warning naming them, the pair and the rule', async () => {
    const two = `strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 5, slowPeriod: 20 } }, { use: 'momentum', params: { pair: 'BTC/USD', interval: '1h' } }, { use: 'ema-rsi', id: 'eth', params: { pair: 'ETH/USD', interval: '1h' } }]`;
    const dir = project(`export default { ${two}, backtest: { data: [{ generated: { instrument: 'BTC/USD', interval: '1h', bars: 300 } }, { generated: { instrument: 'ETH/USD', interval: '1h', bars: 300 } }] } };`);
    const warning = 'strategies: ema-rsi and momentum both trade BTC/USD, but a pair belongs to one strategy of a bot at a time: while one holds it (a position or open orders), the others\' orders on it are denied pair-taken. Give each strategy its own pairs, or run them as separate bots';
    const check = await kbot(dir, 'config', 'check', '--json');
    expect(check.code).toBe(EXIT.ok);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, problems: [], warnings: [warning] });
    const text = await kbot(dir, 'config', 'check');
    expect(text.stderr).toBe(`warning: ${warning}\n`);
  });
});

describe('kbot config check opens the data entries as kbot backtest does', () => {
  it('lists every missing or unreadable file, by entry, as kbot backtest would refuse them', async () => {
    const dir = project(`export default { ${strategy('BTC/USD')}, backtest: { data: ['./XBTUSD_60.csv', { generated: { instrument: 'BTC/USD', interval: '1h', bars: 10 } }, './empty_XBTUSD_60.csv', 'prices.csv'] } };`);
    writeFileSync(join(dir, 'empty_XBTUSD_60.csv'), '');
    writeFileSync(join(dir, 'prices.csv'), '1704067200,42000,42100,41900,42050,1.5,10\n');
    const check = await kbot(dir, 'config', 'check');
    expect(check.code).toBe(EXIT.usage);
    const problems = check.stderr.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe(`backtest.data[0]: ${join(dir, 'XBTUSD_60.csv')}: file not found`);
    expect(problems[1]).toMatch(new RegExp(`^backtest\\.data\\[2\\]: ${join(dir, 'empty_XBTUSD_60.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(problems[2]).toMatch(/^backtest\.data\[3\]: .*prices\.csv: cannot tell the instrument from the file name "prices\.csv"/);
    // kbot backtest stops at the first of them.
    const backtest = await kbot(dir, 'backtest', '--no-progress', '--out', 'out');
    expect(backtest.code).not.toBe(EXIT.ok);
    expect(backtest.stderr).toContain(`${join(dir, 'XBTUSD_60.csv')}: file not found`);
  });

  it('a paper config with a missing data file is ok, with a warning about backtests', async () => {
    const dir = project(`export default { mode: 'paper', ${strategy('BTC/USD')}, backtest: { data: ['./XBTUSD_60.csv'] } };`);
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toBe(`warning: backtest.data[0]: ${join(dir, 'XBTUSD_60.csv')}: file not found (kbot backtest would refuse this config)\n`);
  });

  it('files that open are no problem', async () => {
    const dir = project(`export default { ${strategy('BTC/USD')}, backtest: { data: ['./XBTUSD_60.csv'] } };`);
    writeFileSync(join(dir, 'XBTUSD_60.csv'), '1704067200,42000,42100,41900,42050,1.5,10\n1704070800,42050,42200,42000,42150,2.5,12\n');
    const result = await kbot(dir, 'config', 'check', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, problems: [], warnings: [] });
  });
});

describe('kbot config check refuses a zero interval by name', () => {
  it('in a generated market and a resample', async () => {
    const dir = project(`export default { ${strategy('BTC/USD')}, backtest: { data: [{ generated: { instrument: 'BTC/USD', interval: '0h' } }, { file: 'XBTUSD_60.csv', resample: '0h' }] } };`);
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('backtest.data[0].generated.interval: received "0h", expected a positive interval such as "1m", "15m", "4h", "1d"');
    expect(result.stderr).toContain('backtest.data[1].resample: received "0h", expected a positive interval such as "15m", "1h", "4h", "1d"');
  });
});

describe('kbot config check wording', () => {
  it('lists the allowed forms and values, and names the value a cross-field check is about', async () => {
    const dir = project(`export default {
      strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 30, slowPeriod: 20 } }],
      backtest: { fees: 'zero', data: [{ generated: { instrument: 'BTC/USD' } }, { file: 'x.csv', format: 'kraken-ohlcv' }] },
    };`);
    const result = await kbot(dir, 'config', 'check');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('backtest.fees: received "zero", expected "kraken", "instrument" or { maker, taker }');
    expect(result.stderr).toContain('backtest.data[1].format: received "kraken-ohlcv", expected one of "kraken-ohlcvt", "kraken-rest-ohlc", "freqtrade-json", "kraken-trades", "binance-csv", "kraken-spreads"');
    const fixed = project(`export default { strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h', fastPeriod: 30, slowPeriod: 20 } }] };`);
    expect((await kbot(fixed, 'config', 'check')).stderr).toContain('strategies[0].params.fastPeriod: received 30 (slowPeriod 20), expected fastPeriod below slowPeriod');
  });
});
