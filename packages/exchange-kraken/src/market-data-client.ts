import {
  ConfigError,
  MINUTE_MS,
  formatInterval,
  instrumentId as toInstrumentId,
  silentLogger,
  type ConfigIssue,
  type InstrumentId,
  type InstrumentProvider,
  type Logger,
  type MarketDataClient,
  type MarketDataSink,
  type Subscription,
  type Bar,
  type Trade,
} from '@kbot/core';
import { ClosedBarAggregator } from './bar-aggregator.js';
import type { BookHealth, BookPrecision } from './book/book-keeper.js';
import { KRAKEN_BOOK_DEPTHS, type L2Book } from './book/l2-book.js';
import type { L3Book } from './book/l3-book.js';
import { L3BookView } from './book/l3-book-view.js';
import { toKrakenPair } from './parse/pair.js';
import { parseRestOhlc } from './parse/rest-ohlc.js';
import {
  RestMarketDataFallback,
  type FallbackSubscription,
  type KrakenMarketDataRest,
  type KrakenMarketDataSource,
  type RestFallbackHost,
} from './rest-fallback/rest-market-data-fallback.js';
import { RequestPacing, waitForTurn } from './rest-fallback/request-pacing.js';
import { KrakenWsClient, type KrakenWsClientOptions, type KrakenWsConnectionState } from './ws/kraken-ws-client.js';
import { KRAKEN_OHLC_INTERVALS } from './ws/parse-ohlc.js';
import { KRAKEN_LEVEL3_DEPTHS, type KrakenBookDepth, type KrakenLevel3Depth, type KrakenOhlcInterval, type KrakenSubscription } from './ws/subscriptions.js';

export interface KrakenMarketDataClientOptions {
  /** Instruments (loaded on the first subscribe when empty): books need their precisions. */
  readonly instruments: InstrumentProvider;
  /** Public WebSocket URL; defaults to env `KRAKEN_WS_URL`, then Kraken's. */
  readonly url?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** After an interval ends, how long to wait for a later candle before its last state is taken as final. Default 5000 ms. */
  readonly barGraceMs?: number;
  /** How often forming bars are checked for that timeout. Default 1000 ms. */
  readonly barCheckIntervalMs?: number;
  /**
   * The venue's clock (REST `Time`), read on the first subscribe and after every reconnect, so
   * quiet bars close on time even when no other message says what time it is at the venue.
   */
  readonly venueTime?: () => Promise<number>;
  /** Book resyncs (checksum mismatch) and re-synchronised snapshots, of `book` and `level3` books. */
  readonly onBookHealth?: (health: BookHealth) => void;
  /**
   * Order-by-order books (a `book` subscription with `orders: true`: Kraken's `level3` channel,
   * which is private): the authenticated WebSocket URL to ask and a WebSocket token source (REST
   * GetWebSocketsToken, so API keys). Without it, such a subscription is refused by name. The
   * kraken() plugin passes it when keys are configured.
   */
  readonly level3?: { readonly url: string; readonly getToken: () => Promise<string> };
  /**
   * The WebSocket's state changes, and the switches of the market-data source: `detail.source`
   * says where data comes from after the event. The switch to REST polling is reported with the
   * WebSocket's current (not open) state and `source: 'rest'`; the switch back with `open`.
   */
  readonly onConnectionState?: (state: KrakenWsConnectionState, detail: KrakenMarketDataConnectionDetail) => void;
  /**
   * Public REST client for the fallback (`OHLC`, `Trades`, `Ticker`) while the WebSocket is
   * down, and for `recentBars` (`OHLC`). Without it there is no fallback and no history. Its own
   * retries of a failed call are not paced: give it `maxAttempts: 1` for strict pacing.
   */
  readonly rest?: KrakenMarketDataRest;
  /** REST polling while the WebSocket is down (needs `rest`); `false` turns it off. */
  readonly restFallback?: false | KrakenRestFallbackOptions;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  /** Connection tuning passed to the WebSocket client (reconnect delays, timeouts). */
  readonly webSocket?: Pick<
    KrakenWsClientOptions,
    'requestTimeoutMs' | 'idleTimeoutMs' | 'pongTimeoutMs' | 'connectTimeoutMs' | 'reconnectBaseDelayMs' | 'reconnectMaxDelayMs' | 'maxReconnectAttempts' | 'random'
  >;
}

