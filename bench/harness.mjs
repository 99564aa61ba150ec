// The shared benchmark harness: timing (median of several runs) and the one report format every
// benchmark uses, a table for people or JSON lines for machines (see README.md).
import { cpus, loadavg } from 'node:os';

/** The six fields of a JSON line, in this order; nothing else goes to stdout with --json. */
export const JSON_FIELDS = Object.freeze(['name', 'value', 'unit', 'baseline', 'baselineValue', 'ratio']);

/**
 * Times `fn` `runs` times after `warmup` untimed calls and returns the median wall time in
 * seconds, with the min, max and every sample. `setup(i)`, when given, runs before each call
 * outside the timed region and its result is passed to `fn` (fresh state per run). A full GC runs
 * before each timed call when the process has `--expose-gc`, so one run's garbage is not billed to
 * the next. `fn` may be async. The value `fn` returns last is kept in `result`, which also stops
 * the JIT from dropping work whose result nobody reads. `cpuShare` is the median share of each
 * run's wall time this process spent on the CPU (see `contentionWarning`).
 *
 * `collectGarbage: false` skips that GC, for work that allocates (almost) nothing: a full GC
 * throws away optimized code that pointed at the last run's dead objects (V8's "weak objects"
 * deopt), so each run would start by re-optimizing, which a long-running bot never pays.
 */
export async function measure(fn, { warmup = 1, runs = 5, setup, collectGarbage = true } = {}) {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`measure runs: received ${runs}, expected a whole number >= 1`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`measure warmup: received ${warmup}, expected a whole number >= 0`);
  for (let i = 0; i < warmup; i++) await fn(setup ? await setup(i) : undefined);
  const seconds = [];
  const cpuShares = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const input = setup ? await setup(i) : undefined;
    if (collectGarbage) globalThis.gc?.();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = await fn(input);
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    seconds.push(wall);
    cpuShares.push((cpu.user + cpu.system) / 1e6 / wall);
    noteCpuShare(cpuShares[i]);
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  return { median: median(seconds), min: sorted[0], max: sorted[sorted.length - 1], seconds, cpuShare: median(cpuShares), result };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One line about a measurement for the progress log: median, spread and CPU share. */
export function describe(label, measured) {
  const ms = (value) => `${(value * 1000).toPrecision(4)} ms`;
  return `${label}: median ${ms(measured.median)} (min ${ms(measured.min)}, max ${ms(measured.max)}, ${measured.seconds.length} runs), on the CPU ${(100 * measured.cpuShare).toFixed(0)}% of the time`;
}

/**
 * One result row. `baseline` names the row it is compared with; `ratio` = value / baselineValue.
 * `target` (optional) is a ratio to meet: at least it when `better` is 'higher' (the default), at
 * most it when 'lower'. `target` and `better` are shown in the table only.
 */
export function row({ name, value, unit, baseline = null, baselineValue = null, target, better = 'higher' }) {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`row name: received ${JSON.stringify(name)}, expected a non-empty string`);
  if (!Number.isFinite(value)) throw new TypeError(`row ${name} value: received ${value}, expected a finite number`);
  if (typeof unit !== 'string' || unit.length === 0) throw new TypeError(`row ${name} unit: received ${JSON.stringify(unit)}, expected a unit such as "bars/s"`);
  if ((baseline === null) !== (baselineValue === null)) throw new TypeError(`row ${name}: baseline and baselineValue go together (received ${baseline}, ${baselineValue})`);
  if (better !== 'higher' && better !== 'lower') throw new TypeError(`row ${name} better: received ${JSON.stringify(better)}, expected "higher" or "lower"`);
  const ratio = baselineValue === null || baselineValue === 0 ? null : value / baselineValue;
  return { name, value, unit, baseline, baselineValue, ratio, target, better };
}

/** PASS, BELOW (a higher-is-better ratio under its target), ABOVE (a lower-is-better one over it), or '' without a target. */
export function status(result) {
  if (result.target === undefined || result.ratio === null) return '';
  const met = result.better === 'lower' ? result.ratio <= result.target : result.ratio >= result.target;
  return met ? 'PASS' : result.better === 'lower' ? 'ABOVE' : 'BELOW';
}

/** Rounds for output: integers stay integers, others keep 4 significant digits (timing noise is larger). */
export function round(value) {
  if (value === null || Number.isInteger(value)) return value;
  if (Math.abs(value) >= 1000) return Math.round(value);
  return Number(value.toPrecision(4));
}

/** The JSON line of a row: exactly JSON_FIELDS. */
export function jsonLine(result) {
  return JSON.stringify({
    name: result.name,
    value: round(result.value),
    unit: result.unit,
    baseline: result.baseline,
    baselineValue: round(result.baselineValue),
    ratio: round(result.ratio),
  });
}

function formatNumber(value) {
  if (value === null || value === undefined) return '';
  const rounded = round(value);
  return Math.abs(rounded) >= 1000 ? rounded.toLocaleString('en-US') : String(rounded);
}

function formatRatio(value) {
  if (value === null) return '';
  return `${value >= 0.01 ? value.toFixed(3) : value.toPrecision(2)}x`;
}

/** The people table: name, value, unit, baseline (and its value), ratio, target, status. */
export function table(results) {
  const header = ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'status'];
  const lines = results.map((result) => [
    result.name,
    formatNumber(result.value),
    result.unit,
    result.baseline === null ? '' : `${result.baseline} (${formatNumber(result.baselineValue)})`,
    formatRatio(result.ratio),
    result.target === undefined ? '' : `${result.better === 'lower' ? '<=' : '>='} ${result.target}x`,
    status(result),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const numeric = new Set([1, 4]);
  const format = (cells) => cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(format)].join('\n');
}

/** Prints results to stdout: JSON lines with `json`, else the table. */
export function report(results, { json = false, out = process.stdout } = {}) {
  if (json) {
    for (const result of results) out.write(`${jsonLine(result)}\n`);
  } else {
    out.write(`${table(results)}\n`);
  }
}

/** Progress and notes go to stderr, so stdout holds only the report. */
export function log(message) {
  process.stderr.write(`${message}\n`);
}

/** Below this share of the wall time on the CPU, a timed run was kept waiting by other processes. */
const BUSY_CPU_SHARE = 0.9;
let lowestCpuShare = Infinity;

/**
 * The benchmarks are single-threaded JavaScript, so a timed run should have the CPU for about
 * its whole wall time (GC helper threads can push the share above 1). A lower share means other
 * processes took the CPU away and the wall-clock figure is too slow.
 */
export function noteCpuShare(share) {
  if (Number.isFinite(share) && share < lowestCpuShare) lowestCpuShare = share;
}

/** Node version, cores and load average, printed before the benchmarks. */
export function machineNote() {
  return `node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`;
}

/** After the benchmarks: a warning when some timed run had the CPU less than 90% of its wall time, else undefined. */
export function contentionWarning() {
  if (!(lowestCpuShare < BUSY_CPU_SHARE)) return undefined;
  return `WARNING: a timed run had the CPU only ${(100 * lowestCpuShare).toFixed(0)}% of its wall time; other processes competed for the CPU, so timings are slower and noisier than on an idle machine (load average now ${loadavg()[0].toFixed(2)} on ${cpus().length} cores)`;
}
