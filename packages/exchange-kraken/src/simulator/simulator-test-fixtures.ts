import { crc32 as zlibCrc32 } from 'node:zlib';
import { Decimal, instrumentId, type Bar, type BarSource, type Logger } from '@kbot/core';
import { signKrakenRequest } from '../rest/signing.js';
import { startKrakenSimulator, type KrakenSimulator } from './kraken-simulator.js';
import type { KrakenSimulatorOptions } from './simulator-options.js';

/*
 * Shared by the simulator's tests (not part of the package's API): accounts, scripted markets
 * and a raw signed-request helper that does not go through KrakenRestClient.
 */

/** The API secret of Kraken's worked signing example (spec §4.3). */
export const SPEC_SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
/** The second vector's secret (python-kraken-sdk), used as a second account. */
export const OTHER_SECRET = 'cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ==';
export const KEY = 'spec-example-key';
export const OTHER_KEY = 'second-key';

export const START = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;

/** Bars given as `[open, high, low, close]` (volume 5 each), one per minute from `start`. */
export function scriptedBars(symbol: string, rows: readonly (readonly [number, number, number, number])[], start = START, volume = 5): BarSource {
  const id = instrumentId(symbol);
  const bars: Bar[] = rows.map(([open, high, low, close], index) => ({ instrumentId: id, interval: MINUTE, openTime: start + index * MINUTE, open, high, low, close, volume, trades: 8 }));
  return {
    instrumentId: id,
    interval: MINUTE,
    format: 'scripted',
    [Symbol.iterator]: () => bars[Symbol.iterator]() as Iterator<Bar, undefined>,
    summary: () => ({ file: 'scripted', format: 'scripted', instrumentId: id, interval: MINUTE, bars: bars.length, first: bars[0]?.openTime, last: bars.at(-1)?.openTime, gaps: 0, largestGapMs: 0 }),
  } as unknown as BarSource;
}

/** `count` flat bars at `price` (high/low one dollar around it). */
export function flat(price: number, count: number): [number, number, number, number][] {
  return Array.from({ length: count }, () => [price, price + 1, price - 1, price] as [number, number, number, number]);
}

export function startTestSimulator(overrides: Partial<KrakenSimulatorOptions> = {}): Promise<KrakenSimulator> {
  return startKrakenSimulator({
    market: {
      sources: [scriptedBars('BTC/USD', [...flat(40_000, 10), [40_000, 40_010, 38_900, 39_000], ...flat(39_000, 5), [39_000, 41_000, 38_990, 41_000], ...flat(41_000, 20)])],
      historyBars: 10,
    },
    accounts: [
      { key: KEY, secret: SPEC_SECRET, balances: { USD: '100000', BTC: '1' } },
      { key: OTHER_KEY, secret: OTHER_SECRET, balances: { ZUSD: '50' }, tier: 'pro' },
    ],
    speed: 0,
    ...overrides,
  });
}

let lastNonce = 0;

/** A nonce larger than every previous one of this process. */
export function nextNonce(): number {
  lastNonce = Math.max(Date.now() * 1000, lastNonce + 1);
  return lastNonce;
}

export interface SignedCall {
  readonly status: number;
  readonly body: { error: string[]; result?: any };
}

/** A private REST call signed by hand (form body, nonce first), so tests control every byte. */
export async function signedPost(
  sim: KrakenSimulator,
  endpoint: string,
  params: Record<string, string | number | boolean> = {},
  options: { key?: string; secret?: string; nonce?: number | string; sign?: string } = {},
): Promise<SignedCall> {
  const nonce = options.nonce ?? nextNonce();
  const body = new URLSearchParams({ nonce: String(nonce), ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) }).toString();
  const path = `/0/private/${endpoint}`;
  const sign = options.sign ?? signKrakenRequest({ path, nonce, body, secret: options.secret ?? SPEC_SECRET });
  const response = await fetch(`${sim.restUrl}${path}`, {
    method: 'POST',
    headers: { 'API-Key': options.key ?? KEY, 'API-Sign': sign, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, body: (await response.json()) as SignedCall['body'] };
}

export async function publicGet(sim: KrakenSimulator, endpoint: string, query: Record<string, string | number> = {}): Promise<SignedCall> {
  const search = new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))).toString();
  const response = await fetch(`${sim.restUrl}/0/public/${endpoint}${search ? `?${search}` : ''}`);
  return { status: response.status, body: (await response.json()) as SignedCall['body'] };
}