export interface KrakenRestFallbackOptions {
  /** How long the WebSocket must be down before polling starts. Default 10000 ms. */
  readonly graceMs?: number;
  /**
   * Least time between the starts of two REST requests (Kraken: about one a second per IP),
   * `recentBars` included. Default 1000 ms, also when the fallback is off.
   */
  readonly requestGapMs?: number;
}

export type { KrakenMarketDataRest, KrakenMarketDataSource };

/** What `onConnectionState` reports besides the state. */
export interface KrakenMarketDataConnectionDetail {
  readonly attempt: number;
  readonly delayMs?: number;
  readonly reason?: string;
  /** Where market data comes from after this event. */
  readonly source: KrakenMarketDataSource;
}

/** Kraken's public REST limit is about one call a second per IP (spec §7.1). */
export const DEFAULT_REST_FALLBACK_GAP_MS = 1_000;
export const DEFAULT_REST_FALLBACK_GRACE_MS = 10_000;
const DEFAULT_BAR_GRACE_MS = 5_000;

/** What a sink set is kept under: `level3` is a `book` subscription with `orders: true`. */
type Route = { readonly kind: Subscription['kind'] | 'level3'; readonly instrumentId: InstrumentId; readonly variant: number | undefined };

function routeKey(route: Route): string {
  return `${route.kind}|${route.instrumentId}|${route.variant ?? ''}`;
}

/** The smallest Kraken book depth that covers `wanted` (10 when not given). */
export function krakenBookDepth(wanted: number | undefined): KrakenBookDepth | undefined {
  const depth = wanted ?? 10;
  return KRAKEN_BOOK_DEPTHS.find((candidate) => candidate >= depth);
}

/** The smallest level3 depth Kraken offers that holds `wanted` price levels (default 10). */
export function krakenLevel3Depth(wanted: number | undefined): KrakenLevel3Depth | undefined {
  const depth = wanted ?? 10;
  return KRAKEN_LEVEL3_DEPTHS.find((candidate) => candidate >= depth);
}

/** A bar interval in milliseconds → Kraken's `ohlc` interval in minutes, or undefined when Kraken has none. */
export function krakenOhlcInterval(intervalMs: number): KrakenOhlcInterval | undefined {
  const minutes = intervalMs / MINUTE_MS;
  return KRAKEN_OHLC_INTERVALS.find((candidate) => candidate === minutes);
}

const KRAKEN_INTERVALS_EXPECTED = `a Kraken candle interval: ${KRAKEN_OHLC_INTERVALS.map((minute) => formatInterval(minute * MINUTE_MS)).join(', ')}`;

/** An interval as an error shows it: `420000 ms (7m)`, or the value as given when it is no number. */
function describeInterval(interval: unknown): string {
  if (interval === undefined) return 'nothing';
  if (typeof interval === 'number') return Number.isFinite(interval) ? `${interval} ms (${formatInterval(interval)})` : String(interval);
  return JSON.stringify(interval) ?? String(interval);
}

/** The REST fallback's settings with defaults, checked; undefined when there is no fallback. */
function restFallbackSettings(options: KrakenMarketDataClientOptions): Required<KrakenRestFallbackOptions> | undefined {
  if (options.rest === undefined || options.restFallback === false) return undefined;
  const settings = options.restFallback ?? {};
  const graceMs = settings.graceMs ?? DEFAULT_REST_FALLBACK_GRACE_MS;
  const requestGapMs = settings.requestGapMs ?? DEFAULT_REST_FALLBACK_GAP_MS;
  const issues: ConfigIssue[] = [];
  if (!Number.isFinite(graceMs) || graceMs < 0) issues.push({ path: 'restFallback.graceMs', received: String(graceMs), expected: '0 or more milliseconds' });
  if (!Number.isFinite(requestGapMs) || requestGapMs <= 0) issues.push({ path: 'restFallback.requestGapMs', received: String(requestGapMs), expected: 'more than 0 milliseconds (Kraken allows about one public call a second)' });
  if (issues.length > 0) throw new ConfigError(issues, 'Kraken market data');
  return { graceMs, requestGapMs };
}

