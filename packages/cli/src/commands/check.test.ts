import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSPHRASE_ENV, Secret, writeKeyFile } from '@kbot/core';
import { kraken, startKrakenSimulator, type KrakenSimulator } from '@kbot/exchange-kraken';
import { EXIT } from '../exit-codes.js';
import { jsonLines, kbot, SECRET_VARIABLE, simulatedAccount, type SimulatedAccount } from '../operator-test-harness.js';

/*
 * `kbot check` on where the key came from (environment or key file, locked or not), on a secret
 * that is not base64, and on its wording. The key file stands in for KRAKEN_API_KEY /
 * KRAKEN_API_SECRET, so those tests point the plugin at these names (the harness's own variables
 * stay unset) and clear them afterwards.
 */

const PASSPHRASE = 'a long test passphrase';
// The cheapest cost a key file may declare, so the test derives its key in ~60 ms.
const FAST = { n: 2 ** 14, r: 8, p: 1 };
const KRAKEN_NAMES = { key: 'KRAKEN_API_KEY', secret: 'KRAKEN_API_SECRET' };

let account: SimulatedAccount | undefined;
let sim: KrakenSimulator | undefined;
afterEach(async () => {
  await account?.stop();
  account = undefined;
  await sim?.stop();
  sim = undefined;
  delete process.env[PASSPHRASE_ENV];
  delete (globalThis as Record<string, unknown>).__kbotCheckTestExchange;
});

/** A simulated account whose key is saved only in the project's key file (`kbot keys set`). */
async function accountWithKeyFile(): Promise<{ account: SimulatedAccount; keyFile: string }> {
  for (const name of Object.values(KRAKEN_NAMES)) expect(process.env[name], `${name} must be unset for this test`).toBeUndefined();
  account = await simulatedAccount({ USD: '100' }, { withKey: false, settings: { keyEnv: KRAKEN_NAMES } });
  const keyFile = join(account.dir, 'trading_data', 'keys.enc');
  await writeKeyFile(keyFile, { kraken: { key: new Secret(account.key), secret: new Secret(account.secret) } }, new Secret(PASSPHRASE), { scrypt: FAST });
  return { account, keyFile };
}

function item(stdout: string, name: string): { status: string; detail: string; data?: Record<string, unknown> } {
  const [outcome] = jsonLines(stdout) as [{ items: { name: string; status: string; detail: string; data?: Record<string, unknown> }[] }];
  const found = outcome.items.find((entry) => entry.name === name);
  expect(found, `item ${name}`).toBeDefined();
  return found!;
}

describe('kbot check: where the API key came from', () => {
  it('a key from the key file is reported as the key file\'s, not as environment variables', async () => {
    const { account: project, keyFile } = await accountWithKeyFile();
    process.env[PASSPHRASE_ENV] = PASSPHRASE;
    const result = await kbot(project.dir, 'check', '--json');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const key = item(result.stdout, 'API key');
    expect(key).toMatchObject({ status: 'ok', data: { source: 'key-file', keyFile } });
    expect(key.detail).toBe(`the key and secret come from the key file ${keyFile} (values not shown) and accepted`);
    expect(key.detail).not.toMatch(/KRAKEN_API_KEY/);
  });

  it('a locked key file is named, with how to unlock it', async () => {
    const { account: project, keyFile } = await accountWithKeyFile();
    const result = await kbot(project.dir, 'check');
    expect(result.code).toBe(EXIT.ok);
    const line = result.stdout.split('\n').find((text) => text.startsWith('WARN  API key'));
    expect(line).toMatch(/^WARN {2}API key\s+KRAKEN_API_KEY \/ KRAKEN_API_SECRET are not set, and the key file (\S+) is locked \(set KBOT_KEYS_PASSPHRASE to unlock it here\): market data and paper trading need no key/);
    expect(line).toContain(keyFile);
    expect(result.stdout).toMatch(/SKIP {2}key permissions/);
  });

  it('a key from the environment says so', async () => {
    account = await simulatedAccount({ USD: '100' });
    const result = await kbot(account.dir, 'check', '--json');
    expect(result.code).toBe(EXIT.ok);
    expect(item(result.stdout, 'API key')).toMatchObject({
      status: 'ok',
      detail: 'KBOT_OPERATOR_TEST_KEY and KBOT_OPERATOR_TEST_SECRET are set in the environment (values not shown) and accepted',
      data: { source: 'environment', variables: ['KBOT_OPERATOR_TEST_KEY', 'KBOT_OPERATOR_TEST_SECRET'] },
    });
  });
});

describe('an API secret that is not base64', () => {
  it('is a config problem naming the variable, exit 2, for check and for the account commands; nothing is sent', async () => {
    account = await simulatedAccount({ USD: '100' });
    process.env[SECRET_VARIABLE] = 'not base64 at all!';
    const check = await kbot(account.dir, 'check');
    expect(check.code).toBe(EXIT.usage);
    expect(check.stdout).toBe('');
    expect(check.stderr).toContain(`${SECRET_VARIABLE}: received a value of 18 characters that is not base64 text, expected the API secret exactly as Kraken shows it: base64 text`);
    expect(check.stderr).not.toMatch(/refused|lock/);
    expect(check.stderr).not.toContain('not base64 at all!');
    const balance = await kbot(account.dir, 'balance');
    expect(balance.code).toBe(EXIT.usage);
    expect(balance.stderr).toMatch(/not base64 text/);
    expect(balance.stderr).not.toContain('not base64 at all!');
    expect(account.sim.account(account.key).orders()).toHaveLength(0);
  });
});

describe('kbot check wording', () => {
  it('says "1 pair listed" on a venue that lists one pair', async () => {
    const key = `check-test-${randomBytes(4).toString('hex')}`;
    sim = await startKrakenSimulator({
      market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 50, seed: 3, startPrice: 40_000, start: Date.UTC(2024, 0, 1) } }], historyBars: 5 },
      accounts: [{ key, secret: randomBytes(64).toString('base64'), balances: { USD: '100' }, tier: 'intermediate' }],
      speed: 0,
    });
    (globalThis as Record<string, unknown>).__kbotCheckTestExchange = kraken({ restUrl: sim.restUrl, wsUrl: sim.wsUrl, wsAuthUrl: sim.wsAuthUrl, keyEnv: { key: 'KBOT_CHECK_TEST_UNSET_KEY', secret: 'KBOT_CHECK_TEST_UNSET_SECRET' } });
    const dir = mkdtempSync(join(tmpdir(), 'kbot-check-'));
    writeFileSync(join(dir, 'kbot.config.mjs'), `export default {
  name: 'check-test',
  mode: 'paper',
  exchange: globalThis.__kbotCheckTestExchange,
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1m', fastPeriod: 5, slowPeriod: 20 } }],
  log: { level: 'silent' },
};
`);
    const result = await kbot(dir, 'check');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/OK {4}pairs\s+1 pair listed, including BTC\/USD\n/);
  });
});
