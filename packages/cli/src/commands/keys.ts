import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  AuditTrail, ConfigError, KEY_ENTRY_NAME, PASSPHRASE_ENV, Secret, auditFilePath, createTerminalPrompt, credentialEnvName, decryptKeyFile, keyFilePath,
  obtainPassphrase, readKeyFileText, writeKeyFile, type AuditActor, type HiddenPrompt, type KeyEntries, type ScryptParameters,
} from '@kbot/core';
import { loadKbotConfig } from '../load-config.js';
import { UsageError } from '../exit-codes.js';
import type { CliIo } from '../program.js';

/** What `kbot keys` reads besides its flags; every field has a default for the real CLI. */
export interface KeysCommandOptions {
  /** Default process.env: KBOT_KEYS_PASSPHRASE, KBOT_KEYS_FILE, and the credentials for `--from-env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Asks for a line with echo off; default the terminal, when stdin is one. */
  readonly prompt?: HiddenPrompt;
  /** Key derivation cost of files written (tests use a cheaper one); default DEFAULT_SCRYPT. */
  readonly scrypt?: ScryptParameters;
  /** Who the audit trail names; default `operator:<os user>`. */
  readonly actor?: AuditActor;
}

interface LocationFlags {
  readonly config?: string;
  readonly file?: string;
  readonly json?: boolean;
}

/** The default storage folder when there is no kbot.config.ts (the schema's default, next to the current folder). */
const DEFAULT_STORAGE_DIR = 'trading_data';

/**
 * `kbot keys set | list | remove | check`: the encrypted key file (scrypt + AES-256-GCM). No
 * subcommand prints a credential, not even with `--json`: only names, fields and the variables
 * they stand in for. Every subcommand is recorded in `<storage.dir>/audit.log` as an operator action.
 */
