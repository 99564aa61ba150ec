// In-process latency of one market-data message through the adapter and the engine: from the
// message arriving at the Kraken client's socket handler, to the strategy's handler (the signal),
// to the add_order request serialized for the socket, as the execution client would send it.
// Messages come from the ingest benchmark's local server; each message's times are its own, so
// queueing behind earlier messages is not counted (see README.md). Measured twice: with the
// journal in memory (the adapter's and engine's own work), then with the journal a live bot
// opens (SQLite, synced to the disk before an order leaves the process).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openSessionStore } from '@kbot/core';
import { KrakenMarketDataClient, KrakenWsClient, buildKrakenOrderRequest, toKrakenClientOrderId } from '@kbot/exchange-kraken';
import WebSocket from 'ws';
import { describe, log, measure, row } from './harness.mjs';
import { BTC_USD, benchEngine, benchInstruments, stubExecution, tickerMessages } from './ws-ingest-fixture.mjs';

export const name = 'latency';
export const description = 'message received → strategy signal → add_order serialized, in process: p50/p99/p99.9 vs JSON.parse of the same message';

const MESSAGES = 100_000;
const SEED = 11;
/** The strategy orders on every this-many-th quote. */
const ORDER_EVERY = 10;
/** The limits, in µs: p99 to the signal and to the serialized order. */
const SIGNAL_P99_LIMIT = 25;
const ORDER_P99_LIMIT = 50;
/** A placeholder WebSocket token: the request carries one, as the real one does. */
const TOKEN = 'bench-token-0000000000000000000000000000000000';

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** One Float64Array of the samples of every run. */
function joined(runs) {
  const all = new Float64Array(runs.reduce((total, samples) => total + samples.length, 0));
  let offset = 0;
  for (const samples of runs) {
    all.set(samples, offset);
    offset += samples.length;
  }
  return all;
}

function percentiles(samples) {
  const sorted = Float64Array.from(samples).sort();
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999), count: sorted.length };
}

/**
 * The arrival time of the message being handled: taken when a `ws` socket emits 'message', just
 * before the Kraken client's listener runs. The bench wraps `emit` of the very `ws` module the
 * adapter uses (one copy in the workspace), which costs one clock read per message.
 */
const arrival = { at: 0 };
function timeArrivals() {
  const emit = WebSocket.prototype.emit;
  WebSocket.prototype.emit = function timedEmit(event, ...args) {
    if (event === 'message') arrival.at = performance.now();
    return emit.call(this, event, ...args);
  };
  return () => {
    WebSocket.prototype.emit = emit;
  };
}

