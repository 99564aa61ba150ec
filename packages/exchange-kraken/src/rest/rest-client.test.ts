import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ExchangeError } from '@kbot/core';
import type { NonceSource } from './nonce.js';
import { NonceService } from './nonce.js';
import { TradingRateLimiter } from './rate-limiter.js';
import { DEFAULT_KRAKEN_REST_URL, KRAKEN_PRIVATE_ENDPOINTS, KRAKEN_PUBLIC_ENDPOINTS, KrakenRestClient, type KrakenRestClientOptions } from './rest-client.js';

const API_KEY = 'test-api-key';
// The official §4.3 example secret.
const API_SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The form body parsed (empty for JSON bodies). */
  readonly form: URLSearchParams;
}

type Reply = { readonly status?: number; readonly json?: unknown; readonly text?: string } | 'reset' | 'hang';

interface TestServer {
  readonly url: string;
  readonly requests: Received[];
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const ok = (result: unknown): Reply => ({ json: { error: [], result } });
const fail = (...errors: string[]): Reply => ({ json: { error: errors } });

/** A Kraken stand-in on 127.0.0.1: records every request and answers from `reply`. */
async function startServer(reply: (request: Received, index: number) => Reply | Promise<Reply>): Promise<TestServer> {
  const requests: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const body = Buffer.concat(chunks).toString('utf8');
        const received: Received = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          form: String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams(),
        };
        requests.push(received);
        const answer = await reply(received, requests.length - 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        if (answer === 'reset') {
          req.socket.destroy();
          return;
        }
        if (answer === 'hang') return;
        res.writeHead(answer.status ?? 200, { 'content-type': answer.text === undefined ? 'application/json' : 'text/html' });
        res.end(answer.text ?? JSON.stringify(answer.json));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

/** Nonces 1000, 1001, ... so bodies are predictable. */
function countingNonce(start = 1_000): NonceSource & { issued: number[] } {
  let next = start;
  const issued: number[] = [];
  return {
    issued,
    next: () => {
      issued.push(next);
      return next++;
    },
    bumpPast: (value: number) => {
      next = Math.max(next, value + 1);
    },
    rejected: (nonce: number) => new ExchangeError('invalid-nonce', `nonce ${nonce} rejected as too low`),
  };
}

interface Harness {
  readonly client: KrakenRestClient;
  readonly sleeps: number[];
  readonly clock: { now: number };
}

function makeClient(server: TestServer, options: Partial<KrakenRestClientOptions> = {}): Harness {
  const sleeps: number[] = [];
  const clock = { now: 1_700_000_000_000 };
  const client = new KrakenRestClient({
    baseUrl: server.url,
    credentials: { apiKey: API_KEY, apiSecret: API_SECRET },
    nonce: countingNonce(),
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    random: () => 0.5,
    timeoutMs: 2_000,
    ...options,
  });
  return { client, sleeps, clock };
}

/** The signature computed independently of signing.ts, from what the server received. */
function expectedSignature(request: Received): string {
  const nonce = request.form.get('nonce') ?? String((JSON.parse(request.body) as { nonce: number }).nonce);
  const inner = createHash('sha256').update(nonce + request.body).digest();
  return createHmac('sha512', Buffer.from(API_SECRET, 'base64')).update(Buffer.concat([Buffer.from(request.path), inner])).digest('base64');
}

async function rejection(promise: Promise<unknown>): Promise<ExchangeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ExchangeError);
    return error as ExchangeError;
  }
  throw new Error('expected the call to fail');
}

