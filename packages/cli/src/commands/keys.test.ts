import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readKeyFile, Secret, type HiddenPrompt } from '@kbot/core';
import { EXIT } from '../exit-codes.js';
import { runCli } from '../program.js';
import { registerKeysCommand, type KeysCommandOptions } from './keys.js';

// The cheapest cost a key file may declare, so each test derives keys in ~60 ms instead of ~500.
const FAST = { n: 2 ** 14, r: 8, p: 1 };
const PASSPHRASE = 'a long test passphrase';
const KEY = 'KRAKEN-KEY-visible-if-leaked-0001';
const SECRET = 'S1JBS0VOLVNFQ1JFVC12aXNpYmxlLWlmLWxlYWtlZA==';

/** Answers questions in order and remembers them. */
function answers(...lines: string[]): HiddenPrompt & { questions: string[] } {
  const questions: string[] = [];
  return Object.assign(async (question: string) => {
    questions.push(question);
    const next = lines.shift();
    if (next === undefined) throw new Error(`unexpected question: ${question}`);
    return next;
  }, { questions });
}

/** Runs `kbot keys ...` in `cwd` with the given environment and prompt; errors propagate as they would to runCli. */
async function keys(cwd: string, argv: string[], options: KeysCommandOptions = {}) {
  let stdout = '';
  const program = new Command('kbot').exitOverride();
  registerKeysCommand(program, { cwd, stdout: (text) => (stdout += `${text}\n`), stderr: () => {} }, { scrypt: FAST, actor: 'operator:tester', ...options });
  await program.parseAsync(['keys', ...argv], { from: 'user' });
  return stdout;
}

function project(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-keys-cli-'));
  if (config) writeFileSync(join(dir, 'kbot.config.mjs'), config);
  return dir;
}

function auditLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('kbot keys set', () => {
  it('asks for a new passphrase (twice), then key and secret with echo off, and writes <storage>/keys.enc with mode 0600', async () => {
    const dir = project();
    const prompt = answers(PASSPHRASE, PASSPHRASE, ` ${KEY}\n`, SECRET);
    const output = await keys(dir, ['set'], { env: {}, prompt });
    const file = join(dir, 'trading_data', 'keys.enc');
    expect(prompt.questions).toEqual([
      `New passphrase for ${file} (8 characters or more): `, 'Repeat the passphrase: ', 'kraken API key: ', 'kraken API secret: ',
    ]);
    expect(output).toContain(`saved kraken (key, secret) in ${file} (new file, mode 0600)`);
    expect(output).toContain('KRAKEN_API_KEY and KRAKEN_API_SECRET');
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = await readKeyFile(file, new Secret(PASSPHRASE));
    expect(saved.kraken!.key!.reveal()).toBe(KEY); // trimmed
    expect(saved.kraken!.secret!.reveal()).toBe(SECRET);
    const [entry] = auditLines(join(dir, 'trading_data', 'audit.log'));
    expect(entry).toMatchObject({ actor: 'operator:tester', action: 'operator-command', command: 'keys set', args: { name: 'kraken', file, fromEnv: false }, outcome: 'ok' });
  });

  it('--from-env with KBOT_KEYS_PASSPHRASE needs no terminal, and --json never carries a credential', async () => {
    const dir = project();
    const env = { KBOT_KEYS_PASSPHRASE: PASSPHRASE, KRAKEN_API_KEY: KEY, KRAKEN_API_SECRET: SECRET };
    const output = await keys(dir, ['set', '--from-env', '--json'], { env });
    expect(JSON.parse(output)).toEqual({ ok: true, file: join(dir, 'trading_data', 'keys.enc'), name: 'kraken', fields: ['key', 'secret'], created: true, replaced: false });
    const again = await keys(dir, ['set', '--from-env', '--json'], { env: { ...env, KRAKEN_API_KEY: 'SECOND-KEY-0002' } });
    expect(JSON.parse(again)).toMatchObject({ created: false, replaced: true });
    const sub = await keys(dir, ['set', '--from-env', '--name', 'kraken-sub'], { env: { ...env, KRAKEN_SUB_API_KEY: 'SUB-KEY-0003', KRAKEN_SUB_API_SECRET: 'SUB-SECRET-0004' } });
    expect(sub).toContain('KRAKEN_SUB_API_KEY and KRAKEN_SUB_API_SECRET');
    const listed = await keys(dir, ['list', '--json'], { env });
    expect(JSON.parse(listed)).toEqual({
      file: join(dir, 'trading_data', 'keys.enc'),
      entries: [
        { name: 'kraken', fields: ['key', 'secret'], env: ['KRAKEN_API_KEY', 'KRAKEN_API_SECRET'] },
        { name: 'kraken-sub', fields: ['key', 'secret'], env: ['KRAKEN_SUB_API_KEY', 'KRAKEN_SUB_API_SECRET'] },
      ],
    });
    const checked = await keys(dir, ['check', '--json'], { env });
    expect(JSON.parse(checked)).toMatchObject({ ok: true, warnings: [] });
    const everything = [output, again, sub, listed, checked, readFileSync(join(dir, 'trading_data', 'audit.log'), 'utf8')].join('\n');
    for (const value of [KEY, SECRET, 'SECOND-KEY-0002', 'SUB-KEY-0003', 'SUB-SECRET-0004', PASSPHRASE]) expect(everything).not.toContain(value);
  });

  it('refuses --from-env when a variable is missing, naming it', async () => {
    await expect(keys(project(), ['set', '--from-env'], { env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE, KRAKEN_API_KEY: KEY } })).rejects.toThrow(
      '--from-env: KRAKEN_API_SECRET is not set; set both, or leave out --from-env to be asked',
    );
  });

  it('without a terminal or KBOT_KEYS_PASSPHRASE, says how to give the passphrase, and writes nothing', async () => {
    const dir = project();
    await expect(keys(dir, ['set', '--from-env'], { env: { KRAKEN_API_KEY: KEY, KRAKEN_API_SECRET: SECRET } })).rejects.toThrow(/needs a passphrase: set KBOT_KEYS_PASSPHRASE, or run in a terminal/);
    expect(existsSync(join(dir, 'trading_data', 'keys.enc'))).toBe(false);
  });

  it('puts the key file in the config\'s storage.dir, or where --file says', async () => {
    const dir = project(`export default { storage: { dir: './state' }, strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h' } }] };`);
    const env = { KBOT_KEYS_PASSPHRASE: PASSPHRASE, KRAKEN_API_KEY: KEY, KRAKEN_API_SECRET: SECRET };
    await keys(dir, ['set', '--from-env'], { env });
    expect(existsSync(join(dir, 'state', 'keys.enc'))).toBe(true);
    await keys(dir, ['set', '--from-env', '--file', 'elsewhere/k.enc'], { env });
    expect(existsSync(join(dir, 'elsewhere', 'k.enc'))).toBe(true);
    expect(auditLines(join(dir, 'state', 'audit.log'))).toHaveLength(2);
  });
});

