import type { WebSocket } from 'ws';
import { isOpenStatus, type SimOrder } from './account-records.js';
import { isKrakenOhlcInterval, type KrakenOhlcInterval } from './candle-store.js';
import { Level3Queues, type Level3Message } from './level3-queues.js';
import { newConnectionId } from './kraken-ids.js';
import { balanceUpdate, balancesSnapshot, ESSENTIAL_EXEC_TYPES, executionEntry, executionSnapshotOrder, executionSnapshotTrade } from './kraken-payloads.js';
import { checksumOf, wsCandle, wsLevels, wsTicker, wsTrade } from './market-payloads.js';
import { checkDeadline, isErrorText, paramText, parseAmount, parseUserref, parseWsOrder } from './order-request.js';
import type { SimPair } from './pair-catalog.js';
import type { MarketTrade, PairMarketFeed } from './pair-market.js';
import type { AccountEvent, SimAccount } from './simulator-account.js';
import type { SimulatorContext } from './simulator-context.js';
import { diffSide, type BookLevelUnits } from './synthetic-book.js';
import { rfc3339, unitsToNumber } from './wire-format.js';

/** Book depths Kraken accepts (spec §8.7). */
const BOOK_DEPTHS = new Set([10, 25, 100, 500, 1000]);
/** Level3 depths Kraken accepts (spec §8.11). */
const LEVEL3_DEPTHS = new Set([10, 100, 1000]);
const PRIVATE_CHANNELS = new Set(['executions', 'balances']);
const PUBLIC_CHANNELS = new Set(['ticker', 'trade', 'ohlc', 'book', 'instrument']);
const TRADING_METHODS = new Set(['add_order', 'amend_order', 'edit_order', 'cancel_order', 'cancel_all', 'cancel_all_orders_after', 'batch_add', 'batch_cancel']);
/** Kraken's version string in the status message; ours says what it is. */
export const SIMULATOR_WS_VERSION = '2.0.10-kbot-simulator';

interface BookSubscription {
  readonly channel: 'book' | 'level3';
  readonly pair: SimPair;
  readonly depth: number;
  bids: readonly BookLevelUnits[];
  asks: readonly BookLevelUnits[];
  /** `level3` only: each price level as a queue of orders (see level3-queues.ts). */
  readonly queues?: Level3Queues;
}

interface PrivateSubscription {
  readonly account: SimAccount;
}

type Json = Record<string, unknown>;

/**
 * One WebSocket v2 connection (spec §8): public channels on both endpoints, private channels and
 * trading methods only on the authenticated one. Everything is sent as it happens, in order; the
 * server's timestamps (`time_in`, `time_out`, data `timestamp`) are market time.
 */
export class WsSession {
  readonly connectionId = newConnectionId();
  lastSentWall = 0;

  readonly #tickers = new Map<string, { readonly pair: SimPair; readonly trigger: 'trades' | 'bbo'; top: string }>();
  readonly #trades = new Map<string, SimPair>();
  readonly #ohlc = new Map<string, { readonly pair: SimPair; readonly interval: KrakenOhlcInterval }>();
  readonly #books = new Map<string, BookSubscription>();
  #instrument = false;
  #executions: (PrivateSubscription & { readonly allTransitions: boolean }) | undefined;
  #balances: PrivateSubscription | undefined;
  /** One listener on the account, whichever private channels are open. */
  #stopListening: (() => void) | undefined;
  #sequence = 0;
  #closed = false;

  constructor(
    private readonly ctx: SimulatorContext,
    private readonly socket: WebSocket,
    readonly authenticated: boolean,
  ) {}

  get hasSubscriptions(): boolean {
    return (
      this.#tickers.size + this.#trades.size + this.#ohlc.size + this.#books.size > 0 || this.#instrument || this.#executions !== undefined || this.#balances !== undefined
    );
  }

  /** The account this connection's private subscription belongs to. */
  get account(): SimAccount | undefined {
    return this.#executions?.account ?? this.#balances?.account;
  }

  start(): void {
    this.sendStatus();
  }