/**
 * Kraken market data over WebSocket v2 as core types: bars from `ohlc` (emitted only once
 * closed, see ClosedBarAggregator), trades from `trade`, quotes from `ticker` (best bid/offer),
 * and checksum-verified books from `book`. Reconnection and resubscription are the WebSocket
 * client's; a book that fails its checksum is resynchronised without stopping the feed.
 *
 * The bar timer runs on an estimate of the venue's clock that never runs ahead of it: the wall
 * clock plus the largest offset any timestamped message has shown. A bar may therefore close a
 * little late when the feed is quiet, but never early. It is paused while the WebSocket is down
 * (and until candles arrive after it reconnects): the last candle seen may be missing trades.
 *
 * With `rest`, the client polls Kraken's REST API while the WebSocket is down (see
 * RestMarketDataFallback). Closed bars from either source go through one ledger per series (the
 * open time of the last bar delivered), so each is delivered once, in order, across the switches.
 */
export class KrakenMarketDataClient implements MarketDataClient {
  readonly #options: KrakenMarketDataClientOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #ws: KrakenWsClient;
  readonly #bars: ClosedBarAggregator;
  readonly #routes = new Map<string, Set<MarketDataSink>>();
  // The same sink sets by instrument for the kinds without a variant, so delivering a trade,
  // quote or book (many a second) needs no route key string and no closure.
  readonly #directRoutes: Record<'trades' | 'quotes' | 'book' | 'level3', Map<InstrumentId, Set<MarketDataSink>>> = { trades: new Map(), quotes: new Map(), book: new Map(), level3: new Map() };
  readonly #bookDepths = new Map<InstrumentId, KrakenBookDepth>();
  readonly #level3Depths = new Map<InstrumentId, KrakenLevel3Depth>();
  /** The private client of the `level3` books, made on their first subscription. */
  #level3Ws: KrakenWsClient | undefined;
  /** Each level3 book's BookView, made once: strategies get the same live view every message. */
  readonly #level3Views = new WeakMap<L3Book, L3BookView>();
  #venueOffsetMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #fallback: RestMarketDataFallback | undefined;
  readonly #barGraceMs: number;
  /** When the next public REST request may start, shared by the fallback and `recentBars`; none without `rest`. */
  readonly #restPacing: RequestPacing | undefined;
  /** Per bar series (`id|interval`): open time of the last bar delivered, from either source. */
  readonly #barsDelivered = new Map<string, number>();
  /** The last trade delivered per instrument (kept only with a fallback: REST resumes after it). */
  readonly #lastTrades = new Map<InstrumentId, Trade>();
  /** Set by the first candle after the WebSocket opened; the bar timer waits for it. */
  #candlesFresh = false;
  #lastAttempt = 0;

