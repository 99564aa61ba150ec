// Indicator throughput: each @kbot/strategies indicator fed 1,000,000 updates, against a bare loop
// over a Float64Array computing the same formula in the same run, each case in a fresh process
// (indicators-child.mjs; see README.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CASES, UPDATES } from './indicators-cases.mjs';
import { describe, log, noteCpuShare, row } from './harness.mjs';

export const name = 'indicators';
export const description = '1M updates per indicator vs a bare Float64Array loop of the same formula, each in a fresh process';

/** Times one case in a fresh process and returns its library and bare timings. */
function timeCase(label, warmup, runs) {
  const child = fileURLToPath(new URL('./indicators-child.mjs', import.meta.url));
  const outcome = spawnSync(process.execPath, [child, label, String(warmup), String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (outcome.status !== 0) throw new Error(`indicators: ${label} run: exit code ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`);
  const measured = JSON.parse(outcome.stdout);
  for (const timing of [measured.library, measured.bare]) if (timing !== null) noteCpuShare(timing.cpuShare);
  return measured;
}

export async function run({ warmup = 1, runs = 5 } = {}) {
  log(`indicators: ${UPDATES.toLocaleString('en-US')} updates per indicator, each indicator in a fresh process`);
  const results = [];
  for (const [label, , bare, target] of CASES) {
    const measured = timeCase(label, warmup, runs);
    log(describe(`indicators: ${label}`, measured.library));
    const libraryRate = UPDATES / measured.library.median;
    if (bare === null) {
      results.push(row({ name: `indicator ${label}`, value: libraryRate, unit: 'updates/s' }));
      continue;
    }
    log(describe(`indicators: bare ${label}`, measured.bare));
    const bareName = `bare ${label} loop`;
    const bareRate = UPDATES / measured.bare.median;
    results.push(row({ name: bareName, value: bareRate, unit: 'updates/s' }));
    results.push(row({ name: `indicator ${label}`, value: libraryRate, unit: 'updates/s', baseline: bareName, baselineValue: bareRate, ...(target === undefined ? {} : { target }) }));
  }
  return results;
}
