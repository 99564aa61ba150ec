// Every benchmark `run.mjs` knows, in the order it runs them. A benchmark module exports `name`,
// `description` and `run(options)`, which returns rows made with harness.mjs's `row`.
// To add one: write `<name>.bench.mjs` beside this file and list it here.
export const BENCHMARKS = Object.freeze([
  { name: 'backtest', load: () => import('./backtest.bench.mjs') },
  { name: 'indicators', load: () => import('./indicators.bench.mjs') },
  { name: 'decimal', load: () => import('./decimal.bench.mjs') },
  { name: 'book', load: () => import('./book.bench.mjs') },
  { name: 'level3', load: () => import('./level3.bench.mjs') },
  { name: 'ws-ingest', load: () => import('./ws-ingest.bench.mjs') },
  { name: 'latency', load: () => import('./latency.bench.mjs') },
  { name: 'session', load: () => import('./session.bench.mjs') },
]);