export function registerKeysCommand(program: Command, io: CliIo, options: KeysCommandOptions = {}): Command {
  const env = () => options.env ?? process.env;
  const prompt = () => options.prompt ?? createTerminalPrompt();
  const keys = program.command('keys').description('manage the encrypted key file (<storage.dir>/keys.enc) holding exchange API keys');
  const common = (command: Command) => command
    .option('-c, --config <file>', 'config file, for storage.dir (default: kbot.config.ts found from the current folder)')
    .option('--file <path>', `key file (default: $KBOT_KEYS_FILE, else <storage.dir>/keys.enc)`)
    .option('--json', 'print the result as JSON (never a credential)');

  common(keys.command('set'))
    .description(`save an exchange's API key and secret (asked with echo off, or --from-env); the passphrase comes from ${PASSPHRASE_ENV} or is asked`)
    .option('--name <name>', 'name of the credential set; kraken is what the Kraken plugin reads', 'kraken')
    .option('--from-env', 'take the key and secret from <NAME>_API_KEY and <NAME>_API_SECRET (KRAKEN_API_KEY, KRAKEN_API_SECRET)')
    .action(async (flags: LocationFlags & { name: string; fromEnv?: boolean }) => {
      const place = await locate(flags, io, env());
      await audited(place, 'keys set', { name: flags.name, file: place.keyFile, fromEnv: flags.fromEnv ?? false }, options, async () => {
        if (!KEY_ENTRY_NAME.test(flags.name)) throw new UsageError(`--name: received ${JSON.stringify(flags.name)}, expected lower-case letters, digits, "-" or "_" (such as "kraken")`);
        // Missing variables are reported before anyone is asked for a passphrase.
        const fromEnv = flags.fromEnv ? credentialFromEnv(flags.name, env()) : undefined;
        const exists = existsSync(place.keyFile);
        const ask = prompt();
        const passphrase = await obtainPassphrase({ file: place.keyFile, purpose: exists ? 'unlock' : 'create', env: env(), prompt: ask });
        // Unlock first: a wrong passphrase should fail before anyone pastes a key.
        const entries = exists ? await decryptKeyFile(await readKeyFileText(place.keyFile), passphrase, place.keyFile) : {};
        const credential = fromEnv ?? await credentialFromPrompt(flags.name, ask);
        const replaced = flags.name in entries;
        await writeKeyFile(place.keyFile, { ...entries, [flags.name]: credential }, passphrase, options.scrypt ? { scrypt: options.scrypt } : {});
        const fields = Object.keys(credential);
        io.stdout(flags.json
          ? JSON.stringify({ ok: true, file: place.keyFile, name: flags.name, fields, created: !exists, replaced })
          : `${replaced ? 'replaced' : 'saved'} ${flags.name} (${fields.join(', ')}) in ${place.keyFile}${exists ? '' : ' (new file, mode 0600)'}\n` +
            `kbot uses it when ${fields.map((field) => credentialEnvName(flags.name, field)).join(' and ')} are not set in the environment`);
      });
    });

  common(keys.command('list'))
    .description('list the credential sets in the key file: names and fields, never values')
    .action(async (flags: LocationFlags) => {
      const place = await locate(flags, io, env());
      await audited(place, 'keys list', { file: place.keyFile }, options, async () => {
        const { entries } = await unlock(place.keyFile, env(), prompt());
        const rows = describeEntries(entries);
        if (flags.json) return io.stdout(JSON.stringify({ file: place.keyFile, entries: rows }));
        io.stdout(rows.length === 0
          ? `${place.keyFile}: no credentials (add some with "kbot keys set")`
          : [`${place.keyFile}:`, ...rows.map((row) => `  ${row.name.padEnd(16)} ${row.fields.join(', ').padEnd(20)} (for ${row.env.join(', ')})`)].join('\n'));
      });
    });

  common(keys.command('remove'))
    .description('remove a credential set from the key file')
    .argument('<name>', 'the credential set to remove, such as kraken')
    .action(async (name: string, flags: LocationFlags) => {
      const place = await locate(flags, io, env());
      await audited(place, 'keys remove', { name, file: place.keyFile }, options, async () => {
        const { entries, passphrase } = await unlock(place.keyFile, env(), prompt());
        if (!(name in entries)) {
          const known = Object.keys(entries);
          throw new UsageError(`keys remove: received ${JSON.stringify(name)}, expected a credential set in ${place.keyFile} (${known.length ? `it has ${known.join(', ')}` : 'it is empty'})`);
        }
        const rest = Object.fromEntries(Object.entries(entries).filter(([entry]) => entry !== name));
        await writeKeyFile(place.keyFile, rest, passphrase, options.scrypt ? { scrypt: options.scrypt } : {});
        io.stdout(flags.json ? JSON.stringify({ ok: true, file: place.keyFile, removed: name, remaining: Object.keys(rest) }) : `removed ${name} from ${place.keyFile}`);
      });
    });

  common(keys.command('check'))
    .description('decrypt the key file and confirm it is usable (passphrase, file mode, complete credential sets)')
    .action(async (flags: LocationFlags) => {
      const place = await locate(flags, io, env());
      await audited(place, 'keys check', { file: place.keyFile }, options, async () => {
        const { entries } = await unlock(place.keyFile, env(), prompt());
        const rows = describeEntries(entries);
        const mode = statSync(place.keyFile).mode & 0o777;
        const warnings = [
          ...(mode & 0o077 ? [`the file is readable by others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${place.keyFile}`] : []),
          ...rows.filter((row) => !(row.fields.includes('key') && row.fields.includes('secret'))).map((row) => `${row.name} has ${row.fields.join(', ')}; an exchange needs key and secret`),
          ...(rows.length === 0 ? ['the file holds no credentials'] : []),
        ];
        if (flags.json) return io.stdout(JSON.stringify({ ok: warnings.length === 0, file: place.keyFile, entries: rows, warnings }));
        io.stdout([
          `${place.keyFile}: decrypted with this passphrase; ${rows.length} credential set${rows.length === 1 ? '' : 's'}${rows.length ? `: ${rows.map((row) => `${row.name} (${row.fields.join(', ')})`).join(', ')}` : ''}`,
          ...warnings.map((warning) => `warning: ${warning}`),
        ].join('\n'));
      });
    });

  return keys;
}