  sendStatus(): void {
    // connection_id is a uint64: written as raw digits, never through a JS number.
    const marker = '"__connection_id__"';
    const text = JSON.stringify({
      channel: 'status',
      type: 'update',
      data: [{ api_version: 'v2', connection_id: '__connection_id__', system: this.ctx.systemStatus(), version: SIMULATOR_WS_VERSION }],
    }).replace(marker, this.connectionId);
    this.#sendText(text);
  }

  heartbeat(): void {
    this.#send({ channel: 'heartbeat' });
  }

  close(): void {
    this.#closed = true;
    this.#stopListening?.();
    this.#stopListening = undefined;
    this.#executions = undefined;
    this.#balances = undefined;
  }

  // ---------------------------------------------------------------- incoming

  handle(text: string): void {
    const timeIn = this.ctx.market.now();
    let message: Json;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      message = parsed as Json;
    } catch {
      this.#send({ error: 'EGeneral:Invalid arguments', success: false, time_in: rfc3339(timeIn), time_out: rfc3339(this.ctx.market.now()) });
      return;
    }
    const method = typeof message.method === 'string' ? message.method : '';
    const reqId = message.req_id;
    const params = typeof message.params === 'object' && message.params !== null ? (message.params as Json) : {};
    const reply = (body: Json) =>
      this.#send({ method, ...(reqId === undefined ? {} : { req_id: reqId }), ...body, time_in: rfc3339(timeIn), time_out: rfc3339(this.ctx.market.now()) });
    const succeed = (result: unknown, extra: Json = {}) => reply({ result, success: true, ...extra });
    const refuse = (error: string, extra: Json = {}) => reply({ error, success: false, ...extra });

