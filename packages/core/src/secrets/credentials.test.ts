import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { credentialEnvName, keyFilePath, resolveCredentials } from './credentials.js';
import { writeKeyFile } from './key-file.js';

const FAST = { n: 2 ** 14, r: 8, p: 1 };
const PASSPHRASE = 'a passphrase for tests';
const REQUIRED = ['KRAKEN_API_KEY', 'KRAKEN_API_SECRET'];

async function keyFile(entries: Record<string, Record<string, string>> = { kraken: { key: 'file-key-1234', secret: 'file-secret-5678' } }): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'kbot-credentials-')), 'keys.enc');
  const secrets = Object.fromEntries(Object.entries(entries).map(([name, fields]) => [name, Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, new Secret(value)]))]));
  await writeKeyFile(file, secrets, new Secret(PASSPHRASE), { scrypt: FAST });
  return file;
}

describe('credentialEnvName', () => {
  it('maps key file fields to the variables exchanges read', () => {
    expect(credentialEnvName('kraken', 'key')).toBe('KRAKEN_API_KEY');
    expect(credentialEnvName('kraken', 'secret')).toBe('KRAKEN_API_SECRET');
    expect(credentialEnvName('kraken-sub', 'key')).toBe('KRAKEN_SUB_API_KEY');
    expect(credentialEnvName('kraken', 'otpSecret')).toBe('KRAKEN_API_OTP_SECRET');
  });
});

describe('keyFilePath', () => {
  it('is <storage>/keys.enc unless KBOT_KEYS_FILE names another', () => {
    expect(keyFilePath('/data/trading', {})).toBe('/data/trading/keys.enc');
    expect(keyFilePath('/data/trading', { KBOT_KEYS_FILE: 'secrets/k.enc' }, '/home/me')).toBe('/home/me/secrets/k.enc');
  });
});

describe('resolveCredentials', () => {
  it('the environment wins over the key file, and the file is not even opened', async () => {
    const file = await keyFile();
    const env = { KRAKEN_API_KEY: 'env-key-1234', KRAKEN_API_SECRET: 'env-secret-5678' };
    // No passphrase anywhere: unlocking would fail, so success proves the file was not read.
    const result = await resolveCredentials({ required: REQUIRED, file, env, mustUnlock: true });
    expect(result.source).toBe('environment');
    expect(result.env.KRAKEN_API_KEY).toBe('env-key-1234');
    expect(result.secrets.map((secret) => secret.reveal())).toEqual(['env-key-1234', 'env-secret-5678']);
  });

  it('fills the variables from the key file when the environment has none', async () => {
    const file = await keyFile({ kraken: { key: 'file-key-1234', secret: 'file-secret-5678' }, other: { token: 'tok-9999' } });
    const env = { KBOT_KEYS_PASSPHRASE: PASSPHRASE, OTHER_API_TOKEN: 'already-set' };
    const result = await resolveCredentials({ required: REQUIRED, file, env });
    expect(result.source).toBe('key-file');
    expect(result.env.KRAKEN_API_KEY).toBe('file-key-1234');
    expect(result.env.KRAKEN_API_SECRET).toBe('file-secret-5678');
    // A variable that is set is never overwritten by the file.
    expect(result.env.OTHER_API_TOKEN).toBe('already-set');
    expect(result.secrets.map((secret) => secret.reveal()).sort()).toEqual(['file-key-1234', 'file-secret-5678']);
    expect(env).not.toHaveProperty('KRAKEN_API_KEY');
  });

  it('asks on the terminal when there is no passphrase variable', async () => {
    const file = await keyFile();
    const asked: string[] = [];
    const result = await resolveCredentials({ required: REQUIRED, file, env: {}, prompt: async (question) => (asked.push(question), PASSPHRASE) });
    expect(result.source).toBe('key-file');
    expect(asked).toEqual([`Passphrase for ${file}: `]);
  });

  it('skips a key file it may not unlock (paper mode, no passphrase, no prompt) with a note', async () => {
    const file = await keyFile();
    const result = await resolveCredentials({ required: REQUIRED, file, env: {} });
    expect(result.source).toBe('none');
    expect(result.env).not.toHaveProperty('KRAKEN_API_KEY');
    expect(result.note).toMatch(/set KBOT_KEYS_PASSPHRASE/);
  });

  it('fails clearly when it must unlock and cannot', async () => {
    const file = await keyFile();
    await expect(resolveCredentials({ required: REQUIRED, file, env: {}, mustUnlock: true })).rejects.toThrow(/needs a passphrase: set KBOT_KEYS_PASSPHRASE/);
    await expect(resolveCredentials({ required: REQUIRED, file, env: { KBOT_KEYS_PASSPHRASE: 'wrong one!' } })).rejects.toThrow('wrong passphrase or the file was changed');
  });

  it('is "none" without a key file, or when the file lacks the needed entry', async () => {
    const missing = await resolveCredentials({ required: REQUIRED, file: join(tmpdir(), 'no-such-kbot-keys.enc'), env: {}, mustUnlock: true });
    expect(missing.source).toBe('none');
    const file = await keyFile({ binance: { key: 'b-key-1234', secret: 'b-secret-5678' } });
    const other = await resolveCredentials({ required: REQUIRED, file, env: { KBOT_KEYS_PASSPHRASE: PASSPHRASE } });
    expect(other.source).toBe('none');
    expect(other.note).toBe('the key file has nothing for KRAKEN_API_KEY, KRAKEN_API_SECRET');
    expect(other.env).not.toHaveProperty('BINANCE_API_KEY');
  });
});
