import { ConfigError, ExchangeError } from '@kbot/core';
import { classifyKrakenError, krakenErrorFromEnvelope } from './errors.js';
import { FetchTransport, httpStatusError, type HttpResponse, type HttpTransport } from './http-transport.js';
import { NonceService, type NonceSource } from './nonce.js';
import { RestRateLimiter, type KrakenTier, type TradingRateLimiter } from './rate-limiter.js';
import { SharedRestCounterFile } from './shared-rest-counter.js';
import { signKrakenRequest } from './signing.js';
import type {
  AddOrderBatchParams,
  AddOrderBatchResult,
  AddOrderParams,
  AddOrderResult,
  AmendOrderParams,
  AmendOrderResult,
  AssetPairsResult,
  AssetsResult,
  BalanceExResult,
  BalanceResult,
  CancelAllOrdersAfterResult,
  CancelOrderParams,
  CancelOrderResult,
  ClosedOrdersParams,
  ClosedOrdersResult,
  DepthResult,
  EditOrderParams,
  EditOrderResult,
  KrakenNumber,
  OhlcInterval,
  OhlcResult,
  OpenOrdersParams,
  OpenOrdersResult,
  OrderFields,
  OrderInfo,
  QueryOrdersParams,
  QueryOrdersResult,
  SpreadResult,
  SystemStatusResult,
  TickerResult,
  TimeResult,
  TradeBalanceResult,
  TradesHistoryParams,
  TradesHistoryResult,
  TradesResult,
  WebSocketsTokenResult,
} from './types.js';

export const DEFAULT_KRAKEN_REST_URL = 'https://api.kraken.com';

/** Every public endpoint this client calls. */
export const KRAKEN_PUBLIC_ENDPOINTS = ['Time', 'SystemStatus', 'Assets', 'AssetPairs', 'Ticker', 'OHLC', 'Depth', 'Trades', 'Spread'] as const;

/**
 * Every private endpoint this client calls. Deliberately no withdrawal, deposit, funding or
 * transfer endpoint: a trading bot's key must not be able to move money out, and a client that
 * cannot even name those calls is the last line of defence if the key has too many permissions.
 */
export const KRAKEN_PRIVATE_ENDPOINTS = [
  'Balance',
  'BalanceEx',
  'TradeBalance',
  'OpenOrders',
  'ClosedOrders',
  'QueryOrders',
  'TradesHistory',
  'AddOrder',
  'AddOrderBatch',
  'AmendOrder',
  'EditOrder',
  'CancelOrder',
  'CancelAll',
  'CancelAllOrdersAfter',
  'GetWebSocketsToken',
] as const;

export type KrakenPublicEndpoint = (typeof KRAKEN_PUBLIC_ENDPOINTS)[number];
export type KrakenPrivateEndpoint = (typeof KRAKEN_PRIVATE_ENDPOINTS)[number];

export interface KrakenCredentials {
  readonly apiKey: string;
  /** Base64 private key, exactly as Kraken shows it. */
  readonly apiSecret: string;
  /** Only when the key has a 2FA password. */
  readonly otp?: string | (() => string);
}

export interface KrakenRestClientOptions {
  /** Defaults to env `KRAKEN_REST_URL`, then `https://api.kraken.com`. */
  readonly baseUrl?: string;
  readonly credentials?: KrakenCredentials;
  /** Nonces for the key; defaults to a NonceService (file-backed when `nonceDirectory` is set). */
  readonly nonce?: NonceSource;
  /** Where the key's nonce file, and its REST counter shared with other processes, are kept (storage.dir). */
  readonly nonceDirectory?: string;
  /** Account tier for the REST call counter; defaults to `starter` (the most conservative). */
  readonly tier?: KrakenTier;
  readonly restLimiter?: RestRateLimiter;
  /** When given, AddOrder and AddOrderBatch wait for and charge the pair's trading counter. */
  readonly tradingLimiter?: TradingRateLimiter;
  readonly transport?: HttpTransport;
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Attempts per call for retryable failures, the first included. */
  readonly maxAttempts?: number;
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** A venue-imposed wait longer than this is not waited out: the error is thrown instead. */
  readonly maxRetryWaitMs?: number;
  /** Pause before looking up an AddOrder whose outcome is unknown (a fresh order can be briefly invisible). */
  readonly reconcileDelayMs?: number;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). */
  readonly random?: () => number;
  /** Where `KRAKEN_REST_URL` is read from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface TradingOrders {
  readonly pair: string;
  readonly count: number;
}

type FormValue = string | number | boolean | readonly string[] | undefined;
type FormEntries = readonly (readonly [string, FormValue])[];

/** A failed attempt and whether the request may have taken effect at Kraken. */
class AttemptFailure {
  constructor(
    readonly error: ExchangeError,
    readonly outcomeUnknown: boolean,
    readonly nonce: number | undefined,
  ) {}
}

