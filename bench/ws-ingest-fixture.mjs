// Kraken WebSocket v2 `ticker` messages (spec §8.6) for the ingest and latency benchmarks: a
// seeded random walk of BTC/USD best bid and offer, written as Kraken writes them (compact JSON,
// JSON numbers at the pair's precisions), about 270 bytes each (the size of real ones).
import { seededRandom } from './book-fixture.mjs';

export const SYMBOL = 'BTC/USD';

/** `value` with at most `decimals` decimals, trailing zeros dropped (how JSON numbers arrive). */
function numberText(value, decimals) {
  return String(Number(value.toFixed(decimals)));
}

function timestampText(ms) {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(ms % 7).padStart(3, '0')}Z`;
}

/**
 * `count` ticker updates: the texts, and each one's bid as JSON.parse reads it (so a consumer
 * can be checked against the sum of the bids, which both JSON.parse and the adapter must see).
 */
export function tickerMessages(count, seed = 1) {
  const random = seededRandom(seed);
  const texts = new Array(count);
  const bids = new Float64Array(count);
  let mid = 29430.25;
  let time = Date.parse('2023-07-30T15:30:00Z');
  for (let index = 0; index < count; index++) {
    mid = Math.max(1000, mid + (random() - 0.5) * 4);
    time += 1 + Math.floor(random() * 5);
    const bid = Math.floor(mid * 10) / 10;
    const ask = bid + 0.1 * (1 + Math.floor(random() * 3));
    const last = random() < 0.5 ? bid : ask;
    const text =
      `{"channel":"ticker","type":"update","data":[{"symbol":"${SYMBOL}","bid":${numberText(bid, 1)},"bid_qty":${numberText(random() * 12, 1 + Math.floor(random() * 4))},` +
      `"ask":${numberText(ask, 1)},"ask_qty":${numberText(random() * 12, 1 + Math.floor(random() * 4))},"last":${numberText(last, 1)},"volume":${numberText(1500 + random() * 100, 2)},` +
      `"vwap":${numberText(mid - 30, 1)},"low":${numberText(mid - 250, 1)},"high":${numberText(mid + 250, 1)},"change":${numberText(random() * 30 - 15, 1)},` +
      `"change_pct":${numberText(random() * 2 - 1, 2)},"timestamp":"${timestampText(time)}"}]}`;
    texts[index] = text;
    bids[index] = JSON.parse(text).data[0].bid;
  }
  return { texts, bids };
}

/** The sum of `values` in order: what a consumer that adds every bid must arrive at, exactly. */
export function sumInOrder(values) {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index];
  return sum;
}

// ---------------------------------------------------------------- a real engine to deliver into

import { Engine, InMemoryStore, LiveClock, StaticInstrumentProvider, instrumentId, krakenSpotInstruments } from '@kbot/core';

/** BTC/USD and the other Kraken spot pairs core knows, as the adapter's instrument provider would list them. */
export function benchInstruments() {
  return new StaticInstrumentProvider(krakenSpotInstruments());
}

/**
 * An execution client that places nothing: `submit` hands each order to `onSubmit` (the latency
 * benchmark serializes it there), every other call does nothing or returns an empty answer.
 */
export function stubExecution(onSubmit = () => {}) {
  return {
    async connect() {},
    submit: onSubmit,
    cancel() {},
    async reconcile(since) {
      return { since, orders: [], fills: [], balances: [] };
    },
    async fetchBalances() {
      return [];
    },
    async close() {},
  };
}

/**
 * A live-mode engine (wall clock) with `strategy` as its one strategy, set up as `runSession` sets
 * up a live bot; its journal is `store` (default in memory: no disk, no commit cost).
 */
export function benchEngine({ strategy, execution = stubExecution(), instruments = benchInstruments(), store = new InMemoryStore() }) {
  return new Engine({
    mode: 'live',
    clock: new LiveClock(),
    instruments,
    execution,
    store,
    strategies: [{ id: strategy.id, strategy, params: {} }],
    quoteAsset: 'USD',
    startBalances: { USD: '1000000', BTC: '10' },
    // As `runSession` starts a live bot: a snapshot every 1,000 events, and the engine keeps what
    // the last snapshot holds, not every order since the start (the rest is in the journal).
    snapshotEvery: 1000,
    history: 'journal',
  });
}

export const BTC_USD = instrumentId(SYMBOL);