describe('kbot keys list, check, remove', () => {
  async function withKraken(): Promise<string> {
    const dir = project();
    await keys(dir, ['set', '--from-env'], { env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE, KRAKEN_API_KEY: KEY, KRAKEN_API_SECRET: SECRET } });
    return dir;
  }

  it('list and check show names and fields only', async () => {
    const dir = await withKraken();
    const env = { KBOT_KEYS_PASSPHRASE: PASSPHRASE };
    const listed = await keys(dir, ['list'], { env });
    expect(listed).toMatch(/kraken\s+key, secret\s+\(for KRAKEN_API_KEY, KRAKEN_API_SECRET\)/);
    const checked = await keys(dir, ['check'], { env });
    expect(checked).toContain('decrypted with this passphrase; 1 credential set: kraken (key, secret)');
    expect(`${listed}${checked}`).not.toContain(KEY);
  });

  it('check warns about a file others can read', async () => {
    const dir = await withKraken();
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'trading_data', 'keys.enc'), 0o644);
    const checked = await keys(dir, ['check'], { env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE } });
    expect(checked).toContain(`warning: the file is readable by others (mode 0644): run chmod 600 ${join(dir, 'trading_data', 'keys.enc')}`);
  });

  it('a wrong passphrase is one clear error, recorded as a failed operator action', async () => {
    const dir = await withKraken();
    const file = join(dir, 'trading_data', 'keys.enc');
    await expect(keys(dir, ['check'], { env: {}, prompt: answers('not the passphrase') })).rejects.toThrow(`${file}: wrong passphrase or the file was changed`);
    const last = auditLines(join(dir, 'trading_data', 'audit.log')).at(-1);
    expect(last).toMatchObject({ command: 'keys check', outcome: 'failed', detail: `${file}: wrong passphrase or the file was changed` });
  });

  it('remove drops one set and names the known ones when the name is wrong', async () => {
    const dir = await withKraken();
    const env = { KBOT_KEYS_PASSPHRASE: PASSPHRASE };
    await expect(keys(dir, ['remove', 'binance'], { env })).rejects.toThrow(/keys remove: received "binance", expected a credential set in .*keys\.enc \(it has kraken\)/);
    expect(await keys(dir, ['remove', 'kraken'], { env })).toContain('removed kraken from');
    expect(await keys(dir, ['list'], { env })).toContain('no credentials');
  });

  it('a missing key file is reported before anyone is asked for a passphrase', async () => {
    const prompt = answers();
    await expect(keys(project(), ['list'], { env: {}, prompt })).rejects.toThrow(/keys\.enc: no key file here: create one with "kbot keys set"/);
    expect(prompt.questions).toEqual([]);
  });
});

describe('kbot keys through the CLI', () => {
  it('is registered, and its errors get one line and a non-zero exit code', async () => {
    const dir = project();
    let stderr = '';
    const code = await runCli(['keys', 'list', '--file', 'nope.enc'], { cwd: dir, stdout: () => {}, stderr: (text) => (stderr += text) });
    expect(code).not.toBe(EXIT.ok);
    expect(stderr).toBe(`kbot: ${join(dir, 'nope.enc')}: no key file here: create one with "kbot keys set"`);
  });
});
