#!/usr/bin/env node
// Proves the npm path the way a user takes it: pack the published packages with pnpm (which
// rewrites workspace: ranges), scaffold a project with `kbot init` OUTSIDE the workspace, install
// the tarballs with plain npm, and run `npx kbot backtest` there. Exits non-zero on any failure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const packages = ['core', 'strategies', 'exchange-kraken', 'cli'];
const pnpm = ['-y', 'pnpm@12.4.2'];

function run(command, args, cwd, options = {}) {
  process.stdout.write(`$ ${command} ${args.join(' ')}   (in ${cwd})\n`);
  return execFileSync(command, args, { cwd, stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: { ...process.env, ...options.env } });
}

if (packages.some((name) => !existsSync(join(root, 'packages', name, 'dist', 'index.js')))) run('npx', [...pnpm, 'build'], root);

/** Runs `npx args` in `cwd`, closing its stdout after the first chunk; its exit code and stderr. */
function closedPipeRun(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'kbot-npm-path-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
try {
  for (const name of packages) run('npx', [...pnpm, 'pack', '--pack-destination', tarballs], join(root, 'packages', name));
  const files = readdirSync(tarballs).filter((file) => file.endsWith('.tgz')).map((file) => join(tarballs, file));
  if (files.length !== packages.length) throw new Error(`expected ${packages.length} tarballs, found ${files.length}`);
  for (const file of files) {
    const listing = run('tar', ['-xOzf', file, 'package/package.json'], work, { capture: true });
    if (listing.includes('workspace:')) throw new Error(`${file} still contains a workspace: range`);
  }

  const project = join(work, 'my-bot');
  run('node', [join(root, 'packages', 'cli', 'dist', 'cli.js'), 'init', project], work);
  // Plain npm, as a user would: the tarballs stand in for the registry's @kbot packages.
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], project, { env: { npm_config_workspaces: 'false' } });
  const output = run('npx', ['--no-install', 'kbot', 'backtest', '--no-progress', '--out', 'reports/first-run'], project, { capture: true });
  process.stdout.write(output);
  const report = JSON.parse(readFileSync(join(project, 'reports', 'first-run', 'report.json'), 'utf8'));
  if (!report.metrics || typeof report.metrics.netPnl !== 'string') throw new Error('report.json has no metrics.netPnl');
  // A reader that stops early (`kbot backtest --json | head -c 100`): the report (about 200 KB,
  // more than a pipe holds) must end quietly with exit 0, not with an unhandled EPIPE's stack trace.
  const piped = await closedPipeRun(['--no-install', 'kbot', 'backtest', '--no-progress', '--json', '--out', 'reports/piped'], project);
  if (piped.code !== 0 || piped.stderr.includes('EPIPE')) throw new Error(`kbot backtest --json into a pipe closed early: exit ${piped.code}, stderr ${JSON.stringify(piped.stderr.slice(0, 400))}`);
  const version = run('npx', ['--no-install', 'kbot', '--version'], project, { capture: true }).trim();
  process.stdout.write(`npm path ok: kbot ${version} installed from tarballs, init + backtest ran outside the workspace (${project})\n`);
} finally {
  if (!process.env.KBOT_KEEP_SMOKE) rmSync(work, { recursive: true, force: true });
}