interface Place {
  readonly keyFile: string;
  readonly storageDir: string;
}

/** Finds storage.dir (from the config when there is one) and the key file (flag, env, default). */
async function locate(flags: LocationFlags, io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<Place> {
  let storageDir: string;
  try {
    const { config, file } = await loadKbotConfig({ cwd: io.cwd, ...(flags.config ? { file: flags.config } : {}), env: { ...env } });
    storageDir = resolve(dirname(file), config.storage.dir);
  } catch (error) {
    // Keys can be managed before a project exists; a broken config is still reported.
    const noConfig = error instanceof ConfigError && error.issues.length === 1 && error.issues[0]!.path === '--config' && error.issues[0]!.received === 'nothing';
    if (!noConfig || flags.config) throw error;
    storageDir = resolve(io.cwd, DEFAULT_STORAGE_DIR);
  }
  const keyFile = flags.file ? resolve(io.cwd, flags.file) : keyFilePath(storageDir, env, io.cwd);
  return { keyFile, storageDir };
}

/** Runs one subcommand and records it (ok or failed, never a credential) in the audit trail. */
async function audited(place: Place, command: string, args: Record<string, unknown>, options: KeysCommandOptions, work: () => Promise<void>): Promise<void> {
  const trail = new AuditTrail(auditFilePath(place.storageDir));
  const record = (outcome: 'ok' | 'failed', detail?: string) => trail.recordOperatorAction({ command, args, outcome, ...(detail === undefined ? {} : { detail }), ...(options.actor ? { actor: options.actor } : {}) });
  try {
    await work();
    record('ok');
  } catch (error) {
    record('failed', error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    trail.close();
  }
}

/** Reads the file first (it must exist before anyone is asked for its passphrase), then decrypts it. */
async function unlock(file: string, env: Readonly<Record<string, string | undefined>>, prompt: HiddenPrompt | undefined): Promise<{ entries: KeyEntries; passphrase: Secret }> {
  const text = await readKeyFileText(file);
  const passphrase = await obtainPassphrase({ file, purpose: 'unlock', env, prompt });
  return { entries: await decryptKeyFile(text, passphrase, file), passphrase };
}

function credentialFromEnv(name: string, env: Readonly<Record<string, string | undefined>>): Record<string, Secret> {
  const fields: Record<string, Secret> = {};
  const missing: string[] = [];
  for (const field of ['key', 'secret']) {
    const variable = credentialEnvName(name, field);
    const value = env[variable]?.trim();
    if (value) fields[field] = new Secret(value);
    else missing.push(variable);
  }
  if (missing.length > 0) throw new UsageError(`--from-env: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set; set both, or leave out --from-env to be asked`);
  return fields;
}

async function credentialFromPrompt(name: string, prompt: HiddenPrompt | undefined): Promise<Record<string, Secret>> {
  if (!prompt) {
    throw new UsageError(`keys set: no terminal to ask for the ${name} key: run it in a terminal, or set ${credentialEnvName(name, 'key')} and ${credentialEnvName(name, 'secret')} and pass --from-env`);
  }
  const fields: Record<string, Secret> = {};
  for (const field of ['key', 'secret']) {
    // Pasted keys often carry a trailing newline or space; no API key contains one.
    const value = (await prompt(`${name} API ${field}: `)).trim();
    if (value === '') throw new UsageError(`keys set: the ${name} API ${field} is empty; nothing was written`);
    fields[field] = new Secret(value);
  }
  return fields;
}

function describeEntries(entries: KeyEntries): { name: string; fields: string[]; env: string[] }[] {
  return Object.entries(entries).map(([name, entry]) => ({ name, fields: Object.keys(entry), env: Object.keys(entry).map((field) => credentialEnvName(name, field)) }));
}