const paths = (server: TestServer): string[] => server.requests.map((request) => request.path.replace(/^\/0\/(public|private)\//, ''));

describe('KrakenRestClient public endpoints', () => {
  it('sends GET with a query string and a User-Agent, and returns the raw result', async () => {
    const ticker = { XXBTZUSD: { a: ['1', '1', '1'], b: ['1', '1', '1'], c: ['1', '1'], v: ['1', '1'], p: ['1', '1'], t: [1, 2], l: ['1', '1'], h: ['1', '1'], o: '1' } };
    const server = await startServer(() => ok(ticker));
    const { client } = makeClient(server);
    await expect(client.ticker({ pair: ['XBTUSD', 'ETHUSD'] })).resolves.toEqual(ticker);
    const [request] = server.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe('/0/public/Ticker');
    expect(request!.query.get('pair')).toBe('XBTUSD,ETHUSD');
    expect(request!.headers['user-agent']).toMatch(/kbot/);
    expect(request!.headers['api-key']).toBeUndefined();
  });

  it('passes OHLC and Trades cursors through verbatim', async () => {
    const server = await startServer(() => ok({ XBTUSDT: [], last: '1710327959173746878' }));
    const { client } = makeClient(server);
    await client.ohlc({ pair: 'XBTUSDT', interval: 60, since: 1706628191 });
    const trades = await client.trades({ pair: 'XBTUSDT', since: '1710327959173746878', count: 1 });
    expect(trades.last).toBe('1710327959173746878');
    expect(server.requests[0]!.query.toString()).toBe('pair=XBTUSDT&interval=60&since=1706628191');
    expect(server.requests[1]!.query.get('since')).toBe('1710327959173746878');
  });

  it('retries a public call after EService:Busy', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EService:Busy') : ok({ unixtime: 1, rfc1123: 'x' })));
    const { client, sleeps } = makeClient(server);
    await expect(client.time()).resolves.toEqual({ unixtime: 1, rfc1123: 'x' });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([375]); // 500 ms × (0.5 + 0.5 × 0.5)
  });

  it('gives up on a timeout after the last attempt with a network error', async () => {
    const server = await startServer(() => 'hang');
    const { client } = makeClient(server, { timeoutMs: 100, maxAttempts: 1 });
    const error = await rejection(client.systemStatus());
    expect(error.kind).toBe('network');
    expect(error.message).toContain('no response within 100 ms');
  });
});

describe('KrakenRestClient private endpoints', () => {
  it('signs a form POST the way Kraken verifies it', async () => {
    const server = await startServer(() => ok({ ZUSD: '100.0000' }));
    const { client } = makeClient(server);
    await expect(client.balance()).resolves.toEqual({ ZUSD: '100.0000' });
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/0/private/Balance');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers['api-key']).toBe(API_KEY);
    expect(request!.body).toBe('nonce=1000');
    expect(request!.headers['api-sign']).toBe(expectedSignature(request!));
  });

  it('encodes AddOrder with flags, a conditional close and validate', async () => {
    const server = await startServer(() => ok({ descr: { order: 'buy 1.25000000 XBTUSD @ limit 37500.0' } }));
    const { client } = makeClient(server);
    const result = await client.addOrder({
      pair: 'XBTUSD',
      type: 'buy',
      ordertype: 'limit',
      volume: '1.25',
      price: '37500',
      oflags: ['post', 'fciq'],
      timeinforce: 'GTC',
      userref: 42,
      close: { ordertype: 'stop-loss-limit', price: '-5%', price2: '36000' },
      validate: true,
    });
    expect(result.txid).toBeUndefined();
    const [request] = server.requests;
    expect(request!.body).toBe(
      'nonce=1000&pair=XBTUSD&type=buy&ordertype=limit&volume=1.25&price=37500&timeinforce=GTC&userref=42' +
        '&oflags=post%2Cfciq&close%5Bordertype%5D=stop-loss-limit&close%5Bprice%5D=-5%25&close%5Bprice2%5D=36000&validate=true',
    );
    expect(request!.form.get('close[price]')).toBe('-5%');
    expect(request!.headers['api-sign']).toBe(expectedSignature(request!));
  });

  it('reproduces the official example body and signature when given its nonce', async () => {
    const server = await startServer(() => ok({ descr: { order: 'buy 1.25000000 XBTUSD @ limit 37500.0' }, txid: ['OUF4EM-FRGI2-MQMWZD'] }));
    const { client } = makeClient(server, { nonce: countingNonce(1616492376594) });
    await client.addOrder({ ordertype: 'limit', pair: 'XBTUSD', price: '37500', type: 'buy', volume: '1.25' } as never);
    const [request] = server.requests;
    // addOrder puts pair first; Kraken hashes whatever order is sent, so only the bytes must agree.
    expect(request!.body).toBe('nonce=1616492376594&pair=XBTUSD&ordertype=limit&price=37500&type=buy&volume=1.25');
    expect(request!.headers['api-sign']).toBe(expectedSignature(request!));
  });

  it('sends AddOrderBatch as signed JSON', async () => {
    const server = await startServer(() => ok({ orders: [{ txid: 'OA', descr: { order: 'a' } }, { error: 'EOrder:Insufficient funds' }] }));
    const { client } = makeClient(server);
    const result = await client.addOrderBatch({
      pair: 'XBTUSD',
      orders: [
        { type: 'buy', ordertype: 'limit', volume: '0.001', price: '30000', oflags: ['post'], cl_ord_id: 'a-1' },
        { type: 'sell', ordertype: 'limit', volume: '0.001', price: '40000', cl_ord_id: 'a-2' },
      ],
    });
    expect(result.orders[1]!.error).toBe('EOrder:Insufficient funds');
    const [request] = server.requests;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      nonce: 1000,
      pair: 'XBTUSD',
      orders: [
        { type: 'buy', ordertype: 'limit', volume: '0.001', price: '30000', oflags: 'post', cl_ord_id: 'a-1' },
        { type: 'sell', ordertype: 'limit', volume: '0.001', price: '40000', cl_ord_id: 'a-2' },
      ],
    });
    expect(request!.headers['api-sign']).toBe(expectedSignature(request!));
  });

  it('encodes the other order calls', async () => {
    const server = await startServer(() => ok({}));
    const { client } = makeClient(server);
    await client.cancelOrder({ cl_ord_id: 'bot-7' });
    await client.cancelOrder({ txid: 'OQCLML-BW3P3-BUCMWZ' });
    await client.cancelAllOrdersAfter(60);
    await client.amendOrder({ txid: 'OQCLML-BW3P3-BUCMWZ', limit_price: '30001.5', post_only: true });
    await client.editOrder({ txid: 'OQCLML-BW3P3-BUCMWZ', pair: 'XBTUSD', volume: '2', oflags: ['post'] });
    await client.queryOrders({ txid: ['OA', 'OB'], trades: true });
    await client.openOrders({ cl_ord_id: 'bot-7' });
    const bodies = server.requests.map((request) => request.body.replace(/^nonce=\d+&?/, ''));
    expect(bodies).toEqual([
      'cl_ord_id=bot-7',
      'txid=OQCLML-BW3P3-BUCMWZ',
      'timeout=60',
      'txid=OQCLML-BW3P3-BUCMWZ&limit_price=30001.5&post_only=true',
      'txid=OQCLML-BW3P3-BUCMWZ&pair=XBTUSD&volume=2&oflags=post',
      'txid=OA%2COB&trades=true',
      'cl_ord_id=bot-7',
    ]);
  });

  it('refuses bad arguments before anything is sent', async () => {
    const server = await startServer(() => ok({}));
    const { client } = makeClient(server);
    expect(() => client.cancelAllOrdersAfter(86_400)).toThrow(/expected whole seconds from 0 to 86399/);
    expect(() => client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1', cl_ord_id: 'x', userref: 1 })).toThrow(
      /both cl_ord_id and userref/,
    );
    expect(() => client.addOrderBatch({ pair: 'XBTUSD', orders: [{ type: 'buy', ordertype: 'market', volume: '1' }] })).toThrow(/expected 2 to 15/);
    expect(() => client.amendOrder({ limit_price: '1' })).toThrow(/exactly one of txid and cl_ord_id/);
    expect(server.requests).toHaveLength(0);
  });

  it('serialises private calls so nonces arrive in order', async () => {
    const server = await startServer(() => ok({}));
    const { client } = makeClient(server);
    await Promise.all([client.balance(), client.openOrders(), client.balanceEx(), client.tradeBalance({ asset: 'ZUSD' })]);
    expect(server.maxInFlight()).toBe(1);
    expect(server.requests.map((request) => Number(request.form.get('nonce')))).toEqual([1000, 1001, 1002, 1003]);
  });

  it('needs credentials for private calls', async () => {
    const server = await startServer(() => ok({}));
    const client = new KrakenRestClient({ baseUrl: server.url });
    const error = await rejection(client.balance());
    expect(error.kind).toBe('authentication');
    expect(error.message).toContain('credentials');
    expect(server.requests).toHaveLength(0);
  });

  it('sends otp after the nonce when the key has 2FA', async () => {
    const server = await startServer(() => ok({}));
    const { client } = makeClient(server, { credentials: { apiKey: API_KEY, apiSecret: API_SECRET, otp: () => '123456' } });
    await client.balance();
    expect(server.requests[0]!.body).toBe('nonce=1000&otp=123456');
  });
});

