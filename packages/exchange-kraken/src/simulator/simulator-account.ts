import {
  Decimal,
  KrakenSpotFeeModel,
  NoSlippage,
  SimulatedVenue,
  ZERO,
  clientOrderId,
  strategyId,
  type Balance,
  type ClientOrderId,
  type EpochMs,
  type ExecutionReportSink,
  type FeeTier,
  type FillModelOptions,
  type LimitFillRule,
  type Quote,
  type SlippageModel,
  type SubmitOrder,
  type Trade,
  type VenueFill,
  type VenueOrderId,
} from '@kbot/core';
import { TradingRateLimiter, RestRateLimiter, amendOrderCost, cancelOrderCost, editOrderCost, type KrakenTier } from '../rest/rate-limiter.js';
import { isOpenStatus, type LedgerEntry, type SimOrder, type SimTrade } from './account-records.js';
import { KrakenIdSequence } from './kraken-ids.js';
import type { OrderRequest } from './order-request.js';
import type { PairCatalog, SimPair } from './pair-catalog.js';
import type { MatchingSink, SimulatedMarket } from './simulated-market.js';
import { rfc3339Seconds } from './wire-format.js';

/** What happened to an account, for its private WebSocket streams. Formatted when it is heard. */
export type AccountEvent =
  | { readonly type: 'order'; readonly execType: 'pending_new' | 'new' | 'filled' | 'canceled' | 'expired' | 'amended'; readonly order: SimOrder; readonly time: number }
  | { readonly type: 'trade'; readonly order: SimOrder; readonly trade: SimTrade; readonly time: number }
  | { readonly type: 'ledger'; readonly entry: LedgerEntry };

export type AccountListener = (event: AccountEvent) => void;

export type SystemStatus = 'online' | 'maintenance' | 'cancel_only' | 'post_only';

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = <T = never>(error: string): Outcome<T> => ({ ok: false, error });

/** Reasons on canceled orders. Kraken's texts where known (`User requested`); the others are ours. */
export const CANCEL_REASONS = Object.freeze({
  user: 'User requested',
  deadMansSwitch: 'Dead man switch',
  replaced: 'Order replaced',
  reduced: 'Order quantity reduced below the filled quantity',
});

export interface SimAccountOptions {
  readonly key: string;
  /** Base64 API secret. */
  readonly secret: string;
  readonly tier: KrakenTier;
  /** kbot asset names → starting totals. */
  readonly balances: Readonly<Record<string, Decimal>>;
  /** Up to 8 characters A-Z/0-9 in the account's order and trade ids. */
  readonly idPrefix: string;
  readonly catalog: PairCatalog;
  readonly market: SimulatedMarket;
  readonly wallNow: () => number;
  readonly systemStatus: () => SystemStatus;
  readonly feeTiers: readonly FeeTier[];
  readonly fillModel?: FillModelOptions;
  readonly limitFillOn?: LimitFillRule;
  readonly slippageModel?: SlippageModel;
  readonly postOnlyRejectReason?: string;
}

export interface AmendChanges {
  readonly volume?: Decimal;
  readonly price?: Decimal;
  readonly postOnly?: boolean;
}

/**
 * One API key's account: balances and orders held by its own core `SimulatedVenue`, plus what
 * Kraken keeps per key (nonce, REST counter, trading counters, dead man's switch). The venue
 * matches; this class keeps Kraken's view of each order (txid, userref, cl_ord_id, status,
 * fills) and tells listeners about every change.
 */
export class SimAccount implements ExecutionReportSink, MatchingSink {
  readonly key: string;
  readonly secret: string;
  readonly tier: KrakenTier;
  readonly venue: SimulatedVenue;
  readonly restLimiter: RestRateLimiter;
  readonly tradingLimiter: TradingRateLimiter;
  /** Largest nonce accepted so far. */
  lastNonce = 0n;
  /** Consecutive authentication failures, for the temporary lockout. */
  failures = 0;
  lockedUntilWall = 0;

  readonly #orders = new Map<string, SimOrder>();
  readonly #byVenueId = new Map<ClientOrderId, SimOrder>();
  readonly #trades: SimTrade[] = [];
  readonly #ledger: LedgerEntry[] = [];
  readonly #listeners = new Set<AccountListener>();
  readonly #options: SimAccountOptions;
  readonly #venueIds: KrakenIdSequence;
  readonly #ledgerIds: KrakenIdSequence;
  readonly #positionIds: KrakenIdSequence;
  readonly #amendIds: KrakenIdSequence;
  #deadMansSwitch: { timer: NodeJS.Timeout; triggerAtWall: number } | undefined;

