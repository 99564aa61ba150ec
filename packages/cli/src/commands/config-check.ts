import { ConfigError, createBot, isKbotError, type StrategyRegistry } from '@kbot/core';
import { loadKbotConfig } from '../load-config.js';

export interface ConfigCheckOutcome {
  readonly ok: boolean;
  readonly file: string | undefined;
  readonly problems: readonly string[];
  readonly summary: Record<string, unknown> | undefined;
}

/**
 * `kbot config check`: loads and validates the config, then composes the bot (strategy params,
 * registry names, risk settings) so every problem is listed at once, not one per run.
 */
export async function configCheckCommand(flags: { config?: string }, context: { cwd: string; registry: StrategyRegistry }): Promise<ConfigCheckOutcome> {
  try {
    const { config, file } = await loadKbotConfig({ cwd: context.cwd, ...(flags.config ? { file: flags.config } : {}) });
    const bot = createBot(config, { registry: context.registry });
    return {
      ok: true,
      file,
      problems: [],
      summary: {
        name: config.name,
        mode: config.mode,
        strategies: bot.strategies.map((entry) => entry.id),
        riskPolicies: bot.riskPolicies.map((policy) => policy.name),
        data: config.backtest.data.length,
      },
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, file: undefined, problems: error.message.split('\n').slice(1).map((line) => line.trim()), summary: undefined };
    if (isKbotError(error)) return { ok: false, file: undefined, problems: [error.message], summary: undefined };
    throw error;
  }
}