describe('KrakenRestClient errors and retries', () => {
  it('maps a Kraken error string and does not retry what cannot succeed', async () => {
    const server = await startServer(() => fail('EOrder:Insufficient funds'));
    const { client } = makeClient(server);
    const error = await rejection(client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1', cl_ord_id: 'c-1' }));
    expect(error.kind).toBe('insufficient-funds');
    expect(error.venueMessage).toBe('EOrder:Insufficient funds');
    expect(error.message).not.toContain(API_SECRET);
    expect(paths(server)).toEqual(['AddOrder']);
  });

  it('retries EService:Unavailable with jittered exponential backoff and a fresh nonce each time', async () => {
    const server = await startServer((_request, index) => (index < 2 ? fail('EService:Unavailable') : ok({ ZUSD: '1' })));
    const { client, sleeps } = makeClient(server);
    await expect(client.balance()).resolves.toEqual({ ZUSD: '1' });
    expect(sleeps).toEqual([375, 750]);
    expect(server.requests.map((request) => request.form.get('nonce'))).toEqual(['1000', '1001', '1002']);
  });

  it('uses the random jitter between half and all of the backoff', async () => {
    const server = await startServer((_request, index) => (index < 2 ? fail('EService:Busy') : ok({})));
    const { client, sleeps } = makeClient(server, { random: () => 0 });
    await client.balance();
    expect(sleeps).toEqual([250, 500]);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    const server = await startServer(() => fail('EService:Unavailable'));
    const { client } = makeClient(server, { maxAttempts: 3 });
    const error = await rejection(client.balance());
    expect(error.kind).toBe('unavailable');
    expect(server.requests).toHaveLength(3);
  });

  it('retries after a dropped connection on an idempotent call', async () => {
    const server = await startServer((_request, index) => (index === 0 ? 'reset' : ok({ open: {} })));
    const { client } = makeClient(server);
    await expect(client.openOrders()).resolves.toEqual({ open: {} });
    expect(server.requests).toHaveLength(2);
  });

  it('retries EAPI:Invalid nonce once with a larger nonce', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EAPI:Invalid nonce') : ok({})));
    const { client, sleeps } = makeClient(server);
    await client.balance();
    expect(server.requests.map((request) => request.form.get('nonce'))).toEqual(['1000', '1001']);
    expect(sleeps).toEqual([]);
  });

  it('explains a persistent invalid nonce through the nonce service', async () => {
    const server = await startServer(() => fail('EAPI:Invalid nonce'));
    const { client } = makeClient(server, { nonce: new NonceService({ apiKey: API_KEY }) });
    const error = await rejection(client.balance());
    expect(error.kind).toBe('invalid-nonce');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('as too low');
    expect(error.message).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(2);
  });

  it('waits out EService:Throttled until the time Kraken gave', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EService:Throttled: 1700000012') : ok({})));
    const { client, sleeps } = makeClient(server);
    await client.balance();
    expect(sleeps).toEqual([12_000]);
  });

  it('does not wait out a throttle longer than maxRetryWaitMs', async () => {
    const server = await startServer(() => fail('EService:Throttled: 1700003600'));
    const { client } = makeClient(server);
    const error = await rejection(client.balance());
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a gateway 503 and gives up at once on a 403', async () => {
    const server = await startServer((request, index) =>
      request.path.endsWith('Balance') ? (index === 0 ? { status: 503, text: '<html>down</html>' } : ok({})) : { status: 403, text: 'forbidden' },
    );
    const { client } = makeClient(server);
    await client.balance();
    const error = await rejection(client.balanceEx());
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('HTTP 403');
    expect(paths(server)).toEqual(['Balance', 'Balance', 'BalanceEx']);
  });

  it('leaves EService:Deadline elapsed to the caller, who must choose a new deadline', async () => {
    const server = await startServer(() => fail('EService:Deadline elapsed'));
    const { client } = makeClient(server);
    const error = await rejection(
      client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1', cl_ord_id: 'd-1', deadline: '2023-11-14T22:13:20Z' }),
    );
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(paths(server)).toEqual(['AddOrder']);
  });

  it('reports a body that is not a Kraken envelope', async () => {
    const server = await startServer(() => ({ text: 'not json' }));
    const { client } = makeClient(server, { maxAttempts: 1 });
    const error = await rejection(client.balance());
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('"not json"');
  });
});