  /** Set while the account submits to its venue, so the synchronous report lands here. */
  #submission: { accepted?: VenueOrderId; rejected?: string } | undefined;
  /** Venue events for these ids are bookkeeping (validate-only, amend, edit) and are not reported. */
  readonly #silent = new Set<ClientOrderId>();
  #cancelReason: string = CANCEL_REASONS.user;

  constructor(options: SimAccountOptions) {
    this.#options = options;
    this.key = options.key;
    this.secret = options.secret;
    this.tier = options.tier;
    this.restLimiter = new RestRateLimiter(options.tier);
    this.tradingLimiter = new TradingRateLimiter(options.tier);
    this.#venueIds = new KrakenIdSequence('C', options.idPrefix);
    this.#ledgerIds = new KrakenIdSequence('L', options.idPrefix);
    this.#positionIds = new KrakenIdSequence('T', `P${options.idPrefix}`);
    this.#amendIds = new KrakenIdSequence('A', options.idPrefix);
    const market = options.market;
    this.venue = new SimulatedVenue({
      instruments: (id) => options.catalog.find(id)?.instrument,
      clock: { now: () => market.now() },
      balances: options.balances,
      feeModel: new KrakenSpotFeeModel(options.feeTiers),
      // The book already has a spread: takers pay the ask or receive the bid, not more.
      slippageModel: options.slippageModel ?? new NoSlippage(),
      ...(options.fillModel === undefined ? {} : { fillModel: options.fillModel }),
      ...(options.limitFillOn === undefined ? {} : { limitFillOn: options.limitFillOn }),
      ...(options.postOnlyRejectReason === undefined ? {} : { postOnlyRejectReason: options.postOnlyRejectReason }),
      idPrefix: options.idPrefix,
    });
    void this.venue.connect(this);
  }

  // ---------------------------------------------------------------- queries