function formValue(value: Exclude<FormValue, undefined>): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** `application/x-www-form-urlencoded`; the nonce goes first, like Kraken's own examples. */
export function encodeKrakenForm(entries: FormEntries): string {
  return entries
    .filter((entry): entry is readonly [string, Exclude<FormValue, undefined>] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(formValue(value))}`)
    .join('&');
}

function orderEntries(order: OrderFields): FormEntries {
  const { close, oflags, ...rest } = order;
  const entries: [string, FormValue][] = Object.entries(rest).map(([key, value]) => [key, value as FormValue]);
  if (oflags !== undefined && oflags.length > 0) entries.push(['oflags', oflags]);
  if (close !== undefined) {
    entries.push(['close[ordertype]', close.ordertype], ['close[price]', close.price], ['close[price2]', close.price2]);
  }
  return entries;
}

function orderJson(order: OrderFields): Record<string, unknown> {
  const { oflags, ...rest } = order;
  return { ...rest, ...(oflags !== undefined && oflags.length > 0 ? { oflags: oflags.join(',') } : {}) };
}

function plainEntries(params: object | undefined): FormEntries {
  return params === undefined ? [] : Object.entries(params).map(([key, value]) => [key, value as FormValue]);
}

function assertExclusiveIds(where: string, order: { cl_ord_id?: string; userref?: number }): void {
  if (order.cl_ord_id !== undefined && order.userref !== undefined) {
    throw new TypeError(`${where}: received both cl_ord_id and userref, expected at most one (Kraken rejects the pair)`);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function resolveBaseUrl(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const chosen = option ?? (env.KRAKEN_REST_URL || undefined) ?? DEFAULT_KRAKEN_REST_URL;
  const path = option !== undefined ? 'baseUrl' : env.KRAKEN_REST_URL ? 'KRAKEN_REST_URL' : 'baseUrl';
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new ConfigError([{ path, received: JSON.stringify(chosen), expected: 'an http(s) URL such as https://api.kraken.com' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError([{ path, received: JSON.stringify(chosen), expected: 'an http(s) URL such as https://api.kraken.com' }]);
  }
  return chosen.replace(/\/+$/, '');
}

/**
 * Kraken's spot REST API, one method per endpoint, returning the raw `result` payloads.
 *
 * Private calls are serialised (one in flight per client) so nonces reach Kraken in order, wait
 * for the REST call counter, and retry retryable failures with jittered backoff. AddOrder is never
 * resent blindly: after a failure that leaves its outcome unknown it is looked up by `cl_ord_id`
 * first, and without a `cl_ord_id` the failure is thrown for the caller to reconcile.
 */
export class KrakenRestClient {
  readonly baseUrl: string;
  readonly #credentials: KrakenCredentials | undefined;
  readonly #nonce: NonceSource | undefined;
  readonly #restLimiter: RestRateLimiter;
  readonly #tradingLimiter: TradingRateLimiter | undefined;
  readonly #transport: HttpTransport;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #maxAttempts: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #maxRetryWaitMs: number;
  readonly #reconcileDelayMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  #privateQueue: Promise<unknown> = Promise.resolve();

  constructor(options: KrakenRestClientOptions = {}) {
    this.baseUrl = resolveBaseUrl(options.baseUrl, options.env ?? process.env);
    this.#credentials = options.credentials;
    const apiKey = options.credentials?.apiKey;
    this.#nonce =
      options.nonce ??
      (apiKey ? new NonceService({ apiKey, ...(options.nonceDirectory === undefined ? {} : { directory: options.nonceDirectory }) }) : undefined);
    // With a storage folder the key's REST counter is shared through a file with every process
    // using the key (a restarted bot, the operator's CLI commands), as Kraken's counter is.
    this.#restLimiter =
      options.restLimiter ??
      new RestRateLimiter(options.tier ?? 'starter', apiKey && options.nonceDirectory !== undefined ? new SharedRestCounterFile({ apiKey, directory: options.nonceDirectory }) : undefined);
    this.#tradingLimiter = options.tradingLimiter;
    this.#transport = options.transport ?? new FetchTransport();
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#userAgent = options.userAgent ?? 'kbot (@kbot/exchange-kraken)';
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    this.#retryMaxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.#maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    this.#reconcileDelayMs = options.reconcileDelayMs ?? 1_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
  }

  /** The key's REST call counter as this client tracks it (spec §7.1): ceiling, decay per second, headroom now. */
  restCounter(): { readonly max: number; readonly decayPerSecond: number; readonly remaining: number } {
    const { max, decayPerSecond } = this.#restLimiter.limits;
    return { max, decayPerSecond, remaining: this.#restLimiter.remaining(this.#now()) };
  }

  // ---- public endpoints ---------------------------------------------------------------------

  time(): Promise<TimeResult> {
    return this.#public('Time', []);
  }

  systemStatus(): Promise<SystemStatusResult> {
    return this.#public('SystemStatus', []);
  }

  assets(params: { readonly asset?: readonly string[]; readonly aclass?: string } = {}): Promise<AssetsResult> {
    return this.#public('Assets', plainEntries(params));
  }

  assetPairs(
    params: { readonly pair?: readonly string[]; readonly info?: 'info' | 'leverage' | 'fees' | 'margin'; readonly country_code?: string } = {},
  ): Promise<AssetPairsResult> {
    return this.#public('AssetPairs', plainEntries(params));
  }

  ticker(params: { readonly pair?: readonly string[] } = {}): Promise<TickerResult> {
    return this.#public('Ticker', plainEntries(params));
  }

  ohlc(params: { readonly pair: string; readonly interval?: OhlcInterval; readonly since?: KrakenNumber }): Promise<OhlcResult> {
    return this.#public('OHLC', plainEntries(params));
  }

  depth(params: { readonly pair: string; readonly count?: number }): Promise<DepthResult> {
    return this.#public('Depth', plainEntries(params));
  }

  /** `since` is the opaque `last` cursor of the previous page, passed back verbatim. */
  trades(params: { readonly pair: string; readonly since?: string; readonly count?: number }): Promise<TradesResult> {
    return this.#public('Trades', plainEntries(params));
  }

  spread(params: { readonly pair: string; readonly since?: number }): Promise<SpreadResult> {
    return this.#public('Spread', plainEntries(params));
  }

  // ---- private: account ---------------------------------------------------------------------

  balance(): Promise<BalanceResult> {
    return this.#private('Balance', []);
  }

  balanceEx(): Promise<BalanceExResult> {
    return this.#private('BalanceEx', []);
  }

  tradeBalance(params: { readonly asset?: string } = {}): Promise<TradeBalanceResult> {
    return this.#private('TradeBalance', plainEntries(params));
  }

  openOrders(params: OpenOrdersParams = {}): Promise<OpenOrdersResult> {
    return this.#private('OpenOrders', plainEntries(params));
  }

  closedOrders(params: ClosedOrdersParams = {}): Promise<ClosedOrdersResult> {
    return this.#private('ClosedOrders', plainEntries(params));
  }

  queryOrders(params: QueryOrdersParams): Promise<QueryOrdersResult> {
    return this.#private('QueryOrders', plainEntries(params));
  }

  tradesHistory(params: TradesHistoryParams = {}): Promise<TradesHistoryResult> {
    return this.#private('TradesHistory', plainEntries(params));
  }

  getWebSocketsToken(): Promise<WebSocketsTokenResult> {
    return this.#private('GetWebSocketsToken', []);
  }

  // ---- private: trading ---------------------------------------------------------------------

  /**
   * Places (or with `validate: true` only checks) one order. Set `cl_ord_id`: it is what lets a
   * failure with an unknown outcome be resolved by lookup instead of being thrown.
   */
  addOrder(params: AddOrderParams): Promise<AddOrderResult> {
    assertExclusiveIds('addOrder', params);
    const { pair, deadline, validate, ...order } = params;
    const entries: FormEntries = [['pair', pair], ...orderEntries(order), ['deadline', deadline], ['validate', validate]];
    const clientOrderId = params.cl_ord_id;
    return this.#private<AddOrderResult>('AddOrder', entries, {
      idempotent: validate === true,
      tradingOrders: validate === true ? undefined : { pair, count: 1 },
      ...(clientOrderId === undefined || validate === true ? {} : { reconcile: () => this.#findOrderByClientId(clientOrderId) }),
    });
  }

  /** 2 to 15 orders on one pair, sent as JSON (the form encoding of nested arrays is not documented). */
  addOrderBatch(params: AddOrderBatchParams): Promise<AddOrderBatchResult> {
    if (params.orders.length < 2 || params.orders.length > 15) {
      throw new TypeError(`addOrderBatch orders: received ${params.orders.length} orders, expected 2 to 15`);
    }
    params.orders.forEach((order, index) => assertExclusiveIds(`addOrderBatch orders[${index}]`, order));
    const json = {
      pair: params.pair,
      orders: params.orders.map(orderJson),
      ...(params.deadline === undefined ? {} : { deadline: params.deadline }),
      ...(params.validate === undefined ? {} : { validate: params.validate }),
    };
    return this.#private('AddOrderBatch', json, {
      idempotent: params.validate === true,
      tradingOrders: params.validate === true ? undefined : { pair: params.pair, count: params.orders.length },
    });
  }

  amendOrder(params: AmendOrderParams): Promise<AmendOrderResult> {
    if ((params.txid === undefined) === (params.cl_ord_id === undefined)) {
      throw new TypeError('amendOrder: expected exactly one of txid and cl_ord_id');
    }
    // Amending to absolute values twice leaves the order the same, so a retry is harmless.
    return this.#private('AmendOrder', plainEntries(params));
  }

  /** Legacy cancel-and-replace (new txid, queue priority lost); prefer amendOrder. */
  editOrder(params: EditOrderParams): Promise<EditOrderResult> {
    return this.#private('EditOrder', plainEntries(params), { idempotent: params.validate === true });
  }

  cancelOrder(params: CancelOrderParams): Promise<CancelOrderResult> {
    return this.#private('CancelOrder', plainEntries(params));
  }

  cancelAll(): Promise<CancelOrderResult> {
    return this.#private('CancelAll', []);
  }

  /** Dead man's switch: cancel everything after `timeoutSeconds` unless called again; 0 disarms. */
  cancelAllOrdersAfter(timeoutSeconds: number): Promise<CancelAllOrdersAfterResult> {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds >= 86_400) {
      throw new TypeError(`cancelAllOrdersAfter timeout: received ${timeoutSeconds}, expected whole seconds from 0 to 86399`);
    }
    return this.#private('CancelAllOrdersAfter', [['timeout', timeoutSeconds]]);
  }

  // ---- machinery ----------------------------------------------------------------------------

  async #findOrderByClientId(clientOrderId: string): Promise<AddOrderResult | undefined> {
    const match = (orders: Readonly<Record<string, OrderInfo>>): AddOrderResult | undefined => {
      // Filter here too, in case the filter parameter was ignored: a wrong match would lose an order.
      const found = Object.entries(orders).find(([, order]) => order.cl_ord_id === clientOrderId);
      return found === undefined ? undefined : { txid: [found[0]], descr: { order: found[1].descr?.order ?? '' } };
    };
    const open = await this.openOrders({ cl_ord_id: clientOrderId });
    const fromOpen = match(open.open ?? {});
    if (fromOpen !== undefined) return fromOpen;
    const closed = await this.closedOrders({ cl_ord_id: clientOrderId });
    return match(closed.closed ?? {});
  }

  #backoffMs(attempt: number): number {
    const ceiling = Math.min(this.#retryMaxDelayMs, this.#retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + this.#random() * 0.5));
  }

  /** How long to wait before the next attempt, or undefined when the error must be thrown. */
  #retryDelay(error: ExchangeError, attempt: number): number | undefined {
    if (!error.retryable || attempt >= this.#maxAttempts) return undefined;
    const backoff = this.#backoffMs(attempt);
    if (error.retryAfterMs === undefined) return backoff;
    if (error.retryAfterMs > this.#maxRetryWaitMs) return undefined;
    return Math.max(error.retryAfterMs, backoff);
  }

  async #public<T>(endpoint: KrakenPublicEndpoint, entries: FormEntries): Promise<T> {
    const query = encodeKrakenForm(entries);
    const url = `${this.baseUrl}/0/public/${endpoint}${query ? `?${query}` : ''}`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await this.#transport.send({ method: 'GET', url, headers: { 'User-Agent': this.#userAgent }, timeoutMs: this.#timeoutMs });
        return this.#decode<T>(endpoint, response);
      } catch (error) {
        if (!(error instanceof ExchangeError)) throw error;
        const delay = this.#retryDelay(error, attempt);
        if (delay === undefined) throw error;
        await this.#sleep(delay);
      }
    }
  }

  async #private<T>(
    endpoint: KrakenPrivateEndpoint,
    params: FormEntries | Record<string, unknown>,
    options: {
      readonly idempotent?: boolean;
      readonly reconcile?: () => Promise<T | undefined>;
      /** Orders this call places on a pair, for the trading counter. */
      readonly tradingOrders?: TradingOrders | undefined;
    } = {},
  ): Promise<T> {
    if (!(KRAKEN_PRIVATE_ENDPOINTS as readonly string[]).includes(endpoint)) {
      throw new TypeError(`Kraken private endpoint ${endpoint} is not one this client may call`);
    }
    const idempotent = options.idempotent ?? !['AddOrder', 'AddOrderBatch', 'EditOrder'].includes(endpoint);
    let nonceRetried = false;
    for (let attempt = 1; ; attempt += 1) {
      let failure: AttemptFailure;
      try {
        return await this.#serialised(() => this.#attemptPrivate<T>(endpoint, params, options.tradingOrders));
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        failure = error;
      }
      const { error } = failure;
      if (error.kind === 'invalid-nonce' && this.#nonce !== undefined) {
        // Once, with a fresh (larger) nonce; a second refusal means the key saw bigger nonces.
        if (nonceRetried) throw this.#nonce.rejected(failure.nonce ?? 0, error.venueMessage);
        nonceRetried = true;
        attempt -= 1;
        continue;
      }
      if (error.kind === 'rate-limited' && error.venueMessage?.startsWith('EAPI:')) {
        // Kraken's counter is fuller than ours thinks: treat it as full so the next call waits.
        this.#restLimiter.markFull(this.#now());
      }
      // Kraken's per-pair counter and its domain-wide one both mean: this key's trading budget is spent.
      if ((error.venueMessage?.startsWith('EOrder:Rate limit exceeded') || error.venueMessage?.startsWith('EOrder:Domain rate limit exceeded')) && options.tradingOrders !== undefined && this.#tradingLimiter !== undefined) {
        // The pair's counter is shared with WebSocket orders we do not see: trust Kraken and wait.
        const now = this.#now();
        const pair = options.tradingOrders.pair;
        this.#tradingLimiter.spend(pair, this.#tradingLimiter.remaining(pair, now), now);
      }
      if (error.venueMessage?.startsWith('EService:Deadline elapsed')) {
        // Resending would carry the same, already past, deadline: only the caller can pick a new one.
        throw error;
      }
      if (failure.outcomeUnknown && !idempotent) {
        if (options.reconcile === undefined) {
          // AddOrder without a cl_ord_id cannot be looked up; a batch or an edit is never resent
          // (its orders' ids are new, or several), whatever ids it carries.
          throw this.#outcomeUnknown(endpoint, error, endpoint.endsWith('AddOrder') ? 'it has no cl_ord_id to look it up by' : `${endpoint.slice(endpoint.lastIndexOf('/') + 1)} is never sent twice`);
        }
        await this.#sleep(this.#reconcileDelayMs);
        let found: T | undefined;
        try {
          found = await options.reconcile();
        } catch (lookupError) {
          throw this.#outcomeUnknown(endpoint, error, 'looking it up by cl_ord_id failed too', lookupError);
        }
        if (found !== undefined) return found;
        // Kraken has no order with this cl_ord_id, open or closed: resending cannot duplicate it.
      }
      const delay = this.#retryDelay(error, attempt);
      if (delay === undefined) throw error;
      await this.#sleep(delay);
    }
  }

  #outcomeUnknown(endpoint: string, error: ExchangeError, why: string, cause: unknown = error): ExchangeError {
    return new ExchangeError(
      error.kind,
      `${error.message}. Kraken ${endpoint} may or may not have been executed and was not resent because ${why}; ` +
        'reconcile open and closed orders before placing it again',
      { retryable: false, ...(error.venueMessage === undefined ? {} : { venueMessage: error.venueMessage }), cause },
    );
  }

  /** One private call at a time per client: Kraken wants each key's nonces to arrive in order. */
  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#privateQueue.then(work, work);
    this.#privateQueue = run.catch(() => undefined);
    return run;
  }

  async #attemptPrivate<T>(
    endpoint: KrakenPrivateEndpoint,
    params: FormEntries | Record<string, unknown>,
    tradingOrders: TradingOrders | undefined,
  ): Promise<T> {
    const credentials = this.#credentials;
    if (credentials === undefined || this.#nonce === undefined) {
      throw new ExchangeError('authentication', `Kraken ${endpoint} is private: create the client with credentials (API key and secret)`);
    }
    await this.#awaitRestBudget(endpoint);
    if (tradingOrders !== undefined && this.#tradingLimiter !== undefined) await this.#awaitTradingBudget(tradingOrders);

    const nonce = this.#nonce.next();
    const otp = typeof credentials.otp === 'function' ? credentials.otp() : credentials.otp;
    const json = !Array.isArray(params);
    const body = json
      ? JSON.stringify({ nonce, ...(otp === undefined ? {} : { otp }), ...params })
      : encodeKrakenForm([['nonce', nonce], ['otp', otp], ...(params as FormEntries)]);
    const path = `/0/private/${endpoint}`;
    const headers = {
      'API-Key': credentials.apiKey,
      'API-Sign': signKrakenRequest({ path, nonce, body, secret: credentials.apiSecret }),
      'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      'User-Agent': this.#userAgent,
    };

    let response: HttpResponse;
    try {
      response = await this.#transport.send({ method: 'POST', url: `${this.baseUrl}${path}`, headers, body, timeoutMs: this.#timeoutMs });
    } catch (error) {
      if (error instanceof ExchangeError) throw new AttemptFailure(error, true, nonce);
      throw error;
    }
    try {
      return this.#decode<T>(endpoint, response);
    } catch (error) {
      if (!(error instanceof ExchangeError)) throw error;
      // A venue error string says whether Kraken acted; anything else (HTTP 5xx, garbage) does not.
      const outcomeUnknown = error.venueMessage === undefined || classifyKrakenError(error.venueMessage).orderOutcomeUnknown === true;
      throw new AttemptFailure(error, outcomeUnknown, nonce);
    }
  }

  async #awaitRestBudget(endpoint: KrakenPrivateEndpoint): Promise<void> {
    const cost = this.#restLimiter.cost(endpoint);
    if (cost === 0) return;
    for (let wait = this.#restLimiter.reserve(cost, this.#now()); wait > 0; wait = this.#restLimiter.reserve(cost, this.#now())) {
      await this.#sleep(wait);
    }
  }

  async #awaitTradingBudget({ pair, count }: TradingOrders): Promise<void> {
    const limiter = this.#tradingLimiter!;
    const cost = count === 1 ? 1 : count / 2;
    for (let wait = limiter.waitTimeMs(pair, cost, this.#now()); wait > 0; wait = limiter.waitTimeMs(pair, cost, this.#now())) {
      await this.#sleep(wait);
    }
    // Kraken charges the fixed cost even when the order then fails validation.
    if (count === 1) limiter.onOrderPlaced(pair, this.#now());
    else limiter.onBatchPlaced(pair, count, this.#now());
  }

  #decode<T>(endpoint: string, response: HttpResponse): T {
    let envelope: unknown;
    try {
      envelope = JSON.parse(response.body);
    } catch {
      envelope = undefined;
    }
    const errors = (envelope as { error?: unknown } | undefined)?.error;
    if (Array.isArray(errors)) {
      const venueError = krakenErrorFromEnvelope(errors, { endpoint, now: this.#now() });
      if (venueError !== undefined) throw venueError;
    }
    if (response.status !== 200) throw httpStatusError(endpoint, response.status, response.body);
    if (envelope === undefined || typeof envelope !== 'object' || envelope === null || !Array.isArray(errors)) {
      throw new ExchangeError(
        'bad-response',
        `Kraken ${endpoint}: received ${JSON.stringify(response.body.slice(0, 120))}, expected a JSON object with an "error" array`,
      );
    }
    const result = (envelope as { result?: unknown }).result;
    if (result === undefined || result === null) {
      throw new ExchangeError('bad-response', `Kraken ${endpoint}: the response has no "result" and no error`);
    }
    return result as T;
  }
}
