#!/usr/bin/env node
// Runs publint on every published package (after `pnpm build`); fails if any reports a problem.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
let failed = 0;
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  try {
    // --strict turns warnings into errors: a published package must be clean, not nearly clean.
    const output = execFileSync(join(root, 'node_modules', '.bin', 'publint'), ['run', dir, '--strict', '--pack', 'pnpm'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // Suggestions count too: "clean" means publint has nothing to say.
    if (!/All good!/.test(output)) throw Object.assign(new Error('publint has suggestions'), { stdout: output });
    process.stdout.write(`${manifest.name}: all good\n`);
  } catch (error) {
    failed++;
    process.stdout.write(`${manifest.name}: publint found problems\n${error.stdout ?? ''}${error.stderr ?? ''}\n`);
  }
}
if (failed > 0) {
  process.stdout.write(`${failed} package(s) failed publint\n`);
  process.exit(1);
}