  subscribe(listener: AccountListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  order(txid: string): SimOrder | undefined {
    return this.#orders.get(txid);
  }

  /** Every order, oldest first. */
  orders(): SimOrder[] {
    return [...this.#orders.values()];
  }

  openOrders(): SimOrder[] {
    return this.orders().filter((order) => isOpenStatus(order.status));
  }

  /** Every fill, oldest first. */
  trades(): readonly SimTrade[] {
    return this.#trades;
  }

  ledger(): readonly LedgerEntry[] {
    return this.#ledger;
  }

  balances(): readonly Balance[] {
    return this.venue.balances();
  }

  /** Open orders found by txid, `userref` (a number) or `cl_ord_id`. */
  findOpen(reference: { txid?: string; userref?: number; clOrdId?: string }): SimOrder[] {
    return this.openOrders().filter(
      (order) =>
        (reference.txid !== undefined && order.txid === reference.txid) ||
        (reference.userref !== undefined && order.userref === reference.userref) ||
        (reference.clOrdId !== undefined && order.clOrdId === reference.clOrdId),
    );
  }

  thirtyDayVolume(): Decimal {
    return this.venue.thirtyDayVolume();
  }

  // ---------------------------------------------------------------- trading

  /**
   * Places (or with `validate` only checks) one order. Checks in Kraken's order (spec §12.4):
   * system status, identifiers, open-order cap, the pair's trading counter (charged even when
   * validation then fails), then the venue's rules (decimals, tick, ordermin, costmin, funds).
   * Call `matchNow` afterwards so a marketable order trades against the standing book.
   */
  addOrder(request: OrderRequest, options: { readonly charge?: boolean } = {}): Outcome<SimOrder | undefined> {
    const blocked = this.#statusBlock(request);
    if (blocked !== undefined) return fail(blocked);
    if (request.clOrdId !== undefined && this.openOrders().some((order) => order.clOrdId === request.clOrdId)) {
      return fail('EGeneral:Invalid arguments:cl_ord_id');
    }
    const pair = request.pair;
    const wall = this.#options.wallNow();
    if (!request.validate) {
      const open = this.openOrders().filter((order) => order.pair === pair).length;
      if (open >= this.tradingLimiter.limits.maxOpenOrdersPerPair) return fail('EOrder:Orders limit exceeded');
      if (options.charge !== false) {
        if (!this.tradingLimiter.canSpend(pair.symbol, 1, wall)) return fail('EOrder:Rate limit exceeded');
        this.tradingLimiter.onOrderPlaced(pair.symbol, wall);
      }
    }
    return this.#place(request);
  }

  /** Charges a batch of `count` orders on `pair` to the trading counter (+count/2, spec §7.2). */
  chargeBatch(pair: SimPair, count: number): Outcome<void> {
    const wall = this.#options.wallNow();
    if (!this.tradingLimiter.canSpend(pair.symbol, count / 2, wall)) return fail('EOrder:Rate limit exceeded');
    this.tradingLimiter.onBatchPlaced(pair.symbol, count, wall);
    return ok(undefined);
  }

  /** Re-shows the venue the standing book of `pair`, so an order that just arrived can trade on it. */
  matchNow(pair: SimPair): void {
    this.#options.market.touch(pair.symbol, this);
  }

  /** Cancels one open order; charges the age-dependent cancel cost. */
  cancel(order: SimOrder, reason: string = CANCEL_REASONS.user): Outcome<SimOrder> {
    if (!isOpenStatus(order.status)) return fail('EOrder:Unknown order');
    if (this.#options.systemStatus() === 'maintenance') return fail('EService:Unavailable');
    const wall = this.#options.wallNow();
    const cost = cancelOrderCost(wall - order.restingSinceWall);
    if (!this.tradingLimiter.canSpend(order.pair.symbol, cost, wall)) return fail('EOrder:Rate limit exceeded');
    this.tradingLimiter.onCancel(order.pair.symbol, wall - order.restingSinceWall, wall);
    this.#cancelInVenue(order, reason);
    return ok(order);
  }

  /** Cancels every open order (costs +1 per pair that had any, spec §7.2). */
  /**
   * Cancels the open orders each reference names (a numeric text is a userref, anything else a
   * txid or cl_ord_id), as Kraken's batch cancel does over REST and WebSocket; returns how many.
   */
  cancelByReferences(references: readonly string[]): number {
    let count = 0;
    for (const reference of references) {
      const found = /^-?\d+$/.test(reference)
        ? this.findOpen({ userref: Number(reference) })
        : this.findOpen({ txid: reference }).concat(this.findOpen({ clOrdId: reference }));
      for (const order of found) if (this.cancel(order).ok) count++;
    }
    return count;
  }

  cancelAll(reason: string = CANCEL_REASONS.user): Outcome<number> {
    if (this.#options.systemStatus() === 'maintenance') return fail('EService:Unavailable');
    const open = this.openOrders();
    const wall = this.#options.wallNow();
    for (const symbol of new Set(open.map((order) => order.pair.symbol))) this.tradingLimiter.spend(symbol, 1, wall);
    for (const order of open) this.#cancelInVenue(order, reason);
    return ok(open.length);
  }

  /**
   * Kraken's AmendOrder: same txid, new quantity, price or post-only flag. The venue has no
   * amend, so the order is re-submitted there under the same txid (queue position is not
   * modelled). Reducing the quantity to or below what has filled cancels the rest.
   */
  amend(order: SimOrder, changes: AmendChanges): Outcome<string> {
    if (!isOpenStatus(order.status)) return fail('EOrder:Unknown order');
    if (this.#options.systemStatus() === 'maintenance') return fail('EService:Unavailable');
    if (changes.volume === undefined && changes.price === undefined && changes.postOnly === undefined) {
      return fail('EGeneral:Invalid arguments:no amendable parameters');
    }
    if (changes.price !== undefined && order.orderType === 'market') return fail('EGeneral:Invalid arguments:limit_price');
    const wall = this.#options.wallNow();
    const cost = amendOrderCost(wall - order.restingSinceWall);
    if (!this.tradingLimiter.canSpend(order.pair.symbol, cost, wall)) return fail('EOrder:Rate limit exceeded');
    this.tradingLimiter.onAmend(order.pair.symbol, wall - order.restingSinceWall, wall);
    const amendId = this.#amendIds.next();
    if (changes.volume !== undefined && changes.volume.lessThanOrEqualTo(order.volExec)) {
      this.#cancelInVenue(order, CANCEL_REASONS.reduced);
      return ok(amendId);
    }
    const previous = { volume: order.volume, price: order.price, postOnly: order.postOnly };
    const next = { volume: changes.volume ?? order.volume, price: changes.price ?? order.price, postOnly: changes.postOnly ?? order.postOnly };
    const error = this.#resubmit(order, next, previous);
    if (error !== undefined) return fail(error);
    order.restingSinceWall = wall;
    this.#emit({ type: 'order', execType: 'amended', order, time: this.#options.market.now() });
    return ok(amendId);
  }

  /**
   * Kraken's EditOrder (cancel and replace): the old order is canceled and a new one with a new
   * txid takes its place. If the new order is refused, the old one stays as it was.
   */
  edit(order: SimOrder, request: OrderRequest): Outcome<{ readonly replaced: SimOrder; readonly order: SimOrder | undefined }> {
    if (!isOpenStatus(order.status)) return fail('EOrder:Unknown order');
    const blocked = this.#statusBlock(request);
    if (blocked !== undefined) return fail(blocked);
    const wall = this.#options.wallNow();
    const cost = editOrderCost(wall - order.restingSinceWall);
    if (!request.validate) {
      if (!this.tradingLimiter.canSpend(order.pair.symbol, cost, wall)) return fail('EOrder:Rate limit exceeded');
      this.tradingLimiter.onEdit(order.pair.symbol, wall - order.restingSinceWall, wall);
    }
    // Take the old order out of the venue quietly so its hold does not block the new one.
    const oldVenueId = order.venueClientId;
    this.#silent.add(oldVenueId);
    this.venue.cancel({ clientOrderId: oldVenueId, venueOrderId: undefined, instrumentId: order.pair.instrument.id, requestedAt: this.#options.market.now() });
    const placed = this.#place(request);
    if (!placed.ok || request.validate) {
      const restored = this.#submitToVenue(order.pair, order, order.volume.minus(order.volExec));
      if (typeof restored === 'string') {
        this.#finish(order, 'canceled', this.#options.market.now(), restored);
        return placed.ok ? fail(restored) : placed;
      }
      this.#byVenueId.set(restored.clientOrderId, order);
      order.venueClientId = restored.clientOrderId;
      return placed.ok ? ok({ replaced: order, order: undefined }) : placed;
    }
    this.#finish(order, 'canceled', this.#options.market.now(), CANCEL_REASONS.replaced);
    return ok({ replaced: order, order: placed.value });
  }

  /**
   * The dead man's switch: after `timeoutSeconds` of wall-clock time every open order is
   * canceled, unless the switch is re-armed first; 0 disarms it.
   */
  cancelAllOrdersAfter(timeoutSeconds: number): { currentTime: string; triggerTime: string } {
    const wall = this.#options.wallNow();
    if (this.#deadMansSwitch !== undefined) clearTimeout(this.#deadMansSwitch.timer);
    this.#deadMansSwitch = undefined;
    if (timeoutSeconds === 0) return { currentTime: rfc3339Seconds(wall), triggerTime: '0' };
    const triggerAtWall = wall + timeoutSeconds * 1000;
    const timer = setTimeout(() => {
      this.#deadMansSwitch = undefined;
      this.cancelAll(CANCEL_REASONS.deadMansSwitch);
    }, timeoutSeconds * 1000);
    this.#deadMansSwitch = { timer, triggerAtWall };
    return { currentTime: rfc3339Seconds(wall), triggerTime: rfc3339Seconds(triggerAtWall) };
  }

  /** Stops timers (the simulator is shutting down). */
  close(): void {
    if (this.#deadMansSwitch !== undefined) clearTimeout(this.#deadMansSwitch.timer);
    this.#deadMansSwitch = undefined;
  }

  // ---------------------------------------------------------------- MatchingSink (market → venue)

  onTrade(trade: Trade): void {
    this.venue.onTrade(trade);
  }

  onQuote(quote: Quote): void {
    this.venue.onQuote(quote);
  }

  // ---------------------------------------------------------------- ExecutionReportSink (venue → account)

  onAccepted(report: { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId; time: EpochMs }): void {
    if (this.#submission !== undefined) this.#submission.accepted = report.venueOrderId;
  }

  onRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void {
    if (this.#submission !== undefined) this.#submission.rejected = report.reason;
  }

  onFilled(fill: VenueFill): void {
    const order = this.#byVenueId.get(fill.clientOrderId);
    if (order === undefined) return;
    const pair = order.pair;
    const market = this.#options.market.market(pair.symbol);
    const cost = fill.quantity.times(fill.price);
    order.volExec = order.volExec.plus(fill.quantity);
    order.cost = order.cost.plus(cost);
    order.fee = order.fee.plus(fill.fee);
    if (order.orderType === 'stop-loss' || order.orderType === 'take-profit') order.triggered = true;
    const ledgerQuote = this.#ledgerIds.next();
    const ledgerBase = this.#ledgerIds.next();
    const trade: SimTrade = {
      txid: fill.tradeId,
      order,
      postxid: this.#positionIds.next(),
      time: fill.time,
      price: fill.price,
      vol: fill.quantity,
      cost,
      fee: fill.fee,
      feeAsset: fill.feeAsset,
      maker: fill.liquidity === 'maker',
      tradeId: market?.allocateTradeId() ?? this.#trades.length + 1,
      ledgers: [ledgerQuote, ledgerBase],
    };
    order.trades.push(trade.txid);
    this.#trades.push(trade);
    this.#emit({ type: 'trade', order, trade, time: fill.time });

    const totals = new Map(this.venue.balances().map((balance) => [balance.asset, balance.total]));
    const buy = order.side === 'buy';
    const { base, quote } = pair.instrument;
    const quoteAmount = buy ? cost.negated() : cost;
    const entries: LedgerEntry[] = [
      { id: ledgerQuote, refid: trade.txid, time: fill.time, type: 'trade', asset: quote, amount: quoteAmount, fee: fill.fee, balance: totals.get(quote) ?? ZERO },
      { id: ledgerBase, refid: trade.txid, time: fill.time, type: 'trade', asset: base, amount: buy ? fill.quantity : fill.quantity.negated(), fee: ZERO, balance: totals.get(base) ?? ZERO },
    ];
    for (const entry of entries) {
      this.#ledger.push(entry);
      this.#emit({ type: 'ledger', entry });
    }
    if (order.volExec.greaterThanOrEqualTo(order.volume)) this.#finish(order, 'closed', fill.time);
  }

  onCanceled(report: { clientOrderId: ClientOrderId; time: EpochMs; reason?: string }): void {
    if (this.#silent.delete(report.clientOrderId)) return;
    const order = this.#byVenueId.get(report.clientOrderId);
    if (order === undefined || !isOpenStatus(order.status)) return;
    this.#finish(order, 'canceled', report.time, report.reason ?? this.#cancelReason);
  }

  onCancelRejected(): void {
    // The account only cancels orders it knows are open.
  }

  onExpired(report: { clientOrderId: ClientOrderId; time: EpochMs }): void {
    const order = this.#byVenueId.get(report.clientOrderId);
    if (order === undefined || !isOpenStatus(order.status)) return;
    this.#finish(order, 'expired', report.time);
  }

  // ---------------------------------------------------------------- internals

  #statusBlock(request: OrderRequest): string | undefined {
    const status = this.#options.systemStatus();
    if (status === 'maintenance') return 'EService:Unavailable';
    if (status === 'cancel_only') return 'EService:Market in cancel_only mode';
    if (status === 'post_only' && !(request.orderType === 'limit' && request.postOnly)) return 'EService:Market in post_only mode';
    return undefined;
  }

  #place(request: OrderRequest): Outcome<SimOrder | undefined> {
    const market = this.#options.market;
    const now = market.now();
    const draft: SimOrder = {
      txid: '',
      pair: request.pair,
      side: request.side,
      orderType: request.orderType,
      volume: request.volume,
      price: request.price,
      postOnly: request.postOnly,
      feeInBase: request.feeInBase,
      timeInForce: request.timeInForce,
      expireAt: request.expireAt,
      userref: request.userref,
      clOrdId: request.clOrdId,
      status: 'pending',
      openedAt: now,
      restingSinceWall: this.#options.wallNow(),
      closedAt: undefined,
      reason: undefined,
      volExec: ZERO,
      cost: ZERO,
      fee: ZERO,
      trades: [],
      venueClientId: clientOrderId(''),
      triggered: false,
    };
    const result = this.#submitToVenue(request.pair, draft, request.volume, request.validate);
    if (typeof result === 'string') return fail(result);
    if (request.validate) return ok(undefined);
    const order: SimOrder = { ...draft, txid: result.venueOrderId, venueClientId: result.clientOrderId, status: 'open' };
    this.#orders.set(order.txid, order);
    this.#byVenueId.set(order.venueClientId, order);
    this.#emit({ type: 'order', execType: 'pending_new', order, time: now });
    this.#emit({ type: 'order', execType: 'new', order, time: now });
    return ok(order);
  }

  /**
   * Submits `quantity` of `order` to the venue. Returns the venue's ids, or its rejection text.
   * With `dryRun` the accepted order is withdrawn again at once, quietly.
   */
  #submitToVenue(pair: SimPair, order: SimOrder, quantity: Decimal, dryRun = false): { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId } | string {
    const market = this.#options.market;
    const id = clientOrderId(this.#venueIds.next());
    const trigger = order.orderType === 'stop-loss' || order.orderType === 'take-profit';
    const command: SubmitOrder = {
      clientOrderId: id,
      strategyId: strategyId('kraken-simulator'),
      instrumentId: pair.instrument.id,
      side: order.side,
      type: order.orderType,
      quantity,
      price: trigger ? undefined : order.price,
      triggerPrice: trigger ? order.price : undefined,
      postOnly: order.postOnly,
      reduceOnly: false,
      timeInForce: order.timeInForce === 'GTC' ? 'gtc' : order.timeInForce === 'IOC' ? 'ioc' : 'gtd',
      expireAt: order.expireAt,
      tag: undefined,
      features: undefined,
      // One millisecond back: the venue only trades an order on data after it, and the standing
      // book is re-shown stamped `now` (see SimulatedMarket.touch).
      createdAt: market.now() - 1,
    };
    const outcome: { accepted?: VenueOrderId; rejected?: string } = {};
    this.#submission = outcome;
    try {
      this.venue.submit(command);
    } finally {
      this.#submission = undefined;
    }
    if (outcome.rejected !== undefined) return outcome.rejected;
    if (outcome.accepted === undefined) return 'EGeneral:Internal error';
    if (dryRun) {
      this.#silent.add(id);
      this.venue.cancel({ clientOrderId: id, venueOrderId: undefined, instrumentId: pair.instrument.id, requestedAt: market.now() });
    }
    return { clientOrderId: id, venueOrderId: outcome.accepted };
  }

  /** Replaces the venue order behind `order` with one for `next`; on refusal puts `previous` back. */
  #resubmit(order: SimOrder, next: { volume: Decimal; price: Decimal | undefined; postOnly: boolean }, previous: typeof next): string | undefined {
    const oldVenueId = order.venueClientId;
    this.#silent.add(oldVenueId);
    this.venue.cancel({ clientOrderId: oldVenueId, venueOrderId: undefined, instrumentId: order.pair.instrument.id, requestedAt: this.#options.market.now() });
    Object.assign(order, next);
    const placed = this.#submitToVenue(order.pair, order, next.volume.minus(order.volExec));
    if (typeof placed !== 'string') {
      this.#byVenueId.set(placed.clientOrderId, order);
      order.venueClientId = placed.clientOrderId;
      return undefined;
    }
    Object.assign(order, previous);
    const restored = this.#submitToVenue(order.pair, order, previous.volume.minus(order.volExec));
    if (typeof restored === 'string') {
      this.#finish(order, 'canceled', this.#options.market.now(), restored);
    } else {
      this.#byVenueId.set(restored.clientOrderId, order);
      order.venueClientId = restored.clientOrderId;
    }
    return placed;
  }

  #cancelInVenue(order: SimOrder, reason: string): void {
    this.#cancelReason = reason;
    try {
      this.venue.cancel({ clientOrderId: order.venueClientId, venueOrderId: undefined, instrumentId: order.pair.instrument.id, requestedAt: this.#options.market.now() });
    } finally {
      this.#cancelReason = CANCEL_REASONS.user;
    }
  }

  #finish(order: SimOrder, status: 'closed' | 'canceled' | 'expired', time: number, reason?: string): void {
    if (!isOpenStatus(order.status)) return;
    order.status = status;
    order.closedAt = time;
    order.reason = reason;
    this.#emit({ type: 'order', execType: status === 'closed' ? 'filled' : status, order, time });
  }

  #emit(event: AccountEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