describe('KrakenRestClient rate limiting', () => {
  it('waits for the REST counter: the 15th starter call for the margin, the 16th for a point', async () => {
    const server = await startServer(() => ok({}));
    const { client, sleeps } = makeClient(server, { tier: 'starter' });
    for (let i = 0; i < 14; i += 1) await client.balance();
    expect(sleeps).toEqual([]);
    // The last point under the maximum is used once half a second of decay is left unused.
    await client.balance();
    expect(sleeps).toEqual([500]);
    await client.balance();
    expect(sleeps).toEqual([500, 3031]); // 1 / 0.33 s
  });

  it('shares the counter with the other processes of the key through the storage folder', async () => {
    const server = await startServer(() => ok({}));
    const directory = mkdtempSync(join(tmpdir(), 'kbot-rest-shared-'));
    try {
      // A bot and, later, an operator's command in another process: same key, same storage folder.
      const bot = makeClient(server, { tier: 'starter', nonceDirectory: directory });
      for (let i = 0; i < 12; i += 1) await bot.client.balance();
      const command = makeClient(server, { tier: 'starter', nonceDirectory: directory });
      command.clock.now = bot.clock.now;
      for (let i = 0; i < 2; i += 1) await command.client.balance();
      expect(command.sleeps).toEqual([]);
      // Its 3rd call is the key's 15th: it waits as the bot's own would have.
      await command.client.balance();
      expect(command.sleeps).toEqual([500]);
      await command.client.balance();
      expect(command.sleeps).toEqual([500, 3031]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('charges history calls 2 and order entry nothing', async () => {
    const server = await startServer(() => ok({ trades: {}, count: 0 }));
    const { client, sleeps } = makeClient(server, { tier: 'pro' });
    for (let i = 0; i < 10; i += 1) await client.tradesHistory(); // 20 of 20, the last after the margin
    for (let i = 0; i < 5; i += 1) await client.cancelAll();
    expect(sleeps).toEqual([500]);
    await client.balance();
    expect(sleeps).toEqual([500, 1_000]);
  });

  it('treats the counter as full after EAPI:Rate limit exceeded', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EAPI:Rate limit exceeded') : ok({})));
    const { client, sleeps } = makeClient(server, { tier: 'intermediate' });
    await client.balance();
    // backoff 375 ms, then the counter (now full at 20) needs (1 + the margin's 0.25) / 0.5 s minus the 375 ms already waited.
    expect(sleeps).toEqual([375, 2_125]);
  });

  it('treats the pair trading counter as full after EOrder:Rate limit exceeded', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EOrder:Rate limit exceeded') : ok({ descr: { order: 'x' }, txid: ['O1'] })));
    const tradingLimiter = new TradingRateLimiter('starter');
    const { client, sleeps } = makeClient(server, { tradingLimiter });
    await client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '1', price: '1', cl_ord_id: 'r-1' });
    // backoff 375 ms, then the full counter (60) needs one second per order minus what was already waited.
    expect(sleeps).toEqual([375, 625]);
    expect(paths(server)).toEqual(['AddOrder', 'AddOrder']);
  });

  it('charges the pair trading counter for orders when given one', async () => {
    const server = await startServer(() => ok({ descr: { order: 'x' }, txid: ['O1'] }));
    const tradingLimiter = new TradingRateLimiter('starter');
    const { client, clock } = makeClient(server, { tradingLimiter });
    await client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '1', price: '1' });
    await client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '1', price: '1', validate: true });
    expect(tradingLimiter.remaining('XBTUSD', clock.now)).toBe(59);
  });
});

