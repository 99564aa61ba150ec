import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { ConfigError, applyEnvOverrides, validateConfig, type KbotConfig } from '@kbot/core';

/*
 * jiti compiles kbot.config.ts and the .ts files it imports with legacy decorators and
 * decorator metadata, with or without a user tsconfig; cosmiconfig's own TypeScript loader
 * cannot follow local imports and ignores `extends` (TOOLCHAIN.md §5).
 */
const jiti = createJiti(import.meta.url, { moduleCache: false });
const typescriptLoader: Loader = (filepath) => jiti.import(filepath, { default: true });

const SEARCH_PLACES = ['kbot.config.ts', 'kbot.config.mts', 'kbot.config.js', 'kbot.config.mjs', 'package.json'];

export interface LoadedConfig {
  readonly config: KbotConfig;
  readonly file: string;
}

/** Finds (or takes) the config file, loads it, applies environment overrides, validates it. */
export async function loadKbotConfig(options: { cwd?: string; file?: string; env?: Record<string, string | undefined> } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const explorer = cosmiconfig('kbot', {
    searchStrategy: 'project',
    searchPlaces: SEARCH_PLACES,
    loaders: { '.ts': typescriptLoader, '.mts': typescriptLoader },
  });
  let result;
  if (options.file) {
    const file = resolve(cwd, options.file);
    if (!existsSync(file)) {
      throw new ConfigError([{ path: '--config', received: JSON.stringify(options.file), expected: 'an existing config file (kbot.config.ts)' }]);
    }
    result = await loadOrExplain(() => explorer.load(file), file);
  } else {
    result = await loadOrExplain(() => explorer.search(cwd), cwd);
  }
  if (!result || result.isEmpty) {
    throw new ConfigError([{ path: '--config', received: 'nothing', expected: `a kbot.config.ts in ${cwd} or a parent folder (run "kbot init" to create one)` }]);
  }
  const raw = result.config as unknown;
  if (typeof raw !== 'object' || raw === null) {
    throw new ConfigError([{ path: '(default export)', received: typeof raw, expected: 'an object made with defineConfig({ ... })' }], result.filepath);
  }
  const withEnv = applyEnvOverrides(raw as Parameters<typeof applyEnvOverrides>[0], options.env ?? process.env);
  return { config: validateConfig(withEnv, result.filepath), file: result.filepath };
}

async function loadOrExplain<T>(load: () => Promise<T>, where: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([{ path: where, received: 'a file that failed to load', expected: `a config that loads without error (${message})` }]);
  }
}
