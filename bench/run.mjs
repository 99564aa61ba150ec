// Runs the benchmarks against the built packages: `node --expose-gc bench/run.mjs [name ...]
// [--json] [--strict] [--runs N] [--warmup N]`. See README.md.
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
if (typeof globalThis.gc !== 'function') log('note: run with node --expose-gc so each timed run starts after a full GC');
log(machineNote());

const selected = positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => positionals.includes(bench.name));
const results = [];
for (const bench of selected) {
  const module = await bench.load();
  const started = Date.now();
  log(`== ${module.name}: ${module.description}`);
  results.push(...(await module.run(options)));
  log(`== ${module.name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
report(results, { json: values.json });
const warning = contentionWarning();
if (warning) log(warning);
const missed = results.filter((result) => status(result) === 'BELOW' || status(result) === 'ABOVE');
if (values.strict && missed.length > 0) {
  log(`--strict: ${missed.length} result(s) missed their target: ${missed.map((result) => result.name).join(', ')}`);
  process.exitCode = 1;
}
