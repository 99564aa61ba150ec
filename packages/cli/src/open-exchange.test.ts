import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, validateConfig, writeKeyFile } from '@kbot/core';
import { kraken, type KrakenExchange } from '@kbot/exchange-kraken';
import { strategyRegistry } from '@kbot/strategies';
import { openExchange } from './open-exchange.js';

const PASSPHRASE = 'open-exchange test passphrase';
const FILE_KEY = 'FILE-KEY-should-never-be-logged';
const FILE_SECRET = Buffer.from('file secret bytes for HMAC signing, 64 bytes long in real keys!!').toString('base64');
const ENV_KEY = 'ENV-KEY-should-never-be-logged';
const ENV_SECRET = Buffer.from('environment secret bytes for HMAC signing, also quite long......').toString('base64');

/** A loopback stand-in for Kraken's REST API that remembers which API-Key each private call carried. */
let server: Server;
let restUrl: string;
const keysSeen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    keysSeen.push(String(request.headers['api-key'] ?? ''));
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ error: [], result: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  restUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function botFolder(withKeyFile: boolean): Promise<{ dir: string; configFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kbot-open-exchange-'));
  if (withKeyFile) {
    await writeKeyFile(join(dir, 'trading_data', 'keys.enc'), { kraken: { key: new Secret(FILE_KEY), secret: new Secret(FILE_SECRET) } }, new Secret(PASSPHRASE), { scrypt: { n: 2 ** 14, r: 8, p: 1 } });
  }
  return { dir, configFile: join(dir, 'kbot.config.mjs') };
}

function loaded(dir: string, configFile: string, mode: 'paper' | 'live' = 'paper') {
  const config = validateConfig({
    name: 'credentials-test',
    mode,
    exchange: kraken({ restUrl, nonceDirectory: join(dir, 'nonces') }),
    strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1h' } }],
  });
  return { config, file: configFile };
}

async function keyUsed(exchange: KrakenExchange): Promise<string> {
  const before = keysSeen.length;
  await exchange.execution.fetchBalances();
  return keysSeen[before]!;
}

describe('openExchange credentials', () => {
  it('uses the key file when the environment has no keys, and logs the source but never the key', async () => {
    const { dir, configFile } = await botFolder(true);
    const opened = await openExchange({ cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile), env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE } });
    try {
      expect(opened.credentialSource).toBe('key-file');
      expect(opened.keyFile).toBe(join(dir, 'trading_data', 'keys.enc'));
      expect(await keyUsed(opened.exchange as KrakenExchange)).toBe(FILE_KEY);
      opened.logger.info('a careless line', { secret: FILE_SECRET, text: `key ${FILE_KEY}` });
    } finally {
      await opened.close();
    }
    const log = readFileSync(join(dir, 'trading_data', 'logs', 'kbot.log'), 'utf8');
    const first = JSON.parse(log.split('\n')[0]!);
    expect(first).toMatchObject({ level: 'info', bot: 'credentials-test', message: 'exchange credentials', exchange: 'kraken', source: 'key-file', keyFile: opened.keyFile });
    expect(log).toContain('a careless line');
    expect(log).not.toContain(FILE_KEY);
    expect(log).not.toContain(FILE_SECRET);
  });

  it('the environment wins over the key file', async () => {
    const { dir, configFile } = await botFolder(true);
    const opened = await openExchange({
      cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile),
      env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE, KRAKEN_API_KEY: ENV_KEY, KRAKEN_API_SECRET: ENV_SECRET },
    });
    try {
      expect(opened.credentialSource).toBe('environment');
      expect(await keyUsed(opened.exchange as KrakenExchange)).toBe(ENV_KEY);
    } finally {
      await opened.close();
    }
    const log = readFileSync(join(dir, 'trading_data', 'logs', 'kbot.log'), 'utf8');
    expect(JSON.parse(log.split('\n')[0]!)).toMatchObject({ source: 'environment' });
    expect(log).not.toContain(ENV_KEY);
  });

  it('paper mode without a passphrase leaves the key file alone and asks nobody', async () => {
    const { dir, configFile } = await botFolder(true);
    const opened = await openExchange({ cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile), env: {}, prompt: async () => { throw new Error('asked'); } });
    await opened.close();
    expect(opened.credentialSource).toBe('none');
    expect((opened.exchange as KrakenExchange).hasCredentials).toBe(false);
  });

  it('live mode asks for the passphrase when the variable is unset, and a wrong one stops it', async () => {
    const { dir, configFile } = await botFolder(true);
    const questions: string[] = [];
    const opened = await openExchange({ cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile, 'live'), env: {}, prompt: async (question) => (questions.push(question), PASSPHRASE) });
    await opened.close();
    expect(opened.credentialSource).toBe('key-file');
    expect(questions).toEqual([`Passphrase for ${opened.keyFile}: `]);
    await expect(openExchange({ cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile, 'live'), env: {}, prompt: async () => 'wrong passphrase' })).rejects.toThrow(
      `${opened.keyFile}: wrong passphrase or the file was changed`,
    );
  });

  it('gives commands an audit trail in <storage>/audit.log', async () => {
    const { dir, configFile } = await botFolder(false);
    const opened = await openExchange({ cwd: dir, registry: strategyRegistry, loaded: loaded(dir, configFile), env: {} });
    opened.audit.recordOperatorAction({ command: 'cancel-all', args: { pair: 'BTC/USD' }, outcome: 'ok', actor: 'operator:tester' });
    await opened.close();
    const [line] = readFileSync(join(dir, 'trading_data', 'audit.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({ actor: 'operator:tester', command: 'cancel-all', outcome: 'ok' });
  });
});