  constructor(options: KrakenMarketDataClientOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kraken-market-data' });
    this.#now = options.now ?? Date.now;
    this.#barGraceMs = options.barGraceMs ?? DEFAULT_BAR_GRACE_MS;
    this.#bars = new ClosedBarAggregator({ graceMs: this.#barGraceMs, onBar: (bar) => this.#deliverBar(bar) });
    const fallback = restFallbackSettings(options);
    this.#restPacing = options.rest === undefined ? undefined : new RequestPacing(fallback?.requestGapMs ?? DEFAULT_REST_FALLBACK_GAP_MS);
    this.#fallback = fallback === undefined ? undefined : this.#createFallback(options.rest!, fallback, this.#restPacing!);
    this.#ws = new KrakenWsClient({
      access: 'public',
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.env === undefined ? {} : { env: options.env }),
      logger: this.#logger,
      now: this.#now,
      ...options.webSocket,
      precisions: (symbol) => this.#precision(symbol),
      handlers: {
        onBar: (bar, type) => {
          this.#observe(bar.openTime);
          this.#candlesFresh = true;
          this.#bars.update(bar, type);
        },
        onTrades: (trades) => {
          for (const trade of trades) {
            this.#observe(trade.time);
            const sinks = this.#directRoutes.trades.get(trade.instrumentId);
            if (sinks === undefined) continue;
            for (const sink of sinks) sink.onTrade(trade);
            if (this.#fallback !== undefined) this.#lastTrades.set(trade.instrumentId, trade);
          }
        },
        onQuote: (quote) => {
          this.#observe(quote.time);
          const sinks = this.#directRoutes.quotes.get(quote.instrumentId);
          if (sinks !== undefined) for (const sink of sinks) sink.onQuote(quote);
        },
        onBook: (book: L2Book) => {
          this.#observe(book.time);
          const sinks = this.#directRoutes.book.get(book.instrumentId);
          if (sinks !== undefined) for (const sink of sinks) sink.onBook(book);
        },
        onBookHealth: (health) => this.#deliverBookHealth(health),
        onConnectionState: (state, detail) => {
          if (state === 'open') void this.#syncVenueClock();
          else this.#candlesFresh = false;
          this.#lastAttempt = detail.attempt;
          this.#fallback?.connectionChanged(state, detail.reason);
          options.onConnectionState?.(state, { ...detail, source: this.source });
        },
      },
    });
  }

  /** The WebSocket URL in use. */
  get url(): string {
    return this.#ws.url;
  }

  /** Where market data comes from now. */
  get source(): KrakenMarketDataSource {
    if (this.#fallback !== undefined) return this.#fallback.source;
    return this.#ws.state === 'open' ? 'websocket' : 'none';
  }

  /** REST requests the fallback has started (0 without one). */
  get restRequests(): number {
    return this.#fallback?.requests ?? 0;
  }

  /** The venue time the bar timer works with: a lower bound of the venue's clock. */
  venueNow(): number {
    const wall = this.#now();
    return Number.isFinite(this.#venueOffsetMs) ? wall + this.#venueOffsetMs : Number.NEGATIVE_INFINITY;
  }

  /** A book's health counters (resyncs, checksum mismatches); `level3` for the order-by-order book's. */
  bookHealth(id: InstrumentId | string, book: 'l2' | 'l3' = 'l2'): BookHealth | undefined {
    return book === 'l3' ? this.#level3Ws?.level3Health(String(id)) : this.#ws.bookHealth(String(id));
  }

  /** The engine's risk policies and strategies see a book's health through the sinks taking that book. */
  #deliverBookHealth(health: BookHealth): void {
    const sinks = this.#directRoutes[health.book === 'l3' ? 'level3' : 'book'].get(health.instrumentId);
    if (sinks !== undefined) for (const sink of sinks) sink.onBookHealth?.(health);
    this.#options.onBookHealth?.(health);
  }

  /** The private client of the level3 books (made on first use; `level3` must be configured). */
  #level3Client(): KrakenWsClient {
    if (this.#level3Ws !== undefined) return this.#level3Ws;
    const level3 = this.#options.level3!;
    this.#level3Ws = new KrakenWsClient({
      access: 'private',
      url: level3.url,
      getToken: level3.getToken,
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      logger: this.#logger,
      now: this.#now,
      ...this.#options.webSocket,
      precisions: (symbol) => this.#precision(symbol),
      handlers: {
        onLevel3: (book: L3Book) => {
          const sinks = this.#directRoutes.level3.get(book.instrumentId);
          if (sinks === undefined) return;
          let view = this.#level3Views.get(book);
          if (view === undefined) {
            view = new L3BookView(book);
            this.#level3Views.set(book, view);
          }
          for (const sink of sinks) sink.onBook(view);
        },
        onBookHealth: (health) => this.#deliverBookHealth(health),
      },
    });
    return this.#level3Ws;
  }

  /** The client a request goes to: level3 is private. */
  #clientFor(request: KrakenSubscription): KrakenWsClient {
    return request.channel === 'level3' ? this.#level3Client() : this.#ws;
  }

  async subscribe(subscriptions: readonly Subscription[], sink: MarketDataSink): Promise<void> {
    if (this.#closed) throw new ConfigError([{ path: 'subscribe', received: 'a closed client', expected: 'a client that has not been closed' }], 'Kraken market data');
    if (this.#options.instruments.list().length === 0) await this.#options.instruments.load();
    const planned = this.#plan(subscriptions);
    const fresh: { route: Route; request: KrakenSubscription }[] = [];
    for (const { route, request } of planned) {
      const key = routeKey(route);
      let sinks = this.#routes.get(key);
      if (sinks === undefined) {
        sinks = new Set();
        this.#setRoute(route, sinks);
        fresh.push({ route, request });
        if (route.kind === 'book') this.#bookDepths.set(route.instrumentId, (request as { depth: KrakenBookDepth }).depth);
        if (route.kind === 'level3') this.#level3Depths.set(route.instrumentId, (request as { depth: KrakenLevel3Depth }).depth);
      }
      sinks.add(sink);
    }
    this.#startTimer();
    const connected = Promise.all([this.#ws.connect(), ...(fresh.some(({ route }) => route.kind === 'level3') ? [this.#level3Client().connect()] : [])]);
    const results = await Promise.allSettled([connected, ...fresh.map(({ request }) => this.#clientFor(request).subscribe(request))]);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure === undefined) return;
    // Forget what Kraken refused, so a later subscribe asks again instead of waiting on nothing.
    fresh.forEach(({ route }, index) => {
      if (results[index + 1]!.status !== 'rejected') return;
      this.#deleteRoute(route);
      if (route.kind === 'book') this.#bookDepths.delete(route.instrumentId);
      if (route.kind === 'level3') this.#level3Depths.delete(route.instrumentId);
    });
    throw failure.reason;
  }

  async unsubscribe(subscriptions: readonly Subscription[]): Promise<void> {
    const gone: KrakenSubscription[] = [];
    for (const { route, request } of this.#plan(subscriptions, false)) {
      if (!this.#deleteRoute(route)) continue;
      gone.push(request);
      if (route.kind === 'bars') {
        this.#bars.remove(route.instrumentId, route.variant!);
        this.#barsDelivered.delete(`${route.instrumentId}|${route.variant}`);
      }
      if (route.kind === 'trades') this.#lastTrades.delete(route.instrumentId);
      if (route.kind === 'book') this.#bookDepths.delete(route.instrumentId);
      if (route.kind === 'level3') this.#level3Depths.delete(route.instrumentId);
    }
    await Promise.all(gone.map((request) => this.#clientFor(request).unsubscribe(request)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#fallback?.stop();
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#routes.clear();
    for (const routes of Object.values(this.#directRoutes)) routes.clear();
    await Promise.all([this.#ws.close(), this.#level3Ws?.close()]);
  }

  /**
   * Up to `count` of the latest closed bars of a series, oldest first: the history a session
   * warms its strategies on (`Subscription.warmUpBars`). One REST `OHLC` request (spec §5.6):
   * Kraken keeps 720 candles per interval, the newest still forming and never returned, so at
   * most 719 bars come back, fewer when intervals had no trades (no bar). Nothing older can be
   * had, with `since` or without, so none is asked for. The request waits its turn with the
   * fallback's polls (`requestGapMs` apart, start to start) and is made once: Kraken's refusal
   * or a network failure is thrown as an ExchangeError, for the caller to decide.
   */
  async recentBars(instrumentId: InstrumentId, interval: number, count: number): Promise<readonly Bar[]> {
    const rest = this.#options.rest;
    const pacing = this.#restPacing;
    if (rest === undefined || pacing === undefined) {
      throw new ConfigError([{ path: 'rest', received: 'nothing', expected: "a REST client: recent bars come from Kraken's REST OHLC endpoint" }], 'Kraken market data');
    }
    const refuseIfClosed = () => {
      if (this.#closed) throw new ConfigError([{ path: 'recentBars', received: 'a closed client', expected: 'a client that has not been closed' }], 'Kraken market data');
    };
    refuseIfClosed();
    const { id, minutes } = await this.#recentBarsSeries(instrumentId, interval, count);
    await waitForTurn(pacing, this.#now);
    refuseIfClosed(); // closed while waiting its turn (a session stopped during warm-up)
    const pair = this.#restPair(id);
    // As the fallback does: a lower bound of the venue's clock when the request is sent. Before
    // any venue message it is -Infinity, and the last row counts as closed only by Kraken's
    // `last` cursor: a bar still forming is never taken for history.
    const requestedAt = this.venueNow();
    let result: Awaited<ReturnType<KrakenMarketDataRest['ohlc']>>;
    try {
      result = await rest.ohlc({ pair, interval: minutes });
    } catch (error) {
      // As the poller does after a failure: the next public request waits two gaps, so an
      // answer of "too many requests" is not met with the next series' request a gap later.
      pacing.holdUntil(this.#now() + 2 * pacing.gapMs);
      throw error;
    }
    const { closed } = parseRestOhlc(result, pair, { instrumentId: id, interval, requestedAt, graceMs: this.#barGraceMs });
    // The live stream goes on from the last of these, so a candle that closes before the
    // subscription is not lost with the first snapshot's history.
    const last = closed.at(-1);
    if (last !== undefined) this.#bars.primeWith(id, interval, last.openTime);
    return closed.length > count ? closed.slice(-count) : closed;
  }

  /** `recentBars`' arguments checked: every problem in one ConfigError. */
  async #recentBarsSeries(instrumentId: InstrumentId, interval: number, count: number): Promise<{ id: InstrumentId; minutes: KrakenOhlcInterval }> {
    const issues: ConfigIssue[] = [];
    let id: InstrumentId | undefined;
    try {
      id = toInstrumentId(String(instrumentId));
    } catch {
      issues.push({ path: 'recentBars.instrumentId', received: JSON.stringify(instrumentId) ?? String(instrumentId), expected: 'BASE/QUOTE such as "BTC/USD"' });
    }
    const minutes = typeof interval === 'number' ? krakenOhlcInterval(interval) : undefined;
    if (minutes === undefined) issues.push({ path: 'recentBars.interval', received: describeInterval(interval), expected: KRAKEN_INTERVALS_EXPECTED });
    if (!Number.isSafeInteger(count) || count <= 0) {
      issues.push({ path: 'recentBars.count', received: typeof count === 'number' ? String(count) : (JSON.stringify(count) ?? String(count)), expected: 'a whole number of bars above 0' });
    }
    const instruments = this.#options.instruments;
    // Loading the instruments is a request of its own: only worth it when nothing else is wrong.
    if (id !== undefined && (issues.length === 0 || instruments.list().length > 0)) {
      if (instruments.list().length === 0) await instruments.load();
      if (instruments.get(id) === undefined) issues.push({ path: 'recentBars.instrumentId', received: id, expected: 'an instrument Kraken lists (AssetPairs)' });
    }
    if (issues.length > 0) throw new ConfigError(issues, 'Kraken market data');
    return { id: id!, minutes: minutes! };
  }

  /** Checks every subscription and spells out its route and Kraken request; all problems in one ConfigError. */
  #plan(subscriptions: readonly Subscription[], strict = true): { route: Route; request: KrakenSubscription }[] {
    const issues: ConfigIssue[] = [];
    const planned: { route: Route; request: KrakenSubscription }[] = [];
    subscriptions.forEach((subscription, index) => {
      const path = `subscriptions[${index}]`;
      let id: InstrumentId;
      try {
        id = toInstrumentId(String(subscription.instrumentId));
      } catch (error) {
        issues.push({ path: `${path}.instrumentId`, received: JSON.stringify(subscription.instrumentId), expected: (error as Error).message });
        return;
      }
      if (strict && this.#options.instruments.get(id) === undefined) {
        issues.push({ path: `${path}.instrumentId`, received: id, expected: 'an instrument Kraken lists (AssetPairs)' });
        return;
      }
      const symbol = id; // WebSocket v2 symbols are kbot ids: `BTC/USD`, not `XBT/USD`.
      switch (subscription.kind) {
        case 'bars': {
          const minutes = subscription.interval === undefined ? undefined : krakenOhlcInterval(subscription.interval);
          if (minutes === undefined) {
            issues.push({ path: `${path}.interval`, received: describeInterval(subscription.interval), expected: KRAKEN_INTERVALS_EXPECTED });
            return;
          }
          // No history: the aggregator skips the first snapshot except the current candle anyway.
          planned.push({ route: { kind: 'bars', instrumentId: id, variant: subscription.interval! }, request: { channel: 'ohlc', symbols: [symbol], interval: minutes } });
          return;
        }
        case 'trades':
          // No snapshot: the last 50 trades are history, not news.
          planned.push({ route: { kind: 'trades', instrumentId: id, variant: undefined }, request: { channel: 'trade', symbols: [symbol], snapshot: false } });
          return;
        case 'quotes':
          planned.push({ route: { kind: 'quotes', instrumentId: id, variant: undefined }, request: { channel: 'ticker', symbols: [symbol], eventTrigger: 'bbo' } });
          return;
        case 'book': {
          if (subscription.orders === true) {
            this.#planLevel3(subscription, id, path, strict, issues, planned);
            return;
          }
          const depth = krakenBookDepth(subscription.depth);
          if (depth === undefined) {
            issues.push({ path: `${path}.depth`, received: String(subscription.depth), expected: `at most ${KRAKEN_BOOK_DEPTHS.at(-1)} levels` });
            return;
          }
          const current = this.#bookDepths.get(id);
          if (strict && current !== undefined && current < depth) {
            issues.push({ path: `${path}.depth`, received: String(subscription.depth), expected: `at most ${current}: the ${id} book is already kept at that depth` });
            return;
          }
          planned.push({ route: { kind: 'book', instrumentId: id, variant: undefined }, request: { channel: 'book', symbols: [symbol], depth: current ?? depth } });
          return;
        }
        default:
          issues.push({ path: `${path}.kind`, received: JSON.stringify((subscription as { kind: unknown }).kind), expected: 'bars, trades, quotes or book' });
      }
    });
    if (issues.length > 0) throw new ConfigError(issues, 'Kraken market data');
    return planned;
  }

  /** A `book` subscription with `orders: true`: Kraken's private `level3` channel (spec §8.11). */
  #planLevel3(subscription: Subscription, id: InstrumentId, path: string, strict: boolean, issues: ConfigIssue[], planned: { route: Route; request: KrakenSubscription }[]): void {
    if (strict && this.#options.level3 === undefined) {
      issues.push({
        path: `${path}.orders`,
        received: `true (every order of the ${id} book)`,
        expected: "Kraken API keys: its level3 channel is private (set the key and secret, or subscribe to the book's price levels without orders)",
      });
      return;
    }
    const depth = krakenLevel3Depth(subscription.depth);
    if (depth === undefined) {
      issues.push({ path: `${path}.depth`, received: String(subscription.depth), expected: `at most ${KRAKEN_LEVEL3_DEPTHS.at(-1)} price levels (Kraken's level3 depths: ${KRAKEN_LEVEL3_DEPTHS.join(', ')})` });
      return;
    }
    // Kraken keeps one level3 depth per symbol: later subscriptions share the first one's.
    const current = this.#level3Depths.get(id);
    if (strict && current !== undefined && current < depth) {
      issues.push({ path: `${path}.depth`, received: String(subscription.depth), expected: `at most ${current}: the ${id} level3 book is already kept at that depth` });
      return;
    }
    planned.push({ route: { kind: 'level3', instrumentId: id, variant: undefined }, request: { channel: 'level3', symbols: [id], depth: current ?? depth } });
  }

  #precision(symbol: string): BookPrecision | undefined {
    let id: InstrumentId;
    try {
      id = toInstrumentId(symbol);
    } catch {
      return undefined;
    }
    const instrument = this.#options.instruments.get(id);
    return instrument === undefined ? undefined : { pricePrecision: instrument.pricePrecision, quantityPrecision: instrument.quantityPrecision };
  }

  async #syncVenueClock(): Promise<void> {
    if (this.#options.venueTime === undefined) return;
    try {
      // Read after the answer arrived: the server time is a lower bound of the venue's clock then.
      const venueTime = await this.#options.venueTime();
      this.#observe(venueTime);
    } catch (error) {
      this.#logger.debug('venue time not available; bars close on message times only', { error: (error as Error).message });
    }
  }

  /** A venue timestamp seen now: the venue's clock is at least there. */
  #observe(venueTime: number): void {
    if (!Number.isFinite(venueTime) || venueTime <= 0) return;
    const offset = venueTime - this.#now();
    if (offset > this.#venueOffsetMs) this.#venueOffsetMs = offset;
  }

  #setRoute(route: Route, sinks: Set<MarketDataSink>): void {
    this.#routes.set(routeKey(route), sinks);
    if (route.kind !== 'bars') this.#directRoutes[route.kind].set(route.instrumentId, sinks);
  }

  /** Forgets a route; false when there was none. */
  #deleteRoute(route: Route): boolean {
    if (route.kind !== 'bars') this.#directRoutes[route.kind].delete(route.instrumentId);
    return this.#routes.delete(routeKey(route));
  }

  #deliver(kind: Subscription['kind'], id: InstrumentId, variant: number | undefined, call: (sink: MarketDataSink) => void): void {
    const sinks = this.#routes.get(routeKey({ kind, instrumentId: id, variant }));
    if (sinks === undefined) return;
    for (const sink of sinks) call(sink);
  }

  /** The one door for closed bars, from the WebSocket or REST: a bar at or before the last one delivered of its series is dropped. */
  #deliverBar(bar: Bar): void {
    const key = `${bar.instrumentId}|${bar.interval}`;
    if (bar.openTime <= (this.#barsDelivered.get(key) ?? Number.NEGATIVE_INFINITY)) return;
    if (!this.#routes.has(routeKey({ kind: 'bars', instrumentId: bar.instrumentId, variant: bar.interval }))) return;
    this.#barsDelivered.set(key, bar.openTime);
    this.#deliver('bars', bar.instrumentId, bar.interval, (sink) => sink.onBar(bar));
  }

  /** The REST pair name of an instrument (`XBTUSD`). */
  #restPair(id: InstrumentId): string {
    return this.#options.instruments.get(id)?.venueSymbol ?? toKrakenPair(id);
  }

  #createFallback(rest: KrakenMarketDataRest, { graceMs, requestGapMs }: Required<KrakenRestFallbackOptions>, pacing: RequestPacing): RestMarketDataFallback {
    const host: RestFallbackHost = {
      subscriptions: () => this.#fallbackSubscriptions(),
      restPair: (id) => this.#restPair(id),
      barsDeliveredThrough: (id, interval) => this.#barsDelivered.get(`${id}|${interval}`) ?? Number.NEGATIVE_INFINITY,
      formingBar: (id, interval) => this.#bars.forming(id, interval),
      skipBarsThrough: (id, interval, openTime) => {
        const key = `${id}|${interval}`;
        if (openTime > (this.#barsDelivered.get(key) ?? Number.NEGATIVE_INFINITY)) this.#barsDelivered.set(key, openTime);
      },
      lastTrade: (id) => this.#lastTrades.get(id),
      venueNow: () => this.venueNow(),
      deliverBar: (bar) => {
        this.#observe(bar.openTime);
        this.#deliverBar(bar);
      },
      deliverTrade: (trade) => {
        this.#observe(trade.time);
        const sinks = this.#directRoutes.trades.get(trade.instrumentId);
        if (sinks === undefined) return;
        this.#lastTrades.set(trade.instrumentId, trade);
        for (const sink of sinks) sink.onTrade(trade);
      },
      deliverQuote: (quote) => {
        const sinks = this.#directRoutes.quotes.get(quote.instrumentId);
        if (sinks !== undefined) for (const sink of sinks) sink.onQuote(quote);
      },
    };
    return new RestMarketDataFallback({
      rest,
      host,
      graceMs,
      requestGapMs,
      pacing,
      barGraceMs: this.#barGraceMs,
      logger: this.#logger,
      now: this.#now,
      onPolling: (reason) => this.#options.onConnectionState?.(this.#ws.state, { attempt: this.#lastAttempt, reason, source: 'rest' }),
    });
  }

  /** Bars, trades and quotes subscriptions, as the REST fallback polls them (books have no REST form). */
  #fallbackSubscriptions(): FallbackSubscription[] {
    const subscriptions: FallbackSubscription[] = [];
    for (const key of this.#routes.keys()) {
      const [kind, id, variant] = key.split('|') as [Subscription['kind'], InstrumentId, string];
      if (kind === 'bars') subscriptions.push({ kind, instrumentId: id, interval: Number(variant) });
      else if (kind === 'trades' || kind === 'quotes') subscriptions.push({ kind, instrumentId: id });
    }
    return subscriptions;
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      // Not while the WebSocket is down, nor before fresh candles after it reconnected: the
      // forming candle may lack the trades made meanwhile. REST or the next snapshot brings them.
      if (this.#ws.state !== 'open' || !this.#candlesFresh) return;
      const now = this.venueNow();
      if (Number.isFinite(now)) this.#bars.closeDue(now);
    }, this.#options.barCheckIntervalMs ?? 1_000);
    this.#timer.unref();
  }
}