/** A WebSocket test client that records every message and waits for the ones a test needs. */
export class WsProbe {
  readonly messages: any[] = [];
  /** The texts as received, for checks JSON.parse would blur (uint64 ids). */
  readonly raw: string[] = [];
  closeCode: number | undefined;
  readonly #waiters: { predicate: (message: any) => boolean; resolve: (message: any) => void; from: number }[] = [];
  readonly #closed: Promise<number>;

  private constructor(readonly socket: import('ws').WebSocket) {
    socket.on('message', (data) => {
      this.raw.push(data.toString());
      const message = JSON.parse(data.toString());
      this.messages.push(message);
      for (const waiter of [...this.#waiters]) {
        if (waiter.predicate(message)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    this.#closed = new Promise((resolve) => socket.on('close', (code) => {
      this.closeCode = code;
      resolve(code);
    }));
  }

  static async connect(url: string): Promise<WsProbe> {
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(url);
    const probe = new WsProbe(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return probe;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message (already received or still to come) matching `predicate`. */
  next(predicate: (message: any) => boolean, timeoutMs = 3000): Promise<any> {
    const found = this.messages.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching WebSocket message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`)), timeoutMs);
      this.#waiters.push({ predicate, resolve: (message) => { clearTimeout(timer); resolve(message); }, from: this.messages.length });
    });
  }

  /** Sends a request and waits for the reply with the same req_id. */
  async request(message: { method: string; params?: unknown; req_id: number }): Promise<any> {
    const reply = this.next((m) => m.req_id === message.req_id && m.method === message.method);
    this.send(message);
    return reply;
  }

  closed(): Promise<number> {
    return this.#closed;
  }

  close(): void {
    this.socket.close();
  }

  #flushes = 0;

  /**
   * Resolves once everything the server sent before now has arrived: a ping's pong travels
   * behind every message already queued on the socket.
   */
  async flush(): Promise<void> {
    const reqId = 900_000 + ++this.#flushes;
    const pong = this.next((m) => m.method === 'pong' && m.req_id === reqId);
    this.send({ method: 'ping', req_id: reqId });
    await pong;
  }
}

/**
 * A reference L2 book kept the way spec §9.1 says a client must: apply levels, truncate to the
 * subscribed depth, checksum with fixed precision. Its CRC is Node's zlib.crc32, independent of
 * the simulator's own implementation.
 */
export class ReferenceBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  constructor(
    readonly depth: number,
    readonly priceDecimals: number,
    readonly qtyDecimals: number,
  ) {}

  apply(data: { bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }): void {
    for (const [side, levels] of [[this.bids, data.bids], [this.asks, data.asks]] as const) {
      for (const level of levels) {
        const price = new Decimal(level.price).toFixed(this.priceDecimals);
        if (level.qty === 0) side.delete(price);
        else side.set(price, new Decimal(level.qty).toFixed(this.qtyDecimals));
      }
    }
    this.#truncate();
  }

  #sorted(side: Map<string, string>, descending: boolean): [string, string][] {
    return [...side.entries()].sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
  }

  #truncate(): void {
    for (const [side, descending] of [[this.bids, true], [this.asks, false]] as const) {
      for (const [price] of this.#sorted(side, descending).slice(this.depth)) side.delete(price);
    }
  }

  /** One side, best first, as [price, quantity] texts at the book's precision. */
  sorted(side: 'bids' | 'asks'): [string, string][] {
    return side === 'bids' ? this.#sorted(this.bids, true) : this.#sorted(this.asks, false);
  }

  checksum(): number {
    const piece = (text: string) => text.replace('.', '').replace(/^0+/, '');
    const text = [...this.#sorted(this.asks, false).slice(0, 10), ...this.#sorted(this.bids, true).slice(0, 10)].map(([price, qty]) => piece(price) + piece(qty)).join('');
    return zlibCrc32(text) >>> 0;
  }
}

/** A logger that keeps the warnings and errors (a checksum mismatch is one). */
export function warningsLogger(warnings: string[]): Logger {
  const logger: Logger = { debug() {}, info() {}, warn: (message) => void warnings.push(message), error: (message) => void warnings.push(message), child: () => logger };
  return logger;
}

/** Waits (up to 3 s, in 10 ms steps) until `condition` holds; the test's own expectations say whether it did. */
export async function settle(condition: () => boolean): Promise<void> {
  for (let waited = 0; waited < 3_000 && !condition(); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}
