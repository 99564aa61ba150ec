import {
  ConfigError,
  ExchangeError,
  InvariantError,
  instrumentId as toInstrumentId,
  silentLogger,
  splitInstrumentId,
  type Balance,
  type CancelOrder,
  type ClientOrderId,
  type EpochMs,
  type ExecutionClient,
  type UntrackedOrder,
  type OrderEntryActivity,
  type ExecutionReportSink,
  type InstrumentId,
  type InstrumentProvider,
  type Logger,
  type Order,
  type OrderEntryBudget,
  type ReconcileReport,
  type SubmitOrder,
  type VenueFill,
} from '@kbot/core';
import { toKrakenClientOrderId } from './client-order-id.js';
import { buildKrakenOrderRequest, type KrakenOrderRequest } from './kraken-order-request.js';
import { KrakenOrderTracker, type TrackedOrder } from './order-tracker.js';
import { assetPairAliases } from './parse/asset-pairs.js';
import { classifyKrakenError } from './rest/errors.js';
import { UntrackedOrderWatch } from './untracked-orders.js';
import { TRADING_COUNTER_LIMITS, TradingRateLimiter, cancelOrderCost, type KrakenTier } from './rest/rate-limiter.js';
import type { KrakenRestClient } from './rest/rest-client.js';
import type { CancelAllOrdersAfterResult, OrderInfo, TradeInfo } from './rest/types.js';
import { parseKrakenBalance, parseKrakenBalanceEx, parseKrakenOrder, parseKrakenTrade, type KrakenOrderState } from './venue-state.js';
import { KrakenWsClient, type KrakenWsClientOptions, type KrakenWsConnectionState } from './ws/kraken-ws-client.js';

/** The REST calls the execution client makes (a KrakenRestClient with credentials). */
export type KrakenExecutionRest = Pick<
  KrakenRestClient,
  | 'time'
  | 'assetPairs'
  | 'getWebSocketsToken'
  | 'balance'
  | 'balanceEx'
  | 'openOrders'
  | 'closedOrders'
  | 'queryOrders'
  | 'tradesHistory'
  | 'addOrder'
  | 'cancelOrder'
  | 'cancelAllOrdersAfter'
>;

export interface KrakenExecutionClientOptions {
  /** REST client with the account's credentials: token, fallback order entry and reconciliation. */
  readonly rest: KrakenExecutionRest;
  readonly instruments: InstrumentProvider;
  /** Authenticated WebSocket URL; defaults to env `KRAKEN_WS_AUTH_URL`, then Kraken's. */
  readonly url?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Account tier for the per-pair trading counter; default `starter` (the most conservative). */
  readonly tier?: KrakenTier;
  /** The pair trading counter to wait on; defaults to one for `tier` with `rateLimitHeadroom` kept free. */
  readonly tradingLimiter?: TradingRateLimiter;
  /** Counter points kept unused under Kraken's threshold, for timing differences; default 2. */
  readonly rateLimitHeadroom?: number;
  readonly logger?: Logger;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long connect() waits for the private socket before going on with REST only; default 15 s. */
  readonly connectTimeoutMs?: number;
  /** Reconciliation looks back this far before the oldest unsettled order; default 60 s. */
  readonly reconcileMarginMs?: number;
  /** An order whose submission outcome is unknown and that Kraken still does not have after this long is reported rejected; default 30 s. */
  readonly unresolvedOrderGraceMs?: number;
  /** Adopted orders (after a restart) with no known venue time: how far back to look for their fills; default 24 h. */
  readonly adoptLookbackMs?: number;
  /** Pages (50 each) of ClosedOrders / TradesHistory read per reconciliation at most; default 20. */
  readonly maxHistoryPages?: number;
  /** Delay before a reconciliation that found gaps is repeated; default 2 s. */
  readonly retryDelayMs?: number;
  /**
   * How long to wait before looking up an order whose outcome is unknown: a just-placed order can
   * be briefly absent from OpenOrders (spec §6.2). Default 1 s, as the REST client waits.
   */
  readonly lookupDelayMs?: number;
  /**
   * While the private socket is down, unsettled orders are reconciled over REST this often, so
   * fills still arrive; default 15 s (one reconciliation costs 5 on the REST counter).
   */
  readonly pollIntervalMs?: number;
  /**
   * While the private socket is down, a market or immediate-or-cancel order placed over REST is
   * followed by one reconciliation this long after Kraken accepts it, so its fill is known in about
   * a second rather than at the next poll; default 1 s. Orders placed together share one.
   */
  readonly fillFollowUpMs?: number;
  readonly onConnectionState?: (state: KrakenWsConnectionState, detail: { readonly attempt: number; readonly delayMs?: number; readonly reason?: string }) => void;
  /**
   * Once per open order on the account that this client does not track (see UntrackedOrderWatch):
   * found in the executions snapshot at every (re)connect, or by a REST reconciliation. It is
   * also logged as a warning, and listed by `untrackedOrders()` while it stays open.
   */
  readonly onUntrackedOrder?: (order: UntrackedOrder) => void;
  /** After every reconciliation that replayed into the sink (connect, reconnect, sequence gap, missed fills). */
  readonly onReconciled?: (summary: { readonly reason: string; readonly orders: number; readonly fills: number; readonly since: EpochMs }) => void;
  readonly webSocket?: Pick<
    KrakenWsClientOptions,
    'requestTimeoutMs' | 'idleTimeoutMs' | 'pongTimeoutMs' | 'connectTimeoutMs' | 'reconnectBaseDelayMs' | 'reconnectMaxDelayMs' | 'maxReconnectAttempts' | 'random' | 'tokenMaxAgeMs'
  >;
}

type Outcome = 'rejected' | 'rate-limited' | 'not-sent' | 'unknown';

const MAX_RATE_LIMIT_RETRIES = 3;
const MAX_CATCH_UP_RETRIES = 5;

/** An order or cancel waiting its turn to be sent. */
interface QueuedRequest {
  readonly symbol: string;
  /** Reports the request as never sent (order entry stopped first). */
  readonly notSent: (reason: string) => void;
  /** For an order's placement: its id, so a cancel that comes first takes it off the queue instead. */
  readonly placing: ClientOrderId | undefined;
  /** Counter points it holds in `orderEntryBudget` until it is sent or withdrawn (then 0). */
  reserved: number;
}

