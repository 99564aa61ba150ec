import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Decimal, ExchangeError, krakenSpotInstruments, type Instrument, type Quote, type Trade } from '@kbot/core';
import { RecordingLogger, submitOrder } from '@kbot/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { BookHealth } from '../book/book-keeper.js';
import { buildKrakenOrderRequest } from '../kraken-order-request.js';
import { L2Book } from '../book/l2-book.js';
import { KrakenWsClient, type KrakenWsClientOptions, type KrakenWsConnectionState } from './kraken-ws-client.js';
import type { KrakenExecutionsMessage } from './parse-executions.js';

type Request = { method: string; params?: Record<string, unknown>; req_id?: number };
type Reply = (socket: ServerSocket, request: Request, raw: string, connection: number) => void;

const STATUS = '{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":17843232920108168701,"system":"online","version":"2.0.10"}]}';

/** A stand-in for Kraken on 127.0.0.1: sends the status message on connect and lets each test answer requests. */
async function startServer(reply: Reply, options: { verifyClient?: WebSocketServer['options']['verifyClient'] } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...(options.verifyClient ? { verifyClient: options.verifyClient } : {}) });
  await once(server, 'listening');
  const sockets: ServerSocket[] = [];
  const requests: { request: Request; raw: string; connection: number }[] = [];
  server.on('connection', (socket) => {
    const connection = sockets.push(socket);
    socket.send(STATUS);
    socket.on('message', (data) => {
      const raw = data.toString();
      const request = JSON.parse(raw) as Request;
      requests.push({ request, raw, connection });
      reply(socket, request, raw, connection);
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async () => {
    for (const socket of sockets) socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { server, url, sockets, requests, stop };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function ack(socket: ServerSocket, request: Request, result: Record<string, unknown> | undefined, error?: string): void {
  socket.send(
    JSON.stringify({
      method: request.method,
      req_id: request.req_id,
      ...(result === undefined ? {} : { result }),
      success: error === undefined,
      ...(error === undefined ? {} : { error }),
      time_in: '2023-09-21T14:15:07.197274Z',
      time_out: '2023-09-21T14:15:07.205301Z',
    }),
  );
}

/** Acknowledges a subscribe once per symbol, as Kraken does. */
function ackEachSymbol(socket: ServerSocket, request: Request): void {
  const params = request.params ?? {};
  const symbols = Array.isArray(params.symbol) ? (params.symbol as string[]) : [undefined];
  for (const symbol of symbols) {
    const { token: _token, symbol: _symbols, ...rest } = params;
    ack(socket, request, { ...rest, ...(symbol === undefined ? {} : { symbol }) });
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function client(options: KrakenWsClientOptions): KrakenWsClient {
  const created = new KrakenWsClient({ reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 200, random: () => 0.5, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function server(reply: Reply, options?: Parameters<typeof startServer>[1]) {
  const started = await startServer(reply, options);
  cleanups.push(started.stop);
  return started;
}

// Spec §9.2 test vector A as a v2 snapshot message (Kraken's documented checksum 3310070434).
const SNAPSHOT_A = JSON.stringify({
  channel: 'book',
  type: 'snapshot',
  data: [
    {
      symbol: 'BTC/USD',
      bids: [[45283.5, 0.1], [45283.4, 1.54582015], [45282.1, 0.1], [45281.0, 0.1], [45280.3, 1.54592586], [45279.0, 0.0799], [45277.6, 0.03310103], [45277.5, 0.3], [45277.3, 1.54602737], [45276.6, 0.15445238]].map(([price, qty]) => ({ price, qty })),
      asks: [[45285.2, 0.001], [45286.4, 1.54571953], [45286.6, 1.54571109], [45289.6, 1.54560911], [45290.2, 0.1589066], [45291.8, 1.54553491], [45294.7, 0.04454749], [45296.1, 0.3538], [45297.5, 0.09945542], [45299.5, 0.18772827]].map(([price, qty]) => ({ price, qty })),
      checksum: 3310070434,
      timestamp: '2023-10-06T17:35:55.440295Z',
    },
  ],
});

/** An update adding one bid, with the checksum an independent book computes for it (or a wrong one). */
function bookUpdate(price: string, qty: string, correct: boolean): string {
  const book = new L2Book({ instrumentId: 'BTC/USD' as never, pricePrecision: 1, quantityPrecision: 8, depth: 10 });
  const snapshot = JSON.parse(SNAPSHOT_A).data[0] as { bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] };
  for (const level of snapshot.bids) book.setLevel('bid', String(level.price), String(level.qty));
  for (const level of snapshot.asks) book.setLevel('ask', String(level.price), String(level.qty));
  book.setLevel('bid', price, qty);
  book.truncate();
  const checksum = correct ? book.checksum() : (book.checksum() + 1) % 2 ** 32;
  return `{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":${price},"qty":${qty}}],"asks":[],"checksum":${checksum},"timestamp":"2023-10-06T17:35:56.000000Z"}]}`;
}

describe('KrakenWsClient subscriptions', () => {
  it('subscribes with a req_id, resolves on the per-symbol acks and delivers ticker data as Quotes', async () => {
    const kraken = await server((socket, request) => {
      if (request.method !== 'subscribe') return;
      ackEachSymbol(socket, request);
      socket.send('{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":29430.2,"bid_qty":0.5,"ask":29430.3,"ask_qty":8.25215653,"last":29430.3,"volume":1000,"vwap":29400,"low":29000,"high":29500,"change":10,"change_pct":0.03,"timestamp":"2023-07-30T15:29:58.343415Z"}]}');
    });
    const quotes: Quote[] = [];
    const ws = client({ url: kraken.url, handlers: { onQuote: (quote) => quotes.push(quote) } });
    await ws.connect();
    expect(ws.state).toBe('open');
    await ws.subscribe({ channel: 'ticker', symbols: ['BTC/USD', 'ETH/USD'] });
    const [{ request }] = kraken.requests;
    expect(request).toEqual({ method: 'subscribe', params: { channel: 'ticker', symbol: ['BTC/USD', 'ETH/USD'] }, req_id: expect.any(Number) });
    await waitFor(() => quotes.length === 1, 'a quote');
    expect(quotes[0]).toEqual({ instrumentId: 'BTC/USD', time: Date.parse('2023-07-30T15:29:58.343Z'), bid: 29430.2, bidSize: 0.5, ask: 29430.3, askSize: 8.25215653 });
    // already live: resolves without another request
    await ws.subscribe({ channel: 'ticker', symbols: ['BTC/USD'] });
    expect(kraken.requests).toHaveLength(1);
  });

  it("rejects with Kraken's refusal mapped to ExchangeError, and remembers subscriptions made before connect", async () => {
    const kraken = await server((socket, request) => {
      if (request.method !== 'subscribe') return;
      const symbols = request.params!.symbol as string[];
      for (const symbol of symbols) {
        if (symbol === 'NOPE/USD') ack(socket, request, undefined, `Currency pair not supported ${symbol}`);
        else ack(socket, request, { channel: 'trade', symbol, snapshot: false });
      }
    });
    const ws = client({ url: kraken.url });
    const early = ws.subscribe({ channel: 'trade', symbols: ['ETH/USD'] });
    await ws.connect();
    await early;
    const refused = ws.subscribe({ channel: 'trade', symbols: ['NOPE/USD', 'BTC/USD'] });
    await expect(refused).rejects.toBeInstanceOf(ExchangeError);
    await expect(refused).rejects.toThrow(/Currency pair not supported NOPE\/USD/);
  });

  it('refuses a book without known precisions, a bad depth and private channels on a public client, naming the field', async () => {
    const ws = client({ url: 'ws://127.0.0.1:1' });
    await expect(ws.subscribe({ channel: 'book', symbols: ['BTC/USD'] })).rejects.toThrow(/book\.symbols BTC\/USD: received no known precision/);
    await expect(ws.subscribe({ channel: 'book', symbols: ['BTC/USD'], depth: 7 as never })).rejects.toThrow(/book\.depth: received 7, expected one of 10, 25, 100, 500, 1000/);
    await expect(ws.subscribe({ channel: 'executions' })).rejects.toThrow(/private channels need a client with access "private"/);
    expect(() => new KrakenWsClient({ access: 'private' })).toThrow(/getToken/);
    // Trading requests Kraken would refuse are refused before anything is sent.
    const trader = client({ url: 'ws://127.0.0.1:1', access: 'private', getToken: async () => 't' });
    const order = { order_type: 'limit', side: 'buy', order_qty: 1, limit_price: 1 };
    await expect(trader.batchAdd({ symbol: 'BTC/USD', orders: [order] } as never)).rejects.toThrow(/batch_add\.orders: received 1 orders, expected 2 to 15 orders on one symbol/);
    await expect(trader.amendOrder({ order_qty: 1 } as never)).rejects.toThrow(/amend_order: received neither order_id nor cl_ord_id, expected exactly one of them/);
    await expect(trader.amendOrder({ order_id: 'O1', cl_ord_id: 'c1', order_qty: 1 } as never)).rejects.toThrow(/received both order_id and cl_ord_id/);
  });

  it('takes URLs from options, then KRAKEN_WS_URL / KRAKEN_WS_AUTH_URL, then the defaults', () => {
    expect(new KrakenWsClient({ env: {} }).url).toBe('wss://ws.kraken.com/v2');
    expect(new KrakenWsClient({ env: { KRAKEN_WS_URL: 'ws://sim:1/v2' } }).url).toBe('ws://sim:1/v2');
    const token = async () => 't';
    expect(new KrakenWsClient({ access: 'private', getToken: token, env: {} }).url).toBe('wss://ws-auth.kraken.com/v2');
    expect(new KrakenWsClient({ access: 'private', getToken: token, env: { KRAKEN_WS_AUTH_URL: 'ws://sim:2/v2' } }).url).toBe('ws://sim:2/v2');
    expect(new KrakenWsClient({ url: 'ws://given/v2', env: { KRAKEN_WS_URL: 'ws://sim:1/v2' } }).url).toBe('ws://given/v2');
  });
});

describe('KrakenWsClient books', () => {
  it('applies snapshot and updates with verified checksums, and resubscribes for a fresh snapshot on a mismatch', async () => {
    let bookSubscribes = 0;
    const kraken = await server((socket, request) => {
      if (request.method === 'subscribe') {
        bookSubscribes++;
        ackEachSymbol(socket, request);
        socket.send(SNAPSHOT_A);
        if (bookSubscribes === 1) {
          socket.send(bookUpdate('45283.6', '0.5', true));
          socket.send(bookUpdate('45283.7', '0.25', false));
          socket.send(bookUpdate('45283.8', '0.25', true)); // arrives before the resync: ignored
        }
      } else if (request.method === 'unsubscribe') {
        ack(socket, request, { channel: 'book', depth: 10, symbol: 'BTC/USD' });
      }
    });
    const health: BookHealth[] = [];
    const best: number[] = [];
    const ws = client({
      url: kraken.url,
      precisions: (symbol) => (symbol === 'BTC/USD' ? { pricePrecision: 1, quantityPrecision: 8 } : undefined),
      handlers: { onBookHealth: (event) => health.push(event), onBook: (book) => best.push(book.bestBidPrice()) },
    });
    await ws.connect();
    await ws.subscribe({ channel: 'book', symbols: ['BTC/USD'], depth: 10 });
    await waitFor(() => health.length === 3, 'synced, resync, synced');
    expect(health.map((event) => [event.status, event.mismatches, event.resyncs])).toEqual([
      ['synced', 0, 0],
      ['resync', 1, 1],
      ['synced', 1, 1],
    ]);
    expect(health[1]).toMatchObject({ instrumentId: 'BTC/USD', reason: 'checksum' });
    expect(best).toEqual([45283.5, 45283.6, 45283.5]);
    const methods = kraken.requests.map(({ request }) => `${request.method} ${JSON.stringify(request.params)}`);
    expect(methods).toEqual([
      'subscribe {"channel":"book","depth":10,"snapshot":true,"symbol":["BTC/USD"]}',
      'unsubscribe {"channel":"book","depth":10,"symbol":["BTC/USD"]}',
      'subscribe {"channel":"book","depth":10,"snapshot":true,"symbol":["BTC/USD"]}',
    ]);
    expect(ws.book('BTC/USD')!.checksum()).toBe(3310070434);
    expect(ws.bookHealth('BTC/USD')).toMatchObject({ status: 'synced', mismatches: 1 });
  });
});

describe('KrakenWsClient connection', () => {
  it('reconnects with backoff after the server drops the connection and resubscribes everything', async () => {
    const kraken = await server((socket, request, _raw, connection) => {
      if (request.method !== 'subscribe') return;
      ackEachSymbol(socket, request);
      if (request.params!.channel === 'book') socket.send(SNAPSHOT_A);
      if (connection === 1 && request.params!.channel === 'ticker') setTimeout(() => socket.terminate(), 20);
    });
    const states: [KrakenWsConnectionState, number | undefined][] = [];
    const health: BookHealth[] = [];
    const ws = client({
      url: kraken.url,
      precisions: () => ({ pricePrecision: 1, quantityPrecision: 8 }),
      handlers: { onConnectionState: (state, detail) => states.push([state, detail.delayMs]), onBookHealth: (event) => health.push(event) },
    });
    await ws.connect();
    await ws.subscribe({ channel: 'book', symbols: ['BTC/USD'], depth: 10 });
    await ws.subscribe({ channel: 'ticker', symbols: ['ETH/USD'] });
    await waitFor(() => kraken.requests.filter(({ connection }) => connection === 2).length === 2, 'both resubscribes on the new connection');
    await waitFor(() => health.length === 3 && ws.state === 'open', 'the book synced again');
    // full jitter with random 0.5 and base 20 ms: first retry waits 10 ms
    expect(states).toContainEqual(['reconnecting', 10]);
    expect(states.at(-1)).toEqual(['open', undefined]);
    const again = kraken.requests.filter(({ connection }) => connection === 2).map(({ request }) => request.params!.channel);
    expect(again.sort()).toEqual(['book', 'ticker']);
    // The lost connection dropped the book: reported, then verified again by the new snapshot.
    expect(health.map((event) => [event.status, event.reason ?? null])).toEqual([['synced', null], ['resync', 'disconnected'], ['synced', null]]);
    expect(ws.book('BTC/USD')!.checksum()).toBe(3310070434);
  });

  it('pings after silence, stays up while pongs come, and reconnects when a ping goes unanswered', async () => {
    let answerPings = true;
    const kraken = await server((socket, request) => {
      if (request.method === 'ping' && answerPings) socket.send(JSON.stringify({ method: 'pong', req_id: request.req_id, time_in: '2023-09-21T14:15:07.197274Z', time_out: '2023-09-21T14:15:07.205301Z' }));
    });
    const ws = client({ url: kraken.url, idleTimeoutMs: 60, pongTimeoutMs: 80, watchdogIntervalMs: 10 });
    await ws.connect();
    await waitFor(() => kraken.requests.filter(({ request }) => request.method === 'ping').length >= 3, 'three pings');
    expect(kraken.sockets).toHaveLength(1);
    expect(ws.state).toBe('open');
    answerPings = false;
    await waitFor(() => kraken.sockets.length === 2, 'a new connection');
    answerPings = true;
    await waitFor(() => ws.state === 'open', 'open again');
    expect(await ws.ping()).toBeGreaterThanOrEqual(0);
  });

  it('survives and reports malformed, unknown and broken messages, then keeps delivering data', async () => {
    const kraken = await server((socket, request) => {
      if (request.method !== 'subscribe') return;
      ackEachSymbol(socket, request);
      socket.send('this is not json {');
      socket.send('{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1}]}]}');
      socket.send('{"channel":"mystery","data":[]}');
      socket.send('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":"abc"}]}');
      socket.send('[1,2,3]');
      socket.send('{"params":{"token":"secret-token-value"}}');
      socket.send('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1,"bid_qty":2,"ask":3,"ask_qty":4}]}');
    });
    const logger = new RecordingLogger();
    const lines = logger.lines;
    const reasons: string[] = [];
    const quotes: Quote[] = [];
    let throwOnce = true;
    const ws = client({
      url: kraken.url,
      logger,
      handlers: {
        onUnexpectedMessage: (reason) => reasons.push(reason),
        onQuote: (quote) => {
          quotes.push(quote);
          if (throwOnce) {
            throwOnce = false;
            throw new Error('a strategy bug');
          }
        },
      },
    });
    await ws.connect();
    await ws.subscribe({ channel: 'ticker', symbols: ['BTC/USD'] });
    await waitFor(() => quotes.length === 1, 'the valid quote');
    expect(reasons).toHaveLength(6);
    expect(reasons[0]).toMatch(/^not JSON: JSON: expected a value at character 0/);
    expect(reasons[1]).toMatch(/unreadable book message: a level without price or qty/);
    expect(reasons[2]).toMatch(/unknown channel "mystery"/);
    expect(reasons[3]).toMatch(/ticker\.bid: received "abc", expected a number/);
    expect(reasons[4]).toMatch(/not a JSON object/);
    expect(reasons[5]).toMatch(/neither a reply \(method\) nor channel data/);
    expect(lines.filter((line) => line.message === 'Kraken WebSocket message skipped')).toHaveLength(6);
    // a token never reaches a log line
    expect(JSON.stringify(lines)).not.toContain('secret-token-value');
    expect(JSON.stringify(lines)).toContain('[redacted]');
    expect(lines.some((line) => line.level === 'error' && /handler onQuote threw/.test(line.message))).toBe(true);
    expect(ws.state).toBe('open');
  });

  it('delivers trades in compact or any other valid form, and reports a broken one', async () => {
    const compact = '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":29430.2,"qty":0.5,"ord_type":"limit","trade_id":18446744073709551615,"timestamp":"2023-07-30T15:29:58.343415Z"}]}';
    const kraken = await server((socket, request) => {
      if (request.method !== 'subscribe') return;
      ackEachSymbol(socket, request);
      socket.send(compact);
      socket.send('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":"abc","qty":1}]}');
      socket.send(JSON.stringify(JSON.parse(compact.replace('18446744073709551615', '7')), null, 1));
    });
    const batches: (readonly Trade[])[] = [];
    const reasons: string[] = [];
    const ws = client({ url: kraken.url, handlers: { onTrades: (trades) => batches.push(trades), onUnexpectedMessage: (reason) => reasons.push(reason) } });
    await ws.connect();
    await ws.subscribe({ channel: 'trade', symbols: ['BTC/USD'] });
    await waitFor(() => batches.length === 2, 'two trade messages');
    const trade = { instrumentId: 'BTC/USD', time: Date.parse('2023-07-30T15:29:58.343Z'), price: 29430.2, quantity: 0.5, side: 'buy' };
    expect(batches).toEqual([[{ ...trade, tradeId: '18446744073709551615' }], [{ ...trade, tradeId: '7' }]]);
    expect(reasons).toEqual([expect.stringMatching(/trade\.price: received "abc", expected a number/)]);
  });

  it('stops for good when the upgrade is refused with 401 and rejects connect with an authentication error', async () => {
    const kraken = await server(() => undefined, { verifyClient: (_info, callback) => callback(false, 401, 'Unauthorized') });
    const ws = client({ url: kraken.url });
    const error = await ws.connect().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ExchangeError);
    expect((error as ExchangeError).kind).toBe('authentication');
    expect(ws.state).toBe('failed');
  });
});

describe('KrakenWsClient private connection', () => {
  const EXECUTIONS = [
    '{"channel":"executions","type":"update","sequence":7,"data":[{"exec_type":"trade","order_id":"OABC12-DEF34-GHI567","exec_id":"TBQGLU-646YF-3L6UC6","trade_id":1234567,"symbol":"BTC/USD","side":"buy","last_qty":0.0001,"last_price":33000,"cost":3.3,"liquidity_ind":"m","fees":[{"asset":"USD","qty":0.00825}],"cum_qty":0.0001,"cum_cost":3.3,"avg_price":33000,"order_status":"partially_filled","timestamp":"2026-06-06T10:05:00Z"}]}',
    '{"channel":"executions","type":"update","sequence":9,"data":[{"exec_type":"filled","order_id":"OABC12-DEF34-GHI567","order_status":"filled","cum_qty":0.0001,"cum_cost":3.3,"avg_price":33000,"fee_usd_equiv":0.00825,"timestamp":"2026-06-06T10:05:00Z"}]}',
  ];

  it('refreshes the token on EAPI:Invalid token, resubscribes, and delivers executions with exact Decimals', async () => {
    const kraken = await server((socket, request) => {
      if (request.method !== 'subscribe') return;
      if (request.params!.token === 'token-1') {
        ack(socket, request, undefined, 'EAPI:Invalid token');
        return;
      }
      ackEachSymbol(socket, request);
      for (const message of EXECUTIONS) socket.send(message);
    });
    const tokens = ['token-1', 'token-2'];
    let fetched = 0;
    const messages: KrakenExecutionsMessage[] = [];
    const gaps: number[] = [];
    const ws = client({
      access: 'private',
      url: kraken.url,
      getToken: async () => tokens[Math.min(fetched++, tokens.length - 1)]!,
      handlers: { onExecutions: (message) => messages.push(message), onSequenceGap: (gap) => gaps.push(gap.received) },
    });
    await ws.connect();
    await ws.subscribe({ channel: 'executions', snapTrades: true });
    expect(fetched).toBe(2);
    expect(kraken.requests.map(({ request }) => request.params!.token)).toEqual(['token-1', 'token-2']);
    expect(kraken.requests[1]!.request.params).toEqual({ channel: 'executions', snap_trades: true, token: 'token-2' });
    await waitFor(() => messages.length === 2, 'two executions messages');
    const fill = messages[0]!.reports[0]!.fill!;
    expect(fill.executionId).toBe('TBQGLU-646YF-3L6UC6');
    expect(fill.tradeId).toBe('1234567');
    expect(fill.fees[0]!.quantity.equals(new Decimal('0.00825'))).toBe(true);
    expect(fill.quantity.toFixed()).toBe('0.0001');
    expect(messages[1]!.reports[0]!.execType).toBe('filled');
    expect(gaps).toEqual([9]);
  });

  it('fetches a token for each connection that opens, not for each failed attempt (GetWebSocketsToken costs a REST counter point)', async () => {
    let upgrades = 0;
    const kraken = await server(
      (socket, request, _raw, connection) => {
        if (request.method !== 'subscribe') return;
        ackEachSymbol(socket, request);
        if (connection === 1) setTimeout(() => socket.terminate(), 20);
      },
      // The first three upgrades are refused as an overloaded gateway would: retryable, nothing opened.
      { verifyClient: (_info: unknown, done: (result: boolean, code?: number) => void) => done(++upgrades > 3, 503) },
    );
    let fetched = 0;
    const ws = client({ access: 'private', url: kraken.url, getToken: async () => `token-${++fetched}` });
    const subscribed = ws.subscribe({ channel: 'executions' });
    await ws.connect();
    await subscribed;
    expect(upgrades).toBe(4);
    expect(fetched).toBe(1);
    // The connection that carried token-1 drops: the next one asks for its own (spec §11.4).
    await waitFor(() => kraken.requests.some(({ connection }) => connection === 2), 'the resubscription on the second connection');
    expect(kraken.requests.map(({ request, connection }) => `${connection} ${String(request.params!.token)}`)).toEqual(['1 token-1', '2 token-2']);
    expect(fetched).toBe(2);
  });

  it('places an order over the socket with exact numbers and maps Kraken errors to ExchangeError', async () => {
    const kraken = await server((socket, request) => {
      if (request.method !== 'add_order') return;
      const params = request.params!;
      if (params.token === 'stale') {
        ack(socket, request, undefined, 'EAPI:Invalid token');
      } else if (params.side === 'sell') {
        ack(socket, request, undefined, 'EOrder:Insufficient funds');
      } else {
        ack(socket, request, { order_id: 'OPS23M-VS41G-DDE5Z2', cl_ord_id: params.cl_ord_id, warnings: ['cancel_reason is deprecated'] });
      }
    });
    const tokens = ['stale', 'fresh'];
    let fetched = 0;
    const ws = client({ access: 'private', url: kraken.url, getToken: async () => tokens[Math.min(fetched++, 1)]! });
    await ws.connect();
    // the connection took 'stale'; the first add_order is refused for it, refreshed and resent once
    const placed = await ws.addOrder({
      order_type: 'limit',
      side: 'buy',
      order_qty: new Decimal('1.25'),
      limit_price: new Decimal('37500.10'),
      symbol: 'BTC/USD',
      time_in_force: 'gtc',
      post_only: true,
      cl_ord_id: 'd15708c1-dbb6-465d-b77d-47258319cc90',
    });
    expect(placed).toEqual({ order_id: 'OPS23M-VS41G-DDE5Z2', cl_ord_id: 'd15708c1-dbb6-465d-b77d-47258319cc90', warnings: ['cancel_reason is deprecated'] });
    const sent = kraken.requests.filter(({ request }) => request.method === 'add_order');
    expect(sent.map(({ request }) => request.params!.token)).toEqual(['stale', 'fresh']);
    expect(sent[1]!.raw).toContain('"order_qty":1.25,');
    expect(sent[1]!.raw).toContain('"limit_price":37500.1,');
    const refused = await ws.addOrder({ order_type: 'market', side: 'sell', order_qty: '5', symbol: 'BTC/USD' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ExchangeError);
    expect(refused).toMatchObject({ kind: 'insufficient-funds', retryable: false, venueMessage: 'EOrder:Insufficient funds' });
  });

  it('sends an order built by buildKrakenOrderRequest as exactly the text Kraken expects, the token last in params', async () => {
    const kraken = await server((socket, request) => {
      if (request.method === 'add_order') ack(socket, request, { order_id: 'OPS23M-VS41G-DDE5Z2', cl_ord_id: request.params!.cl_ord_id });
    });
    const ws = client({ access: 'private', url: kraken.url, getToken: async () => 'secret-token' });
    await ws.connect();
    const btcUsd = krakenSpotInstruments().find((instrument) => instrument.id === 'BTC/USD') as Instrument;
    const request = buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '0.00150000', price: '39500.50', postOnly: true }), btcUsd, 'L1700000000000-7');
    expect(await ws.addOrder(request.ws)).toEqual({ order_id: 'OPS23M-VS41G-DDE5Z2', cl_ord_id: 'L1700000000000-7' });
    const [sent] = kraken.requests.filter(({ request: each }) => each.method === 'add_order');
    expect(sent!.raw).toBe(
      `{"method":"add_order","params":{"symbol":"BTC/USD","order_type":"limit","side":"buy","order_qty":0.0015,"limit_price":39500.5,"time_in_force":"gtc","post_only":true,"cl_ord_id":"L1700000000000-7","token":"secret-token"},"req_id":${sent!.request.req_id}}`,
    );
    expect(sent!.raw).toBe(KrakenWsClient.requestText('add_order', request.ws, sent!.request.req_id!, 'secret-token'));
  });

  it('collects one reply per canceled order and reports the ones that failed', async () => {
    const kraken = await server((socket, request) => {
      if (request.method === 'cancel_order') {
        const ids = request.params!.order_id as string[];
        ack(socket, request, { order_id: ids[0] });
        ack(socket, request, undefined, 'EOrder:Invalid order');
      } else if (request.method === 'cancel_all_orders_after') {
        ack(socket, request, { currentTime: '2023-09-21T15:49:29Z', triggerTime: '2023-09-21T15:51:09Z' });
      } else if (request.method === 'batch_cancel') {
        socket.send(JSON.stringify({ method: 'batch_cancel', req_id: request.req_id, orders_cancelled: 2, success: true }));
      }
    });
    const ws = client({ access: 'private', url: kraken.url, getToken: async () => 'token' });
    await ws.connect();
    const outcomes = await ws.cancelOrder({ order_id: ['OA', 'OB'] });
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toEqual({ order_id: 'OA' });
    expect(outcomes[1]!.error).toMatchObject({ kind: 'order-not-found' });
    expect(await ws.cancelAllOrdersAfter(100)).toEqual({ currentTime: '2023-09-21T15:49:29Z', triggerTime: '2023-09-21T15:51:09Z' });
    expect(await ws.batchCancel({ orders: ['OA', 'OB'] })).toEqual({ count: 2 });
    await expect(ws.cancelAllOrdersAfter(86_400)).rejects.toThrow(/timeout: received 86400/);
  });

  it('fails a request fast when not connected, and trading on a public client names the problem', async () => {
    const ws = client({ access: 'private', url: 'ws://127.0.0.1:1', getToken: async () => 'token' });
    await expect(ws.cancelAll()).rejects.toMatchObject({ kind: 'network', retryable: true });
    const publicClient = client({ url: 'ws://127.0.0.1:1' });
    await expect(publicClient.cancelAll()).rejects.toThrow(/cancel_all needs the authenticated endpoint/);
  });
});
