import { dirname } from 'node:path';
import { backtestDataProblems, ConfigError, createBot, dataCoverageIssues, formatConfigIssue, isKbotError, missingInstrumentRules, openBacktestData, parseTimeOption, sharedPairWarnings, type Bot, type StrategyRegistry } from '@kbot/core';
import { loadKbotConfig } from '../load-config.js';

export interface ConfigCheckOutcome {
  readonly ok: boolean;
  readonly file: string | undefined;
  readonly problems: readonly string[];
  /**
   * What does not stop this config but is likely a mistake: strategies sharing a pair, and for a
   * paper or live config what `kbot backtest` would refuse.
   */
  readonly warnings: readonly string[];
  readonly summary: Record<string, unknown> | undefined;
}

/**
 * `kbot config check`: loads and validates the config, then composes the bot (strategy params,
 * registry names, risk settings) so every problem is listed at once, not one per run. It also
 * runs the checks `kbot backtest` makes before reading data: order rules of every pair, and each
 * `backtest.data` entry opened as the backtest opens it (missing or empty files, names that say no
 * pair or interval), so a typo in a path is found before a run.
 */
export async function configCheckCommand(flags: { config?: string }, context: { cwd: string; registry: StrategyRegistry }): Promise<ConfigCheckOutcome> {
  try {
    const { config, file } = await loadKbotConfig({ cwd: context.cwd, ...(flags.config ? { file: flags.config } : {}) });
    const bot = createBot(config, { registry: context.registry });
    // Paper and live take order rules from the exchange; only a backtest needs them in the config.
    const backtestIssues = [...missingInstrumentRules(bot).map(formatConfigIssue), ...dataProblems(bot, dirname(file))];
    const problems = config.mode === 'backtest' ? backtestIssues : [];
    const warnings = [
      ...sharedPairWarnings(bot.strategies),
      ...(config.mode === 'backtest' ? [] : backtestIssues.map((line) => `${line} (kbot backtest would refuse this config)`)),
    ];
    return {
      ok: problems.length === 0,
      file,
      problems,
      warnings,
      summary: problems.length > 0 ? undefined : {
        name: config.name,
        mode: config.mode,
        strategies: bot.strategies.map((entry) => entry.id),
        riskPolicies: bot.riskPolicies.map((policy) => policy.name),
        data: config.backtest.data.length,
      },
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, file: undefined, problems: error.message.split('\n').slice(1).map((line) => line.trim()), warnings: [], summary: undefined };
    if (isKbotError(error)) return { ok: false, file: undefined, problems: [error.message], warnings: [], summary: undefined };
    throw error;
  }
}

/**
 * The problems `kbot backtest` (without `--data`) would find in the config's data entries: each
 * entry that cannot be opened, then, when all open, data and subscriptions that do not match.
 */
function dataProblems(bot: Bot, configDir: string): string[] {
  const config = bot.config;
  if (config.backtest.data.length === 0) return [];
  // The schema has checked the dates already; here they only narrow what is opened, as in a backtest.
  const from = parseTimeOption(config.backtest.from, 'backtest.from');
  const to = parseTimeOption(config.backtest.to, 'backtest.to');
  const options = { baseDir: configDir, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  let data;
  try {
    data = openBacktestData(config.backtest.data, options);
  } catch (error) {
    // The backtest stops at the first entry that fails: list every one.
    if (isKbotError(error)) return backtestDataProblems(config.backtest.data, options);
    throw error;
  }
  return dataCoverageIssues(bot, data).map(formatConfigIssue);
}