async function startServer() {
  const child = fork(fileURLToPath(new URL('./ws-ingest-server.mjs', import.meta.url)), [String(MESSAGES), String(SEED)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = await once(child, 'message');
  if (message?.type !== 'listening') throw new Error(`latency server: expected "listening", received ${JSON.stringify(message)}`);
  return { child, url: `ws://127.0.0.1:${message.port}/v2` };
}

/**
 * The adapter, a live engine (journal `store`, default in memory), a strategy that buys on every
 * ORDER_EVERY-th quote, and an execution stub that serializes add_order.
 */
async function pipeline(url, store) {
  const instruments = benchInstruments();
  // Samples go into arrays made before the stream, at their final size: growing an array copies
  // it, and that copy would land inside the timed window of whichever message made it grow.
  const state = { quotes: 0, target: 0, done: () => {}, signal: new Float64Array(MESSAGES), signals: 0, order: new Float64Array(MESSAGES / ORDER_EVERY), orders: 0, requests: 0, lastRequest: '', requestId: 0 };
  const strategy = {
    id: 'latency-probe',
    subscriptions: () => [{ instrumentId: BTC_USD, kind: 'quotes' }],
    onQuote(quote, context) {
      state.signal[state.signals++] = performance.now() - arrival.at;
      if (++state.quotes % ORDER_EVERY === 0) context.orders.submit({ instrumentId: BTC_USD, side: 'buy', type: 'limit', quantity: '0.001', price: String(quote.bid), postOnly: true });
      if (state.quotes === state.target) state.done();
    },
  };
  // What the Kraken execution client does before it sends: its client order id, the request at
  // the instrument's precision, and the add_order text with the token and a request id (the
  // WebSocket client's own serializer, requestText). Then,
  // outside the timed path, the venue's answers as they would come back (accepted, canceled), so
  // the engine holds a bot's few open orders rather than every order the run made.
  let sink;
  const execution = {
    ...stubExecution(),
    async connect(reports) {
      sink = reports;
    },
    submit(order) {
      const request = buildKrakenOrderRequest(order, instruments.get(order.instrumentId), toKrakenClientOrderId(order.clientOrderId));
      state.lastRequest = KrakenWsClient.requestText('add_order', request.ws, ++state.requestId, TOKEN);
      state.order[state.orders++] = performance.now() - arrival.at;
      state.requests++;
      // Answered at once (the engine queues the reports until this step's work is done), so it
      // holds this one open order at a time. Deferred with setImmediate, the answers waited for
      // the whole socket read (hundreds of messages) and the engine held 370 open orders.
      const time = Date.now();
      sink.onAccepted({ clientOrderId: order.clientOrderId, venueOrderId: `O${state.requests}-BENCH`, time });
      sink.onCanceled({ clientOrderId: order.clientOrderId, time, reason: 'benchmark' });
    },
  };
  const engine = benchEngine({ strategy, execution, instruments, ...(store === undefined ? {} : { store }) });
  await engine.start();
  const data = new KrakenMarketDataClient({ instruments, url, env: {} });
  await data.subscribe(engine.subscriptions(), engine);
  return {
    state,
    engine,
    close: async () => {
      await data.close();
      await engine.stop();
    },
  };
}

/** JSON.parse of each message alone, timed the same way: the same-run comparison. */
function parseLatencies(texts) {
  const samples = new Float64Array(texts.length);
  let bids = 0;
  for (let index = 0; index < texts.length; index++) {
    const start = performance.now();
    bids += JSON.parse(texts[index]).data[0].bid;
    samples[index] = performance.now() - start;
  }
  return { samples, bids };
}

/**
 * Streams the server's messages through one pipeline: `warmup` untimed runs, then `timed` runs
 * whose signal and order latencies are kept. Checks that every order was serialized as the
 * strategy's add_order and that none is left open.
 */
async function streamThrough(server, store, warmup, timed, label) {
  const probe = await pipeline(server.url, store);
  const state = probe.state;
  const signals = [];
  const orders = [];
  const stream = async (keep) => {
    state.quotes = 0;
    state.target = MESSAGES;
    state.signals = 0;
    state.orders = 0;
    const done = new Promise((resolve) => {
      state.done = resolve;
    });
    server.child.send({ type: 'stream' });
    await done;
    if (keep) {
      signals.push(state.signal.slice(0, state.signals));
      orders.push(state.order.slice(0, state.orders));
    }
    return state.quotes;
  };
  for (let index = 0; index < warmup; index++) await stream(false);
  const measured = await measure(() => stream(true), { warmup: 0, runs: timed });
  log(describe(`latency: adapter + engine streams, ${label}`, measured));
  await new Promise((resolve) => setImmediate(resolve));
  const open = probe.engine.orders.openOrders().length;
  await probe.close();
  if (open !== 0) throw new Error(`latency (${label}): ${open} orders still open after the run, expected every one canceled`);

  // The orders must be what the strategy asked for, serialized as Kraken's add_order.
  const expectedOrders = (warmup + timed) * (MESSAGES / ORDER_EVERY);
  if (state.requests !== expectedOrders) throw new Error(`latency (${label}): ${state.requests} add_order requests serialized, expected ${expectedOrders}`);
  const request = JSON.parse(state.lastRequest);
  if (request.method !== 'add_order' || request.params.symbol !== 'BTC/USD' || request.params.side !== 'buy' || request.params.order_qty !== 0.001 || request.params.post_only !== true) {
    throw new Error(`latency (${label}): the last add_order request is not the strategy's order: ${state.lastRequest}`);
  }
  return { signals: percentiles(joined(signals)), orders: percentiles(joined(orders)) };
}

/**
 * Where the live journal goes: `trading_data/` in the repository, where a bot run from a project
 * keeps its journal by default (`storage.dir`), so the sync is the same disk's. A temporary
 * folder (os.tmpdir()) may be in memory (tmpfs), where a sync costs nothing.
 */
const JOURNAL_PARENT = fileURLToPath(new URL('../trading_data/', import.meta.url));

export async function run({ warmup = 1, runs = 5 } = {}) {
  const timed = Math.max(1, Math.min(runs, 3));
  log(`latency: ${MESSAGES.toLocaleString('en-US')} ticker messages per run, an order every ${ORDER_EVERY}th; ${warmup} warm-up and ${timed} timed runs, samples pooled`);
  const { texts } = tickerMessages(MESSAGES, SEED);
  const server = await startServer();
  const restore = timeArrivals();
  const madeParent = !existsSync(JOURNAL_PARENT);
  mkdirSync(JOURNAL_PARENT, { recursive: true });
  const journalFolder = mkdtempSync(join(JOURNAL_PARENT, '.bench-latency-'));
  try {
    const inMemory = await streamThrough(server, undefined, warmup, timed, 'journal in memory');
    // As `runSession` opens a live bot's journal: durability `full`, each step's commit synced
    // before an order leaves the process (Engine.commitBeforeVenue).
    const store = openSessionStore(journalFolder, { mode: 'live', botName: 'latency' });
    let journaled;
    try {
      journaled = await streamThrough(server, store, warmup, timed, `live journal in ${journalFolder}`);
    } finally {
      store.close();
    }

    const parsed = [];
    for (let index = 0; index < timed; index++) parsed.push(...parseLatencies(texts).samples);
    const toMicroseconds = (value) => value * 1000;
    const baseline = percentiles(parsed);
    log(`latency: ${inMemory.signals.count.toLocaleString('en-US')} signal and ${inMemory.orders.count.toLocaleString('en-US')} order samples per pipeline`);
    log(`latency: signal p99 ${toMicroseconds(inMemory.signals.p99).toFixed(1)} µs (limit ${SIGNAL_P99_LIMIT}), order p99 ${toMicroseconds(inMemory.orders.p99).toFixed(1)} µs (limit ${ORDER_P99_LIMIT}); with the live journal, order p50 ${toMicroseconds(journaled.orders.p50).toFixed(1)} µs, p99 ${toMicroseconds(journaled.orders.p99).toFixed(1)} µs`);
    const rows = [];
    const labels = [['p50', 'p50'], ['p99', 'p99'], ['p999', 'p99.9']];
    for (const [key, label] of labels) rows.push(row({ name: `latency.json-parse-${label}`, value: toMicroseconds(baseline[key]), unit: 'µs', better: 'lower' }));
    const figures = [
      ['signal', inMemory.signals, SIGNAL_P99_LIMIT],
      ['order', inMemory.orders, ORDER_P99_LIMIT],
      // The same limit, so the table says whether a live bot as configured by default meets it.
      ['order-live-journal', journaled.orders, ORDER_P99_LIMIT],
    ];
    for (const [what, stats, limit] of figures) {
      for (const [key, label] of labels) {
        const value = toMicroseconds(stats[key]);
        const baselineValue = toMicroseconds(baseline[key]);
        // The limit is absolute (µs); as a ratio to this run's JSON.parse it is limit / baseline.
        const target = key === 'p99' ? limit / baselineValue : undefined;
        rows.push(row({ name: `latency.${what}-${label}`, value, unit: 'µs', baseline: `latency.json-parse-${label}`, baselineValue, ...(target === undefined ? {} : { target: Number(target.toPrecision(3)) }), better: 'lower' }));
      }
    }
    return rows;
  } finally {
    restore();
    rmSync(madeParent ? JOURNAL_PARENT : journalFolder, { recursive: true, force: true });
    server.child.send({ type: 'stop' });
  }
}