describe('KrakenRestClient never duplicates an AddOrder', () => {
  const order = { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '0.01', price: '30000', cl_ord_id: 'bot-1' } as const;
  const restingOrder = {
    refid: null, userref: 0, cl_ord_id: 'bot-1', status: 'open', opentm: 1, starttm: 0, expiretm: 0,
    descr: { pair: 'XBTUSD', type: 'buy', ordertype: 'limit', price: '30000.0', price2: '0', leverage: 'none', order: 'buy 0.01000000 XBTUSD @ limit 30000.0', close: '' },
    vol: '0.01000000', vol_exec: '0', cost: '0', fee: '0', price: '0', stopprice: '0', limitprice: '0', misc: '', oflags: 'fciq',
  };

  it('finds the order by cl_ord_id after a dropped connection instead of resending', async () => {
    // The order reached Kraken; only the response was lost.
    const server = await startServer((request) => {
      if (request.path.endsWith('/AddOrder')) return 'reset';
      if (request.path.endsWith('/OpenOrders')) return ok({ open: { 'OQCLML-BW3P3-BUCMWZ': restingOrder } });
      return ok({});
    });
    const { client, sleeps } = makeClient(server, { reconcileDelayMs: 1_500 });
    await expect(client.addOrder(order)).resolves.toEqual({ txid: ['OQCLML-BW3P3-BUCMWZ'], descr: { order: 'buy 0.01000000 XBTUSD @ limit 30000.0' } });
    expect(paths(server)).toEqual(['AddOrder', 'OpenOrders']);
    expect(server.requests[1]!.form.get('cl_ord_id')).toBe('bot-1');
    expect(sleeps).toEqual([1_500]);
  });

  it('finds an order that already filled among closed orders', async () => {
    const server = await startServer((request) => {
      if (request.path.endsWith('/AddOrder')) return 'reset';
      if (request.path.endsWith('/OpenOrders')) return ok({ open: {} });
      return ok({ closed: { OFILLED: { ...restingOrder, status: 'closed' } }, count: 1 });
    });
    const { client } = makeClient(server);
    await expect(client.addOrder(order)).resolves.toMatchObject({ txid: ['OFILLED'] });
    expect(paths(server)).toEqual(['AddOrder', 'OpenOrders', 'ClosedOrders']);
    expect(server.requests[2]!.form.get('cl_ord_id')).toBe('bot-1');
  });

  it('resends only after both lookups show no such order', async () => {
    let placed = false;
    const server = await startServer((request) => {
      if (request.path.endsWith('/AddOrder')) {
        if (!placed) {
          placed = true;
          return 'reset'; // failed before reaching the engine
        }
        return ok({ descr: { order: 'buy' }, txid: ['ONEW'] });
      }
      if (request.path.endsWith('/OpenOrders')) return ok({ open: {} });
      return ok({ closed: {}, count: 0 });
    });
    const { client } = makeClient(server);
    await expect(client.addOrder(order)).resolves.toEqual({ descr: { order: 'buy' }, txid: ['ONEW'] });
    expect(paths(server)).toEqual(['AddOrder', 'OpenOrders', 'ClosedOrders', 'AddOrder']);
  });

  it('ignores lookup results whose cl_ord_id does not match', async () => {
    const server = await startServer((request, index) => {
      if (request.path.endsWith('/AddOrder')) return index === 0 ? 'reset' : ok({ descr: { order: 'buy' }, txid: ['ONEW'] });
      if (request.path.endsWith('/OpenOrders')) return ok({ open: { OTHER: { ...restingOrder, cl_ord_id: 'someone-else' } } });
      return ok({ closed: {}, count: 0 });
    });
    const { client } = makeClient(server);
    await expect(client.addOrder(order)).resolves.toMatchObject({ txid: ['ONEW'] });
  });

  it('reconciles after EGeneral:Internal error, whose outcome Kraken leaves open', async () => {
    const server = await startServer((request) => {
      if (request.path.endsWith('/AddOrder')) return fail('EGeneral:Internal error:42');
      return ok({ open: { OQ: restingOrder } });
    });
    const { client } = makeClient(server);
    await expect(client.addOrder(order)).resolves.toMatchObject({ txid: ['OQ'] });
    expect(paths(server)).toEqual(['AddOrder', 'OpenOrders']);
  });

  it('never resends an order without cl_ord_id after an ambiguous failure', async () => {
    const server = await startServer(() => 'reset');
    const { client } = makeClient(server);
    const { cl_ord_id: _ignored, ...anonymous } = order;
    const error = await rejection(client.addOrder(anonymous));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('may or may not have been executed');
    expect(error.message).toContain('no cl_ord_id');
    expect(paths(server)).toEqual(['AddOrder']);
  });

  it('gives up without resending when the lookup fails too', async () => {
    const server = await startServer((request) => (request.path.endsWith('/AddOrder') ? 'reset' : { status: 502, text: 'bad gateway' }));
    const { client } = makeClient(server, { maxAttempts: 2 });
    const error = await rejection(client.addOrder(order));
    expect(error.message).toContain('looking it up by cl_ord_id failed too');
    expect(paths(server).filter((path) => path === 'AddOrder')).toHaveLength(1);
  });

  it('resends at once after a definite rejection such as EService:Busy', async () => {
    const server = await startServer((_request, index) => (index === 0 ? fail('EService:Busy') : ok({ descr: { order: 'buy' }, txid: ['O2'] })));
    const { client } = makeClient(server);
    await expect(client.addOrder(order)).resolves.toMatchObject({ txid: ['O2'] });
    expect(paths(server)).toEqual(['AddOrder', 'AddOrder']);
  });

  it('retries a validate-only AddOrder freely, since nothing is placed', async () => {
    const server = await startServer((_request, index) => (index === 0 ? 'reset' : ok({ descr: { order: 'buy' } })));
    const { client } = makeClient(server);
    const { cl_ord_id: _ignored, ...anonymous } = order;
    await expect(client.addOrder({ ...anonymous, validate: true })).resolves.toEqual({ descr: { order: 'buy' } });
    expect(paths(server)).toEqual(['AddOrder', 'AddOrder']);
  });

  it('never resends a batch after an ambiguous failure', async () => {
    const server = await startServer(() => ({ status: 500, text: 'oops' }));
    const { client } = makeClient(server);
    const error = await rejection(
      client.addOrderBatch({
        pair: 'XBTUSD',
        orders: [
          { type: 'buy', ordertype: 'limit', volume: '1', price: '1' },
          { type: 'buy', ordertype: 'limit', volume: '1', price: '2' },
        ],
      }),
    );
    expect(error.message).toContain('may or may not have been executed and was not resent because AddOrderBatch is never sent twice');
    expect(paths(server)).toEqual(['AddOrderBatch']);
  });
});

