import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type Balance, type Bar } from '@kbot/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LedgerEntry, SimOrder, SimTrade } from './account-records.js';
import { FaultInjector, type InjectedFault } from './fault-injector.js';
import { PairCatalog } from './pair-catalog.js';
import { PairMarket, type PairMarketFeed } from './pair-market.js';
import { RecordedPairMarket } from './recorded-pair-market.js';
import { handleRestRequest } from './rest-api.js';
import { SimAccount, type SystemStatus } from './simulator-account.js';
import type { SimulatorContext } from './simulator-context.js';
import { resolveSimulatorOptions, type KrakenSimulatorOptions, type ResolvedOptions, type ResolvedSource } from './simulator-options.js';
import { SimulatedMarket } from './simulated-market.js';
import { TokenRegistry } from './token-registry.js';
import { WsSession } from './ws-session.js';

/** URL paths of the two WebSocket endpoints (Kraken uses two hosts; here they share one port). */
export const SIMULATOR_WS_PATH = '/v2';
export const SIMULATOR_WS_AUTH_PATH = '/auth/v2';

const MAX_BODY_BYTES = 1 << 20;
/** The exchange-wide status, shared by the front ends and the accounts. */
interface SystemState {
  status: SystemStatus;
}

const SYSTEM_STATUSES = new Set<SystemStatus>(['online', 'maintenance', 'cancel_only', 'post_only']);

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Open time of the `count`-th bar (or the last one) of a source, plus its interval: when its history ends. */
function historyEnd({ source, stream }: ResolvedSource, count: number): { first: number; end: number } {
  if (stream !== undefined) {
    // A recorded book: its first `count` messages (the snapshot at least) are out before the server starts.
    const first = stream.events[0]?.time;
    if (first === undefined) throw new ConfigError([{ path: 'market.sources', received: `${stream.instrumentId} (${stream.file})`, expected: 'a recording with at least one book message' }], 'Kraken simulator');
    return { first, end: stream.events[Math.min(count, stream.events.length) - 1]!.time + 1 };
  }
  let first: number | undefined;
  let last: Bar | undefined;
  let seen = 0;
  for (const bar of source) {
    first ??= bar.openTime;
    last = bar;
    if (++seen >= count) break;
  }
  if (first === undefined || last === undefined) {
    throw new ConfigError([{ path: 'market.sources', received: `${source.instrumentId} (${source.format})`, expected: 'a source with at least one bar' }], 'Kraken simulator');
  }
  return { first, end: last.openTime + last.interval };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A local Kraken: REST (`/0/public/*`, `/0/private/*`) and WebSocket v2 (public and
 * authenticated) on one loopback port, trading against a replayed or generated market. Created
 * by `startKrakenSimulator`.
 */
export class KrakenSimulator {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly wsAuthUrl: string;
  readonly port: number;

  readonly #context: SimulatorContext;
  readonly #market: SimulatedMarket;
  readonly #accounts: ReadonlyMap<string, SimAccount>;
  readonly #faults: FaultInjector;
  readonly #tokens: TokenRegistry;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<WebSocket, WsSession>();
  readonly #options: ResolvedOptions;
  readonly #state: SystemState;
  #speed: number;
  #clockTimer: NodeJS.Timeout | undefined;
  readonly #heartbeatTimer: NodeJS.Timeout;
  #lastTickWall = Date.now();
  #carryMs = 0;
  #stopped = false;

  /** @internal Use `startKrakenSimulator`. */
  constructor(
    options: ResolvedOptions,
    parts: {
      market: SimulatedMarket;
      accounts: ReadonlyMap<string, SimAccount>;
      faults: FaultInjector;
      tokens: TokenRegistry;
      catalog: PairCatalog;
      server: Server;
      wss: WebSocketServer;
      state: SystemState;
    },
  ) {
    this.#options = options;
    this.#market = parts.market;
    this.#accounts = parts.accounts;
    this.#faults = parts.faults;
    this.#tokens = parts.tokens;
    this.#server = parts.server;
    this.#wss = parts.wss;
    this.#speed = options.speed;
    this.#state = parts.state;
    const address = parts.server.address() as AddressInfo;
    this.port = address.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    this.restUrl = `http://${host}:${this.port}`;
    this.wsUrl = `ws://${host}:${this.port}${SIMULATOR_WS_PATH}`;
    this.wsAuthUrl = `ws://${host}:${this.port}${SIMULATOR_WS_AUTH_PATH}`;
    const state = parts.state;
    this.#context = {
      catalog: parts.catalog,
      market: parts.market,
      accounts: parts.accounts,
      tokens: parts.tokens,
      faults: parts.faults,
      wallNow: () => Date.now(),
      systemStatus: () => state.status,
      lockout: { failures: options.lockoutFailures, durationMs: options.lockoutMs },
    };
    this.#market.addListener({
      onMarketTrade: (market, trade) => {
        for (const session of this.#sessions.values()) session.onMarketTrade(market, trade);
      },
      onMarketBook: (market, time) => {
        for (const session of this.#sessions.values()) session.onMarketBook(market, time);
      },
    });
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.#onHttp(request, response));
    this.#server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
      if (path !== SIMULATOR_WS_PATH && path !== SIMULATOR_WS_AUTH_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#onConnection(ws, path === SIMULATOR_WS_AUTH_PATH));
    });
    this.#heartbeatTimer = setInterval(() => this.#heartbeats(), Math.max(10, Math.floor(options.heartbeatMs / 4)));
    this.setSpeed(options.speed);
  }

  // ---------------------------------------------------------------- clock

  /** Market time (epoch ms): what `/0/public/Time` reports and every record is stamped with. */
  now(): number {
    return this.#market.now();
  }

  get speed(): number {
    return this.#speed;
  }

  /** Changes how fast market time runs (0 stops the automatic clock). */
  setSpeed(speed: number): void {
    if (!Number.isFinite(speed) || speed < 0) {
      throw new ConfigError([{ path: 'speed', received: String(speed), expected: 'a number of 0 or more' }], 'Kraken simulator');
    }
    this.#speed = speed;
    if (this.#clockTimer !== undefined) clearInterval(this.#clockTimer);
    this.#clockTimer = undefined;
    this.#carryMs = 0;
    this.#lastTickWall = Date.now();
    if (speed > 0 && !this.#stopped) this.#clockTimer = setInterval(() => this.#tick(), this.#options.tickMs);
  }

  /** Replays up to the end of the next bar (across pairs). False when paused or out of data. */
  step(): boolean {
    return this.#market.step();
  }

  /** Moves market time `ms` forward, releasing every trade on the way. No-op while paused. */
  advance(ms: number): void {
    this.#market.advance(ms);
  }

  /** Moves market time to `time` (epoch ms), never backwards. */
  advanceTo(time: number): void {
    this.#market.advanceTo(time);
  }

  /** True once every source is exhausted. */
  get marketFinished(): boolean {
    return this.#market.finished;
  }

  /** Freezes the market (no trades, no book moves, `step`/`advance` do nothing): a stalled feed. */
  pauseMarket(): void {
    this.#market.pause();
  }

  resumeMarket(): void {
    this.#market.resume();
    this.#lastTickWall = Date.now();
  }

  // ---------------------------------------------------------------- faults

  /** Closes every WebSocket: abruptly (clients see 1006) unless a close code is given. */
  dropConnections(options: { readonly code?: number; readonly reason?: string } = {}): void {
    for (const [socket, session] of this.#sessions) {
      session.close();
      if (options.code === undefined) socket.terminate();
      else socket.close(options.code, options.reason ?? '');
    }
    this.#sessions.clear();
  }

  /** The next book message (snapshot or update, on any connection) carries a wrong checksum. */
  corruptNextBookChecksum(): void {
    this.#faults.corruptNextBookChecksum();
  }

  /**
   * The next call of `endpoint` (REST `AddOrder`, `Ticker`...; WebSocket `add_order`,
   * `subscribe`...) fails: with a Kraken error string, or `{ httpStatus }` for a gateway failure,
   * or `{ error, after: true }` to fail after the call took effect.
   */
  rejectNext(endpoint: string, fault: string | InjectedFault): void {
    this.#faults.rejectNext(endpoint, fault);
  }

  /** SystemStatus / WS `status`: `maintenance` refuses trading, `cancel_only` and `post_only` restrict it. */
  setSystemStatus(status: SystemStatus): void {
    if (!SYSTEM_STATUSES.has(status)) {
      throw new ConfigError([{ path: 'status', received: JSON.stringify(status), expected: 'online, maintenance, cancel_only or post_only' }], 'Kraken simulator');
    }
    this.#state.status = status;
    for (const session of this.#sessions.values()) session.sendStatus();
  }

  /** Makes every WebSocket token issued so far too old to subscribe with. */
  expireTokens(): void {
    this.#tokens.expireAll();
  }

  // ---------------------------------------------------------------- inspection

  /** Number of open WebSocket connections. */
  get connections(): number {
    return this.#sessions.size;
  }

  /** What one API key's account holds now (for test assertions). */
  account(key: string): { balances(): readonly Balance[]; orders(): readonly SimOrder[]; openOrders(): readonly SimOrder[]; trades(): readonly SimTrade[]; ledger(): readonly LedgerEntry[] } {
    const account = this.#accounts.get(key);
    if (account === undefined) throw new ConfigError([{ path: 'key', received: JSON.stringify(key), expected: `a configured account key (${[...this.#accounts.keys()].length} configured)` }], 'Kraken simulator');
    return account;
  }

  /** Stops the clock, closes every connection and the server. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#clockTimer !== undefined) clearInterval(this.#clockTimer);
    clearInterval(this.#heartbeatTimer);
    for (const account of this.#accounts.values()) account.close();
    this.dropConnections();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- internals

  #tick(): void {
    const wall = Date.now();
    const elapsed = wall - this.#lastTickWall;
    this.#lastTickWall = wall;
    if (this.#market.paused) return;
    this.#carryMs += elapsed * this.#speed;
    const whole = Math.floor(this.#carryMs);
    this.#carryMs -= whole;
    if (whole > 0) this.#market.advance(whole);
  }

  #heartbeats(): void {
    const wall = Date.now();
    for (const session of this.#sessions.values()) {
      if (session.hasSubscriptions && wall - session.lastSentWall >= this.#options.heartbeatMs) session.heartbeat();
    }
  }

  #onConnection(socket: WebSocket, authenticated: boolean): void {
    if (this.#stopped) {
      socket.terminate();
      return;
    }
    const session = new WsSession(this.#context, socket, authenticated);
    this.#sessions.set(socket, session);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      session.handle(data.toString());
    });
    socket.on('close', () => {
      session.close();
      this.#sessions.delete(socket);
    });
    socket.on('error', () => {
      session.close();
      this.#sessions.delete(socket);
    });
    session.start();
  }

  async #onHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    let body: string | undefined;
    try {
      body = await readBody(request);
    } catch {
      response.destroy();
      return;
    }
    if (body === undefined) {
      response.writeHead(413, { 'Content-Type': 'text/plain' }).end('request body too large');
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    let answer;
    try {
      answer = handleRestRequest(this.#context, { method: request.method ?? 'GET', path: url.pathname, query: url.search.slice(1), headers, body });
    } catch (error) {
      // A simulator bug must not look like a Kraken answer: 500 with the reason.
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`simulator failure: ${(error as Error).message}`);
      return;
    }
    response.writeHead(answer.status, { 'Content-Type': answer.contentType }).end(answer.body);
  }
}

/**
 * Starts a Kraken simulator on loopback and resolves once it listens.
 *
 * ```ts
 * const sim = await startKrakenSimulator({
 *   market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 10_000, startPrice: 40_000 } }] },
 *   accounts: [{ key: 'test-key', secret: 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==', balances: { USD: '10000' } }],
 *   speed: 0,
 * });
 * const client = new KrakenRestClient({ baseUrl: sim.restUrl, credentials: { apiKey: 'test-key', apiSecret: '...' } });
 * ```
 */
export async function startKrakenSimulator(options: KrakenSimulatorOptions): Promise<KrakenSimulator> {
  const resolved = resolveSimulatorOptions(options);
  const catalog = new PairCatalog(
    resolved.sources.map((entry) => entry.instrument),
    resolved.feeTiers,
  );

  const histories = resolved.sources.map((entry) => historyEnd(entry, resolved.historyBars));
  let start = Math.max(...histories.map((history) => history.end));
  const first = Math.min(...histories.map((history) => history.first));
  let shift = 0;
  if (resolved.timeOrigin === 'now') {
    // Shift by whole intervals of every pair so candles stay aligned.
    // A recorded stream has no interval: whole seconds keep its times' milliseconds.
    const unit = resolved.sources.reduce((lcm, { source }) => {
      const interval = source?.interval ?? 1000;
      return (lcm / gcd(lcm, interval)) * interval;
    }, 1);
    shift = Math.floor((Date.now() - start) / unit) * unit;
    start += shift;
  }
  const pairs = resolved.sources.map((entry, index): PairMarketFeed =>
    entry.stream !== undefined
      ? new RecordedPairMarket(catalog.find(entry.instrument.id)!, entry.stream, shift)
      : new PairMarket(catalog.find(entry.instrument.id)!, entry.source, {
        levels: resolved.bookLevels,
        spreadTicks: resolved.spreadTicks,
        levelSpacingTicks: resolved.levelSpacingTicks,
        churnLevels: resolved.churnLevels,
        tradesPerBar: resolved.tradesPerBar,
        seed: (resolved.seed + index * 7919) >>> 0,
        timeShiftMs: shift,
      }),
  );
  const market = new SimulatedMarket(pairs, first + shift - 1);
  const faults = new FaultInjector();
  const tokens = new TokenRegistry();
  const state: SystemState = { status: 'online' };
  const accounts = new Map<string, SimAccount>();
  resolved.accounts.forEach((account, index) => {
    const simAccount = new SimAccount({
      key: account.key,
      secret: account.secret,
      tier: account.tier,
      balances: account.balances,
      idPrefix: `S${index.toString(36).toUpperCase()}`,
      catalog,
      market,
      wallNow: () => Date.now(),
      systemStatus: () => state.status,
      feeTiers: resolved.feeTiers,
      ...(options.fillModel === undefined ? {} : { fillModel: options.fillModel }),
      ...(options.limitFillOn === undefined ? {} : { limitFillOn: options.limitFillOn }),
      ...(options.postOnlyRejectReason === undefined ? {} : { postOnlyRejectReason: options.postOnlyRejectReason }),
    });
    accounts.set(account.key, simAccount);
    market.addSink(simAccount);
  });
  market.advanceTo(start);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  return new KrakenSimulator(resolved, { market, accounts, faults, tokens, catalog, server, wss, state });
}
