import { ConfigError, ExchangeError, instrumentId as instrumentIdOf, silentLogger, type Bar, type Logger, type Quote, type Trade } from '@kbot/core';
import WebSocket, { type RawData } from 'ws';
import { BookKeeper, bookHealthReport, type BookHealth, type BookPrecision, type BookResyncReason } from '../book/book-keeper.js';
import type { L2Book } from '../book/l2-book.js';
import { L3Book, type Level3Message } from '../book/l3-book.js';
import { krakenError } from '../rest/errors.js';
import { fullJitterDelay } from './backoff.js';
import { parseLosslessJson, toPlainJson, type JsonValue } from './lossless-json.js';
import { parseBalancesMessage, type KrakenBalancesMessage } from './parse-balances.js';
import { BookMessageScan, scanBookMessage, startsWithAscii } from './parse-book.js';
import { parseExecutionsMessage, type KrakenExecutionsMessage } from './parse-executions.js';
import { parseInstrumentMessage, type KrakenInstrumentMessage } from './parse-instrument.js';
import { parseLevel3Entry } from './parse-level3.js';
import { parseOhlc } from './parse-ohlc.js';
import { parseMethodResponse, type KrakenMethodResponse } from './parse-response.js';
import { parseStatus, type KrakenSystemStatus } from './parse-status.js';
import { parseTicker, scanTickerMessage } from './parse-ticker.js';
import { parseTrades, scanTradeMessage } from './parse-trade.js';
import { PRIVATE_CHANNELS, expandSubscription, subscriptionKey, type KrakenChannel, type KrakenSubscription } from './subscriptions.js';
import type {
  WsAddOrderParams,
  WsAddOrderResult,
  WsAmendOrderParams,
  WsAmendOrderResult,
  WsBatchAddParams,
  WsBatchAddRow,
  WsBatchCancelParams,
  WsBatchCancelResult,
  WsCancelAllOrdersAfterResult,
  WsCancelAllResult,
  WsCancelOrderOutcome,
  WsCancelOrderParams,
} from './trading-types.js';
import { isRecord, wsArray, wsRecord } from './ws-fields.js';
import { toWireRequest } from './wire-json.js';

export const DEFAULT_KRAKEN_WS_URL = 'wss://ws.kraken.com/v2';
export const DEFAULT_KRAKEN_WS_AUTH_URL = 'wss://ws-auth.kraken.com/v2';

export type KrakenWsConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

/** A level3 subscription's book and its health counters (as BookKeeper keeps them for `book`). */
interface Level3Tracked {
  readonly book: L3Book;
  awaitingSnapshot: boolean;
  mismatches: number;
  resyncs: number;
  snapshotAt: number;
}

/** What the client delivers. Handlers run synchronously in message order; one that throws is logged and the stream goes on. */
export interface KrakenWsHandlers {
  readonly onQuote?: (quote: Quote) => void;
  readonly onTrades?: (trades: readonly Trade[]) => void;
  /** The current candle; `type: 'update'` re-sends it as it changes (it is closed when a later one arrives). */
  readonly onBar?: (bar: Bar, type: 'snapshot' | 'update') => void;
  /** A checksum-verified book after each message; the object is live, copy what you keep. */
  readonly onBook?: (book: L2Book) => void;
  readonly onBookHealth?: (health: BookHealth) => void;
  /**
   * A `level3` book after each message whose checksum verified; the object is live, copy what you
   * keep. A mismatch drops the book and subscribes again for a fresh snapshot (as for `book`).
   */
  readonly onLevel3?: (book: L3Book) => void;
  readonly onInstruments?: (message: KrakenInstrumentMessage) => void;
  readonly onExecutions?: (message: KrakenExecutionsMessage) => void;
  readonly onBalances?: (message: KrakenBalancesMessage) => void;
  readonly onStatus?: (status: KrakenSystemStatus) => void;
  /** A private channel skipped a `sequence` number: a message was lost; reconcile (spec §11.4). */
  readonly onSequenceGap?: (gap: { readonly channel: KrakenChannel; readonly expected: number; readonly received: number }) => void;
  readonly onConnectionState?: (state: KrakenWsConnectionState, detail: { readonly attempt: number; readonly delayMs?: number; readonly reason?: string }) => void;
  /** A message that could not be read or was not expected; it was skipped. */
  readonly onUnexpectedMessage?: (reason: string, text: string) => void;
}