function notSent(reason: string): string {
  return `not sent: ${reason}`;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRateLimited(message: string | undefined): boolean {
  return message !== undefined && /^EOrder:(Domain )?Rate limit exceeded/.test(message);
}

/** What a failed order-entry call means for the order. */
function classify(error: unknown, path: 'ws' | 'rest'): Outcome {
  if (!(error instanceof ExchangeError)) return error instanceof ConfigError ? 'rejected' : 'unknown';
  const venue = error.venueMessage;
  if (venue !== undefined) {
    if (isRateLimited(venue)) return 'rate-limited';
    // Kraken answered: unless it says it does not know what happened, its text is the reason.
    return classifyKrakenError(venue).orderOutcomeUnknown === true ? 'unknown' : 'rejected';
  }
  // The WebSocket client marks "not connected; nothing was sent" (and token failures) as retryable.
  if (path === 'ws' && (error.retryable || error.kind === 'authentication')) return 'not-sent';
  return error.kind === 'invalid-order' ? 'rejected' : 'unknown';
}

function reasonOf(error: unknown): string {
  if (error instanceof ExchangeError && error.venueMessage !== undefined) return error.venueMessage;
  return (error as Error)?.message ?? String(error);
}

/** A round of the catch-up loop that callers wait for: `done` settles when `finish` is called. */
interface CatchUpRound {
  readonly done: Promise<void>;
  readonly finish: () => void;
}

function catchUpRound(): CatchUpRound {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { done, finish };
}

/**
 * Kraken order execution: orders over the authenticated WebSocket (`add_order`, `cancel_order`),
 * REST AddOrder / CancelOrder when the socket is down, the `executions` channel mapped to
 * ExecutionReportSink calls, and reconciliation (OpenOrders, ClosedOrders, TradesHistory,
 * Balance) on connect, after every reconnect, on a sequence gap and whenever Kraken's executed
 * volume runs ahead of the fills seen. Every report is made once per order (one acceptance, one
 * terminal report, one fill per trade id), whichever path brings it first; trade ids are
 * Kraken's fill ids (`exec_id` = TradesHistory key), so a fill seen on both paths counts once.
 *
 * Orders wait for the pair's trading counter (spec §7.2) before they are sent, so a burst is
 * slowed down here instead of being refused with `EOrder:Rate limit exceeded`. An order whose
 * outcome is unknown (a reply lost to a disconnect) is looked up by `cl_ord_id` before anything
 * is resent.
 */
export class KrakenExecutionClient implements ExecutionClient {
  readonly #options: KrakenExecutionClientOptions;
  readonly #rest: KrakenExecutionRest;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #ws: KrakenWsClient;
  readonly #tracker: KrakenOrderTracker;
  readonly #limiter: TradingRateLimiter;
  /** Counter points that queued order entry (orders and cancels waiting their turn) will spend, by pair. */
  readonly #queuedCost = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #poll: NodeJS.Timeout | undefined;
  #followUpPending = false;
  #sink: ExecutionReportSink | undefined;
  /** Order entry per pair, in call order (the trading counter is per pair: one pair's wait holds no other pair back). */
  readonly #chains = new Map<string, Promise<void>>();
  #aliases: Map<string, InstrumentId> | undefined;
  #connectServerTime: EpochMs = Number.NEGATIVE_INFINITY;
  #opens = 0;
  #catchUpRunning = false;
  // The next round of the catch-up loop and those waiting for it (see #catchUp).
  #nextCatchUpRound: CatchUpRound | undefined;
  /** Open orders on the account that this client does not track. */
  readonly #untracked: UntrackedOrderWatch;
  /** By txid, or by cl_ord_id for an order whose txid has not reached this client yet (its reply is on the way). */
  readonly #isTracked = (venueOrderId: string, krakenClientOrderId: string | undefined): boolean => {
    if (this.#tracker.byVenueOrderId(venueOrderId) !== undefined) return true;
    const byClientId = krakenClientOrderId === undefined ? undefined : this.#tracker.byKrakenClientOrderId(krakenClientOrderId);
    return byClientId !== undefined && (byClientId.venueOrderId === undefined || byClientId.venueOrderId === venueOrderId);
  };
  #catchUpAgain: string | undefined;
  #catchUpRetries = 0;
  #closed = false;
  /** Requests waiting their turn (the queue and the trading counter); `stopOrderEntry` reports them as not sent. */
  readonly #queued = new Set<QueuedRequest>();
  /** Set by `stopOrderEntry`: why nothing more is sent. */
  #entryStopped: string | undefined;

  constructor(options: KrakenExecutionClientOptions) {
    this.#options = options;
    this.#rest = options.rest;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kraken-execution' });
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#tracker = new KrakenOrderTracker({ logger: this.#logger, now: this.#now });
    this.#untracked = new UntrackedOrderWatch({ logger: this.#logger, now: this.#now, ...(options.onUntrackedOrder === undefined ? {} : { onUntracked: options.onUntrackedOrder }) });
    const limits = TRADING_COUNTER_LIMITS[options.tier ?? 'starter'];
    this.#limiter = options.tradingLimiter ?? new TradingRateLimiter({ ...limits, threshold: limits.threshold - (options.rateLimitHeadroom ?? 2) });
    this.#ws = new KrakenWsClient({
      access: 'private',
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.env === undefined ? {} : { env: options.env }),
      getToken: async () => (await this.#rest.getWebSocketsToken()).token,
      logger: this.#logger,
      now: this.#now,
      ...options.webSocket,
      handlers: {
        onExecutions: (message) => {
          const outcome = this.#tracker.onExecutions(message);
          this.#untracked.onExecutions(message.type, message.reports, this.#isTracked);
          if (outcome.missingFills) this.#requestCatchUp('executed volume ahead of the fills seen', this.#options.retryDelayMs ?? 2_000);
        },
        onSequenceGap: (gap) => this.#requestCatchUp(`executions sequence gap (expected ${gap.expected}, received ${gap.received})`),
        onConnectionState: (state, detail) => {
          if (state === 'open') {
            this.#stopPolling();
            // Whatever happened while the socket was down (or before it first opened) is fetched now.
            if (this.#sink !== undefined) this.#requestCatchUp(++this.#opens > 1 ? 'reconnect' : 'socket open');
          } else if (this.#sink !== undefined) {
            this.#startPolling();
          }
          options.onConnectionState?.(state, detail);
        },
      },
    });
  }

  /** The authenticated WebSocket URL in use. */
  get url(): string {
    return this.#ws.url;
  }

  /** The private socket's state: orders go over REST while it is not `open`. */
  get connectionState(): KrakenWsConnectionState {
    return this.#ws.state;
  }

  /**
   * The open orders on the account that this client does not track, as last seen (the executions
   * snapshot at each connect, reconciliations, and updates that close them). kbot leaves them alone.
   */
  untrackedOrders(): readonly UntrackedOrder[] {
    return this.#untracked.list();
  }

  async connect(sink: ExecutionReportSink): Promise<void> {
    if (this.#closed) throw new ConfigError([{ path: 'connect', received: 'a closed client', expected: 'a client that has not been closed' }], 'Kraken execution');
    this.#sink = sink;
    this.#tracker.setSink(sink);
    if (this.#options.instruments.list().length === 0) await this.#options.instruments.load();
    const time = await this.#rest.time();
    this.#connectServerTime = time.unixtime * 1000;
    this.#tracker.observeVenueTime(this.#connectServerTime);
    // Open orders and the last 50 fills come in the snapshot; reconciliation covers the rest.
    const opened = this.#ws.connect();
    const subscribed = this.#ws.subscribe({ channel: 'executions', snapOrders: true, snapTrades: true });
    opened.catch(() => undefined);
    let executionsLive = false;
    subscribed.then(
      () => {
        executionsLive = true;
      },
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#options.connectTimeoutMs ?? 15_000;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([Promise.all([opened, subscribed]).then(() => 'ready' as const), timedOut]);
      if (result === 'timeout') this.#logger.warn('Kraken private WebSocket not ready; orders go over REST until it is', { waitedMs: timeoutMs });
    } catch (error) {
      if (error instanceof ConfigError || (error instanceof ExchangeError && !error.retryable)) throw error;
      this.#logger.warn('Kraken private WebSocket failed; orders go over REST until it reconnects', { error: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
    // Without the executions channel, fills are learned by polling until the socket (re)subscribes.
    if (this.#ws.state !== 'open' || !executionsLive) this.#startPolling();
    await this.#catchUp('connect');
  }

  /**
   * Makes an order placed earlier (before a restart, from the journal) known to this client, so
   * its executions and reconciled fills reach the sink. Call before connect(). `known.tradeIds`
   * are the fills the journal already counted (they make up `filledQuantity`): Kraken reporting
   * them again is not a new fill. An order the journal has as sent but never acknowledged is
   * looked up by its `cl_ord_id`; if Kraken still does not have it once `unresolvedOrderGraceMs`
   * has passed since it was sent, it is reported rejected. It is never sent again.
   */
  adopt(
    order: Pick<Order, 'clientOrderId' | 'venueOrderId' | 'instrumentId' | 'side' | 'quantity' | 'filledQuantity' | 'status' | 'updatedAt'>,
    known: { readonly tradeIds?: readonly string[] } = {},
  ): void {
    if (this.#tracker.get(order.clientOrderId) !== undefined) return;
    const { quote } = splitInstrumentId(order.instrumentId);
    const tracked = this.#tracker.track({
      clientOrderId: order.clientOrderId,
      krakenClientOrderId: toKrakenClientOrderId(order.clientOrderId),
      instrumentId: order.instrumentId,
      side: order.side,
      quantity: order.quantity,
      quoteAsset: quote,
      venueSince: Number.NEGATIVE_INFINITY,
      filled: order.filledQuantity,
      accepted: order.status !== 'submitted' && order.status !== 'initialized',
      ...(known.tradeIds === undefined ? {} : { seenTradeIds: known.tradeIds }),
      ...(order.venueOrderId === undefined ? {} : { venueOrderId: order.venueOrderId }),
    });
    // Sent, but whether Kraken got it is unknown: the time it was sent starts the grace period.
    if (order.venueOrderId === undefined && order.status === 'submitted') tracked.unresolvedSince = Math.min(order.updatedAt, this.#now());
  }

  /**
   * What the journal holds of the order entry of the last minutes before a restart (the engine
   * hands it over at start): Kraken's per-pair trading counter still holds it, decaying, so this
   * client's model of the counter starts where Kraken's is instead of at zero, and a bot that
   * restarts in the middle of quoting does not run into `EOrder:Rate limit exceeded`. Activity
   * stamped after this client's clock (another clock) is left out rather than charged ahead.
   */
  primeOrderEntry(activity: readonly OrderEntryActivity[]): void {
    const now = this.#now();
    // The counter decays forward in time: charges go in in time order.
    for (const entry of [...activity].sort((a, b) => a.time - b.time)) {
      if (entry.time > now) continue;
      const symbol = String(entry.instrumentId);
      if (entry.kind === 'placed') this.#limiter.onOrderPlaced(symbol, entry.time);
      else this.#limiter.onCancel(symbol, entry.time - entry.orderCreatedAt, entry.time);
    }
  }

  submit(order: SubmitOrder): void {
    const sink = this.#requireSink('submit');
    const now = this.#now();
    if (this.#entryStopped !== undefined) {
      sink.onRejected({ clientOrderId: order.clientOrderId, reason: notSent(this.#entryStopped), time: now });
      return;
    }
    const instrument = this.#options.instruments.get(order.instrumentId);
    if (instrument === undefined) {
      sink.onRejected({ clientOrderId: order.clientOrderId, reason: `EQuery:Unknown asset pair: ${order.instrumentId} is not listed by Kraken`, time: now });
      return;
    }
    if (this.#tracker.get(order.clientOrderId) !== undefined) {
      this.#logger.warn('order submitted twice with one client order id; the second is ignored', { clientOrderId: order.clientOrderId });
      return;
    }
    const krakenClientOrderId = toKrakenClientOrderId(order.clientOrderId);
    let request: KrakenOrderRequest;
    try {
      request = buildKrakenOrderRequest(order, instrument, krakenClientOrderId);
    } catch (error) {
      sink.onRejected({ clientOrderId: order.clientOrderId, reason: reasonOf(error), time: now });
      return;
    }
    if (request.rounded) this.#logger.warn('order rounded to the instrument tick and lot at the Kraken boundary', { clientOrderId: order.clientOrderId, quantity: request.quantity, price: request.price });
    const tracked = this.#tracker.track({
      clientOrderId: order.clientOrderId,
      krakenClientOrderId,
      instrumentId: instrument.id,
      side: order.side,
      // What Kraken was sent (the engine rounds first, so normally the order's own quantity).
      quantity: request.quantityValue,
      quoteAsset: instrument.quote,
      venueSince: this.#venueLowerBound(),
    });
    this.#enqueueRequest(request.symbol, this.#placeNotSent(tracked), (turn) => this.#place(tracked, request, 0, turn), order.clientOrderId, 1);
  }

  cancel(command: CancelOrder): void {
    this.#requireSink('cancel');
    if (this.#entryStopped !== undefined) {
      this.#tracker.cancelRejected(command.clientOrderId, notSent(this.#entryStopped), this.#now());
      return;
    }
    const tracked = this.#tracker.get(command.clientOrderId);
    if (tracked !== undefined && this.#withdrawPlacement(command.clientOrderId)) {
      // Never sent: canceled here, at no cost on the trading counter (a panic's cancels do not
      // wait behind the orders they cancel, and those orders never reach Kraken).
      this.#tracker.canceled(tracked, this.#now(), 'canceled before it was sent (it was waiting for the trading counter)');
      return;
    }
    const venueOrderId = tracked?.venueOrderId ?? (command.venueOrderId === undefined ? undefined : String(command.venueOrderId));
    const krakenClientOrderId = tracked?.krakenClientOrderId ?? toKrakenClientOrderId(command.clientOrderId);
    this.#enqueueRequest(String(command.instrumentId), this.#cancelNotSent(command), (turn) => this.#cancel(command, tracked, venueOrderId, krakenClientOrderId, 0, turn), undefined, this.#cancelCostNow(tracked));
  }

  stopOrderEntry(reason: string): void {
    if (this.#entryStopped !== undefined) return;
    this.#entryStopped = reason;
    const waiting = [...this.#queued];
    this.#queued.clear();
    for (const turn of waiting) this.#releaseTurn(turn);
    if (waiting.length > 0) this.#logger.warn('order entry stopped: requests still waiting their turn are not sent', { requests: waiting.length, reason });
    for (const request of waiting) request.notSent(notSent(reason));
  }

  /**
   * The pair's trading counter as strategies see it (`ctx.orders.budget`): the points left under
   * the threshold (less the safety headroom), minus what queued orders and cancels will spend.
   */
  orderEntryBudget(instrumentId: InstrumentId): OrderEntryBudget {
    const symbol = String(instrumentId);
    const remaining = this.#limiter.remaining(symbol, this.#now()) - (this.#queuedCost.get(symbol) ?? 0);
    return Object.freeze({
      remaining,
      submitCost: 1,
      cancelCost: (clientOrderId?: ClientOrderId) => this.#cancelCostNow(clientOrderId === undefined ? undefined : this.#tracker.get(clientOrderId)),
    });
  }

  /** Kraken's cancel penalty for the order's age now (an order not yet acknowledged counts as new). */
  #cancelCostNow(order: TrackedOrder | undefined): number {
    return cancelOrderCost(order?.acceptedAtWall === undefined ? 0 : this.#now() - order.acceptedAtWall);
  }

  #reserve(symbol: string, cost: number): void {
    if (cost > 0) this.#queuedCost.set(symbol, (this.#queuedCost.get(symbol) ?? 0) + cost);
  }

  #release(symbol: string, cost: number): void {
    if (cost <= 0) return;
    const left = (this.#queuedCost.get(symbol) ?? 0) - cost;
    if (left > 0) this.#queuedCost.set(symbol, left);
    else this.#queuedCost.delete(symbol);
  }

  /**
   * Kraken's current truth since `since` (venue time, epoch ms): open orders, orders closed since
   * then, fills since then and balances. Pure: nothing is reported to the sink.
   */
  async reconcile(since: EpochMs): Promise<ReconcileReport> {
    const known = this.#tracker.unfinished().flatMap((order) => (order.venueOrderId === undefined ? [] : [order.venueOrderId]));
    const state = await this.#fetchState(since, known);
    const balances = await this.fetchBalances();
    return Object.freeze({
      orders: state.orders.map((order) => Object.freeze({ clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId, status: order.status, filledQuantity: order.filledQuantity })),
      fills: state.fills,
      balances,
    });
  }

  /** Balances from BalanceEx (available = not held by open orders); Balance when BalanceEx is not allowed. */
  async fetchBalances(): Promise<readonly Balance[]> {
    try {
      return parseKrakenBalanceEx(await this.#rest.balanceEx());
    } catch (error) {
      if (!(error instanceof ExchangeError) || (error.kind !== 'permission' && error.venueMessage !== 'EGeneral:Unknown method')) throw error;
      this.#logger.info('Kraken BalanceEx not available to this key; using Balance', { error: error.message });
      return parseKrakenBalance(await this.#rest.balance());
    }
  }

  /** The dead man's switch (spec §6.8): cancel every order after `timeoutSeconds` unless called again; 0 disarms. */
  async cancelAllOrdersAfter(timeoutSeconds: number): Promise<CancelAllOrdersAfterResult> {
    if (this.#ws.state === 'open') {
      try {
        return await this.#ws.cancelAllOrdersAfter(timeoutSeconds);
      } catch (error) {
        if (!(error instanceof ExchangeError) || error.venueMessage !== undefined) throw error;
        this.#logger.debug('cancel_all_orders_after over WebSocket failed; using REST', { error: error.message });
      }
    }
    return this.#rest.cancelAllOrdersAfter(timeoutSeconds);
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Nothing waiting is sent once closed (there is no sink left to report it to).
    this.#queued.clear();
    this.#stopPolling();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#tracker.setSink(undefined);
    this.#sink = undefined;
    await this.#ws.close();
  }

  // ---- placing ------------------------------------------------------------------------------------

  #requireSink(what: string): ExecutionReportSink {
    if (this.#sink === undefined) throw new InvariantError(`Kraken execution client: ${what} before connect() (or after close())`);
    return this.#sink;
  }

  /**
   * Runs a pair's order-entry work in call order: its budget waits and sends never overtake each
   * other (a cancel never leaves before the order it cancels, a flatten's sell never before the
   * cancels that free its coins). Pairs do not wait for each other: Kraken counts per pair.
   */
  #enqueue(symbol: string, work: () => Promise<void>): void {
    const chain = (this.#chains.get(symbol) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.#logger.error('Kraken order-entry step failed', { symbol, error: (error as Error).message });
    });
    this.#chains.set(symbol, chain);
  }

  /** Takes an order's placement off the queue if it has not been sent yet; true when it was there. */
  #withdrawPlacement(id: ClientOrderId): boolean {
    for (const turn of this.#queued) {
      if (turn.placing !== id) continue;
      this.#queued.delete(turn);
      this.#releaseTurn(turn);
      return true;
    }
    return false;
  }

  /** Gives back the points a request held in the budget (once). */
  #releaseTurn(turn: QueuedRequest): void {
    this.#release(turn.symbol, turn.reserved);
    turn.reserved = 0;
  }

  /**
   * Queues a request; `work` waits its turn with `#awaitTurn` before it sends. `reserved` points
   * count in `orderEntryBudget` at once, until the request goes or is withdrawn.
   */
  #enqueueRequest(symbol: string, whenNotSent: (reason: string) => void, work: (turn: QueuedRequest) => Promise<void>, placing?: ClientOrderId, reserved = 0): void {
    const turn: QueuedRequest = { symbol, notSent: whenNotSent, placing, reserved };
    this.#reserve(symbol, reserved);
    this.#queued.add(turn);
    this.#enqueue(symbol, () => work(turn));
  }

  #placeNotSent(order: TrackedOrder): (reason: string) => void {
    return (reason) => this.#tracker.rejected(order, reason, this.#now());
  }

  #cancelNotSent(command: CancelOrder): (reason: string) => void {
    return (reason) => this.#tracker.cancelRejected(command.clientOrderId, reason, this.#now());
  }

  /**
   * Waits until the pair's trading counter has room for `cost`, spends it and takes the request
   * off the queue. False (nothing spent) when the request was withdrawn meanwhile: order entry
   * stopped (the request was reported as not sent) or the client closed.
   */
  async #awaitTurn(symbol: string, cost: number, turn: QueuedRequest): Promise<boolean> {
    if (cost > 0) {
      for (let wait = this.#limiter.waitTimeMs(symbol, cost, this.#now()); wait > 0; wait = this.#limiter.waitTimeMs(symbol, cost, this.#now())) {
        if (!this.#queued.has(turn)) return false;
        this.#logger.debug('waiting for the pair trading counter', { symbol, waitMs: wait });
        await this.#sleep(wait);
      }
    }
    if (!this.#queued.delete(turn)) return false;
    if (cost > 0) this.#limiter.spend(symbol, cost, this.#now());
    return true;
  }

  /** Waits for the counter in turn, then sends without holding the queue for the reply. */
  async #place(order: TrackedOrder, request: KrakenOrderRequest, attempt: number, turn: QueuedRequest): Promise<void> {
    let mayGo: boolean;
    try {
      mayGo = await this.#awaitTurn(request.symbol, 1, turn);
    } finally {
      this.#releaseTurn(turn);
    }
    if (!mayGo) return;
    void this.#send(order, request, attempt).catch((error: unknown) => {
      this.#logger.error('Kraken order placement failed unexpectedly', { clientOrderId: order.clientOrderId, error: (error as Error).message });
      order.unresolvedSince ??= this.#now();
      this.#requestCatchUp('order placement failed', this.#options.retryDelayMs ?? 2_000);
    });
  }

  async #send(order: TrackedOrder, request: KrakenOrderRequest, attempt: number): Promise<void> {
    if (this.#ws.state === 'open') {
      try {
        const result = await this.#ws.addOrder(request.ws);
        if (result.order_id === '') throw new ExchangeError('bad-response', 'Kraken add_order: the result has no order_id');
        this.#tracker.accepted(order, result.order_id, this.#now());
        return;
      } catch (error) {
        const outcome = classify(error, 'ws');
        if (outcome !== 'not-sent') {
          await this.#afterFailure(order, request, attempt, outcome, error);
          return;
        }
        this.#logger.info('Kraken add_order not sent over WebSocket; using REST AddOrder', { clientOrderId: order.clientOrderId, error: (error as Error).message });
      }
    }
    try {
      const result = await this.#rest.addOrder(request.rest);
      const txid = result.txid?.[0];
      if (txid === undefined) throw new ExchangeError('bad-response', 'Kraken AddOrder: the result has no txid');
      this.#tracker.accepted(order, txid, this.#now());
      if (request.rest.ordertype === 'market' || request.rest.timeinforce === 'IOC') this.#followUpFill();
    } catch (error) {
      await this.#afterFailure(order, request, attempt, classify(error, 'rest'), error);
    }
  }

  async #afterFailure(order: TrackedOrder, request: KrakenOrderRequest, attempt: number, outcome: Outcome, error: unknown): Promise<void> {
    switch (outcome) {
      case 'rejected':
        this.#tracker.rejected(order, reasonOf(error), this.#now());
        return;
      case 'rate-limited':
        // Kraken's counter is shared with what we cannot see (other sessions): trust it and wait.
        this.#limiter.spend(request.symbol, this.#limiter.remaining(request.symbol, this.#now()), this.#now());
        if (attempt + 1 < MAX_RATE_LIMIT_RETRIES) {
          this.#logger.warn('Kraken refused an order for the pair trading counter; waiting and resending', { clientOrderId: order.clientOrderId, attempt: attempt + 1 });
          this.#enqueueRequest(request.symbol, this.#placeNotSent(order), (turn) => this.#place(order, request, attempt + 1, turn), order.clientOrderId);
        } else {
          this.#tracker.rejected(order, reasonOf(error), this.#now());
        }
        return;
      default: {
        // The order may or may not be at Kraken: look it up by cl_ord_id before anything else,
        // after a moment, since a just-placed order can be briefly absent.
        this.#logger.warn('Kraken order outcome unknown; looking it up by cl_ord_id', { clientOrderId: order.clientOrderId, error: (error as Error).message });
        // Kraken answered (EService:Unavailable, say): the request was processed one way or the
        // other. No answer (a timeout, a dropped socket): the request may still reach Kraken.
        const answered = error instanceof ExchangeError && error.venueMessage !== undefined;
        let txid: string | undefined;
        try {
          await this.#sleep(this.#options.lookupDelayMs ?? 1_000);
          txid = await this.#lookUp(order.krakenClientOrderId);
        } catch (lookupError) {
          order.unresolvedSince ??= this.#now();
          this.#logger.warn('Kraken order lookup failed; reconciliation will resolve the order', { clientOrderId: order.clientOrderId, error: (lookupError as Error).message });
          this.#requestCatchUp('unresolved order', this.#options.retryDelayMs ?? 2_000);
          return;
        }
        if (txid !== undefined) {
          this.#tracker.accepted(order, txid, this.#now());
          this.#requestCatchUp('order found by cl_ord_id');
          return;
        }
        if (outcome === 'unknown' && attempt === 0 && answered) {
          // Kraken answered and has no such order: resending cannot duplicate it. REST AddOrder does its own lookups.
          // Unanswered requests are not resent: one still on its way would place the order twice
          // (cl_ord_id is unique only among open orders, and a market order closes at once), so
          // they wait for reconciliation, which rejects them if Kraken still lacks them after the grace.
          this.#enqueueRequest(request.symbol, this.#placeNotSent(order), async (turn) => {
            if (!(await this.#awaitTurn(request.symbol, 1, turn))) return;
            try {
              const result = await this.#rest.addOrder(request.rest);
              const placed = result.txid?.[0];
              if (placed === undefined) throw new ExchangeError('bad-response', 'Kraken AddOrder: the result has no txid');
              this.#tracker.accepted(order, placed, this.#now());
            } catch (retryError) {
              const retried = classify(retryError, 'rest');
              if (retried === 'rejected' || retried === 'rate-limited') return this.#afterFailure(order, request, MAX_RATE_LIMIT_RETRIES, retried, retryError);
              order.unresolvedSince ??= this.#now();
              this.#requestCatchUp('unresolved order', this.#options.retryDelayMs ?? 2_000);
            }
          }, order.clientOrderId);
          return;
        }
        order.unresolvedSince ??= this.#now();
        this.#requestCatchUp('unresolved order', this.#options.unresolvedOrderGraceMs ?? 30_000);
      }
    }
  }

  /** The txid of the newest order carrying `cl_ord_id`, open or closed. */
  async #lookUp(krakenClientOrderId: string): Promise<string | undefined> {
    const newest = (orders: Readonly<Record<string, OrderInfo>> | undefined): string | undefined => {
      const matches = Object.entries(orders ?? {}).filter(([, info]) => info.cl_ord_id === krakenClientOrderId);
      matches.sort(([, a], [, b]) => Number(b.opentm) - Number(a.opentm));
      return matches[0]?.[0];
    };
    const open = newest((await this.#rest.openOrders({ cl_ord_id: krakenClientOrderId })).open);
    if (open !== undefined) return open;
    return newest((await this.#rest.closedOrders({ cl_ord_id: krakenClientOrderId })).closed);
  }

  // ---- canceling ----------------------------------------------------------------------------------

  async #cancel(command: CancelOrder, order: TrackedOrder | undefined, venueOrderId: string | undefined, krakenClientOrderId: string, attempt: number, turn: QueuedRequest): Promise<void> {
    let mayGo: boolean;
    try {
      mayGo = await this.#awaitTurn(turn.symbol, this.#cancelCostNow(order), turn);
    } finally {
      this.#releaseTurn(turn);
    }
    if (!mayGo) return;
    void this.#sendCancel(command, order, venueOrderId ?? order?.venueOrderId, krakenClientOrderId, attempt).catch((error: unknown) => {
      this.#logger.error('Kraken cancel failed unexpectedly', { clientOrderId: command.clientOrderId, error: (error as Error).message });
    });
  }

  async #sendCancel(command: CancelOrder, order: TrackedOrder | undefined, venueOrderId: string | undefined, krakenClientOrderId: string, attempt: number): Promise<void> {
    let failure: unknown;
    let sent = false;
    if (this.#ws.state === 'open') {
      try {
        const outcomes = await this.#ws.cancelOrder(venueOrderId !== undefined ? { order_id: [venueOrderId] } : { cl_ord_id: [krakenClientOrderId] });
        failure = outcomes.find((outcome) => outcome.error !== undefined)?.error;
        sent = true;
      } catch (error) {
        if (classify(error, 'ws') !== 'not-sent') {
          failure = error;
          sent = true;
        }
      }
    }
    if (!sent) {
      try {
        const result = await this.#rest.cancelOrder(venueOrderId !== undefined ? { txid: venueOrderId } : { cl_ord_id: krakenClientOrderId });
        if (result.count < 1 && result.pending !== true) failure = new ExchangeError('order-not-found', 'Kraken CancelOrder canceled nothing', { venueMessage: 'EOrder:Unknown order' });
      } catch (error) {
        failure = error;
      }
    }
    const now = this.#now();
    if (failure === undefined) {
      if (order !== undefined) this.#tracker.canceled(order, now, 'canceled on request');
      else this.#sink?.onCanceled({ clientOrderId: command.clientOrderId, time: now, reason: 'canceled on request' });
      return;
    }
    if (failure instanceof ExchangeError && isRateLimited(failure.venueMessage) && attempt + 1 < MAX_RATE_LIMIT_RETRIES) {
      this.#limiter.spend(String(command.instrumentId), this.#limiter.remaining(String(command.instrumentId), now), now);
      this.#enqueueRequest(String(command.instrumentId), this.#cancelNotSent(command), (turn) => this.#cancel(command, order, venueOrderId, krakenClientOrderId, attempt + 1, turn));
      return;
    }
    this.#tracker.cancelRejected(command.clientOrderId, reasonOf(failure), now);
    // Gone already (filled, canceled, expired) or unreachable: let reconciliation tell which.
    if (order !== undefined) this.#requestCatchUp('cancel rejected');
  }

  // ---- reconciliation -----------------------------------------------------------------------------

  /** A lower bound of the venue's clock: the latest private timestamp, or the server time at connect. */
  #venueLowerBound(): EpochMs {
    return Math.max(this.#tracker.venueTime, this.#connectServerTime);
  }

  #startPolling(): void {
    if (this.#poll !== undefined || this.#closed) return;
    this.#poll = setInterval(() => {
      if (this.#tracker.unfinished().length > 0) this.#requestCatchUp('private socket down: polling');
    }, this.#options.pollIntervalMs ?? 15_000);
    this.#poll.unref();
  }

  /**
   * One reconciliation soon after an order that fills at once went over REST, while polling
   * stands in for the socket: the next poll may be up to pollIntervalMs away. One pending at a
   * time, so a burst of orders costs one (5 on the REST counter).
   */
  #followUpFill(): void {
    if (this.#poll === undefined || this.#followUpPending) return;
    this.#followUpPending = true;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#followUpPending = false;
      this.#requestCatchUp('order placed over REST: looking for its fill');
    }, this.#options.fillFollowUpMs ?? 1_000);
    timer.unref();
    this.#timers.add(timer);
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  #requestCatchUp(reason: string, delayMs = 0): void {
    if (this.#closed) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#requestCatchUp(reason);
      }, delayMs);
      timer.unref();
      this.#timers.add(timer);
      return;
    }
    void this.#catchUp(reason);
  }

  /**
   * Reconciles the unsettled orders and replays what the sink missed; repeats while requests come
   * in. Resolves once a reconciliation that started after this request has run: a request made
   * while one is running (a poll, when connect() asks) waits for the next round, not for the
   * loop to go idle (polls can keep it busy), and connect() does not return before the fills made
   * while the bot was down are reported.
   */
  #catchUp(reason: string): Promise<void> {
    this.#catchUpAgain = reason;
    const round = (this.#nextCatchUpRound ??= catchUpRound());
    if (!this.#catchUpRunning) {
      this.#catchUpRunning = true;
      void this.#runCatchUp();
    }
    return round.done;
  }

  async #runCatchUp(): Promise<void> {
    try {
      while (this.#catchUpAgain !== undefined && !this.#closed) {
        const reason = this.#catchUpAgain;
        const round = this.#nextCatchUpRound;
        this.#catchUpAgain = undefined;
        this.#nextCatchUpRound = undefined;
        try {
          await this.#catchUpOnce(reason);
        } catch (error) {
          // Not a venue failure (those are retried inside): a bug; the next trigger tries again.
          this.#logger.error('Kraken reconciliation failed', { reason, error: (error as Error).message });
        } finally {
          round?.finish();
        }
      }
    } finally {
      this.#catchUpRunning = false;
      // Closed with a request still waiting: nothing will run it.
      this.#nextCatchUpRound?.finish();
      this.#nextCatchUpRound = undefined;
    }
  }

  async #catchUpOnce(reason: string): Promise<void> {
    const pending = this.#tracker.unfinished();
    if (pending.length === 0) return;
    const fallback = this.#connectServerTime - (this.#options.adoptLookbackMs ?? 86_400_000);
    const oldest = Math.min(...pending.map((order) => (Number.isFinite(order.venueSince) ? order.venueSince : fallback)));
    const since = Math.max(0, oldest - (this.#options.reconcileMarginMs ?? 60_000));
    let state: { orders: KrakenOrderState[]; fills: VenueFill[] };
    try {
      state = await this.#fetchState(since, pending.flatMap((order) => (order.venueOrderId === undefined ? [] : [order.venueOrderId])));
    } catch (error) {
      this.#logger.warn('Kraken reconciliation failed; retrying', { reason, error: (error as Error).message });
      this.#retryCatchUp(reason);
      return;
    }
    if (this.#closed) return;
    const outcome = this.#tracker.applyReconcile(state.orders, state.fills, { unresolvedGraceMs: this.#options.unresolvedOrderGraceMs ?? 30_000 });
    this.#untracked.onReconcile(state.orders, this.#isTracked);
    this.#logger.info('Kraken reconciliation done', { reason, since, orders: state.orders.length, fills: state.fills.length });
    this.#options.onReconciled?.({ reason, orders: state.orders.length, fills: state.fills.length, since });
    const unresolved = this.#tracker.unfinished().some((order) => order.unresolvedSince !== undefined);
    if (outcome.missingFills || unresolved) this.#retryCatchUp(outcome.missingFills ? 'fills still missing' : 'unresolved order');
    else this.#catchUpRetries = 0;
  }

  #retryCatchUp(reason: string): void {
    if (++this.#catchUpRetries > MAX_CATCH_UP_RETRIES) {
      this.#logger.error('Kraken reconciliation keeps finding gaps; giving up until the next trigger', { reason });
      this.#catchUpRetries = 0;
      // An order whose submission is unresolved is settled when its grace period ends: come back then.
      const grace = this.#options.unresolvedOrderGraceMs ?? 30_000;
      const since = this.#tracker.unfinished().flatMap((order) => (order.unresolvedSince === undefined ? [] : [order.unresolvedSince]));
      if (since.length > 0) this.#requestCatchUp('unresolved order: grace period over', Math.max(0, Math.min(...since) + grace - this.#now()) + 1);
      return;
    }
    this.#requestCatchUp(reason, this.#options.retryDelayMs ?? 2_000);
  }

  /** Every page of a paged history call (ClosedOrders, TradesHistory), up to `maxHistoryPages`. */
  async #pages<T>(fetch: (offset: number) => Promise<{ readonly count: number; readonly items: Readonly<Record<string, T>> | undefined }>, what: string): Promise<Map<string, T>> {
    const all = new Map<string, T>();
    let offset = 0;
    const maxPages = this.#options.maxHistoryPages ?? 20;
    for (let page = 0; page < maxPages; page++) {
      const { count, items } = await fetch(offset);
      const entries = Object.entries(items ?? {});
      for (const [key, value] of entries) all.set(key, value);
      offset += entries.length;
      if (entries.length === 0 || offset >= count) return all;
    }
    this.#logger.warn(`Kraken ${what} has more pages than read; older entries are left out`, { pages: maxPages });
    return all;
  }

  async #fetchState(since: EpochMs, knownTxids: readonly string[]): Promise<{ orders: KrakenOrderState[]; fills: VenueFill[] }> {
    const start = Math.max(0, Math.floor(since / 1000));
    const infos = new Map<string, OrderInfo>(Object.entries((await this.#rest.openOrders({})).open ?? {}));
    const closed = await this.#pages(async (ofs) => {
      const result = await this.#rest.closedOrders({ start, ofs });
      return { count: result.count, items: result.closed };
    }, 'ClosedOrders');
    for (const [txid, info] of closed) infos.set(txid, info);
    const trades = await this.#pages(async (ofs) => {
      const result = await this.#rest.tradesHistory({ start, ofs });
      return { count: result.count, items: result.trades };
    }, 'TradesHistory');
    // Orders we track or that own a fill but are older than the window: ask for them by txid.
    const missing = [...new Set([...knownTxids, ...[...trades.values()].map((trade) => trade.ordertxid)])].filter((txid) => !infos.has(txid));
    for (let index = 0; index < missing.length; index += 50) {
      try {
        for (const [txid, info] of Object.entries(await this.#rest.queryOrders({ txid: missing.slice(index, index + 50) }))) infos.set(txid, info);
      } catch (error) {
        this.#logger.warn('Kraken QueryOrders failed; those orders are left out of this reconciliation', { error: (error as Error).message });
      }
    }
    await this.#ensureAliases([...[...infos.values()].map((info) => info.descr?.pair), ...[...trades.values()].map((trade) => trade.pair)]);
    const orders = new Map<string, KrakenOrderState>();
    for (const [txid, info] of infos) {
      try {
        orders.set(txid, parseKrakenOrder(txid, info, { resolvePair: (name) => this.#resolvePair(name), clientOrderIdOf: (id, orderTxid) => this.#clientOrderIdOf(id, orderTxid) }));
      } catch (error) {
        this.#logger.warn('Kraken order skipped in reconciliation: it could not be read', { txid, error: (error as Error).message });
      }
    }
    const fills: VenueFill[] = [];
    for (const [tradeTxid, trade] of trades) {
      const fill = this.#fillOf(tradeTxid, trade, orders.get(trade.ordertxid));
      if (fill !== undefined) fills.push(fill);
    }
    return { orders: [...orders.values()], fills };
  }

  #fillOf(tradeTxid: string, trade: TradeInfo, order: KrakenOrderState | undefined): VenueFill | undefined {
    const tracked = this.#tracker.byVenueOrderId(trade.ordertxid);
    const instrumentId = tracked?.instrumentId ?? order?.instrumentId ?? this.#resolvePair(trade.pair);
    if (instrumentId === undefined) {
      this.#logger.warn('Kraken trade skipped in reconciliation: unknown pair', { tradeTxid, pair: trade.pair });
      return undefined;
    }
    const { base, quote } = splitInstrumentId(instrumentId);
    try {
      return Object.freeze(
        parseKrakenTrade(tradeTxid, trade, {
          instrumentId,
          clientOrderId: tracked?.clientOrderId ?? order?.clientOrderId ?? (trade.ordertxid as ClientOrderId),
          feeAsset: order?.feesInBase === true ? base : quote,
        }),
      );
    } catch (error) {
      this.#logger.warn('Kraken trade skipped in reconciliation: it could not be read', { tradeTxid, error: (error as Error).message });
      return undefined;
    }
  }

  #clientOrderIdOf(krakenClientOrderId: string | undefined, txid: string): ClientOrderId {
    const byTxid = this.#tracker.byVenueOrderId(txid);
    if (byTxid !== undefined) return byTxid.clientOrderId;
    if (krakenClientOrderId !== undefined) {
      const byClientId = this.#tracker.byKrakenClientOrderId(krakenClientOrderId);
      if (byClientId !== undefined && (byClientId.venueOrderId === undefined || byClientId.venueOrderId === txid)) return byClientId.clientOrderId;
    }
    return (krakenClientOrderId ?? txid) as ClientOrderId;
  }

  /** Kraken's names of a pair (altname `XBTUSD`, key `XXBTZUSD`, wsname, v2 symbol) → instrument id. */
  #resolvePair(name: string): InstrumentId | undefined {
    for (const instrument of this.#options.instruments.list()) if (instrument.venueSymbol === name || instrument.id === name) return instrument.id;
    const alias = this.#aliases?.get(name);
    if (alias !== undefined) return alias;
    try {
      const id = toInstrumentId(name);
      return this.#options.instruments.get(id) === undefined ? undefined : id;
    } catch {
      return undefined;
    }
  }

  /** Loads AssetPairs' aliases once a name turns up that the instruments do not know. */
  async #ensureAliases(names: readonly (string | undefined)[]): Promise<void> {
    const unknown = names.some((name) => typeof name === 'string' && name !== '' && this.#resolvePair(name) === undefined);
    if (!unknown) return;
    try {
      this.#aliases = assetPairAliases(await this.#rest.assetPairs());
    } catch (error) {
      this.#logger.warn('Kraken AssetPairs failed; some pairs cannot be named in reconciliation', { error: (error as Error).message });
    }
  }
}
