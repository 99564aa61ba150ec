// One indicator case in a fresh process (node indicators-child.mjs <Indicator> <warmup> <runs>):
// the library's loop, then the bare loop of the same formula. Prints one JSON object to stdout.
// A fresh process per case, because in one long process the cases measured before an indicator
// moved its figure by up to 1.8× (EMA: 83M–127M updates/s mixed, 148M–155M alone; README.md).
import { CASES, checkSameResult, inputs } from './indicators-cases.mjs';
import { measure } from './harness.mjs';

const [label, warmupText, runsText] = process.argv.slice(2);
const entry = CASES.find(([name]) => name === label);
if (entry === undefined) {
  process.stderr.write(`indicators-child: indicator argument: received ${JSON.stringify(label)}, expected one of ${CASES.map(([name]) => name).join(', ')}\n`);
  process.exit(2);
}
const warmup = Number(warmupText);
const runs = Number(runsText);
const [, library, bare] = entry;

const data = inputs();
const options = { warmup: Math.max(warmup, 2), runs, collectGarbage: false };
const timing = ({ median, min, max, seconds, cpuShare }) => ({ median, min, max, seconds, cpuShare });
const measuredLibrary = await measure(() => library(data), options);
let measuredBare = null;
if (bare !== null) {
  measuredBare = await measure(() => bare(data), options);
  checkSameResult(label, measuredLibrary.result, measuredBare.result);
}
process.stdout.write(`${JSON.stringify({ library: timing(measuredLibrary), bare: measuredBare === null ? null : timing(measuredBare) })}\n`);