export interface KrakenWsClientOptions {
  /** `public` (market data) or `private` (executions, balances, trading; needs `getToken`). Default `public`. */
  readonly access?: 'public' | 'private';
  /** Overrides env `KRAKEN_WS_URL` / `KRAKEN_WS_AUTH_URL` and the defaults. */
  readonly url?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A fresh WebSocket token (REST GetWebSocketsToken). Called for every new connection and on token errors. */
  readonly getToken?: () => Promise<string>;
  /** A token older than this is refreshed before it is used in a new request (Kraken's SDK: half its 15-minute life). */
  readonly tokenMaxAgeMs?: number;
  readonly handlers?: KrakenWsHandlers;
  /** Price and quantity precision of a symbol, needed before its book can be kept (AssetPairs or the instrument channel). */
  readonly precisions?: (symbol: string) => BookPrecision | undefined;
  readonly logger?: Logger;
  /** How long a request waits for its reply. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Silence (no message at all) before a ping is sent. Default 10 s. */
  readonly idleTimeoutMs?: number;
  /** Further silence after the ping before the connection is dropped and reopened. Default 5 s. */
  readonly pongTimeoutMs?: number;
  /** How often liveness is checked. Default: a quarter of the shorter timeout, at most 1 s. */
  readonly watchdogIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectBaseDelayMs?: number;
  readonly reconnectMaxDelayMs?: number;
  /** Attempts in a row before giving up (state `failed`). Default: never give up. */
  readonly maxReconnectAttempts?: number;
  /** Requests answered once per item (cancel_order with several ids) settle this long after the last reply. */
  readonly multiReplySettleMs?: number;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface SubscriptionEntry {
  readonly key: string;
  readonly channel: KrakenChannel;
  readonly symbol: string | undefined;
  readonly variant: number | undefined;
  readonly subscribeParams: Readonly<Record<string, unknown>>;
  readonly unsubscribeParams: Readonly<Record<string, unknown>>;
  status: 'pending' | 'sent' | 'active';
  waiters: Waiter[];
}

interface CallOutcome {
  readonly replies: readonly KrakenMethodResponse[];
  /** False when the timeout (or the settle window) ended the wait before every expected reply came. */
  readonly complete: boolean;
}

interface PendingCall {
  readonly method: string;
  readonly expected: number;
  readonly replies: KrakenMethodResponse[];
  readonly resolve: (outcome: CallOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  settleTimer: NodeJS.Timeout | undefined;
}

interface CallOptions {
  readonly expectedReplies?: number;
  readonly timeoutMs?: number;
}

/** Requests that may have placed or changed an order even when no reply came. */
const ORDER_ENTRY_METHODS = new Set(['add_order', 'amend_order', 'batch_add', 'edit_order']);
/** Close codes after which reconnecting cannot help (spec §8.1: 1008 policy violation). */
const TERMINAL_CLOSE_CODES = new Set([1008]);
/** HTTP answers to the upgrade that are configuration errors, not outages (spec §11.4). */
const TERMINAL_HTTP_STATUSES = new Set([400, 401, 403, 404]);

/** How Kraken starts every ticker message (channel first, as it sends every message). */
const TICKER_PREFIX = '{"channel":"ticker",';
/** And every trade message. */
const TRADE_PREFIX = '{"channel":"trade",';

function isTokenError(error: string | undefined): boolean {
  return error !== undefined && /^(EAPI:Invalid token|ESession:Invalid session)/.test(error.trim());
}

/** A message's bytes as one Buffer (ws delivers a Buffer, fragments or an ArrayBuffer); no copy for a Buffer or an ArrayBuffer. */
function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** How Kraken starts every book message (channel first, as it sends every message). */
const BOOK_PREFIX = '{"channel":"book"';

/** A message for a log line: shortened, and with any token redacted (DESIGN.md §1 rule 10). */
function sample(text: string): string {
  const redacted = text.replace(/("token"\s*:\s*")[^"]*"/g, '$1[redacted]"');
  return redacted.length > 300 ? `${redacted.slice(0, 300)}…` : redacted;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * A Kraken WebSocket v2 connection (spec §8): subscriptions acknowledged by `req_id`, the
 * status and heartbeat channels, a ping watchdog, reconnection with exponential backoff and full
 * jitter, and resubscription of everything after a reconnect (books restart from a fresh
 * snapshot). Book messages go to a checksum-verifying BookKeeper without JSON.parse; the other
 * channels are parsed losslessly into core types. A `private` client also carries a token for
 * executions, balances and the trading methods, refreshed on `EAPI:Invalid token`.
 *
 * Nothing a message contains can throw out of the socket handler: unreadable or unexpected
 * messages are logged (and given to `onUnexpectedMessage`) and skipped.
 */
export class KrakenWsClient {
  readonly url: string;
  readonly access: 'public' | 'private';
  readonly #options: KrakenWsClientOptions;
  readonly #handlers: KrakenWsHandlers;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #requestTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #pongTimeoutMs: number;
  readonly #watchdogIntervalMs: number;
  readonly #books: BookKeeper;
  /** Level3 books by symbol; updates wait for a snapshot after a subscribe, a mismatch or a reconnect. */
  readonly #level3 = new Map<string, Level3Tracked>();
  readonly #scan = new BookMessageScan();
  readonly #entries = new Map<string, SubscriptionEntry>();
  readonly #calls = new Map<number, PendingCall>();
  readonly #precisions = new Map<string, BookPrecision>();
  readonly #sequences = new Map<KrakenChannel, number>();
  readonly #resyncing = new Set<string>();
  #state: KrakenWsConnectionState = 'idle';
  #socket: WebSocket | undefined;
  #wanted = false;
  #attempt = 0;
  #requestId = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastMessageAt = 0;
  #pingSentAt: number | undefined;
  #lastError: Error | undefined;
  #connectWaiters: Waiter[] = [];
  #token: string | undefined;
  #tokenAt = 0;
  // Whether the token has been carried by a connection that opened: such a token may die with
  // that connection, so the next one fetches its own. One whose connection never opened is unused.
  #tokenSpent = false;
  #tokenRequest: Promise<string> | undefined;

  constructor(options: KrakenWsClientOptions = {}) {
    this.#options = options;
    this.access = options.access ?? 'public';
    const env = options.env ?? process.env;
    this.url =
      options.url ??
      (this.access === 'private' ? env.KRAKEN_WS_AUTH_URL || DEFAULT_KRAKEN_WS_AUTH_URL : env.KRAKEN_WS_URL || DEFAULT_KRAKEN_WS_URL);
    if (this.access === 'private' && options.getToken === undefined) {
      throw new ConfigError([{ path: 'getToken', received: 'nothing', expected: 'a function returning a WebSocket token (REST GetWebSocketsToken) for a private client' }], 'Kraken WebSocket client');
    }
    this.#handlers = options.handlers ?? {};
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kraken-ws', access: this.access });
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? 5_000;
    this.#watchdogIntervalMs = options.watchdogIntervalMs ?? Math.max(10, Math.min(1_000, Math.floor(Math.min(this.#idleTimeoutMs, this.#pongTimeoutMs) / 4)));
    this.#books = new BookKeeper({
      logger: this.#logger,
      now: this.#now,
      onBook: (book) => this.#emit('onBook', () => this.#handlers.onBook?.(book)),
      onBookHealth: (health) => this.#emit('onBookHealth', () => this.#handlers.onBookHealth?.(health)),
      requestResync: (symbol, depth) => void this.#resyncBook(symbol, depth),
    });
  }

  /**
   * The exact text this client sends for a request: `{"method":…,"params":{…},"req_id":…}`, with
   * Decimals as JSON numbers in their exact digits and `token` (when given) as the last field of
   * `params`. Order params from buildKrakenOrderRequest already carry their text, so an order is
   * one concatenation away from the socket.
   */
  static requestText(method: string, params: object | undefined, requestId: number, token?: string): string {
    return toWireRequest(method, params, requestId, token);
  }

  get state(): KrakenWsConnectionState {
    return this.#state;
  }

  /** The verified book of a subscribed symbol (empty while it waits for a snapshot). */
  book(symbol: string): L2Book | undefined {
    return this.#books.book(symbol);
  }

  bookHealth(symbol: string): BookHealth | undefined {
    return this.#books.health(symbol);
  }

  /** Sets a symbol's precisions (from AssetPairs); a live book at other precisions is resynchronised. */
  setPrecision(symbol: string, precision: BookPrecision): void {
    this.#precisions.set(symbol, precision);
    const book = this.#books.book(symbol);
    if (book !== undefined) this.#books.track(symbol, { depth: book.depth, ...precision });
  }

  /**
   * Opens the connection; resolves once it is open. Network failures are retried with backoff
   * (the promise waits); a terminal failure (HTTP 400/401/403/404 on the upgrade, close code 1008,
   * or `maxReconnectAttempts` used up) rejects it.
   */
  connect(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (!this.#wanted) {
      this.#wanted = true;
      this.#attempt = 0;
      void this.#open();
    }
    return opened;
  }

  /** Closes the connection for good: no reconnect; pending requests and subscriptions are rejected. */
  async close(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#stopWatchdog();
    const closed = new ExchangeError('network', 'Kraken WebSocket closed by the caller', { retryable: false });
    this.#settleConnectWaiters(closed);
    for (const entry of this.#entries.values()) this.#rejectWaiters(entry, closed);
    const socket = this.#socket;
    if (socket !== undefined) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => socket.terminate(), 2_000);
        force.unref();
        socket.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        socket.close(1000);
      });
    }
    if (this.#state !== 'closed') this.#setState('closed', {});
  }

