import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'tsup';

/** The repository root. */
export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../..');

const PACKAGES = ['core', 'exchange-kraken', 'strategies', 'learning', 'cli'] as const;

export interface BundleOptions {
  /** An empty folder: the bundle goes to `<work>/bundle`, links to external packages to `<work>/node_modules`. */
  readonly work: string;
  /** Output name → TypeScript entry file (absolute). */
  readonly entries: Readonly<Record<string, string>>;
  /**
   * Workspace packages to expose as `@kbot/<name>` from the bundle (each must also be an entry,
   * named after the package), so that files loaded at run time (a kbot.config.ts) import the same
   * modules as the bundle.
   */
  readonly expose?: readonly string[];
}

/**
 * Bundles workspace sources for child processes. Node cannot run the TypeScript sources and tests
 * must not depend on a prior build, so end-to-end tests that start kbot as a real process bundle
 * what they need with esbuild (through tsup) in about a second: `@kbot/*` from src (the
 * `@kbot/source` export condition), everything else left external and linked from the packages'
 * own node_modules. One chunk per shared module, so every entry shares one @kbot/core.
 */
export async function bundleWorkspace(options: BundleOptions): Promise<void> {
  const external = new Map<string, string>();
  for (const name of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (!dependency.startsWith('@kbot/') && !external.has(dependency)) {
        external.set(dependency, realpathSync(join(WORKSPACE_ROOT, 'packages', name, 'node_modules', dependency)));
      }
    }
  }
  await build({
    config: false,
    entry: { ...options.entries },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: join(options.work, 'bundle'),
    splitting: true,
    dts: false,
    sourcemap: false,
    silent: true,
    noExternal: [/^@kbot\//],
    external: [...external.keys()],
    esbuildOptions(esbuild) {
      esbuild.conditions = ['@kbot/source', 'module', 'node'];
    },
  });
  for (const [dependency, target] of external) {
    const link = join(options.work, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  for (const name of options.expose ?? []) {
    const folder = join(options.work, 'node_modules', '@kbot', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: `@kbot/${name}`, type: 'module', exports: './index.js' }));
    writeFileSync(join(folder, 'index.js'), `export * from '../../../bundle/${name}.js';\n`);
  }
  writeFileSync(join(options.work, 'package.json'), JSON.stringify({ name: 'kbot-e2e-bundle', private: true, type: 'module', version: '0.0.0-e2e' }));
}
