import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startKrakenSimulator, type SimOrder, type SimTrade } from '@kbot/exchange-kraken';

/*
 * The Kraken simulator as its own process, for the kill -9 recovery proof
 * (src/recovery.e2e.test.ts): the bot is killed and restarted while this process keeps the
 * exchange (and its market) running. Besides the simulator it serves a small control API on
 * loopback, which the test uses and a bot never sees:
 *
 *   GET  /state   the account as the exchange knows it: balances, every order, every fill, and
 *                 every order-entry request that reached it (REST AddOrder or WebSocket add_order)
 *   POST /pause   freezes the market (no trades, no fills); POST /resume lets it run again
 *
 * On stdout it writes one JSON line per event: `ready` (the URLs and the credentials file),
 * `order` (an order-entry request arrived) and `fill`, so the test can kill the bot right then.
 *
 * Usage: node simulator-host.js <credentials file> [speed] [seed]
 */

interface AddOrderRequest {
  readonly clOrdId: string | undefined;
  readonly userref: number | undefined;
  readonly validate: boolean;
}

interface OutcomeLike {
  readonly ok: boolean;
  readonly error?: string;
}

/** The parts of the simulator's account object this host uses (its public type is narrower). */
interface AccountInternals {
  addOrder(request: AddOrderRequest, options?: unknown): OutcomeLike;
  subscribe(listener: (event: { readonly type: string; readonly trade?: SimTrade; readonly order?: SimOrder }) => void): () => void;
  restLimiter: unknown;
}

const [credentialsFile, speedText = '300', seedText = '7'] = process.argv.slice(2);
if (credentialsFile === undefined) {
  process.stderr.write('usage: simulator-host <credentials file> [speed] [seed]\n');
  process.exit(2);
}

const key = `kbot-e2e-${randomBytes(6).toString('hex')}`;
const secret = randomBytes(64).toString('base64');
const simulator = await startKrakenSimulator({
  market: {
    sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 200_000, seed: Number(seedText), startPrice: 40_000, volumePerHour: 30 } }],
    historyBars: 60,
    timeOrigin: 'now',
    tradesPerBar: 8,
    // A wide spread keeps the book's ask above a bid the tape traded through by a little, so such
    // orders fill only by the tape's volume share: partial fills that stay partial for a while.
    spreadTicks: 150,
  },
  accounts: [{ key, secret, balances: { USD: '10000' }, tier: 'intermediate' }],
  speed: Number(speedText),
});

const account = simulator.account(key);
const internals = account as unknown as AccountInternals;
// Kraken's REST call counter is kept per key across connections; every start-up reconciliation
// costs about ten points of it, so two dozen restarts a minute (far more than any real bot makes)
// would wait on it for minutes. The proof is about recovery, so the counter is lifted here (and
// each bot process keeps a counter file of its own, kbot.config.ts); the per-pair trading
// counter, which orders and cancels pay, stays as Kraken's.
internals.restLimiter = { limits: { max: 1_000_000, decayPerSecond: 1_000_000 }, cost: () => 0, canSpend: () => true, waitTimeMs: () => 0, spend: () => undefined, remaining: () => 1_000_000 };
const entries: { clOrdId: string | null; userref: number | null; ok: boolean; error: string | null; wall: number }[] = [];
const place = internals.addOrder.bind(account);
internals.addOrder = (request, options) => {
  const outcome = place(request, options);
  if (!request.validate) {
    entries.push({ clOrdId: request.clOrdId ?? null, userref: request.userref ?? null, ok: outcome.ok, error: outcome.error ?? null, wall: Date.now() });
    line({ event: 'order', clOrdId: request.clOrdId, ok: outcome.ok });
  }
  return outcome;
};
internals.subscribe((event) => {
  if (event.type === 'trade' && event.trade !== undefined) line({ event: 'fill', txid: event.trade.txid, clOrdId: event.trade.order.clOrdId });
});

function line(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function orderJson(order: SimOrder) {
  return {
    txid: order.txid,
    clOrdId: order.clOrdId ?? null,
    side: order.side,
    status: order.status,
    volume: order.volume.toFixed(),
    volExec: order.volExec.toFixed(),
    price: order.price?.toFixed() ?? null,
    reason: order.reason ?? null,
  };
}

const control = createServer((request, response) => {
  const reply = (status: number, body: unknown) => response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  if (request.method === 'GET' && request.url === '/state') {
    reply(200, {
      marketTime: simulator.now(),
      balances: account.balances().map((balance) => ({ asset: balance.asset, total: balance.total.toFixed() })),
      orders: account.orders().map(orderJson),
      trades: account.trades().map((trade) => ({ txid: trade.txid, ordertxid: trade.order.txid, clOrdId: trade.order.clOrdId ?? null, vol: trade.vol.toFixed(), price: trade.price.toFixed(), fee: trade.fee.toFixed() })),
      entries,
    });
  } else if (request.method === 'POST' && request.url === '/pause') {
    simulator.pauseMarket();
    reply(200, { paused: true, marketTime: simulator.now() });
  } else if (request.method === 'POST' && request.url === '/resume') {
    simulator.resumeMarket();
    reply(200, { paused: false, marketTime: simulator.now() });
  } else {
    reply(404, { error: `no ${request.method} ${request.url}` });
  }
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));

writeFileSync(
  credentialsFile,
  JSON.stringify({
    KRAKEN_API_KEY: key,
    KRAKEN_API_SECRET: secret,
    KRAKEN_REST_URL: simulator.restUrl,
    KRAKEN_WS_URL: simulator.wsUrl,
    KRAKEN_WS_AUTH_URL: simulator.wsAuthUrl,
  }),
  { mode: 0o600 },
);
line({ event: 'ready', controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`, restUrl: simulator.restUrl });

const stop = async () => {
  control.close();
  await simulator.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
