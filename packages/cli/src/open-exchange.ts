import { dirname, resolve } from 'node:path';
import {
  ConfigError, TOKENS, createBot, createConsoleLogger, silentLogger,
  type Bot, type Exchange, type KbotConfig, type Logger, type StrategyRegistry,
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
  /** Stops every plugin (sockets, timers, the dead man's switch) so the process can end. */
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
  /** Default: the config's log level, to stderr; commands printing JSON pass silentLogger. */
  readonly logger?: Logger;
}

/**
 * Loads the config, composes the bot and resolves its exchange: the one way every command that
 * talks to a venue (run, market, balance, orders, data download, ...) gets there, so they all
 * honour the same config, environment overrides and plugin settings.
 */
export async function openExchange(options: OpenExchangeOptions): Promise<OpenedExchange> {
  const { config: loaded, file } = options.loaded ?? await loadKbotConfig({ cwd: options.cwd, ...(options.configFile ? { file: options.configFile } : {}), ...(options.env ? { env: { ...options.env } } : {}) });
  const config = options.mode === undefined ? loaded : { ...loaded, mode: options.mode };
  const logger = options.logger ?? (config.log.level === 'silent' ? silentLogger : createConsoleLogger(config.log.level, { bot: config.name, mode: config.mode }));
  const bot = createBot(config, { registry: options.registry, logger, ...(options.env ? { env: options.env } : {}) });
  if (!bot.container.isRegistered(TOKENS.Exchange, true)) {
    throw new ConfigError([{ path: 'exchange', received: 'nothing', expected: 'an exchange plugin such as kraken({ tier: "starter" }) in kbot.config.ts' }], file);
  }
  const exchange: Exchange = bot.container.resolve(TOKENS.Exchange);
  const storageDir = resolve(dirname(file), config.storage.dir);
  return {
    config, file, storageDir, bot, exchange, logger,
    async close() {
      for (const plugin of [...(config.exchange ? [config.exchange] : []), ...config.plugins]) {
        await plugin.stop?.(bot.container).catch((error: unknown) => logger.warn('plugin stop failed', { plugin: plugin.name, error: String(error) }));
      }
    },
  };
}
