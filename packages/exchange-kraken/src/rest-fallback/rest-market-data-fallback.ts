import { formatInterval, silentLogger, type Bar, type InstrumentId, type Logger, type Quote, type Trade } from '@kbot/core';
import { parseRestOhlc } from '../parse/rest-ohlc.js';
import { parseRestTicker } from '../parse/rest-ticker.js';
import { parseRestTrades } from '../parse/rest-trades.js';
import type { KrakenRestClient } from '../rest/rest-client.js';
import type { OhlcInterval } from '../rest/types.js';
import type { KrakenWsConnectionState } from '../ws/kraken-ws-client.js';
import { PacedPoller, type PollTask } from './paced-poller.js';
import type { RequestPacing } from './request-pacing.js';

/** Where market data comes from: the WebSocket, REST polling while it is down, or nowhere (down, within the grace period or without a fallback). */
export type KrakenMarketDataSource = 'websocket' | 'rest' | 'none';

/** The public REST endpoints the fallback polls. */
export type KrakenMarketDataRest = Pick<KrakenRestClient, 'ohlc' | 'ticker' | 'trades'>;

/** One subscription as the fallback serves it (books have no REST equivalent: see README). */
export type FallbackSubscription =
  | { readonly kind: 'bars'; readonly instrumentId: InstrumentId; readonly interval: number }
  | { readonly kind: 'trades' | 'quotes'; readonly instrumentId: InstrumentId };

/** What the market-data client lends the fallback: its subscriptions and its delivery ledger. */
export interface RestFallbackHost {
  subscriptions(): readonly FallbackSubscription[];
  /** The REST pair name of an instrument (`XBTUSD`). */
  restPair(instrumentId: InstrumentId): string;
  /** Open time of the last bar of the series delivered from any source; -Infinity when none. */
  barsDeliveredThrough(instrumentId: InstrumentId, interval: number): number;
  /** The WebSocket candle of the series not yet delivered, if any. */
  formingBar(instrumentId: InstrumentId, interval: number): Bar | undefined;
  /** Marks bars up to `openTime` as history: never delivered. */
  skipBarsThrough(instrumentId: InstrumentId, interval: number, openTime: number): void;
  /** The last trade delivered for the instrument, from any source. */
  lastTrade(instrumentId: InstrumentId): Trade | undefined;
  /** A lower bound of the venue's clock (epoch ms), -Infinity when unknown. */
  venueNow(): number;
  /** Delivers a closed bar unless one at or after its open time was delivered already. */
  deliverBar(bar: Bar): void;
  deliverTrade(trade: Trade): void;
  deliverQuote(quote: Quote): void;
}

