import type { KbotConfigInput } from './schema.js';

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
  return result as KbotConfigInput;
}
