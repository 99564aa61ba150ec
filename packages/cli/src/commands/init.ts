import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../exit-codes.js';
import { projectFiles } from '../templates/project-files.js';

export interface InitResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/** Scaffolds a project that runs `kbot backtest` on first try. Never overwrites a file. */
export function initProject(dir: string, kbotVersion: string, options: { force?: boolean } = {}): InitResult {
  const target = resolve(dir);
  const name = basename(target).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'kbot-bot';
  const files = projectFiles({ name, kbotVersion });
  if (existsSync(target) && !options.force) {
    const clashes = Object.keys(files).filter((file) => existsSync(join(target, file)));
    if (clashes.length > 0) {
      throw new UsageError(`init: ${target} already has ${clashes.join(', ')}; choose an empty folder (nothing was written)`);
    }
  }
  for (const [file, content] of Object.entries(files)) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content, { flag: options.force ? 'w' : 'wx' });
  }
  return { dir: target, files: Object.keys(files) };
}
