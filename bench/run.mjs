// Runs the benchmarks against the built packages: `node --expose-gc bench/run.mjs [name ...]
// [--json] [--strict] [--runs N] [--warmup N]`. See README.md.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { contentionWarning, log, machineNote, report, status } from './harness.mjs';
import { BENCHMARKS } from './registry.mjs';

const USAGE = 'usage: node --expose-gc bench/run.mjs [name ...] [--json] [--strict] [--runs N] [--warmup N]';

function wholeNumber(option, text, minimum) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum) {
    log(`--${option}: received ${JSON.stringify(text)}, expected a whole number >= ${minimum}\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  log(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  log(`${USAGE}\nbenchmarks: ${BENCHMARKS.map((bench) => bench.name).join(', ')}`);
  process.exit(0);
}
const unknown = positionals.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
if (unknown.length > 0) {
  log(`unknown benchmark ${unknown.map((name) => JSON.stringify(name)).join(', ')}; expected one of ${BENCHMARKS.map((bench) => JSON.stringify(bench.name)).join(', ')}`);
  process.exit(2);
}
const options = {};
if (values.runs !== undefined) options.runs = wholeNumber('runs', values.runs, 1);
if (values.warmup !== undefined) options.warmup = wholeNumber('warmup', values.warmup, 0);
if (typeof globalThis.gc !== 'function' && process.env.KBOT_BENCH_CHILD !== '1') log('note: run with node --expose-gc so each timed run starts after a full GC');

const selected = positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => positionals.includes(bench.name));

/**
 * Each benchmark runs in a fresh process of its own (this script again, with CHILD set): in one
 * long process, what ran before moved a figure by up to 2× (the heap it left, the code V8 had
 * optimised; README.md), and a bot's process has not run a book benchmark before it trades.
 * The child runs one benchmark and writes its rows as one JSON array on stdout.
 */
const CHILD = 'KBOT_BENCH_CHILD';

async function runHere(bench) {
  const module = await bench.load();
  const started = Date.now();
  log(`== ${module.name}: ${module.description}`);
  const rows = await module.run(options);
  log(`== ${module.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return rows;
}

function runInChild(bench) {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), bench.name];
  if (values.runs !== undefined) args.push('--runs', values.runs);
  if (values.warmup !== undefined) args.push('--warmup', values.warmup);
  const child = spawnSync(process.execPath, args, { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`benchmark ${bench.name}: its process ended with ${child.status ?? child.signal}${child.error ? ` (${child.error.message})` : ''}`);
  return JSON.parse(child.stdout);
}

if (process.env[CHILD] === '1') {
  const rows = await runHere(selected[0]);
  process.stdout.write(`${JSON.stringify(rows)}\n`);
  const warning = contentionWarning();
  if (warning) log(warning);
  process.exit(0);
}

log(machineNote());
const results = [];
for (const bench of selected) results.push(...runInChild(bench));
report(results, { json: values.json });
const warning = contentionWarning();
if (warning) log(warning);
const missed = results.filter((result) => status(result) === 'BELOW' || status(result) === 'ABOVE');
if (values.strict && missed.length > 0) {
  log(`--strict: ${missed.length} result(s) missed their target: ${missed.map((result) => result.name).join(', ')}`);
  process.exitCode = 1;
}
