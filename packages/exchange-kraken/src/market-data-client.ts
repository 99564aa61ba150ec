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
} from '@kbot/core';
import { ClosedBarAggregator } from './bar-aggregator.js';
import type { BookHealth, BookPrecision } from './book/book-keeper.js';
import { KRAKEN_BOOK_DEPTHS, type L2Book } from './book/l2-book.js';
import { KrakenWsClient, type KrakenWsClientOptions, type KrakenWsConnectionState } from './ws/kraken-ws-client.js';
import { KRAKEN_OHLC_INTERVALS } from './ws/parse-ohlc.js';
import type { KrakenBookDepth, KrakenOhlcInterval, KrakenSubscription } from './ws/subscriptions.js';

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
  /** Book resyncs (checksum mismatch) and re-synchronised snapshots. */
  readonly onBookHealth?: (health: BookHealth) => void;
  readonly onConnectionState?: (state: KrakenWsConnectionState, detail: { readonly attempt: number; readonly delayMs?: number; readonly reason?: string }) => void;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  /** Connection tuning passed to the WebSocket client (reconnect delays, timeouts). */
  readonly webSocket?: Pick<
    KrakenWsClientOptions,
    'requestTimeoutMs' | 'idleTimeoutMs' | 'pongTimeoutMs' | 'connectTimeoutMs' | 'reconnectBaseDelayMs' | 'reconnectMaxDelayMs' | 'maxReconnectAttempts' | 'random'
  >;
}

type Route = { readonly kind: Subscription['kind']; readonly instrumentId: InstrumentId; readonly variant: number | undefined };

function routeKey(route: Route): string {
  return `${route.kind}|${route.instrumentId}|${route.variant ?? ''}`;
}

/** The smallest Kraken book depth that covers `wanted` (10 when not given). */
export function krakenBookDepth(wanted: number | undefined): KrakenBookDepth | undefined {
  const depth = wanted ?? 10;
  return KRAKEN_BOOK_DEPTHS.find((candidate) => candidate >= depth);
}

/** A bar interval in milliseconds → Kraken's `ohlc` interval in minutes, or undefined when Kraken has none. */
export function krakenOhlcInterval(intervalMs: number): KrakenOhlcInterval | undefined {
  const minutes = intervalMs / MINUTE_MS;
  return KRAKEN_OHLC_INTERVALS.find((candidate) => candidate === minutes);
}

/**
 * Kraken market data over WebSocket v2 as core types: bars from `ohlc` (emitted only once
 * closed, see ClosedBarAggregator), trades from `trade`, quotes from `ticker` (best bid/offer),
 * and checksum-verified books from `book`. Reconnection and resubscription are the WebSocket
 * client's; a book that fails its checksum is resynchronised without stopping the feed.
 *
 * The bar timer runs on an estimate of the venue's clock that never runs ahead of it: the wall
 * clock plus the largest offset any timestamped message has shown. A bar may therefore close a
 * little late when the feed is quiet, but never early.
 */
export class KrakenMarketDataClient implements MarketDataClient {
  readonly #options: KrakenMarketDataClientOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #ws: KrakenWsClient;
  readonly #bars: ClosedBarAggregator;
  readonly #routes = new Map<string, Set<MarketDataSink>>();
  readonly #bookDepths = new Map<InstrumentId, KrakenBookDepth>();
  #venueOffsetMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: KrakenMarketDataClientOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kraken-market-data' });
    this.#now = options.now ?? Date.now;
    this.#bars = new ClosedBarAggregator({ graceMs: options.barGraceMs ?? 5_000, onBar: (bar) => this.#deliver('bars', bar.instrumentId, bar.interval, (sink) => sink.onBar(bar)) });
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
          this.#bars.update(bar, type);
        },
        onTrades: (trades) => {
          for (const trade of trades) {
            this.#observe(trade.time);
            this.#deliver('trades', trade.instrumentId, undefined, (sink) => sink.onTrade(trade));
          }
        },
        onQuote: (quote) => {
          this.#observe(quote.time);
          this.#deliver('quotes', quote.instrumentId, undefined, (sink) => sink.onQuote(quote));
        },
        onBook: (book: L2Book) => {
          this.#observe(book.time);
          this.#deliver('book', book.instrumentId, undefined, (sink) => sink.onBook(book));
        },
        onBookHealth: (health) => options.onBookHealth?.(health),
        onConnectionState: (state, detail) => {
          if (state === 'open') void this.#syncVenueClock();
          options.onConnectionState?.(state, detail);
        },
      },
    });
  }

  /** The WebSocket URL in use. */
  get url(): string {
    return this.#ws.url;
  }

  /** The venue time the bar timer works with: a lower bound of the venue's clock. */
  venueNow(): number {
    const wall = this.#now();
    return Number.isFinite(this.#venueOffsetMs) ? wall + this.#venueOffsetMs : Number.NEGATIVE_INFINITY;
  }

  /** A book's health counters (resyncs, checksum mismatches). */
  bookHealth(id: InstrumentId | string): BookHealth | undefined {
    return this.#ws.bookHealth(String(id));
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
        this.#routes.set(key, sinks);
        fresh.push({ route, request });
        if (route.kind === 'book') this.#bookDepths.set(route.instrumentId, (request as { depth: KrakenBookDepth }).depth);
      }
      sinks.add(sink);
    }
    this.#startTimer();
    const connected = this.#ws.connect();
    const results = await Promise.allSettled([connected, ...fresh.map(({ request }) => this.#ws.subscribe(request))]);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure === undefined) return;
    // Forget what Kraken refused, so a later subscribe asks again instead of waiting on nothing.
    fresh.forEach(({ route }, index) => {
      if (results[index + 1]!.status !== 'rejected') return;
      this.#routes.delete(routeKey(route));
      if (route.kind === 'book') this.#bookDepths.delete(route.instrumentId);
    });
    throw failure.reason;
  }

  async unsubscribe(subscriptions: readonly Subscription[]): Promise<void> {
    const gone: KrakenSubscription[] = [];
    for (const { route, request } of this.#plan(subscriptions, false)) {
      const key = routeKey(route);
      if (!this.#routes.delete(key)) continue;
      gone.push(request);
      if (route.kind === 'bars') this.#bars.remove(route.instrumentId, route.variant!);
      if (route.kind === 'book') this.#bookDepths.delete(route.instrumentId);
    }
    await Promise.all(gone.map((request) => this.#ws.unsubscribe(request)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#routes.clear();
    await this.#ws.close();
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
            const received = subscription.interval === undefined ? 'nothing' : `${subscription.interval} ms (${formatInterval(subscription.interval)})`;
            issues.push({ path: `${path}.interval`, received, expected: `a Kraken candle interval: ${KRAKEN_OHLC_INTERVALS.map((minute) => formatInterval(minute * MINUTE_MS)).join(', ')}` });
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

  #deliver(kind: Subscription['kind'], id: InstrumentId, variant: number | undefined, call: (sink: MarketDataSink) => void): void {
    const sinks = this.#routes.get(routeKey({ kind, instrumentId: id, variant }));
    if (sinks === undefined) return;
    for (const sink of sinks) call(sink);
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      const now = this.venueNow();
      if (Number.isFinite(now)) this.#bars.closeDue(now);
    }, this.#options.barCheckIntervalMs ?? 1_000);
    this.#timer.unref();
  }
}

