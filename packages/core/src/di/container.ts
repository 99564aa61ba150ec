import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { ConfigError, type ConfigIssue } from '../errors/errors.js';
import { sharedPairWarnings } from './shared-pairs.js';
import type { EngineStrategy } from '../engine/engine.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import { riskPoliciesFromConfig } from '../risk/policies/from-config.js';
import { defaultStrategyId, isStrategySpec, type StrategyClass, type StrategySpec } from '../strategy/strategy.js';
import type { KbotConfig } from '../config/schema.js';
import { configErrorMap, configIssuesFromZod, describeReceived } from '../config/zod-issues.js';
import type { z } from 'zod';
import { TOKENS } from './tokens.js';
import type { PluginContext } from './plugin.js';

/** A strategy a config may name (`{ use: 'mean-reversion', params }`), with its params schema. */
export interface StrategyRegistryEntry {
  readonly strategy: StrategyClass;
  readonly schema?: StrategySpec['schema'];
  readonly description?: string;
}
export type StrategyRegistry = Readonly<Record<string, StrategyRegistryEntry>>;

export interface BotContainerOptions {
  /** The process-wide container (logger, secrets); defaults to tsyringe's root. */
  readonly parent?: DependencyContainer;
  readonly logger?: Logger;
  readonly registry?: StrategyRegistry;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The bot's data folder (`storage.dir`, resolved), when the host knows it (the CLI does):
   * plugins keep files there that must survive restarts, such as Kraken's nonce high-water mark.
   */
  readonly storageDir?: string;
}

export interface Bot {
  readonly container: DependencyContainer;
  readonly config: KbotConfig;
  readonly strategies: readonly EngineStrategy[];
  readonly riskPolicies: readonly RiskPolicy[];
}

/**
 * Composes one bot: a child container of the process container, the config and logger bound
 * as values, every plugin registered, and every strategy resolved from the container (so a
 * strategy class may ask for injections) with its params validated.
 */
export function createBot(config: KbotConfig, options: BotContainerOptions = {}): Bot {
  const container = (options.parent ?? rootContainer).createChildContainer();
  const logger = options.logger ?? silentLogger;
  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Logger, { useValue: logger });
  container.register(TOKENS.BotName, { useValue: config.name });
  const context: PluginContext = { mode: config.mode, logger, env: options.env ?? process.env, ...(options.storageDir === undefined ? {} : { storageDir: options.storageDir }) };
  for (const plugin of [...(config.exchange ? [config.exchange] : []), ...config.plugins]) plugin.register(container, context);
  for (const learner of config.learning) container.register(TOKENS.Learner, { useValue: learner });

  const issues: ConfigIssue[] = [];
  const strategies: EngineStrategy[] = [];
  const ids = new Set<string>();
  config.strategies.forEach((entry, index) => {
    const path = `strategies[${index}]`;
    const spec = isStrategySpec(entry) ? entry : fromRegistry(entry, options.registry, path, issues);
    if (!spec) return;
    let params: unknown = spec.params;
    if (spec.schema) {
      const parsed = spec.schema.safeParse(spec.params, { reportInput: true, error: configErrorMap });
      if (!parsed.success) {
        issues.push(...configIssuesFromZod(parsed.error as z.ZodError, `${path}.params`));
        return;
      }
      params = parsed.data;
    }
    const id = spec.id ?? (isStrategySpec(entry) ? defaultStrategyId(spec.strategy) : (entry as { use: string }).use);
    if (ids.has(id)) {
      issues.push({ path: `${path}.id`, received: JSON.stringify(id), expected: 'an id no other strategy of this bot uses' });
      return;
    }
    ids.add(id);
    try {
      strategies.push({ id, strategy: container.resolve(spec.strategy), params });
    } catch (error) {
      issues.push({ path, received: `class ${spec.strategy.name}`, expected: `a strategy the container can build (${(error as Error).message})` });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);

  for (const warning of sharedPairWarnings(strategies)) logger.warn(warning);

  const riskPolicies: RiskPolicy[] = riskPoliciesFromConfig(config.risk);
  for (const policy of riskPolicies) container.register(TOKENS.RiskPolicy, { useValue: policy });
  return { container, config, strategies, riskPolicies };
}

function fromRegistry(
  entry: { use: string; id?: string | undefined; params: Record<string, unknown> },
  registry: StrategyRegistry | undefined,
  path: string,
  issues: ConfigIssue[],
): StrategySpec | undefined {
  const found = registry?.[entry.use];
  if (!found) {
    const known = Object.keys(registry ?? {});
    issues.push({
      path: `${path}.use`,
      received: describeReceived(entry.use),
      expected: known.length ? `one of ${known.map((name) => JSON.stringify(name)).join(', ')}` : 'a strategy class (no strategy registry is loaded)',
    });
    return undefined;
  }
  return { kind: 'strategy-spec', id: entry.id, strategy: found.strategy, params: entry.params, schema: found.schema };
}
