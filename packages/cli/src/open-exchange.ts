import { dirname, resolve } from 'node:path';
import {
  AuditTrail, ConfigError, TOKENS, auditFilePath, createBot, createFileLogger, createTerminalPrompt, credentialEnvName, keyFilePath, resolveCredentials, silentLogger,
  type Bot, type CredentialSource, type Exchange, type FileLogger, type HiddenPrompt, type KbotConfig, type Logger, type StrategyRegistry,
} from '@kbot/core';
import { loadKbotConfig, type LoadedConfig } from './load-config.js';

/** The configured bot and its exchange, opened for a CLI command. */
export interface OpenedExchange {
  readonly config: KbotConfig;
  /** The config file that was loaded. */
  readonly file: string;
  /** The storage folder (config `storage.dir`, resolved next to the config file). */
  readonly storageDir: string;
  readonly bot: Bot;
  readonly exchange: Exchange;
  readonly logger: Logger;
  /** Where the exchange's API keys came from: the environment (it wins), the key file, or nowhere. */
  readonly credentialSource: CredentialSource;
  /** The key file that was (or would have been) read: KBOT_KEYS_FILE, else `<storage.dir>/keys.enc`. */
  readonly keyFile: string;
  /**
   * `<storage.dir>/audit.log`: operator commands record themselves here, and `kbot run` attaches
   * it to the engine's bus (attachAuditTrail) so every order command is recorded. Closed by `close()`.
   */
  readonly audit: AuditTrail;
  /** Stops every plugin (sockets, timers, the dead man's switch), then closes the audit trail and the log file. */
  close(): Promise<void>;
}

export interface OpenExchangeOptions {
  readonly cwd: string;
  /** `--config`; default: kbot.config.ts found from `cwd`. */
  readonly configFile?: string;
  readonly registry: StrategyRegistry;
  /** Overrides the config's mode for plugins (live refuses to start without keys). */
  readonly mode?: KbotConfig['mode'];
  /** Where keys and URLs are read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A config the command already loaded (to read its mode first), so it is not loaded twice. */
  readonly loaded?: LoadedConfig;
  /**
   * Default: JSON lines in the config's `log.file` (rotated per `log.rotate`) plus the same lines on
   * stderr, at the config's level; commands printing JSON pass silentLogger.
   */
  readonly logger?: Logger;
  /**
   * Whether the key file must be unlocked (asking on the terminal when KBOT_KEYS_PASSPHRASE is
   * unset, failing when nobody can answer). Default: in live mode only; commands that read the
   * account (balance, orders, cancel-all, panic, sell) pass true. Otherwise the key file is used
   * only when KBOT_KEYS_PASSPHRASE is set, and nobody is asked.
   */
  readonly unlockKeyFile?: boolean;
  /** How to ask for the passphrase (tests); default the terminal, when stdin is one. */
  readonly prompt?: HiddenPrompt;
}

/**
 * Loads the config, composes the bot and resolves its exchange: the one way every command that
 * talks to a venue (run, market, balance, orders, data download, ...) gets there, so they all
 * honour the same config, environment overrides, plugin settings, credentials and logs.
 *
 * Credentials: KRAKEN_API_KEY / KRAKEN_API_SECRET (for an exchange plugin named `kraken`) from
 * the environment win; when the environment has neither, the key file written by `kbot keys set`
 * fills them in, and the exchange is built from that overlay. The log says which source was used,
 * never a value.
 */
export async function openExchange(options: OpenExchangeOptions): Promise<OpenedExchange> {
  const env = options.env ?? process.env;
  const { config: loaded, file } = options.loaded ?? await loadKbotConfig({ cwd: options.cwd, ...(options.configFile ? { file: options.configFile } : {}), ...(options.env ? { env: { ...options.env } } : {}) });
  const config = options.mode === undefined ? loaded : { ...loaded, mode: options.mode };
  const storageDir = resolve(dirname(file), config.storage.dir);
  const keyFile = keyFilePath(storageDir, env, options.cwd);

  const unlock = options.unlockKeyFile ?? config.mode === 'live';
  const credentials = config.exchange
    ? await resolveCredentials({
      required: [credentialEnvName(config.exchange.name, 'key'), credentialEnvName(config.exchange.name, 'secret')],
      file: keyFile,
      env,
      mustUnlock: unlock,
      prompt: unlock ? (options.prompt ?? createTerminalPrompt()) : undefined,
    })
    : { source: 'none' as const, env, file: keyFile, secrets: [], note: undefined };

  const fileLogger: FileLogger | undefined = options.logger || config.log.level === 'silent' ? undefined : createFileLogger({
    level: config.log.level,
    file: config.log.file === false ? undefined : resolve(storageDir, config.log.file),
    rotate: {
      keep: config.log.rotate.keep,
      ...(config.log.rotate.size === false ? {} : { size: config.log.rotate.size }),
      ...(config.log.rotate.interval === false ? {} : { interval: config.log.rotate.interval }),
    },
    bindings: { bot: config.name, mode: config.mode },
    secrets: credentials.secrets,
  });
  const logger = options.logger ?? fileLogger ?? silentLogger;
  const audit = new AuditTrail(auditFilePath(storageDir), { logger });
  try {
    if (config.exchange) {
      logger.info('exchange credentials', {
        exchange: config.exchange.name,
        source: credentials.source,
        ...(credentials.source === 'key-file' || credentials.note ? { keyFile } : {}),
        ...(credentials.note ? { note: credentials.note } : {}),
      });
    }
    const bot = createBot(config, { registry: options.registry, logger, env: credentials.env, storageDir });
    if (!bot.container.isRegistered(TOKENS.Exchange, true)) {
      throw new ConfigError([{ path: 'exchange', received: 'nothing', expected: 'an exchange plugin such as kraken({ tier: "starter" }) in kbot.config.ts' }], file);
    }
    const exchange: Exchange = bot.container.resolve(TOKENS.Exchange);
    return {
      config, file, storageDir, bot, exchange, logger, credentialSource: credentials.source, keyFile, audit,
      async close() {
        for (const plugin of [...(config.exchange ? [config.exchange] : []), ...config.plugins]) {
          await plugin.stop?.(bot.container).catch((error: unknown) => logger.warn('plugin stop failed', { plugin: plugin.name, error: String(error) }));
        }
        audit.close();
        await fileLogger?.close();
      },
    };
  } catch (error) {
    audit.close();
    await fileLogger?.close();
    throw error;
  }
}