  /**
   * Subscribes and resolves when Kraken acknowledged every symbol (immediately when already
   * live). Before `connect()` the subscription is remembered and sent on open. It is replayed
   * after every reconnect. A book needs the symbol's precisions first (`precisions` option,
   * setPrecision or an `instrument` snapshot). Kraken's refusal rejects with its error mapped
   * to ExchangeError; `Already subscribed` counts as success.
   */
  async subscribe(subscription: KrakenSubscription): Promise<void> {
    const expanded = expandSubscription(subscription);
    if (PRIVATE_CHANNELS.has(expanded.channel) && this.access !== 'private') {
      throw new ConfigError([{ path: 'channel', received: expanded.channel, expected: 'a public channel; private channels need a client with access "private"' }], 'Kraken WebSocket subscription');
    }
    if (expanded.channel === 'book' || expanded.channel === 'level3') {
      const unknown = expanded.symbols.filter((symbol) => this.#precisionOf(symbol!) === undefined);
      if (unknown.length > 0) {
        throw new ConfigError(
          unknown.map((symbol) => ({
            path: `${expanded.channel}.symbols ${symbol}`,
            received: 'no known precision',
            expected: 'its price and quantity precision first (the precisions option, setPrecision, or an instrument snapshot)',
          })),
          'Kraken WebSocket subscription',
        );
      }
      for (const symbol of expanded.symbols) {
        const precision = this.#precisionOf(symbol!)!;
        if (expanded.channel === 'book') this.#books.track(symbol!, { depth: expanded.variant!, ...precision });
        else {
          // Subscribing again as it is keeps the book: Kraken answers "Already subscribed" and sends no new snapshot.
          const kept = this.#level3.get(symbol!)?.book;
          const same = kept !== undefined && kept.depth === expanded.variant && kept.pricePrecision === precision.pricePrecision && kept.quantityPrecision === precision.quantityPrecision;
          if (!same) {
            const book = new L3Book({ instrumentId: instrumentIdOf(symbol!), ...precision, depth: expanded.variant! });
            const previous = this.#level3.get(symbol!);
            this.#level3.set(symbol!, { book, awaitingSnapshot: true, mismatches: previous?.mismatches ?? 0, resyncs: previous?.resyncs ?? 0, snapshotAt: this.#now() });
          }
        }
      }
    }
    const waiting: Promise<void>[] = [];
    const toSend: SubscriptionEntry[] = [];
    for (const symbol of expanded.symbols) {
      const key = subscriptionKey({ channel: expanded.channel, symbol, variant: expanded.variant });
      let entry = this.#entries.get(key);
      if (entry === undefined) {
        entry = {
          key,
          channel: expanded.channel,
          symbol,
          variant: expanded.variant,
          subscribeParams: expanded.subscribeParams,
          unsubscribeParams: expanded.unsubscribeParams,
          status: 'pending',
          waiters: [],
        };
        this.#entries.set(key, entry);
      }
      if (entry.status === 'active') continue;
      const target = entry;
      waiting.push(new Promise<void>((resolve, reject) => target.waiters.push({ resolve, reject })));
      if (entry.status === 'pending') toSend.push(entry);
    }
    if (this.#state === 'open' && toSend.length > 0) void this.#sendSubscribe(toSend, false);
    await Promise.all(waiting);
  }

  /** Stops a subscription (and forgets it for reconnects). `Subscription Not Found` is not an error. */
  async unsubscribe(subscription: KrakenSubscription): Promise<void> {
    const expanded = expandSubscription(subscription);
    const removed: SubscriptionEntry[] = [];
    for (const symbol of expanded.symbols) {
      const key = subscriptionKey({ channel: expanded.channel, symbol, variant: expanded.variant });
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      this.#entries.delete(key);
      this.#rejectWaiters(entry, new ExchangeError('invalid-order', `Kraken WebSocket ${key}: unsubscribed before it was acknowledged`));
      this.#forgetBook(entry);
      removed.push(entry);
    }
    const live = removed.filter((entry) => entry.status !== 'pending');
    if (live.length === 0 || this.#state !== 'open') return;
    const symbols = live.map((entry) => entry.symbol).filter((symbol): symbol is string => symbol !== undefined);
    const params = {
      ...expanded.unsubscribeParams,
      ...(symbols.length > 0 ? { symbol: symbols } : {}),
      ...(PRIVATE_CHANNELS.has(expanded.channel) ? { token: await this.#currentToken() } : {}),
    };
    const outcome = await this.#call('unsubscribe', params, { expectedReplies: live.length });
    const failure = outcome.replies.find((reply) => !reply.success && !/subscription not found/i.test(reply.error ?? ''));
    if (failure !== undefined) throw krakenError(failure.error ?? 'an unexplained failure', { endpoint: 'WebSocket unsubscribe' });
  }

  /** Application-level ping (spec §8.2); resolves with the round trip in ms. */
  async ping(): Promise<number> {
    const started = this.#now();
    const outcome = await this.#call('ping', undefined, {});
    if (!outcome.complete) throw new ExchangeError('network', `Kraken WebSocket ping: no pong within ${this.#requestTimeoutMs} ms`, { retryable: true });
    return this.#now() - started;
  }

  // ---- trading (spec §8.14) ----------------------------------------------------------------

  /** Places an order. Kraken's error string rejects as ExchangeError; a timeout leaves the outcome unknown (reconcile by cl_ord_id). */
  async addOrder(params: WsAddOrderParams): Promise<WsAddOrderResult> {
    const result = this.#resultRecord(await this.#trade('add_order', params), 'add_order');
    return {
      order_id: typeof result.order_id === 'string' ? result.order_id : '',
      ...(optionalText(result.cl_ord_id) === undefined ? {} : { cl_ord_id: optionalText(result.cl_ord_id)! }),
      ...(optionalInteger(result.order_userref) === undefined ? {} : { order_userref: optionalInteger(result.order_userref)! }),
      ...this.#warnings(result),
    };
  }

  async amendOrder(params: WsAmendOrderParams): Promise<WsAmendOrderResult> {
    // Exactly one id, as REST AmendOrder requires too: Kraken would refuse the request anyway.
    if ((params.order_id === undefined) === (params.cl_ord_id === undefined)) {
      throw new ConfigError([{ path: 'amend_order', received: params.order_id === undefined ? 'neither order_id nor cl_ord_id' : 'both order_id and cl_ord_id', expected: 'exactly one of them' }], 'Kraken WebSocket amend_order');
    }
    const result = this.#resultRecord(await this.#trade('amend_order', params), 'amend_order');
    return {
      amend_id: typeof result.amend_id === 'string' ? result.amend_id : '',
      ...(optionalText(result.order_id) === undefined ? {} : { order_id: optionalText(result.order_id)! }),
      ...(optionalText(result.cl_ord_id) === undefined ? {} : { cl_ord_id: optionalText(result.cl_ord_id)! }),
      ...this.#warnings(result),
    };
  }

  /**
   * Cancels orders by id, client id or userref. Kraken answers once per order, so this returns
   * one outcome per reply; an order that could not be canceled carries its error instead of
   * failing the rest.
   */
  async cancelOrder(params: WsCancelOrderParams): Promise<WsCancelOrderOutcome[]> {
    const count = (params.order_id?.length ?? 0) + (params.cl_ord_id?.length ?? 0) + (params.order_userref?.length ?? 0);
    if (count === 0) {
      throw new ConfigError([{ path: 'cancel_order', received: 'no order_id, cl_ord_id or order_userref', expected: 'at least one order to cancel' }], 'Kraken WebSocket cancel_order');
    }
    const replies = await this.#tradeReplies('cancel_order', params, count);
    return replies.map((reply) => {
      const result = isRecord(reply.result) ? (toPlainJson(reply.result) as Record<string, unknown>) : {};
      return {
        ...(optionalText(result.order_id) === undefined ? {} : { order_id: optionalText(result.order_id)! }),
        ...(optionalText(result.cl_ord_id) === undefined ? {} : { cl_ord_id: optionalText(result.cl_ord_id)! }),
        ...(reply.success ? {} : { error: krakenError(reply.error ?? 'an unexplained failure', { endpoint: 'WebSocket cancel_order', now: this.#now() }) }),
      };
    });
  }

  async cancelAll(): Promise<WsCancelAllResult> {
    const result = this.#resultRecord(await this.#trade('cancel_all', {}), 'cancel_all');
    return { count: optionalInteger(result.count) ?? 0 };
  }

  /** The dead man's switch: cancels everything after `timeoutSeconds` unless re-armed; 0 disarms. */
  async cancelAllOrdersAfter(timeoutSeconds: number): Promise<WsCancelAllOrdersAfterResult> {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds >= 86_400) {
      throw new ConfigError([{ path: 'timeout', received: String(timeoutSeconds), expected: 'whole seconds from 0 (disarm) to 86399' }], 'Kraken WebSocket cancel_all_orders_after');
    }
    const result = this.#resultRecord(await this.#trade('cancel_all_orders_after', { timeout: timeoutSeconds }), 'cancel_all_orders_after');
    return { currentTime: String(result.currentTime ?? ''), triggerTime: String(result.triggerTime ?? '') };
  }

  /**
   * Places 2–15 orders on one symbol. Resolves with one row per order when Kraken returns rows,
   * even on partial failure (failed rows carry `error`); rejects when it returns none.
   */
  async batchAdd(params: WsBatchAddParams): Promise<WsBatchAddRow[]> {
    const count = Array.isArray(params.orders) ? params.orders.length : 0;
    if (count < 2 || count > 15) {
      throw new ConfigError([{ path: 'batch_add.orders', received: `${count} orders`, expected: '2 to 15 orders on one symbol (Kraken\'s limit; send one order with add_order)' }], 'Kraken WebSocket batch_add');
    }
    const reply = await this.#trade('batch_add', params, { allowRows: true });
    return wsArray(toPlainJson(reply.result as JsonValue), 'batch_add result').map((row) => {
      const fields = isRecord(row) ? row : {};
      return {
        ...(optionalText(fields.order_id) === undefined ? {} : { order_id: optionalText(fields.order_id)! }),
        ...(optionalText(fields.cl_ord_id) === undefined ? {} : { cl_ord_id: optionalText(fields.cl_ord_id)! }),
        ...(optionalInteger(fields.order_userref) === undefined ? {} : { order_userref: optionalInteger(fields.order_userref)! }),
        ...(optionalText(fields.error) === undefined ? {} : { error: optionalText(fields.error)! }),
      };
    });
  }

  async batchCancel(params: WsBatchCancelParams): Promise<WsBatchCancelResult> {
    const reply = await this.#trade('batch_cancel', params);
    const result = isRecord(reply.result) ? (toPlainJson(reply.result) as Record<string, unknown>) : {};
    // Documented as result.count, observed as a top-level orders_cancelled (spec §8.14).
    const extra = toPlainJson((reply.extra.orders_cancelled ?? null) as JsonValue);
    return { count: optionalInteger(result.count) ?? optionalInteger(extra) ?? 0 };
  }

  // ---- connection --------------------------------------------------------------------------

  async #open(): Promise<void> {
    if (!this.#wanted) return;
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting', { attempt: this.#attempt });
    if (this.access === 'private') {
      try {
        // A fresh token for every connection (spec §11.4); a failed attempt (nothing listening,
        // a refused upgrade) never used its token, and another GetWebSocketsToken would spend a
        // point of the REST counter that polling needs while this socket is down.
        if (this.#tokenSpent || this.#token === undefined || this.#tokenStale()) await this.#refreshToken();
      } catch (error) {
        this.#logger.warn('Kraken WebSocket token could not be fetched; retrying', { error: (error as Error).message });
        this.#lastError = error as Error;
        this.#scheduleReconnect('token unavailable');
        return;
      }
      if (!this.#wanted) return;
    }
    this.#lastError = undefined;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, { handshakeTimeout: this.#options.connectTimeoutMs ?? 10_000, perMessageDeflate: false });
    } catch (error) {
      // An unusable URL: nothing a retry can fix.
      this.#fail(new ConfigError([{ path: 'url', received: JSON.stringify(this.url), expected: 'a ws:// or wss:// URL' }], 'Kraken WebSocket client'), String((error as Error).message));
      return;
    }
    this.#socket = socket;
    socket.on('open', () => this.#onOpen(socket));
    socket.on('message', (data) => this.#onMessage(socket, data));
    socket.on('error', (error) => {
      if (socket !== this.#socket) return;
      this.#lastError = error;
      this.#logger.debug('Kraken WebSocket error', { error: error.message });
    });
    socket.on('close', (code, reason) => this.#onClose(socket, code, reason.toString()));
  }

  #onOpen(socket: WebSocket): void {
    if (socket !== this.#socket) return;
    this.#tokenSpent = true;
    this.#lastMessageAt = this.#now();
    this.#pingSentAt = undefined;
    this.#sequences.clear();
    this.#setState('open', { attempt: this.#attempt });
    this.#startWatchdog();
    this.#settleConnectWaiters(undefined);
    const pending = [...this.#entries.values()];
    for (const entry of pending) entry.status = 'pending';
    if (pending.length > 0) void this.#sendSubscribe(pending, false);
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#stopWatchdog();
    this.#rejectCalls('the connection closed before the reply');
    // A close we did not ask for: until the reconnection's snapshots, no book is verified.
    this.#books.resetAll(this.#wanted);
    for (const [symbol, level3] of this.#level3) {
      if (this.#wanted && !level3.awaitingSnapshot) this.#markLevel3Dropped(symbol, level3, 'disconnected');
      level3.awaitingSnapshot = true;
    }
    for (const entry of this.#entries.values()) entry.status = 'pending';
    if (!this.#wanted) {
      this.#setState('closed', { attempt: this.#attempt, reason: `close code ${code}` });
      return;
    }
    const status = /Unexpected server response: (\d+)/.exec(this.#lastError?.message ?? '')?.[1];
    if (TERMINAL_CLOSE_CODES.has(code) || (status !== undefined && TERMINAL_HTTP_STATUSES.has(Number(status)))) {
      const why = status !== undefined ? `HTTP ${status} on the upgrade` : `close code ${code}${reason ? ` (${reason})` : ''}`;
      this.#fail(
        new ExchangeError(status === '401' || status === '403' ? 'authentication' : 'unavailable', `Kraken WebSocket ${this.url}: ${why}; not reconnecting, check the URL and access`, { retryable: false }),
        why,
      );
      return;
    }
    this.#logger.info('Kraken WebSocket closed; reconnecting', { code, reason, error: this.#lastError?.message });
    this.#scheduleReconnect(this.#lastError?.message ?? `close code ${code}`);
  }

  #scheduleReconnect(reason: string): void {
    if (!this.#wanted) return;
    this.#attempt += 1;
    const limit = this.#options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY;
    if (this.#attempt > limit) {
      this.#fail(new ExchangeError('network', `Kraken WebSocket ${this.url}: gave up after ${limit} reconnect attempts (${reason})`, { retryable: true }), reason);
      return;
    }
    const delayMs = fullJitterDelay(this.#attempt, this.#options.reconnectBaseDelayMs ?? 500, this.#options.reconnectMaxDelayMs ?? 30_000, this.#random);
    this.#setState('reconnecting', { attempt: this.#attempt, delayMs, reason });
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#open();
    }, delayMs);
  }

  #fail(error: Error, reason: string): void {
    this.#wanted = false;
    this.#logger.error('Kraken WebSocket stopped', { error: error.message });
    this.#settleConnectWaiters(error);
    for (const entry of this.#entries.values()) this.#rejectWaiters(entry, error);
    this.#setState('failed', { attempt: this.#attempt, reason });
  }

  #setState(state: KrakenWsConnectionState, detail: { attempt?: number; delayMs?: number; reason?: string }): void {
    this.#state = state;
    this.#emit('onConnectionState', () =>
      this.#handlers.onConnectionState?.(state, {
        attempt: detail.attempt ?? this.#attempt,
        ...(detail.delayMs === undefined ? {} : { delayMs: detail.delayMs }),
        ...(detail.reason === undefined ? {} : { reason: detail.reason }),
      }),
    );
  }

  #settleConnectWaiters(error: Error | undefined): void {
    const waiters = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  #startWatchdog(): void {
    this.#stopWatchdog();
    this.#watchdog = setInterval(() => this.#checkLiveness(), this.#watchdogIntervalMs);
    this.#watchdog.unref();
  }

  #stopWatchdog(): void {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** Spec §8.2–8.3 and §11.4: silence → ping; still silent after the ping → drop and reconnect. */
  #checkLiveness(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#state !== 'open') return;
    const now = this.#now();
    if (this.#pingSentAt === undefined) {
      if (now - this.#lastMessageAt >= this.#idleTimeoutMs) {
        this.#pingSentAt = now;
        this.#logger.debug('Kraken WebSocket quiet; sending ping', { silentMs: now - this.#lastMessageAt });
        this.#call('ping', undefined, { timeoutMs: this.#pongTimeoutMs }).catch(() => undefined);
      }
    } else if (now - this.#pingSentAt >= this.#pongTimeoutMs) {
      this.#logger.warn('Kraken WebSocket silent after ping; reconnecting', { silentMs: now - this.#lastMessageAt });
      this.#lastError = new Error(`no message for ${now - this.#lastMessageAt} ms, ping unanswered`);
      socket.terminate();
    }
  }

  // ---- messages ----------------------------------------------------------------------------

  #onMessage(socket: WebSocket, data: RawData): void {
    if (socket !== this.#socket) return;
    const receivedAt = this.#now();
    this.#lastMessageAt = receivedAt;
    this.#pingSentAt = undefined;
    // A connection that delivers messages has recovered: the next failure starts backoff afresh.
    this.#attempt = 0;
    let text = '';
    let bytes: Buffer | undefined;
    try {
      bytes = rawBytes(data);
      // A book message, the busiest channel, is scanned from the bytes received, which saves
      // decoding them into text (that the scanner would then encode back into bytes). Anything
      // but a book message read here (another channel, or a book message that is malformed)
      // takes the text path below, which reads it, and reports it, as before.
      if (startsWithAscii(bytes, BOOK_PREFIX)) {
        // An update of the last book in Kraken's compact layout: read and applied in one call.
        if (this.#books.applyBytes(bytes)) return;
        if (scanBookMessage(bytes, this.#scan) === 'book') {
          this.#books.apply(bytes, this.#scan);
          return;
        }
      }
      text = bytes.toString('utf8');
      if (text.startsWith(TICKER_PREFIX) && this.#onTickerText(text, receivedAt)) return;
      if (text.startsWith(TRADE_PREFIX)) {
        const trades = scanTradeMessage(text, receivedAt);
        if (trades !== undefined) {
          this.#emitTrades(trades);
          return;
        }
      }
      const scanned = scanBookMessage(text, this.#scan);
      if (scanned === 'book') {
        this.#books.apply(text, this.#scan);
        return;
      }
      if (scanned === 'malformed') {
        this.#unexpected(`unreadable book message: ${this.#scan.error}`, text);
        return;
      }
      let message: JsonValue;
      try {
        message = parseLosslessJson(text);
      } catch (error) {
        this.#unexpected(`not JSON: ${(error as Error).message}`, text);
        return;
      }
      if (!isRecord(message)) {
        this.#unexpected('not a JSON object', text);
      } else if (typeof message.method === 'string') {
        this.#onResponse(parseMethodResponse(message), text);
      } else if (typeof message.channel === 'string') {
        this.#onChannel(message.channel, message, text);
      } else {
        this.#unexpected('neither a reply (method) nor channel data (channel)', text);
      }
    } catch (error) {
      // A book message applied from its bytes has no text yet: the report shows it all the same.
      this.#unexpected(`could not be handled: ${(error as Error).message}`, text === '' && bytes !== undefined ? bytes.toString('utf8') : text);
    }
  }

  /**
   * A ticker message read in place (scanTickerMessage) when it is in Kraken's compact form, else
   * with JSON.parse, which is several times faster than the lossless parser: quotes are floats,
   * and both give the very doubles the lossless parser's texts convert to. Every entry is read
   * before any quote is delivered; on anything unusual (not JSON, a reply, a field Kraken does
   * not send) nothing is delivered and false is returned, and the general path reads the message
   * and reports it as it always has.
   */
  #onTickerText(text: string, receivedAt: number): boolean {
    const scanned = scanTickerMessage(text, receivedAt);
    if (scanned !== undefined) {
      for (let index = 0; index < scanned.length; index++) this.#emitQuote(scanned[index]!);
      return true;
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return false;
    }
    if (!isRecord(message) || message.method !== undefined || message.channel !== 'ticker' || !Array.isArray(message.data)) return false;
    const data = message.data as readonly unknown[];
    let quote: Quote;
    let quotes: Quote[] | undefined;
    try {
      quote = parseTicker(data[0], receivedAt);
      if (data.length > 1) quotes = data.map((entry) => parseTicker(entry, receivedAt));
    } catch {
      return false;
    }
    if (quotes === undefined) this.#emitQuote(quote);
    else for (const each of quotes) this.#emitQuote(each);
    return true;
  }

  /** #emit for onQuote, without a closure per quote. */
  #emitQuote(quote: Quote): void {
    try {
      this.#handlers.onQuote?.(quote);
    } catch (error) {
      this.#logger.error('Kraken WebSocket handler onQuote threw; continuing', { error: (error as Error).message });
    }
  }

  /** #emit for onTrades, without a closure per message. */
  #emitTrades(trades: readonly Trade[]): void {
    try {
      this.#handlers.onTrades?.(trades);
    } catch (error) {
      this.#logger.error('Kraken WebSocket handler onTrades threw; continuing', { error: (error as Error).message });
    }
  }

  #unexpected(reason: string, text: string): void {
    this.#logger.warn('Kraken WebSocket message skipped', { reason, message: sample(text) });
    this.#emit('onUnexpectedMessage', () => this.#handlers.onUnexpectedMessage?.(reason, text));
  }

  /** Runs one handler; a handler that throws is logged and does not stop the stream. */
  #emit(name: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#logger.error(`Kraken WebSocket handler ${name} threw; continuing`, { error: (error as Error).message });
    }
  }

  #onChannel(channel: string, message: Readonly<Record<string, unknown>>, text: string): void {
    const receivedAt = this.#now();
    const type = message.type === 'snapshot' ? 'snapshot' : 'update';
    switch (channel) {
      case 'heartbeat':
        return;
      case 'status':
        for (const entry of wsArray(message.data, 'status.data')) {
          const status = parseStatus(entry);
          if (status.system !== 'online') this.#logger.warn('Kraken reports a system status other than online', { system: status.venueSystem });
          this.#emit('onStatus', () => this.#handlers.onStatus?.(status));
        }
        return;
      case 'ticker':
        for (const entry of wsArray(message.data, 'ticker.data')) this.#emitQuote(parseTicker(entry, receivedAt));
        return;
      case 'trade':
        this.#emitTrades(parseTrades(message.data, receivedAt));
        return;
      case 'ohlc':
        for (const entry of wsArray(message.data, 'ohlc.data')) {
          const bar = parseOhlc(entry);
          this.#emit('onBar', () => this.#handlers.onBar?.(bar, type));
        }
        return;
      case 'instrument': {
        const parsed = parseInstrumentMessage(type, message.data, (what, error) => this.#logger.warn('Kraken instrument entry skipped', { what, error: error.message }));
        for (const pair of parsed.pairs) this.setPrecision(pair.symbol, pair.precision);
        this.#emit('onInstruments', () => this.#handlers.onInstruments?.(parsed));
        return;
      }
      case 'level3':
        for (const entry of wsArray(message.data, 'level3.data')) this.#applyLevel3(type, wsRecord(entry, 'level3.data[]'), text);
        return;
      case 'executions': {
        const parsed = parseExecutionsMessage(message, receivedAt);
        this.#checkSequence('executions', type, parsed.sequence);
        this.#emit('onExecutions', () => this.#handlers.onExecutions?.(parsed));
        return;
      }
      case 'balances': {
        const parsed = parseBalancesMessage(message);
        this.#checkSequence('balances', type, parsed.sequence);
        this.#emit('onBalances', () => this.#handlers.onBalances?.(parsed));
        return;
      }
      default:
        this.#unexpected(`unknown channel ${JSON.stringify(channel)}`, text);
    }
  }

  #checkSequence(channel: KrakenChannel, type: 'snapshot' | 'update', sequence: number | undefined): void {
    if (sequence === undefined) return;
    const last = this.#sequences.get(channel);
    this.#sequences.set(channel, sequence);
    if (type === 'snapshot' || last === undefined || sequence === last + 1) return;
    this.#logger.warn('Kraken private channel skipped a sequence number; reconcile', { channel, expected: last + 1, received: sequence });
    this.#emit('onSequenceGap', () => this.#handlers.onSequenceGap?.({ channel, expected: last + 1, received: sequence }));
  }

  #onResponse(reply: KrakenMethodResponse, text: string): void {
    const call = reply.requestId === undefined ? undefined : this.#calls.get(reply.requestId);
    if (call === undefined) {
      // A late reply after a timeout, or a reply to a request this client did not make.
      this.#logger.debug('Kraken WebSocket reply without a waiting request', { method: reply.method, requestId: reply.requestId, message: sample(text) });
      return;
    }
    call.replies.push(reply);
    if (call.replies.length >= call.expected) {
      this.#finishCall(reply.requestId!, true);
    } else if (call.method === 'cancel_order') {
      clearTimeout(call.settleTimer);
      call.settleTimer = setTimeout(() => this.#finishCall(reply.requestId!, false), this.#options.multiReplySettleMs ?? 1_000);
    }
  }

  #finishCall(requestId: number, complete: boolean): void {
    const call = this.#calls.get(requestId);
    if (call === undefined) return;
    this.#calls.delete(requestId);
    clearTimeout(call.timer);
    clearTimeout(call.settleTimer);
    call.resolve({ replies: call.replies, complete });
  }

  #rejectCalls(why: string): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      clearTimeout(call.settleTimer);
      const orderEntry = ORDER_ENTRY_METHODS.has(call.method);
      call.reject(
        new ExchangeError(
          'network',
          `Kraken WebSocket ${call.method}: ${why}${orderEntry ? '; the order may or may not have been placed, look it up by cl_ord_id before resending' : ''}`,
          { retryable: !orderEntry },
        ),
      );
    }
  }

  /**
   * Sends one request (`token`, when given, goes last in its params) and collects its replies by
   * req_id. Resolves incomplete on timeout; rejects when not connected or on disconnect.
   */
  #call(method: string, params: object | undefined, options: CallOptions, token?: string): Promise<CallOutcome> {
    const socket = this.#socket;
    if (socket === undefined || this.#state !== 'open' || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ExchangeError('network', `Kraken WebSocket ${method}: not connected; nothing was sent`, { retryable: true }));
    }
    const requestId = ++this.#requestId;
    let text: string;
    try {
      text = KrakenWsClient.requestText(method, params, requestId, token);
    } catch (error) {
      return Promise.reject(new ConfigError([{ path: `${method}.params`, received: (error as Error).message, expected: 'JSON data with finite numbers' }], 'Kraken WebSocket request'));
    }
    return new Promise<CallOutcome>((resolve, reject) => {
      const timer = setTimeout(() => this.#finishCall(requestId, false), options.timeoutMs ?? this.#requestTimeoutMs);
      timer.unref();
      this.#calls.set(requestId, { method, expected: options.expectedReplies ?? 1, replies: [], resolve, reject, timer, settleTimer: undefined });
      socket.send(text, (error) => {
        if (error === undefined || error === null) return;
        const call = this.#calls.get(requestId);
        if (call === undefined) return;
        this.#calls.delete(requestId);
        clearTimeout(timer);
        reject(new ExchangeError('network', `Kraken WebSocket ${method}: send failed: ${error.message}`, { retryable: !ORDER_ENTRY_METHODS.has(method), cause: error }));
      });
    });
  }

  // ---- subscriptions -------------------------------------------------------------------------

  #precisionOf(symbol: string): BookPrecision | undefined {
    return this.#options.precisions?.(symbol) ?? this.#precisions.get(symbol);
  }

  /** Sends `subscribe` for pending entries, one request per channel and variant, and settles them from the acks. */
  async #sendSubscribe(entries: readonly SubscriptionEntry[], tokenRetried: boolean): Promise<void> {
    const groups = new Map<string, SubscriptionEntry[]>();
    for (const entry of entries) {
      if (this.#entries.get(entry.key) !== entry) continue; // unsubscribed meanwhile
      const group = `${entry.channel}|${entry.variant ?? ''}`;
      groups.set(group, [...(groups.get(group) ?? []), entry]);
    }
    await Promise.all([...groups.values()].map((group) => this.#subscribeGroup(group, tokenRetried)));
  }

  async #subscribeGroup(group: SubscriptionEntry[], tokenRetried: boolean): Promise<void> {
    for (const entry of group) entry.status = 'sent';
    const first = group[0]!;
    const symbols = group.map((entry) => entry.symbol).filter((symbol): symbol is string => symbol !== undefined);
    let token: string | undefined;
    try {
      token = PRIVATE_CHANNELS.has(first.channel) ? await this.#currentToken() : undefined;
    } catch (error) {
      const failure = new ExchangeError('authentication', `Kraken WebSocket token for ${first.channel}: ${(error as Error).message}`, { retryable: true, cause: error });
      for (const entry of group) this.#refuse(entry, failure);
      return;
    }
    let outcome: CallOutcome;
    try {
      const params = { ...first.subscribeParams, ...(symbols.length > 0 ? { symbol: symbols } : {}), ...(token === undefined ? {} : { token }) };
      outcome = await this.#call('subscribe', params, { expectedReplies: group.length });
    } catch (error) {
      // Not connected or the connection dropped: the entries go out again on the next open.
      for (const entry of group) if (entry.status === 'sent') entry.status = 'pending';
      this.#logger.debug('Kraken WebSocket subscribe not completed; will resend on reconnect', { channel: first.channel, error: (error as Error).message });
      return;
    }
    const unanswered = [...group];
    const tokenFailures: SubscriptionEntry[] = [];
    for (const reply of outcome.replies) {
      const entry = this.#matchReply(reply, unanswered);
      if (entry === undefined) continue;
      unanswered.splice(unanswered.indexOf(entry), 1);
      if (reply.success || /already subscribed/i.test(reply.error ?? '')) {
        this.#activate(entry);
      } else if (!tokenRetried && PRIVATE_CHANNELS.has(entry.channel) && isTokenError(reply.error)) {
        tokenFailures.push(entry);
      } else {
        this.#refuse(entry, krakenError(reply.error ?? 'an unexplained failure', { endpoint: `WebSocket subscribe ${entry.channel}${entry.symbol ? ` ${entry.symbol}` : ''}`, now: this.#now() }));
      }
    }
    for (const entry of unanswered) {
      if (entry.status !== 'sent') continue;
      this.#refuse(entry, new ExchangeError('network', `Kraken WebSocket subscribe ${entry.key}: no acknowledgement within ${this.#requestTimeoutMs} ms`, { retryable: true }));
    }
    if (tokenFailures.length > 0) {
      try {
        await this.#refreshToken();
      } catch (error) {
        for (const entry of tokenFailures) this.#refuse(entry, new ExchangeError('authentication', `Kraken WebSocket token refresh failed: ${(error as Error).message}`, { retryable: true, cause: error }));
        return;
      }
      for (const entry of tokenFailures) entry.status = 'pending';
      await this.#sendSubscribe(tokenFailures, true);
    }
  }

  /** The entry an ack is about: by the result's symbol, else by a symbol named in the error, else the first one waiting. */
  #matchReply(reply: KrakenMethodResponse, unanswered: readonly SubscriptionEntry[]): SubscriptionEntry | undefined {
    const result = isRecord(reply.result) ? reply.result : undefined;
    const symbol = typeof result?.symbol === 'string' ? result.symbol : undefined;
    if (symbol !== undefined) {
      const bySymbol = unanswered.find((entry) => entry.symbol === symbol);
      if (bySymbol !== undefined) return bySymbol;
    }
    if (reply.error !== undefined) {
      const named = unanswered.find((entry) => entry.symbol !== undefined && reply.error!.includes(entry.symbol));
      if (named !== undefined) return named;
    }
    return unanswered[0];
  }

  #activate(entry: SubscriptionEntry): void {
    entry.status = 'active';
    if (PRIVATE_CHANNELS.has(entry.channel)) this.#sequences.delete(entry.channel);
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #refuse(entry: SubscriptionEntry, error: ExchangeError): void {
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    this.#forgetBook(entry);
    this.#logger.warn('Kraken WebSocket subscription refused', { subscription: entry.key, error: error.message });
    this.#rejectWaiters(entry, error);
  }

  #rejectWaiters(entry: SubscriptionEntry, error: Error): void {
    const waiters = entry.waiters;
    entry.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** The book a `book` or `level3` subscription kept, dropped with it. */
  #forgetBook(entry: SubscriptionEntry): void {
    if (entry.symbol === undefined) return;
    if (entry.channel === 'book') this.#books.untrack(entry.symbol);
    else if (entry.channel === 'level3') this.#level3.delete(entry.symbol);
  }

