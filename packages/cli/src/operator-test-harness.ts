import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kraken, startKrakenSimulator, type KrakenSimulator, type KrakenSettingsInput } from '@kbot/exchange-kraken';
import { runCli } from './program.js';

/*
 * Shared by the operator and market command tests (not part of the package's API): an in-process
 * Kraken simulator, a project folder whose kbot.config.mjs uses a kraken() plugin pointed at it,
 * and the CLI run in-process. The plugin is handed to the config through globalThis because a
 * config in a temporary folder cannot import @kbot/exchange-kraken; the key and secret go through
 * the environment, as they do for users, under variable names only these tests use.
 */

export const KEY_VARIABLE = 'KBOT_OPERATOR_TEST_KEY';
export const SECRET_VARIABLE = 'KBOT_OPERATOR_TEST_SECRET';
const PLUGIN_GLOBAL = '__kbotOperatorTestExchange';

export interface SimulatedAccount {
  readonly sim: KrakenSimulator;
  readonly key: string;
  readonly secret: string;
  /** The project folder to run `kbot` in. */
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * A simulator with generated BTC/USD (from 40,000) and ETH/USD (from 2,000) one-minute markets,
 * frozen (speed 0: only `sim.step()` moves it), one account with `balances`, and a project whose
 * config trades BTC/USD on it.
 */
export async function simulatedAccount(
  balances: Readonly<Record<string, string>>,
  options: {
    readonly withKey?: boolean;
    readonly settings?: KrakenSettingsInput;
    /** The config's `strategies` and `risk`, as JavaScript text (default: ema-rsi on BTC/USD, no risk section). */
    readonly strategies?: string;
    readonly risk?: string;
  } = {},
): Promise<SimulatedAccount> {
  const key = `cli-test-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  const start = Date.UTC(2024, 0, 1);
  const sim = await startKrakenSimulator({
    market: {
      sources: [
        { generate: { instrumentId: 'BTC/USD', interval: '1m', count: 400, seed: 11, startPrice: 40_000, start } },
        { generate: { instrumentId: 'ETH/USD', interval: '1m', count: 400, seed: 12, startPrice: 2_000, start } },
      ],
      historyBars: 10,
    },
    accounts: [{ key, secret, balances, tier: 'intermediate' }],
    speed: 0,
  });
  (globalThis as Record<string, unknown>)[PLUGIN_GLOBAL] = kraken({
    restUrl: sim.restUrl,
    wsUrl: sim.wsUrl,
    wsAuthUrl: sim.wsAuthUrl,
    tier: 'intermediate',
    keyEnv: { key: KEY_VARIABLE, secret: SECRET_VARIABLE },
    ...options.settings,
  });
  if (options.withKey === false) {
    delete process.env[KEY_VARIABLE];
    delete process.env[SECRET_VARIABLE];
  } else {
    process.env[KEY_VARIABLE] = key;
    process.env[SECRET_VARIABLE] = secret;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kbot-operator-'));
  writeFileSync(
    join(dir, 'kbot.config.mjs'),
    `export default {
  name: 'operator-test',
  mode: 'paper',
  exchange: globalThis.${PLUGIN_GLOBAL},
  strategies: ${options.strategies ?? "[{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1m', fastPeriod: 5, slowPeriod: 20 } }]"},
  ${options.risk === undefined ? '' : `risk: ${options.risk},`}
  log: { level: 'silent' },
};
`,
  );
  return {
    sim,
    key,
    secret,
    dir,
    async stop() {
      delete process.env[KEY_VARIABLE];
      delete process.env[SECRET_VARIABLE];
      delete (globalThis as Record<string, unknown>)[PLUGIN_GLOBAL];
      await sim.stop();
    },
  };
}

/** Runs the CLI in-process in `cwd`, capturing what a user would see. */
export async function kbot(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { cwd, stdout: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`), stderr: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`) });
  return { code, stdout, stderr };
}

/** The lines of a `--json` stream, parsed. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}
