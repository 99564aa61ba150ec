import type { KbotConfigInput } from './schema.js';

/** Each variable and the config field it sets. */
const OVERRIDES = [
  ['KBOT_MODE', 'mode'],
  ['KBOT_STORAGE_DIR', 'storage.dir'],
  ['KBOT_LOG_LEVEL', 'log.level'],
] as const;

/** Per config returned by applyEnvOverrides: field path → the variable that set it, for error lines. */
const overriddenFields = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * Settings that the environment may override, so one config file serves several machines:
 * `KBOT_MODE`, `KBOT_STORAGE_DIR`, `KBOT_LOG_LEVEL`. Exchange keys never live in the config;
 * exchange plugins read them from the environment themselves (e.g. KRAKEN_API_KEY).
 */
export function applyEnvOverrides(config: KbotConfigInput, env: Readonly<Record<string, string | undefined>> = process.env): KbotConfigInput {
  const result: Record<string, unknown> = { ...config };
  if (env.KBOT_MODE) result.mode = env.KBOT_MODE;
  if (env.KBOT_STORAGE_DIR) result.storage = { ...(config.storage ?? {}), dir: env.KBOT_STORAGE_DIR };
  if (env.KBOT_LOG_LEVEL) result.log = { ...(config.log ?? {}), level: env.KBOT_LOG_LEVEL };
  overriddenFields.set(result, new Map(OVERRIDES.filter(([variable]) => env[variable]).map(([variable, field]) => [field, variable])));
  return result as KbotConfigInput;
}

/** The environment variable that set `path` (`log.level` → `KBOT_LOG_LEVEL`) in a config from applyEnvOverrides. */
export function envVariableFor(config: unknown, path: string): string | undefined {
  return typeof config === 'object' && config !== null ? overriddenFields.get(config)?.get(path) : undefined;
}