  /**
   * One symbol's part of a `level3` message: applied to its book, whose checksum must then match
   * Kraken's; a mismatch drops the book until a fresh snapshot (spec §8.11, §9.3).
   */
  #applyLevel3(type: 'snapshot' | 'update', entry: Readonly<Record<string, unknown>>, text: string): void {
    const symbol = entry.symbol;
    const kept = typeof symbol === 'string' ? this.#level3.get(symbol) : undefined;
    if (kept === undefined || typeof symbol !== 'string') {
      this.#unexpected(`level3 data for ${JSON.stringify(symbol)}, which is not subscribed`, text);
      return;
    }
    if (type === 'update' && kept.awaitingSnapshot) return;
    let message: Level3Message;
    let outcome;
    try {
      message = parseLevel3Entry(type, symbol, entry);
      outcome = kept.book.apply(message);
    } catch (error) {
      // Partly applied: the book is not Kraken's any more. Reported by the caller as unexpected.
      this.#markLevel3Dropped(symbol, kept, 'unreadable-level');
      void this.#resyncBook(symbol, kept.book.depth, 'level3');
      throw error;
    }
    if (outcome === 'verified') {
      kept.awaitingSnapshot = false;
      // No order timestamp yet (Kraken always sends them; a book without any is stamped on arrival).
      if (Number.isNaN(kept.book.time)) kept.book.time = this.#now();
      if (type === 'snapshot') {
        kept.snapshotAt = this.#now();
        const health = this.#level3Health(symbol, kept, 'synced');
        this.#emit('onBookHealth', () => this.#handlers.onBookHealth?.(health));
      }
      this.#emit('onLevel3', () => this.#handlers.onLevel3?.(kept.book));
      return;
    }
    const computed = kept.book.checksum();
    kept.mismatches++;
    this.#logger.warn('Kraken level3 checksum mismatch; dropping the book and subscribing again', { symbol, expected: message.checksum, computed });
    this.#markLevel3Dropped(symbol, kept, 'checksum', message.checksum, computed);
    void this.#resyncBook(symbol, kept.book.depth, 'level3');
  }

  /** Drops a level3 book until a fresh snapshot and reports it as a book-health `resync`; asking for the snapshot is the caller's. */
  #markLevel3Dropped(symbol: string, kept: Level3Tracked, reason: BookResyncReason, expectedChecksum?: number, computedChecksum?: number): void {
    kept.awaitingSnapshot = true;
    kept.resyncs++;
    const health = this.#level3Health(symbol, kept, 'resync', reason, expectedChecksum, computedChecksum);
    this.#emit('onBookHealth', () => this.#handlers.onBookHealth?.(health));
  }

  #level3Health(symbol: string, kept: Level3Tracked, status: 'synced' | 'resync', reason?: BookResyncReason, expectedChecksum?: number, computedChecksum?: number): BookHealth {
    return bookHealthReport({ symbol, instrumentId: kept.book.instrumentId, book: 'l3', counters: kept, status, now: this.#now(), reason, expectedChecksum, computedChecksum });
  }

  /** The level3 book of a subscribed symbol (it waits for a snapshot while `awaitingSnapshot`). */
  level3Book(symbol: string): L3Book | undefined {
    return this.#level3.get(symbol)?.book;
  }

  /** A level3 book's health counters (resyncs, checksum mismatches), as `bookHealth` gives the L2 book's. */
  level3Health(symbol: string): BookHealth | undefined {
    const kept = this.#level3.get(symbol);
    return kept === undefined ? undefined : this.#level3Health(symbol, kept, kept.awaitingSnapshot ? 'resync' : 'synced');
  }

  /** A book failed its checksum: unsubscribe and subscribe again for a fresh snapshot (spec §9.1 step 5). */
  async #resyncBook(symbol: string, depth: number, channel: 'book' | 'level3' = 'book'): Promise<void> {
    const key = subscriptionKey({ channel, symbol, variant: depth });
    const entry = this.#entries.get(key);
    // Not open: the reconnect resubscribes everything anyway.
    if (entry === undefined || this.#resyncing.has(key) || this.#state !== 'open') return;
    this.#resyncing.add(key);
    try {
      await this.#call('unsubscribe', { ...entry.unsubscribeParams, symbol: [symbol] }, {}).catch((error: Error) => {
        this.#logger.debug('Kraken book unsubscribe for resync failed; subscribing anyway', { symbol, error: error.message });
      });
      if (this.#entries.get(key) !== entry || this.#state !== 'open') return;
      entry.status = 'pending';
      await this.#sendSubscribe([entry], false);
    } finally {
      this.#resyncing.delete(key);
    }
  }

  // ---- token and trading plumbing ------------------------------------------------------------

  #refreshToken(): Promise<string> {
    if (this.#tokenRequest !== undefined) return this.#tokenRequest;
    const getToken = this.#options.getToken;
    if (getToken === undefined) return Promise.reject(new ConfigError([{ path: 'getToken', received: 'nothing', expected: 'a token provider' }], 'Kraken WebSocket client'));
    this.#tokenRequest = getToken()
      .then((token) => {
        if (typeof token !== 'string' || token === '') {
          throw new ExchangeError('authentication', `Kraken WebSocket getToken: received ${JSON.stringify(token)}, expected a non-empty token`);
        }
        this.#token = token;
        this.#tokenAt = this.#now();
        // Fetched for the open connection (a token error mid-session), it is that connection's.
        this.#tokenSpent = this.#state === 'open';
        return token;
      })
      .finally(() => {
        this.#tokenRequest = undefined;
      });
    return this.#tokenRequest;
  }

  async #currentToken(): Promise<string> {
    if (this.#token === undefined || this.#tokenStale()) return this.#refreshToken();
    return this.#token;
  }

  #tokenStale(): boolean {
    return this.#now() - this.#tokenAt >= (this.#options.tokenMaxAgeMs ?? 450_000);
  }

  #requirePrivate(method: string): void {
    if (this.access !== 'private') {
      throw new ConfigError([{ path: 'access', received: this.access, expected: `"private": ${method} needs the authenticated endpoint and a token` }], 'Kraken WebSocket client');
    }
  }

  /** Sends a trading request; a token error is answered by a fresh token and one resend (the order was not placed). */
  async #tradeReplies(method: string, params: object, expectedReplies: number): Promise<readonly KrakenMethodResponse[]> {
    this.#requirePrivate(method);
    for (let attempt = 0; ; attempt++) {
      const token = attempt === 0 ? await this.#currentToken() : await this.#refreshToken();
      const outcome = await this.#call(method, params, { expectedReplies }, token);
      if (outcome.replies.length === 0) {
        const orderEntry = ORDER_ENTRY_METHODS.has(method);
        throw new ExchangeError(
          'network',
          `Kraken WebSocket ${method}: no reply within ${this.#requestTimeoutMs} ms${orderEntry ? '; the order may or may not have been placed, look it up by cl_ord_id before resending' : ''}`,
          { retryable: !orderEntry },
        );
      }
      if (attempt === 0 && outcome.replies.every((reply) => !reply.success && isTokenError(reply.error))) {
        this.#logger.info('Kraken WebSocket token rejected; refreshing and resending', { method });
        continue;
      }
      return outcome.replies;
    }
  }

  async #trade(method: string, params: object, options: { allowRows?: boolean } = {}): Promise<KrakenMethodResponse> {
    const reply = (await this.#tradeReplies(method, params, 1))[0]!;
    if (reply.success || (options.allowRows === true && Array.isArray(reply.result))) return reply;
    throw krakenError(reply.error ?? 'an unexplained failure', { endpoint: `WebSocket ${method}`, now: this.#now() });
  }

  #resultRecord(reply: KrakenMethodResponse, method: string): Record<string, unknown> {
    if (reply.result === undefined) return {};
    return toPlainJson(wsRecord(reply.result, `${method} result`) as JsonValue) as Record<string, unknown>;
  }

  #warnings(result: Record<string, unknown>): { warnings?: readonly string[] } {
    const warnings = Array.isArray(result.warnings) ? result.warnings.filter((item): item is string => typeof item === 'string') : [];
    return warnings.length > 0 ? { warnings } : {};
  }
}