describe('KrakenRestClient base URL', () => {
  it('defaults to api.kraken.com, takes KRAKEN_REST_URL from the environment, and lets the option win', () => {
    expect(new KrakenRestClient({ env: {} }).baseUrl).toBe(DEFAULT_KRAKEN_REST_URL);
    expect(new KrakenRestClient({ env: { KRAKEN_REST_URL: 'http://127.0.0.1:9999/' } }).baseUrl).toBe('http://127.0.0.1:9999');
    expect(new KrakenRestClient({ baseUrl: 'http://localhost:1', env: { KRAKEN_REST_URL: 'http://127.0.0.1:9999' } }).baseUrl).toBe('http://localhost:1');
  });

  it('reads process.env by default', async () => {
    const server = await startServer(() => ok({ status: 'online', timestamp: 't' }));
    const previous = process.env.KRAKEN_REST_URL;
    process.env.KRAKEN_REST_URL = server.url;
    try {
      await expect(new KrakenRestClient().systemStatus()).resolves.toEqual({ status: 'online', timestamp: 't' });
    } finally {
      if (previous === undefined) delete process.env.KRAKEN_REST_URL;
      else process.env.KRAKEN_REST_URL = previous;
    }
  });

  it('rejects a URL it cannot use, naming where it came from', () => {
    expect(() => new KrakenRestClient({ env: { KRAKEN_REST_URL: 'ftp://example.com' } })).toThrow(ConfigError);
    expect(() => new KrakenRestClient({ env: { KRAKEN_REST_URL: 'ftp://example.com' } })).toThrow(/KRAKEN_REST_URL: received "ftp:\/\/example.com"/);
    expect(() => new KrakenRestClient({ baseUrl: 'not a url' })).toThrow(/baseUrl: received "not a url"/);
  });
});