export interface RestMarketDataFallbackOptions {
  readonly rest: KrakenMarketDataRest;
  readonly host: RestFallbackHost;
  /** How long the WebSocket must be down before polling starts. */
  readonly graceMs: number;
  /** Least time between the starts of two REST requests. */
  readonly requestGapMs: number;
  /** Shared with the client's other public REST requests (`recentBars`); default the fallback's own. */
  readonly pacing?: RequestPacing;
  /** After an interval ends, how long before a last OHLC row with nothing after it is taken as final. */
  readonly barGraceMs: number;
  /** Called when polling starts (the switch back is reported with the WebSocket's `open`). */
  readonly onPolling: (reason: string) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** A reason for a log line: credentials and query strings in URLs removed, shortened. */
export function redactReason(reason: string): string {
  const text = reason.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1[redacted]@').replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#]*)[?#]\S*/gi, '$1?[redacted]');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Market data over REST while the public WebSocket is down. After `graceMs` without a
 * connection it polls, one request at a time and `requestGapMs` apart: `OHLC` with `since` per
 * bar series, `Trades` with `since` per traded pair, `Ticker` per quoted pair. Once the
 * WebSocket is open again it stops, and answers still in flight are dropped.
 *
 * Bars go through the host's ledger, shared with the WebSocket path, so each closed bar is
 * delivered once and in order across both switches. Trades are delivered when their trade id is
 * above the last one delivered. A series or pair the client knows nothing about yet starts
 * like a WebSocket subscription: the first answer is history, not news.
 */
export class RestMarketDataFallback {
  readonly #options: RestMarketDataFallbackOptions;
  readonly #host: RestFallbackHost;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #poller: PacedPoller;
  readonly #tradeCursors = new Map<InstrumentId, string>();
  readonly #tradesThrough = new Map<InstrumentId, number>();
  #source: KrakenMarketDataSource = 'none';
  #generation = 0;
  #graceTimer: NodeJS.Timeout | undefined;
  #downSince = 0;
  #downAtVenue = Number.NEGATIVE_INFINITY;
  #reason = 'not connected yet';
  #pollingSince = 0;
  #requestsAtStart = 0;

  constructor(options: RestMarketDataFallbackOptions) {
    this.#options = options;
    this.#host = options.host;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#poller = new PacedPoller({
      requestGapMs: options.requestGapMs,
      ...(options.pacing === undefined ? {} : { pacing: options.pacing }),
      now: this.#now,
      round: () => this.#round(),
      onError: (task, error, failures) => {
        const fields = { request: task.name, error: redactReason((error as Error).message ?? String(error)), failuresInARow: failures };
        // One warning per outage of an endpoint, not one per attempt.
        if (failures === 1) this.#logger.warn('Kraken market data: REST poll failed; retrying', fields);
        else this.#logger.debug('Kraken market data: REST poll failed again', fields);
      },
    });
  }

  get source(): KrakenMarketDataSource {
    return this.#source;
  }

  /** REST requests started so far. */
  get requests(): number {
    return this.#poller.requests;
  }

