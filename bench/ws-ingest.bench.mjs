// WebSocket ingest: a local server (a child process, so its CPU time is not ours) streams Kraken
// v2 ticker messages as fast as the client reads them. The floor is a bare `ws` client that
// JSON.parses each message; measured is the adapter's KrakenMarketDataClient delivering quotes
// into a real core Engine with a strategy subscribed, in the same run (see README.md).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { KrakenMarketDataClient } from '@kbot/exchange-kraken';
import WebSocket from 'ws';
import { describe, log, measure, row } from './harness.mjs';
import { BTC_USD, benchEngine, benchInstruments, sumInOrder, tickerMessages } from './ws-ingest-fixture.mjs';

export const name = 'ws-ingest';
export const description = 'Kraken v2 ticker messages over a local WebSocket: adapter + engine vs a ws client that only JSON.parses';

const MESSAGES = 200_000;
const SEED = 7;
/** The target: the adapter and engine at no less than 0.8× the bare client. */
const TARGET = 0.8;

/** Starts the server child; resolves with it and its URL once it listens. */
async function startServer() {
  const child = fork(fileURLToPath(new URL('./ws-ingest-server.mjs', import.meta.url)), [String(MESSAGES), String(SEED)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = await once(child, 'message');
  if (message?.type !== 'listening') throw new Error(`ws-ingest server: expected "listening", received ${JSON.stringify(message)}`);
  child.on('message', (next) => {
    if (next?.type === 'error') log(`ws-ingest server: ${next.message}`);
  });
  return { child, url: `ws://127.0.0.1:${message.port}/v2` };
}

/** Waits until `counter.count` reaches `target` (the consumer calls `counter.done` then). */
function expectMessages(counter, target) {
  counter.count = 0;
  counter.sum = 0;
  counter.target = target;
  return new Promise((resolve) => {
    counter.done = resolve;
  });
}

/** The floor: a `ws` client whose only work per message is JSON.parse (and adding the bid, as the strategy does). */
async function bareClient(url) {
  const counter = { count: 0, sum: 0, target: 0, done: () => {} };
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await once(socket, 'open');
  let acknowledged = false;
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString('utf8'));
    if (!acknowledged) {
      acknowledged = message.method === 'subscribe';
      return;
    }
    counter.sum += message.data[0].bid;
    if (++counter.count === counter.target) counter.done();
  });
  socket.send(JSON.stringify({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD'], event_trigger: 'bbo' }, req_id: 1 }));
  while (!acknowledged) await new Promise((resolve) => setTimeout(resolve, 5));
  return { counter, close: () => socket.close() };
}

/** The adapter: KrakenMarketDataClient → Engine → a strategy that adds up the bids of the quotes it is given. */
async function adapterClient(url) {
  const counter = { count: 0, sum: 0, target: 0, done: () => {} };
  const strategy = {
    id: 'quote-reader',
    subscriptions: () => [{ instrumentId: BTC_USD, kind: 'quotes' }],
    onQuote(quote) {
      counter.sum += quote.bid;
      if (++counter.count === counter.target) counter.done();
    },
  };
  const engine = benchEngine({ strategy });
  await engine.start();
  const data = new KrakenMarketDataClient({ instruments: benchInstruments(), url, env: {} });
  await data.subscribe(engine.subscriptions(), engine);
  return {
    counter,
    close: async () => {
      await data.close();
      await engine.stop();
    },
  };
}

/** One timed stream: the server writes every message; resolves when the consumer has them all. */
async function streamOnce(server, counter) {
  const received = expectMessages(counter, MESSAGES);
  server.child.send({ type: 'stream' });
  await received;
  return counter.sum;
}

export async function run({ warmup = 1, runs = 5 } = {}) {
  log(`ws-ingest: ${MESSAGES.toLocaleString('en-US')} ticker messages per run from a server in a child process`);
  const expectedSum = sumInOrder(tickerMessages(MESSAGES, SEED).bids);
  const server = await startServer();
  try {
    const check = (what, sum) => {
      if (sum !== expectedSum) throw new Error(`ws-ingest: ${what} added up the bids to ${sum}, expected ${expectedSum}: it did not see every message as sent`);
    };

    log('ws-ingest: bare ws client, JSON.parse only');
    const bare = await bareClient(server.url);
    const floor = await measure(() => streamOnce(server, bare.counter), { warmup, runs });
    bare.close();
    check('the bare client', floor.result);
    log(describe('ws-ingest: bare client', floor));

    log('ws-ingest: KrakenMarketDataClient into a core Engine with one strategy');
    const adapter = await adapterClient(server.url);
    const measured = await measure(() => streamOnce(server, adapter.counter), { warmup, runs });
    await adapter.close();
    check('the adapter and engine', measured.result);
    log(describe('ws-ingest: adapter + engine', measured));

    const floorRate = MESSAGES / floor.median;
    const adapterRate = MESSAGES / measured.median;
    return [
      row({ name: 'ws-ingest.json-parse-floor', value: floorRate, unit: 'msg/s' }),
      row({ name: 'ws-ingest.adapter-engine', value: adapterRate, unit: 'msg/s', baseline: 'ws-ingest.json-parse-floor', baselineValue: floorRate, target: TARGET }),
    ];
  } finally {
    server.child.send({ type: 'stop' });
  }
}