    if (method === 'ping') {
      this.#send({ method: 'pong', ...(reqId === undefined ? {} : { req_id: reqId }), time_in: rfc3339(timeIn), time_out: rfc3339(this.ctx.market.now()) });
      return;
    }
    const fault = this.ctx.faults.take(method);
    if (fault?.delayMs !== undefined) {
      // The request reaches the matching engine only this much later: a request still in flight
      // when the client gives up waiting for its answer.
      const { delayMs, ...rest } = fault;
      setTimeout(() => {
        if (rest.error !== undefined) this.ctx.faults.rejectNext(method, rest);
        this.handle(text);
      }, delayMs);
      return;
    }
    if (fault?.error !== undefined && !fault.after) {
      refuse(fault.error);
      return;
    }
    const respond = fault?.error !== undefined ? { succeed: () => refuse(fault.error!), refuse } : { succeed, refuse };
    if (method === 'subscribe' || method === 'unsubscribe') {
      this.#subscription(method, params, respond.succeed, respond.refuse);
    } else if (TRADING_METHODS.has(method)) {
      this.#trading(method, params, respond.succeed, respond.refuse);
    } else {
      refuse('EGeneral:Unknown method');
    }
  }

  // ---------------------------------------------------------------- subscriptions

  #subscription(method: 'subscribe' | 'unsubscribe', params: Json, succeed: (result: unknown, extra?: Json) => void, refuse: (error: string, extra?: Json) => void): void {
    const channel = paramText(params.channel) ?? '';
    if (PRIVATE_CHANNELS.has(channel)) {
      if (!this.authenticated) {
        refuse('EGeneral:Permission denied');
        return;
      }
      if (method === 'subscribe') this.#subscribePrivate(channel as 'executions' | 'balances', params, succeed, refuse);
      else this.#unsubscribePrivate(channel as 'executions' | 'balances', succeed, refuse);
      return;
    }
    if (channel === 'status' && method === 'subscribe') {
      // Kraken answers an explicit status subscription with the status and an odd reject (spec §8.4).
      this.sendStatus();
      refuse('Symbol(s) not found');
      return;
    }
    if (channel === 'level3') {
      // Authenticated, as on Kraken: the auth endpoint and a valid token.
      if (!this.authenticated) return refuse('EGeneral:Permission denied');
      if (method === 'subscribe' && this.ctx.tokens.fresh(params.token, this.ctx.wallNow()) === undefined) return refuse('EAPI:Invalid token');
    } else if (!PUBLIC_CHANNELS.has(channel)) {
      refuse('Subscription name invalid');
      return;
    }
    if (channel === 'instrument') {
      if (method === 'unsubscribe') {
        if (!this.#instrument) return refuse('Subscription Not Found', { result: { channel } });
        this.#instrument = false;
        return succeed({ channel });
      }
      if (this.#instrument) return refuse('Already subscribed', { result: { channel } });
      this.#instrument = true;
      const snapshot = params.snapshot !== false;
      succeed({ channel, snapshot });
      if (snapshot) this.#send({ channel: 'instrument', type: 'snapshot', data: this.ctx.catalog.instrumentSnapshot() });
      return;
    }
    const symbols = Array.isArray(params.symbol) ? params.symbol : typeof params.symbol === 'string' ? [params.symbol] : [];
    if (symbols.length === 0) {
      refuse('EGeneral:Invalid arguments:symbol');
      return;
    }
    let depth = 10;
    if (channel === 'book' || channel === 'level3') {
      depth = params.depth === undefined ? 10 : Number(params.depth);
      if (!(channel === 'book' ? BOOK_DEPTHS : LEVEL3_DEPTHS).has(depth)) return refuse('EGeneral:Invalid arguments:depth');
    }
    let interval: KrakenOhlcInterval = 1;
    if (channel === 'ohlc') {
      const wanted = params.interval === undefined ? 1 : Number(params.interval);
      if (!isKrakenOhlcInterval(wanted)) return refuse('EGeneral:Invalid arguments:interval');
      interval = wanted;
    }
    const trigger = params.event_trigger === 'bbo' ? 'bbo' : 'trades';
    if (params.event_trigger !== undefined && params.event_trigger !== 'bbo' && params.event_trigger !== 'trades') {
      return refuse('EGeneral:Invalid arguments:event_trigger');
    }
    for (const raw of symbols) {
      const symbol = String(raw);
      const pair = this.ctx.catalog.find(symbol);
      if (pair === undefined || pair.symbol !== symbol.toUpperCase()) {
        refuse(`Currency pair not supported ${symbol}`, { symbol });
        continue;
      }
      const market = this.ctx.market.market(pair.symbol)!;
      if (method === 'unsubscribe') {
        const removed =
          channel === 'ticker'
            ? this.#tickers.delete(pair.symbol)
            : channel === 'trade'
              ? this.#trades.delete(pair.symbol)
              : channel === 'ohlc'
                ? this.#ohlc.delete(`${pair.symbol}|${interval}`)
                : this.#books.delete(`${channel}|${pair.symbol}|${depth}`);
        const result = { channel, symbol: pair.symbol, ...(channel === 'book' || channel === 'level3' ? { depth } : {}), ...(channel === 'ohlc' ? { interval } : {}) };
        if (removed) succeed(result);
        else refuse('Subscription Not Found', { symbol: pair.symbol });
        continue;
      }
      const snapshot = params.snapshot === undefined ? channel !== 'trade' : params.snapshot === true;
      const now = this.ctx.market.now();
      switch (channel) {
        case 'ticker': {
          if (this.#tickers.has(pair.symbol)) {
            refuse('Already subscribed', { symbol: pair.symbol });
            continue;
          }
          this.#tickers.set(pair.symbol, { pair, trigger, top: topKey(market) });
          succeed({ channel, event_trigger: trigger, snapshot, symbol: pair.symbol });
          if (snapshot) this.#send({ channel: 'ticker', type: 'snapshot', data: [wsTicker(market, now)] });
          break;
        }
        case 'trade': {
          if (this.#trades.has(pair.symbol)) {
            refuse('Already subscribed', { symbol: pair.symbol });
            continue;
          }
          this.#trades.set(pair.symbol, pair);
          succeed({ channel, snapshot, symbol: pair.symbol });
          if (snapshot) this.#send({ channel: 'trade', type: 'snapshot', data: market.trades.slice(-50).map((trade) => wsTrade(pair, trade)) });
          break;
        }
        case 'ohlc': {
          const key = `${pair.symbol}|${interval}`;
          if (this.#ohlc.has(key)) {
            refuse('Already subscribed', { symbol: pair.symbol });
            continue;
          }
          this.#ohlc.set(key, { pair, interval });
          succeed({ channel, interval, snapshot, symbol: pair.symbol });
          if (snapshot) {
            const candles = market.candles.candles(interval).filter((candle) => candle.openTime <= now);
            this.#send({ channel: 'ohlc', type: 'snapshot', data: candles.map((candle) => wsCandle(pair, candle, interval)), timestamp: rfc3339(now) });
          }
          break;
        }
        case 'book':
        case 'level3': {
          const key = `${channel}|${pair.symbol}|${depth}`;
          if (this.#books.has(key)) {
            refuse('Already subscribed', { symbol: pair.symbol });
            continue;
          }
          const queues = channel === 'level3' ? new Level3Queues(pair, depth, market.book.bids, market.book.asks, now) : undefined;
          const subscription: BookSubscription = { channel, pair, depth, bids: market.book.bids, asks: market.book.asks, ...(queues === undefined ? {} : { queues }) };
          this.#books.set(key, subscription);
          succeed({ channel, depth, snapshot, symbol: pair.symbol });
          if (snapshot) {
            const bids = market.book.bids.slice(0, depth);
            const asks = market.book.asks.slice(0, depth);
            if (queues === undefined) this.#sendBook('snapshot', pair, bids, asks, checksumOf(pair, asks, bids), now);
            else this.#sendLevel3('snapshot', pair, queues.snapshot(), queues.checksum(), now);
          }
          break;
        }
      }
    }
  }

  #subscribePrivate(channel: 'executions' | 'balances', params: Json, succeed: (result: unknown) => void, refuse: (error: string) => void): void {
    const account = this.ctx.tokens.fresh(params.token, this.ctx.wallNow());
    if (account === undefined) return refuse('EAPI:Invalid token');
    if ((channel === 'executions' ? this.#executions : this.#balances) !== undefined) return refuse('Already subscribed');
    if (this.account !== undefined && this.account !== account) return refuse('EGeneral:Permission denied');
    if (channel === 'executions') {
      const snapOrders = params.snap_orders !== false && params.snapshot !== false;
      const snapTrades = params.snap_trades === true || params.snapshot_trades === true;
      const allTransitions = params.order_status !== false;
      this.#listen(account);
      this.#executions = { account, allTransitions };
      const ratecounter = params.ratecounter === true;
      succeed({
        channel,
        snapshot: snapOrders || snapTrades,
        ...(ratecounter ? { maxratecount: account.tradingLimiter.limits.threshold } : {}),
      });
      const data = [
        ...(snapOrders ? account.openOrders().map(executionSnapshotOrder) : []),
        ...(snapTrades ? account.trades().slice(-50).map(executionSnapshotTrade) : []),
      ];
      this.#sendPrivate('executions', 'snapshot', data);
      return;
    }
    this.#listen(account);
    this.#balances = { account };
    const snapshot = params.snapshot !== false;
    succeed({ channel, snapshot });
    if (snapshot) this.#sendPrivate('balances', 'snapshot', balancesSnapshot(account.balances()));
  }

  #unsubscribePrivate(channel: 'executions' | 'balances', succeed: (result: unknown) => void, refuse: (error: string) => void): void {
    const current = channel === 'executions' ? this.#executions : this.#balances;
    if (current === undefined) return refuse('Subscription Not Found');
    if (channel === 'executions') this.#executions = undefined;
    else this.#balances = undefined;
    if (this.#executions === undefined && this.#balances === undefined) {
      this.#stopListening?.();
      this.#stopListening = undefined;
    }
    succeed({ channel });
  }

  #listen(account: SimAccount): void {
    this.#stopListening ??= account.subscribe((event) => this.#onAccountEvent(event));
  }

  #onAccountEvent(event: AccountEvent): void {
    if (this.#closed) return;
    if (event.type === 'ledger') {
      if (this.#balances !== undefined) this.#sendPrivate('balances', 'update', [balanceUpdate(event.entry)]);
      return;
    }
    const executions = this.#executions;
    if (executions === undefined) return;
    const entry = executionEntry(event);
    if (entry === undefined) return;
    if (!executions.allTransitions && !ESSENTIAL_EXEC_TYPES.has(String(entry.exec_type))) return;
    this.#sendPrivate('executions', 'update', [entry]);
  }

  // ---------------------------------------------------------------- trading

  /** The account a trading request acts for: a fresh token, or the token this connection subscribed with. */
  #tradingAccount(params: Json): SimAccount | undefined {
    const fresh = this.ctx.tokens.fresh(params.token, this.ctx.wallNow());
    if (fresh !== undefined) return fresh;
    const owner = this.ctx.tokens.owner(params.token);
    return owner !== undefined && owner === this.account ? owner : undefined;
  }

  #trading(method: string, params: Json, succeed: (result: unknown, extra?: Json) => void, refuse: (error: string, extra?: Json) => void): void {
    if (!this.authenticated) return refuse('EGeneral:Permission denied');
    const account = this.#tradingAccount(params);
    if (account === undefined) return refuse('EAPI:Invalid token');
    const late = checkDeadline(params.deadline, this.ctx.wallNow());
    if (late !== undefined) return refuse(late);
    const ids = (order: SimOrder) => ({ order_id: order.txid, ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }), ...(order.userref === undefined ? {} : { order_userref: order.userref }) });

    switch (method) {
      case 'add_order': {
        const request = parseWsOrder(params, this.ctx.catalog);
        if (isErrorText(request)) return refuse(request);
        const placed = account.addOrder(request);
        if (!placed.ok) return refuse(placed.error);
        if (placed.value === undefined) return succeed({ order_id: '', ...(request.clOrdId === undefined ? {} : { cl_ord_id: request.clOrdId }) });
        succeed(ids(placed.value));
        account.matchNow(request.pair);
        return;
      }
      case 'batch_add': {
        const orders = Array.isArray(params.orders) ? params.orders : [];
        if (orders.length < 2 || orders.length > 15) return refuse('EGeneral:Invalid arguments:orders');
        const pair = this.ctx.catalog.find(paramText(params.symbol) ?? '');
        if (pair === undefined) return refuse('EQuery:Unknown asset pair');
        const validate = params.validate === true;
        if (!validate) {
          const charged = account.chargeBatch(pair, orders.length);
          if (!charged.ok) return refuse(charged.error);
        }
        const rows = orders.map((entry) => {
          if (typeof entry !== 'object' || entry === null) return { error: 'EGeneral:Invalid arguments:orders' };
          const request = parseWsOrder(entry as Json, this.ctx.catalog, params.symbol, validate);
          if (isErrorText(request)) return { error: request };
          const placed = account.addOrder(request, { charge: false });
          if (!placed.ok) return { error: placed.error };
          return placed.value === undefined ? { order_id: '' } : ids(placed.value);
        });
        succeed(rows);
        account.matchNow(pair);
        return;
      }
      case 'amend_order':
      case 'edit_order': {
        const orderId = paramText(params.order_id);
        const clOrdId = paramText(params.cl_ord_id);
        const order = orderId !== undefined ? account.order(orderId) : clOrdId !== undefined ? account.findOpen({ clOrdId })[0] : undefined;
        if (orderId === undefined && clOrdId === undefined) return refuse('EGeneral:Invalid arguments:order_id');
        if (order === undefined || !isOpenStatus(order.status)) return refuse('EOrder:Unknown order');
        const volume = parseAmount(params.order_qty, 'order_qty');
        if (isErrorText(volume)) return refuse(volume);
        const limit = parseAmount(params.limit_price, 'limit_price');
        if (isErrorText(limit)) return refuse(limit);
        const triggerValue = method === 'amend_order' ? params.trigger_price : (params.triggers as Json | undefined)?.price;
        const trigger = parseAmount(triggerValue, 'trigger_price');
        if (isErrorText(trigger)) return refuse(trigger);
        if (limit !== undefined && order.orderType !== 'limit') return refuse('EGeneral:Invalid arguments:limit_price');
        if (trigger !== undefined && order.orderType !== 'stop-loss' && order.orderType !== 'take-profit') return refuse('EGeneral:Invalid arguments:trigger_price');
        const price = limit ?? trigger;
        const postOnly = typeof params.post_only === 'boolean' ? params.post_only : undefined;
        if (method === 'amend_order') {
          const amended = account.amend(order, { ...(volume === undefined ? {} : { volume }), ...(price === undefined ? {} : { price }), ...(postOnly === undefined ? {} : { postOnly }) });
          if (!amended.ok) return refuse(amended.error);
          succeed({ amend_id: amended.value, order_id: order.txid, ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }) });
          account.matchNow(order.pair);
          return;
        }
        if (paramText(params.symbol) === undefined || this.ctx.catalog.find(paramText(params.symbol)!) !== order.pair) return refuse('EGeneral:Invalid arguments:symbol');
        const userref = parseUserref(params.order_userref);
        if (isErrorText(userref)) return refuse(userref);
        const request = parseWsOrder(
          {
            order_type: order.orderType,
            side: order.side,
            order_qty: (volume ?? order.volume).toFixed(),
            ...(order.orderType === 'limit' ? { limit_price: (price ?? order.price!).toFixed() } : {}),
            ...(order.orderType === 'stop-loss' || order.orderType === 'take-profit' ? { triggers: { price: (price ?? order.price!).toFixed() } } : {}),
            time_in_force: order.timeInForce.toLowerCase(),
            ...(order.expireAt === undefined ? {} : { expire_time: new Date(order.expireAt).toISOString() }),
            post_only: postOnly ?? order.postOnly,
            fee_preference: order.feeInBase ? 'base' : 'quote',
            ...(userref !== undefined ? { order_userref: userref } : order.userref !== undefined ? { order_userref: order.userref } : {}),
          },
          this.ctx.catalog,
          order.pair.symbol,
          params.validate,
        );
        if (isErrorText(request)) return refuse(request);
        const edited = account.edit(order, request);
        if (!edited.ok) return refuse(edited.error);
        succeed({ order_id: edited.value.order?.txid ?? '', original_order_id: order.txid });
        account.matchNow(order.pair);
        return;
      }
      case 'cancel_order': {
        const orderIds = listOf(params.order_id);
        const clOrdIds = listOf(params.cl_ord_id);
        const userrefs = listOf(params.order_userref);
        if (orderIds.length + clOrdIds.length + userrefs.length === 0) return refuse('EGeneral:Invalid arguments:order_id');
        const targets: { readonly reference: Json; readonly orders: SimOrder[] }[] = [
          ...orderIds.map((id) => ({ reference: { order_id: id }, orders: account.findOpen({ txid: id }) })),
          ...clOrdIds.map((id) => ({ reference: { cl_ord_id: id }, orders: account.findOpen({ clOrdId: id }) })),
          ...userrefs.map((ref) => ({ reference: { order_userref: Number(ref) }, orders: account.findOpen({ userref: Number(ref) }) })),
        ];
        for (const target of targets) {
          if (target.orders.length === 0) {
            refuse('EOrder:Invalid order', { result: target.reference });
            continue;
          }
          for (const order of target.orders) {
            const canceled = account.cancel(order);
            if (canceled.ok) succeed({ order_id: order.txid, ...(order.clOrdId === undefined ? {} : { cl_ord_id: order.clOrdId }) });
            else refuse(canceled.error, { result: { order_id: order.txid } });
          }
        }
        return;
      }
      case 'batch_cancel': {
        const references = [...listOf(params.orders), ...listOf(params.cl_ord_id)];
        if (references.length < 1 || references.length > 50) return refuse('EGeneral:Invalid arguments:orders');
        return succeed({ count: account.cancelByReferences(references) });
      }
      case 'cancel_all': {
        const canceled = account.cancelAll();
        return canceled.ok ? succeed({ count: canceled.value }) : refuse(canceled.error);
      }
      case 'cancel_all_orders_after': {
        const timeout = Number(params.timeout);
        if (!Number.isInteger(timeout) || timeout < 0 || timeout >= 86_400) return refuse('EGeneral:Invalid arguments:timeout');
        return succeed(account.cancelAllOrdersAfter(timeout));
      }
    }
  }

  // ---------------------------------------------------------------- market data out

  onMarketTrade(market: PairMarketFeed, trade: MarketTrade): void {
    const pair = market.pair;
    if (this.#trades.has(pair.symbol)) this.#send({ channel: 'trade', type: 'update', data: [wsTrade(pair, trade)] });
    for (const subscription of this.#ohlc.values()) {
      if (subscription.pair !== pair) continue;
      const candle = market.candles.candleAt(subscription.interval, trade.time);
      if (candle !== undefined) this.#send({ channel: 'ohlc', type: 'update', data: [wsCandle(pair, candle, subscription.interval)], timestamp: rfc3339(trade.time) });
    }
  }

  onMarketBook(market: PairMarketFeed, time: number): void {
    const pair = market.pair;
    for (const subscription of this.#books.values()) {
      if (subscription.pair !== pair) continue;
      if (subscription.queues !== undefined) {
        const update = subscription.queues.update(market.book.bids, market.book.asks, time);
        if (update.bids.length + update.asks.length > 0) this.#sendLevel3('update', pair, update, subscription.queues.checksum(), time);
        continue;
      }
      const bids = diffSide(subscription.bids, market.book.bids, subscription.depth);
      const asks = diffSide(subscription.asks, market.book.asks, subscription.depth);
      subscription.bids = market.book.bids;
      subscription.asks = market.book.asks;
      if (bids.length === 0 && asks.length === 0) continue;
      const checksum = checksumOf(pair, market.book.asks.slice(0, subscription.depth), market.book.bids.slice(0, subscription.depth));
      this.#sendBook('update', pair, bids, asks, checksum, time);
    }
    const ticker = this.#tickers.get(pair.symbol);
    if (ticker !== undefined) {
      const top = topKey(market);
      if (ticker.trigger === 'trades' || top !== ticker.top) this.#send({ channel: 'ticker', type: 'update', data: [wsTicker(market, time)] });
      ticker.top = top;
    }
  }

  // ---------------------------------------------------------------- out

  #sendBook(type: 'snapshot' | 'update', pair: SimPair, bids: readonly BookLevelUnits[], asks: readonly BookLevelUnits[], checksum: number, time: number): void {
    // An injected fault: a checksum no correct book can have.
    const sent = this.ctx.faults.takeBookCorruption() ? (checksum ^ 0x5a5a5a5a) >>> 0 : checksum;
    this.#send({ channel: 'book', type, data: [{ symbol: pair.symbol, bids: wsLevels(pair, bids), asks: wsLevels(pair, asks), checksum: sent, timestamp: rfc3339(time) }] });
  }

  #sendLevel3(type: 'snapshot' | 'update', pair: SimPair, message: Level3Message, checksum: number, time: number): void {
    // The injected fault of corruptNextBookChecksum, on whichever book message goes out first.
    const sent = this.ctx.faults.takeBookCorruption() ? (checksum ^ 0x5a5a5a5a) >>> 0 : checksum;
    const orders = (entries: Level3Message['bids']) =>
      entries.map(({ event, orderId, price, qty, timestamp }) => ({
        ...(event === undefined ? {} : { event }),
        order_id: orderId,
        limit_price: unitsToNumber(price, pair.priceDecimals),
        order_qty: unitsToNumber(qty, pair.qtyDecimals),
        timestamp: rfc3339(timestamp),
      }));
    this.#send({ channel: 'level3', type, data: [{ symbol: pair.symbol, checksum: sent, bids: orders(message.bids), asks: orders(message.asks), timestamp: rfc3339(time) }] });
  }

  #sendPrivate(channel: string, type: 'snapshot' | 'update', data: unknown[]): void {
    this.#sequence += 1;
    this.#send({ channel, type, data, sequence: this.#sequence });
  }

  #send(message: Json): void {
    this.#sendText(JSON.stringify(message));
  }

  #sendText(text: string): void {
    if (this.#closed || this.socket.readyState !== 1) return;
    this.socket.send(text);
    this.lastSentWall = this.ctx.wallNow();
  }
}

function topKey(market: PairMarketFeed): string {
  const bid = market.book.bids[0];
  const ask = market.book.asks[0];
  return `${bid?.price}:${bid?.qty}:${ask?.price}:${ask?.qty}`;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item) => String(item));
  if (value === undefined || value === null) return [];
  return [String(value)];
}
