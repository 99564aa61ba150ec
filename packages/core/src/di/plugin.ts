import type { DependencyContainer } from 'tsyringe';
import type { Logger } from '../log/logger.js';

export interface PluginContext {
  readonly mode: 'backtest' | 'paper' | 'live';
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The bot's data folder when the host knows it (the CLI passes `storage.dir`): for files that must survive restarts. */
  readonly storageDir?: string;
}

/**
 * How a package plugs into a bot: `register` binds its services on the bot's child container
 * (factories and values, so no compiler metadata is needed); `start`/`stop` bracket the bot's run.
 */
export interface KbotPlugin {
  readonly kind: 'kbot-plugin';
  readonly name: string;
  register(container: DependencyContainer, context: PluginContext): void;
  start?(container: DependencyContainer): Promise<void>;
  stop?(container: DependencyContainer): Promise<void>;
}

export function definePlugin(plugin: Omit<KbotPlugin, 'kind'>): KbotPlugin {
  return Object.freeze({ ...plugin, kind: 'kbot-plugin' as const });
}

export function isKbotPlugin(value: unknown): value is KbotPlugin {
  return typeof value === 'object' && value !== null && (value as KbotPlugin).kind === 'kbot-plugin';
}