describe('KrakenRestClient cannot move funds', () => {
  const FORBIDDEN = /withdraw|deposit|funding|transfer|wallet/i;

  it('has no method and no endpoint for withdrawals, deposits, funding or transfers', () => {
    const methods = Object.getOwnPropertyNames(KrakenRestClient.prototype);
    expect(methods.length).toBeGreaterThan(20);
    expect(methods.filter((name) => FORBIDDEN.test(name))).toEqual([]);
    expect([...KRAKEN_PUBLIC_ENDPOINTS, ...KRAKEN_PRIVATE_ENDPOINTS].filter((name) => FORBIDDEN.test(name))).toEqual([]);
  });

  it('only ever requests the listed endpoints, whichever method is called', async () => {
    const server = await startServer(() => ok({}));
    const { client } = makeClient(server);
    const calls: (() => Promise<unknown>)[] = [
      () => client.time(), () => client.systemStatus(), () => client.assets(), () => client.assetPairs(), () => client.ticker(),
      () => client.ohlc({ pair: 'XBTUSD' }), () => client.depth({ pair: 'XBTUSD' }), () => client.trades({ pair: 'XBTUSD' }),
      () => client.spread({ pair: 'XBTUSD' }), () => client.balance(), () => client.balanceEx(), () => client.tradeBalance(),
      () => client.openOrders(), () => client.closedOrders(), () => client.queryOrders({ txid: ['O'] }), () => client.tradesHistory(),
      () => client.addOrder({ pair: 'XBTUSD', type: 'buy', ordertype: 'market', volume: '1' }),
      () => client.addOrderBatch({ pair: 'XBTUSD', orders: [{ type: 'buy', ordertype: 'market', volume: '1' }, { type: 'buy', ordertype: 'market', volume: '1' }] }),
      () => client.amendOrder({ txid: 'O', order_qty: '1' }), () => client.editOrder({ txid: 'O', pair: 'XBTUSD' }),
      () => client.cancelOrder({ txid: 'O' }), () => client.cancelAll(), () => client.cancelAllOrdersAfter(0), () => client.getWebSocketsToken(),
    ];
    for (const call of calls) await call();
    const allowed = new Set<string>([...KRAKEN_PUBLIC_ENDPOINTS.map((name) => `/0/public/${name}`), ...KRAKEN_PRIVATE_ENDPOINTS.map((name) => `/0/private/${name}`)]);
    expect(server.requests.map((request) => request.path).filter((path) => !allowed.has(path))).toEqual([]);
    expect(new Set(server.requests.map((request) => request.path)).size).toBe(allowed.size);
  });
});

