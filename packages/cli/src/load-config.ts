import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { ConfigError, applyEnvOverrides, isKbotError, validateConfig, type ConfigIssue, type KbotConfig } from '@kbot/core';

/*
 * jiti compiles kbot.config.ts and the .ts files it imports with legacy decorators and
 * decorator metadata, with or without a user tsconfig; cosmiconfig's own TypeScript loader
 * cannot follow local imports and ignores `extends` (TOOLCHAIN.md §5).
 */
const jiti = createJiti(import.meta.url, { moduleCache: false });
// jiti keeps line numbers when it compiles, not columns: its stack frames give the line only.
const typescriptLoader: Loader = (filepath) => loadDefaultExport(filepath, () => jiti.import(filepath), { stackColumns: false });
// Not cosmiconfig's JavaScript loader: it retries a broken ES module with require(), whose error hides the first one.
const javascriptLoader: Loader = (filepath) => loadDefaultExport(filepath, async () => import(pathToFileURL(await realpath(filepath)).href), { stackColumns: true });

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
    loaders: { '.ts': typescriptLoader, '.mts': typescriptLoader, '.js': javascriptLoader, '.mjs': javascriptLoader, '.cjs': javascriptLoader },
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

/** Errors cosmiconfig itself raises (an unreadable package.json, say), named by where kbot looked. */
async function loadOrExplain<T>(load: () => Promise<T>, where: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([{ path: where, received: 'a file that failed to load', expected: `a config that loads without error (${message})` }]);
  }
}

/** Imports a config module and returns its default export; every failure names the file (and line). */
async function loadDefaultExport(filepath: string, importModule: () => Promise<unknown>, options: { stackColumns: boolean }): Promise<unknown> {
  let module: unknown;
  try {
    module = await importModule();
  } catch (error) {
    // kbot's own errors thrown while the file runs (a plugin checking its settings) are already precise.
    if (isKbotError(error)) throw error;
    throw new ConfigError([explainLoadFailure(error, filepath, options.stackColumns)]);
  }
  // `in`, not `.default`: jiti answers `.default` with the whole module when there is none.
  if (typeof module !== 'object' || module === null || !('default' in module) || (module as { default: unknown }).default === undefined) {
    const names = typeof module === 'object' && module !== null ? Object.keys(module).filter((name) => name !== 'default' && name !== '__esModule') : [];
    throw new ConfigError([{
      path: filepath,
      received: names.length > 0 ? `no default export (it exports ${names.join(', ')})` : 'no default export',
      expected: 'export default defineConfig({ ... })',
    }]);
  }
  return (module as { default: unknown }).default;
}

/**
 * One line for a config that cannot be loaded: where (file:line:column, from jiti's parse error,
 * the stack, or `node --check` for plain JavaScript), what went wrong, and what was expected.
 */
function explainLoadFailure(error: unknown, filepath: string, stackColumns: boolean): ConfigIssue {
  if (!(error instanceof Error)) return { path: filepath, received: `an error while loading it (${String(error)})`, expected: 'a config that loads without error' };
  // jiti: "ParseError: Unexpected token, expected \",\"  \n /path/kbot.config.ts:2:43"
  const parse = /^(?:ParseError|SyntaxError):\s*(.*?)\s*\n\s*(.+):(\d+):(\d+)\s*$/s.exec(error.message);
  // Babel's column counts from 0; editors, Node's stack traces and `node --check` count from 1.
  if (parse) return { path: `${parse[2]!}:${parse[3]!}:${Number(parse[4]) + 1}`, received: `a syntax error (${parse[1]!})`, expected: 'valid TypeScript or JavaScript' };
  const firstLine = error.message.split('\n')[0]!;
  const located = locationInStack(error.stack ?? '', stackColumns);
  // Node keeps an ES module's syntax error location out of the error; `node --check` prints it.
  const syntax = located === undefined && /\.[cm]?js$/.test(filepath) ? checkSyntax(filepath) : undefined;
  if (syntax) return { path: syntax.where, received: `a syntax error (${syntax.message})`, expected: 'valid JavaScript' };
  const where = located ?? filepath;
  if (error.name === 'SyntaxError') return { path: where, received: `a syntax error (${firstLine})`, expected: 'valid TypeScript or JavaScript' };
  // A name imported from a file that does not export it is undefined under jiti, so the first use fails.
  const hint = /\bundefined\b/.test(firstLine) ? '; a value that is undefined is often an import of a name the other file does not export' : '';
  return { path: where, received: `an error while evaluating it (${error.name}: ${firstLine})`, expected: `a config that evaluates without error${hint}` };
}

/** Where kbot's packages live (`node_modules/@kbot`, or the workspace's `packages`): their frames are not the user's. */
const KBOT_PACKAGES = `${dirname(dirname(dirname(fileURLToPath(import.meta.url))))}${sep}`;

/** The first `file:line[:column]` of the stack that is the user's code, not kbot's, its dependencies' or Node's. */
function locationInStack(stack: string, withColumn: boolean): string | undefined {
  for (const line of stack.split('\n')) {
    if (line.includes('node_modules') || line.includes('node:')) continue;
    const found = /((?:file:\/\/)?(?:\/|[A-Za-z]:\\)[^\s():]+):(\d+)(?::(\d+))?/.exec(line);
    if (!found) continue;
    const file = found[1]!.startsWith('file://') ? fileURLToPath(found[1]!) : found[1]!;
    if (file.startsWith(KBOT_PACKAGES)) continue;
    return found[3] === undefined || !withColumn ? `${file}:${found[2]!}` : `${file}:${found[2]!}:${found[3]}`;
  }
  return undefined;
}

/** `node --check`'s report of a JavaScript file's first syntax error (`file:line`, the line, a caret, the message); undefined when it parses. */
function checkSyntax(filepath: string): { where: string; message: string } | undefined {
  try {
    execFileSync(process.execPath, ['--check', filepath], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    return undefined;
  } catch (error) {
    const lines = String((error as { stderr?: unknown }).stderr ?? '').split('\n');
    const head = /^(.+):(\d+)$/.exec(lines[0] ?? '');
    const message = lines.find((line) => line.startsWith('SyntaxError: '))?.slice('SyntaxError: '.length);
    if (!head || message === undefined) return undefined;
    const file = head[1]!.startsWith('file://') ? fileURLToPath(head[1]!) : head[1]!;
    const caret = lines.slice(1, 4).find((line) => /^\s*\^+\s*$/.test(line));
    return { where: caret === undefined ? `${file}:${head[2]!}` : `${file}:${head[2]!}:${caret.indexOf('^') + 1}`, message };
  }
}