  /** The WebSocket client's state changed. */
  connectionChanged(state: KrakenWsConnectionState, reason?: string): void {
    if (state === 'idle' || state === 'closed') return; // `closed` comes only from close(), which stops this too
    if (state === 'open') {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
      if (this.#source === 'rest') this.#stopPolling();
      this.#source = 'websocket';
      return;
    }
    if (reason !== undefined) this.#reason = reason;
    if (this.#source === 'rest' || this.#graceTimer !== undefined) return;
    this.#source = 'none';
    this.#downSince = this.#now();
    this.#downAtVenue = this.#host.venueNow();
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      this.#startPolling();
    }, this.#options.graceMs);
    this.#graceTimer.unref();
  }

  /** Stops for good (the client is closing). */
  stop(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#poller.stop();
    this.#generation += 1;
    this.#source = 'none';
  }

  #startPolling(): void {
    this.#source = 'rest';
    this.#pollingSince = this.#now();
    this.#requestsAtStart = this.#poller.requests;
    const reason = redactReason(this.#reason);
    this.#logger.warn('Kraken market data: WebSocket down; polling REST until it is back', {
      source: 'rest',
      downForMs: this.#pollingSince - this.#downSince,
      reason,
      requestGapMs: this.#options.requestGapMs,
      subscriptions: this.#host.subscriptions().length,
    });
    this.#options.onPolling(reason);
    this.#poller.start();
  }

  #stopPolling(): void {
    this.#poller.stop();
    this.#generation += 1;
    // The WebSocket delivers trades from here on; a later outage starts again from the last one.
    this.#tradeCursors.clear();
    this.#tradesThrough.clear();
    this.#logger.info('Kraken market data: WebSocket back; REST polling stopped', {
      source: 'websocket',
      pollingForMs: this.#now() - this.#pollingSince,
      requests: this.#poller.requests - this.#requestsAtStart,
    });
  }

  #round(): PollTask[] {
    const generation = this.#generation;
    const tasks: PollTask[] = [];
    for (const subscription of this.#host.subscriptions()) {
      const pair = this.#host.restPair(subscription.instrumentId);
      if (subscription.kind === 'bars') {
        tasks.push({ name: `OHLC ${subscription.instrumentId} ${formatInterval(subscription.interval)}`, run: () => this.#pollBars(generation, subscription.instrumentId, subscription.interval, pair) });
      } else if (subscription.kind === 'trades') {
        tasks.push({ name: `Trades ${subscription.instrumentId}`, run: () => this.#pollTrades(generation, subscription.instrumentId, pair) });
      } else {
        tasks.push({ name: `Ticker ${subscription.instrumentId}`, run: () => this.#pollTicker(generation, subscription.instrumentId, pair) });
      }
    }
    return tasks;
  }

  async #pollBars(generation: number, instrumentId: InstrumentId, interval: number, pair: string): Promise<void> {
    let after = this.#host.barsDeliveredThrough(instrumentId, interval);
    if (after === Number.NEGATIVE_INFINITY) {
      // The WebSocket's candle that was forming when it went down is the first bar still owed.
      const forming = this.#host.formingBar(instrumentId, interval);
      if (forming !== undefined) after = forming.openTime - 1;
    }
    const requestedAt = this.#host.venueNow();
    // `since` in whole seconds at or before the last bar delivered: whatever Kraken's exact
    // comparison, every later candle is in the answer; the ledger drops what was delivered.
    const result = await this.#options.rest.ohlc({ pair, interval: (interval / 60_000) as OhlcInterval, ...(Number.isFinite(after) ? { since: Math.floor(after / 1000) } : {}) });
    if (generation !== this.#generation) return;
    const candles = parseRestOhlc(result, pair, { instrumentId, interval, requestedAt, graceMs: this.#options.barGraceMs });
    if (!Number.isFinite(after)) {
      // Nothing known about the series: the answer is history, except its newest candle, which
      // is delivered once closed (as the WebSocket treats its first snapshot).
      const newest = candles.forming ?? candles.closed.at(-1);
      if (newest === undefined) return;
      this.#host.skipBarsThrough(instrumentId, interval, newest.openTime - 1);
    }
    for (const bar of candles.closed) this.#host.deliverBar(bar);
  }

  async #pollTrades(generation: number, instrumentId: InstrumentId, pair: string): Promise<void> {
    let since = this.#tradeCursors.get(instrumentId);
    let through = this.#tradesThrough.get(instrumentId);
    if (since === undefined) {
      const last = this.#host.lastTrade(instrumentId);
      // Kraken v2 trades always carry trade_id; without one, only the time cursor protects.
      through = last?.tradeId === undefined ? Number.NEGATIVE_INFINITY : Number(last.tradeId);
      const from = last?.time ?? this.#downAtVenue;
      // Kraken accepts whole seconds as well as its nanosecond cursor.
      if (Number.isFinite(from)) since = String(Math.floor(from / 1000));
    }
    const result = await this.#options.rest.trades({ pair, ...(since === undefined ? {} : { since }) });
    if (generation !== this.#generation) return;
    const page = parseRestTrades(result, pair, instrumentId);
    this.#tradeCursors.set(instrumentId, page.last);
    if (since === undefined) {
      // No trade and no time to start from: these are the latest trades, history.
      this.#tradesThrough.set(instrumentId, page.trades.reduce((most, trade) => Math.max(most, Number(trade.tradeId)), Number.NEGATIVE_INFINITY));
      return;
    }
    let delivered = through ?? Number.NEGATIVE_INFINITY;
    for (const trade of page.trades) {
      const id = Number(trade.tradeId);
      if (id <= delivered) continue;
      delivered = id;
      this.#host.deliverTrade(trade);
    }
    this.#tradesThrough.set(instrumentId, delivered);
  }

  async #pollTicker(generation: number, instrumentId: InstrumentId, pair: string): Promise<void> {
    const result = await this.#options.rest.ticker({ pair: [pair] });
    if (generation !== this.#generation) return;
    const venueNow = this.#host.venueNow();
    this.#host.deliverQuote(parseRestTicker(result, pair, instrumentId, Number.isFinite(venueNow) ? venueNow : this.#now()));
  }
}