// The recorded Kraken responses live in the shared data folder beside the repository.
describe.skipIf(!process.env.KBOT_SHARED_DATA)('KrakenRestClient with recorded Kraken responses', () => {
  interface Recorded {
    readonly endpoint: string;
    readonly response: { readonly error: string[]; readonly result: unknown };
  }
  const file = join(process.env.KBOT_SHARED_DATA ?? '', 'rest/kraken/recorded-responses.json');
  const recorded = (): Recorded[] => (JSON.parse(readFileSync(file, 'utf8')) as { responses: Recorded[] }).responses;

  it('returns each recorded result exactly as Kraken sent it', async () => {
    const responses = recorded();
    expect(responses.length).toBeGreaterThanOrEqual(9);
    const server = await startServer((_request, index) => ({ json: responses[index]!.response }));
    const { client } = makeClient(server);
    for (const { endpoint, response } of responses) {
      const name = endpoint.split('/').pop();
      const call: Record<string, () => Promise<unknown>> = {
        AddOrder: () => client.addOrder({ pair: 'LTCUSDT', type: 'buy', ordertype: 'market', volume: '0.1' }),
        QueryOrders: () => client.queryOrders({ txid: ['X'] }),
        OpenOrders: () => client.openOrders(),
        OHLC: () => client.ohlc({ pair: 'XBTUSDT', interval: 60 }),
        Trades: () => client.trades({ pair: 'XBTUSDT', count: 1 }),
        Ticker: () => client.ticker({ pair: ['XBTUSDT'] }),
      };
      expect(call[name!], `no client method for ${endpoint}`).toBeDefined();
      await expect(call[name!]!()).resolves.toEqual(response.result);
    }
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(responses.map((entry) => entry.endpoint));
  });

  it('reconciles an ambiguous AddOrder against the recorded OpenOrders shape', async () => {
    const openOrders = recorded().find((entry) => entry.endpoint.endsWith('/OpenOrders'))!;
    const open = (openOrders.response.result as { open: Record<string, Record<string, unknown>> }).open;
    const [txid, raw] = Object.entries(open)[0]!;
    const server = await startServer((request) =>
      request.path.endsWith('/AddOrder') ? 'reset' : ok({ open: { [txid]: { ...raw, cl_ord_id: 'rec-1' } } }),
    );
    const { client } = makeClient(server);
    await expect(client.addOrder({ pair: 'LTCUSDT', type: 'sell', ordertype: 'take-profit', volume: '0.1', price: '120', cl_ord_id: 'rec-1' })).resolves.toEqual({
      txid: [txid],
      descr: { order: (raw.descr as { order: string }).order },
    });
  });
});
