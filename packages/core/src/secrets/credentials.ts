import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret } from '../config/secret.js';
import { readKeyFile, type KeyEntries } from './key-file.js';
import { obtainPassphrase, PASSPHRASE_ENV, type HiddenPrompt } from './passphrase.js';

/** The key file's name inside the storage folder. */
export const KEY_FILE_NAME = 'keys.enc';
/** Points kbot at a key file elsewhere than `<storage.dir>/keys.enc`. */
export const KEY_FILE_ENV = 'KBOT_KEYS_FILE';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the key file is: `KBOT_KEYS_FILE` (relative to `cwd`) when set, else `<storageDir>/keys.enc`. */
export function keyFilePath(storageDir: string, env: Env = process.env, cwd: string = process.cwd()): string {
  const fromEnv = env[KEY_FILE_ENV]?.trim();
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(cwd, fromEnv);
  return resolve(storageDir, KEY_FILE_NAME);
}

/**
 * The environment variable a key file field stands in for: `<NAME>_API_<FIELD>`, so `kraken.key`
 * is KRAKEN_API_KEY and `kraken.secret` KRAKEN_API_SECRET, the names the Kraken plugin reads. A
 * second account saved as `kraken-sub` becomes KRAKEN_SUB_API_KEY (name it with `keyEnv`).
 */
export function credentialEnvName(entry: string, field: string): string {
  const upper = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  return `${upper(entry)}_API_${upper(field)}`;
}

/** Every field of every entry as the environment variables it stands in for. */
export function keyEntriesToEnv(entries: KeyEntries): Record<string, Secret> {
  const result: Record<string, Secret> = {};
  for (const [name, entry] of Object.entries(entries)) {
    for (const [field, value] of Object.entries(entry)) result[credentialEnvName(name, field)] = value;
  }
  return result;
}

export type CredentialSource = 'environment' | 'key-file' | 'none';

export interface CredentialResolution {
  /** Where the credentials came from; `none` when neither had them. */
  readonly source: CredentialSource;
  /** The environment to build the exchange from: the given one, plus the key file's fields it lacked. */
  readonly env: Env;
  /** The key file that was looked at. */
  readonly file: string;
  /** Every credential value now in `env` (for log scrubbing); never print them. */
  readonly secrets: readonly Secret[];
  /** Why the key file was not used, when it exists but was not read. */
  readonly note?: string;
}

export interface ResolveCredentialsOptions {
  /** The variables the exchange needs, e.g. KRAKEN_API_KEY and KRAKEN_API_SECRET. */
  readonly required: readonly string[];
  readonly file: string;
  readonly env?: Env;
  /** Whether to ask on the terminal when KBOT_KEYS_PASSPHRASE is unset (live trading: yes). */
  readonly prompt?: HiddenPrompt | undefined;
  /**
   * When false, a key file that cannot be unlocked without asking (no passphrase in the
   * environment, no prompt) is skipped with a note instead of failing.
   */
  readonly mustUnlock?: boolean;
}

/**
 * Finds an exchange's credentials: the environment wins (any of `required` set there means the
 * environment is the source, even if incomplete, so the exchange's own "set together" check speaks);
 * else the key file, unlocked with KBOT_KEYS_PASSPHRASE or a prompt, fills in the variables the
 * environment lacks. Values never leave as plain text except inside the returned `env`.
 */
export async function resolveCredentials(options: ResolveCredentialsOptions): Promise<CredentialResolution> {
  const env = options.env ?? process.env;
  const present = (name: string) => (env[name]?.trim() ?? '') !== '';
  const secretsOf = (from: Env) => options.required.filter((name) => (from[name]?.trim() ?? '') !== '').map((name) => new Secret(from[name]!.trim()));
  if (options.required.some(present)) return { source: 'environment', env, file: options.file, secrets: secretsOf(env) };
  if (!existsSync(options.file)) return { source: 'none', env, file: options.file, secrets: [] };
  if (!options.mustUnlock && !options.prompt && !present(PASSPHRASE_ENV)) {
    return { source: 'none', env, file: options.file, secrets: [], note: 'key file not unlocked: set KBOT_KEYS_PASSPHRASE to use it here' };
  }
  const passphrase = await obtainPassphrase({ file: options.file, purpose: 'unlock', env, prompt: options.prompt });
  const fromFile = keyEntriesToEnv(await readKeyFile(options.file, passphrase));
  const overlay: Record<string, string | undefined> = { ...env };
  const added: Secret[] = [];
  for (const [name, value] of Object.entries(fromFile)) {
    if (present(name)) continue;
    overlay[name] = value.reveal();
    added.push(value);
  }
  const missing = options.required.filter((name) => (overlay[name] ?? '') === '');
  // Half a credential from the file would only produce a confusing "set together" error later.
  if (missing.length > 0) return { source: 'none', env, file: options.file, secrets: [], note: `the key file has nothing for ${missing.join(', ')}` };
  return { source: 'key-file', env: Object.freeze(overlay), file: options.file, secrets: added };
}
