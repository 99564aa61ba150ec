import type { Clock } from '../clock/clock.js';
import { ConfigError, InvariantError, type ConfigIssue } from '../errors/errors.js';
import type { ExecutionReportSink, MarketDrivenVenue, ReconcileReport, VenueFill, VenueOrderState } from '../exchange/exchange.js';
import { Decimal, ONE, ZERO, decimalAtLeast, decimalAtMost, decimalGreaterThan, decimalLessThan, decimalString, decimalToNumber, isDecimal, maxDecimal, minDecimal } from '../model/decimal.js';
import type { Liquidity } from '../model/fill.js';
import { tradeId, venueOrderId, type ClientOrderId, type InstrumentId, type VenueOrderId } from '../model/ids.js';
import { decimalFromNumber, decimalMinus, decimalPlus, decimalTimes, decimalToPlaces } from '../model/decimal-arithmetic.js';
import { checkOrderRules, roundPrice, roundQuantity, type Instrument } from '../model/instrument.js';
import { InstrumentMap } from '../model/instrument-map.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';
import type { CancelOrder, OrderStatus, SubmitOrder } from '../model/order.js';
import type { Balance } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import { krakenAssetDecimals } from './asset-decimals.js';
import { KrakenSpotFeeModel, type FeeModel } from './fee-model.js';
import { checkBar, isAfterOrder, sliceFromBar, sliceFromQuote, sliceFromTrade, type MarketSlice } from './market-slice.js';
import { matchOrder, type LimitFillRule, type MatchableOrder, type MatchOutcome } from './order-matching.js';
import { FixedBpsSlippage, type SlippageModel } from './slippage-model.js';
import { TrailingVolume } from './trailing-volume.js';
import { VenueIdGenerator } from './venue-ids.js';

/**
 * The venue's rejection and cancellation texts. They are Kraken's own error strings (kraken.md
 * §3.3) except where Kraken's wording is not known, as noted.
 */
export const SIMULATED_VENUE_ERRORS = Object.freeze({
  unknownPair: 'EQuery:Unknown asset pair',
  /** With `explainInsufficientFunds`, the figures follow after a colon. */
  insufficientFunds: 'EOrder:Insufficient funds',
  unknownOrder: 'EOrder:Unknown order',
  /**
   * Kraken's text for a post-only order that would take is not documented (kraken.md §12.5 [U]);
   * this is the default of the `postOnlyRejectReason` option.
   */
  postOnly: 'EGeneral:Invalid arguments:post_only',
  missingPrice: 'EGeneral:Invalid arguments:price',
  missingExpireTime: 'EGeneral:Invalid arguments:expiretm',
  /** Not a documented Kraken text: a client order id that this venue already knows. */
  duplicateClientOrderId: 'EGeneral:Invalid arguments:cl_ord_id',
  /** A market buy before any price is known: the simulated book for the pair is empty. */
  noMarket: 'EService:Unavailable',
  postOnlyMarket: 'EService:Market in post_only mode',
  /** Kraken documents the restriction (kraken.md §11.2) but not this exact text. */
  limitOnlyMarket: 'EService:Market in limit_only mode',
  /** Reason on the cancel that ends an immediate-or-cancel order's unfilled remainder. */
  immediateOrCancel: 'Immediate or cancel: unfilled remainder canceled',
});

export interface FillModelOptions {
  /**
   * Fraction of a bar's (or a public trade's) base volume one order may take per bar or trade;
   * default 0.1. Quotes are displayed liquidity, so an order may take the whole bid or ask size.
   * 1 or more removes every volume cap: orders fill in full on the first data that reaches them.
   */
  readonly maxVolumeParticipation?: number;
}

export interface SimulatedVenueOptions {
  readonly instruments: (id: InstrumentId) => Instrument | undefined;
  /** Times accepted, rejected and canceled reports; fills and expiries carry the data's time. */
  readonly clock: Clock;
  /** Starting totals per asset (`{ USD: '10000' }`); nothing is held at start. */
  readonly balances: Readonly<Record<string, Decimal | string>>;
  /** Default: `KrakenSpotFeeModel`, tiered by the venue's own rolling 30-day traded quote volume. */
  readonly feeModel?: FeeModel;
  /** Default: `new FixedBpsSlippage(5)`: 5 bps on market and triggered fills, none on limit orders. */
  readonly slippageModel?: SlippageModel;
  readonly fillModel?: FillModelOptions;
  /** When a resting limit order fills: `through` (default: the price must trade beyond the limit) or `touch`. See `LimitFillRule`. */
  readonly limitFillOn?: LimitFillRule;
  /**
   * How long an order takes to reach the venue; default 0. An order can only trade on data after
   * createdAt + latencyMs. With bars that means the first bar opening at or after that time, so
   * any latency above 0 pushes a fill one bar later. Cancels are not delayed.
   */
  readonly latencyMs?: number;
  /**
   * What an order's time is when deciding which data may fill it:
   * - `clock` (default): its `createdAt`. Right when the clock is the data's time (backtests) or
   *   the venue's own market clock (the Kraken simulator).
   * - `market-data`: no later than the end of the last data the venue had seen for the pair when
   *   the order arrived. For paper trading on a live feed: a bar reaches the bot after it closed,
   *   so the wall-clock time of an order placed on it falls inside the next bar, which `clock`
   *   would skip; this fills it on the next bar, as a backtest does.
   */
  readonly orderTime?: 'clock' | 'market-data';
  /** Up to 8 characters A-Z/0-9 put into every order and trade id, to keep ids unique across sessions. */
  readonly idPrefix?: string;
  /** Decimal places fees are rounded to (half up), per fee asset; default Kraken's asset precision (USD 4, BTC 10, unknown 8). */
  readonly assetDecimals?: (asset: string) => number;
  /** Rejection (at submit) or cancellation (on arrival) text for a post-only order that would take liquidity. */
  readonly postOnlyRejectReason?: string;
  /**
   * Adds the figures behind `EOrder:Insufficient funds` after a colon, for people reading a
   * backtest or paper report: what the order needs (a buy: quantity × the price it may pay plus
   * the fee reserve, rounded as the venue holds it), what is available and what open orders hold,
   * e.g. `EOrder:Insufficient funds: needs 0.5 BTC, 0.2 BTC available (0 held by open orders)`.
   * Default false: the text is Kraken's exact string, which the Kraken simulator must answer with.
   */
  readonly explainInsufficientFunds?: boolean;
  /**
   * How long finished orders and fills stay for `reconcile` after they end or happen, in ms.
   * Default: forever, which is what a backtest (bounded by its data) and tests want. A paper
   * session sets it, so a venue that runs for weeks holds a window of history, not all of it.
   */
  readonly retainFinishedMs?: number;
  /**
   * Quote volume the account traded before this venue started, as `{ time, amount }`: the fee
   * tier counts it, as Kraken counts an account's 30-day volume whatever traded it. A paper
   * session resumed after a restart hands its new venue the last 30 days of the journal's fills.
   */
  readonly tradedVolume?: Iterable<{ readonly time: EpochMs; readonly amount: Decimal }>;
}

/** One order as the venue keeps it; it is its own `MatchableOrder`, so matching allocates nothing. */
interface VenueOrder extends MatchableOrder {
  readonly command: SubmitOrder;
  readonly instrument: Instrument;
  readonly venueOrderId: VenueOrderId;
  /** Earliest time the order is at the venue: createdAt + latency. */
  readonly eligibleAt: EpochMs;
  status: OrderStatus;
  filled: Decimal;
  /** See MatchableOrder. */
  resting: boolean;
  triggered: boolean;
  /** What the order still holds: quote for buys, base for sells. */
  held: Decimal;
  readonly heldAsset: string;
  /** Buys hold quantity × holdPrice plus a taker fee at holdFeeRate; sells hold their quantity. */
  readonly holdPrice: Decimal;
  readonly holdFeeRate: Decimal;
  updatedAt: EpochMs;
}

interface AssetBalance {
  total: Decimal;
  held: Decimal;
}

/**
 * What the venue knows of one instrument's market, in one object so that a bar costs one lookup
 * (none while the same instrument keeps coming). Number fields set in the constructor are stored
 * in place; a map of numbers allocated a heap number for every bar.
 */
class VenueMarket {
  /** Data starting before this time overlaps data already matched. */
  declare matchedUntil: EpochMs;
  /** The price a buyer and a seller would face now, from the latest data; set once `hasReference`. */
  declare buy: number;
  declare sell: number;
  declare hasReference: boolean;

  constructor(matchedUntil: EpochMs) {
    this.matchedUntil = matchedUntil;
    this.buy = Number.NaN;
    this.sell = Number.NaN;
    this.hasReference = false;
  }

  setReference(buy: number, sell: number): void {
    this.buy = buy;
    this.sell = sell;
    this.hasReference = true;
  }
}

/**
 * A venue simulated from market data, for backtests and paper trading. The engine calls `submit`
 * and `cancel` synchronously and hands the venue every bar, trade and quote before strategies see
 * it; the venue answers through the report sink, synchronously.
 *
 * - No look-ahead: an order only trades on data after it reached the venue (see `isAfterOrder`).
 *   Data of an instrument that overlaps data already matched (a 1h bar after its 1m bars, or data
 *   older than the last) is not matched again, so feeding two intervals does not double liquidity.
 * - Prices: taker fills slip by the slippage model and are rounded to the tick against the trader;
 *   maker fills get their limit price. Matching rules: `matchOrder`.
 * - Quantities: each order takes at most `maxVolumeParticipation` of a bar's or trade's volume
 *   per bar or trade, rounded down to the lot; fills smaller than one lot are not made. The
 *   remainder of a market or triggered order carries on at the next data's open.
 * - Money: every amount is Decimal. A fill's cost (quantity × price) is exact; its fee, charged in
 *   the quote asset, is cost × rate rounded half up to the asset's decimals. Open orders hold
 *   funds: `available` drops at acceptance, `total` only when fills happen. A buy holds quantity
 *   × (its limit, or for market and trigger buys the last price — at least the trigger — moved by
 *   the slippage model) plus the taker fee at the current tier, rounded up; a sell holds its
 *   quantity. If a buy later meets a price its hold and the free funds cannot pay, it fills what
 *   they cover and the rest is canceled with `EOrder:Insufficient funds` (followed by the
 *   figures with `explainInsufficientFunds`, as is a rejection for funds).
 * - Times: accepted, rejected and canceled-on-request reports carry the clock's time; fills and
 *   expiries carry the data's own time (a bar's openTime, where the engine's clock stands while
 *   the venue sees the bar), so the engine's journal stays in time order.
 * - `reduceOnly` is not checked here: on Kraken spot it is a margin flag; the risk engine owns it.
 * - Deterministic: ids come from counters, times from the clock and the data; the same calls give
 *   the same reports, bit for bit.
 */
export class SimulatedVenue implements MarketDrivenVenue {
  readonly marketDriven = true as const;

  private readonly instruments: (id: InstrumentId) => Instrument | undefined;
  private readonly clock: Clock;
  private readonly feeModel: FeeModel;
  private readonly slippageModel: SlippageModel;
  /** undefined: no volume cap. */
  private readonly participation: Decimal | undefined;
  /** `participation` as a number, for the quick no-cap check. */
  private readonly participationNumber: number;
  private readonly orderTime: 'clock' | 'market-data';
  private readonly limitFillOn: LimitFillRule;
  private readonly latencyMs: number;
  private readonly assetDecimals: (asset: string) => number;
  private readonly postOnlyRejectReason: string;
  private readonly explainInsufficientFunds: boolean;
  private readonly ids: VenueIdGenerator;
  private readonly volume = new TrailingVolume();

  private sink: ExecutionReportSink | undefined;
  private closed = false;
  private readonly assets = new Map<string, AssetBalance>();
  private readonly orders = new Map<ClientOrderId, VenueOrder>();
  /** Open orders per instrument, in submission order (the order in which they match). */
  private readonly openOrders = new Map<InstrumentId, VenueOrder[]>();
  /** Orders in the `openOrders` lists (ended ones stay until `dropClosed`): 0 means no data can match anything. */
  private listedOrders = 0;
  private openGoodTillDate = 0;
  /** Per instrument: how far data was matched, and the reference prices. */
  private readonly markets = new InstrumentMap<VenueMarket>();
  private readonly fills: VenueFill[] = [];
  private readonly retainFinishedMs: number | undefined;
  /** Fills and finished orders added since history was last pruned. */
  private historySincePrune = 0;

  constructor(options: SimulatedVenueOptions) {
    const issues: ConfigIssue[] = [];
    const participation = options.fillModel?.maxVolumeParticipation ?? 0.1;
    if (!(participation > 0) || !Number.isFinite(participation)) {
      issues.push({ path: 'fillModel.maxVolumeParticipation', received: String(participation), expected: 'a number above 0 (0.1 = 10% of each bar\'s volume; 1 or more: no cap)' });
    }
    const limitFillOn = options.limitFillOn ?? 'through';
    if (limitFillOn !== 'through' && limitFillOn !== 'touch') {
      issues.push({ path: 'limitFillOn', received: JSON.stringify(limitFillOn), expected: '"through" or "touch"' });
    }
    const latencyMs = options.latencyMs ?? 0;
    if (!Number.isFinite(latencyMs) || latencyMs < 0) {
      issues.push({ path: 'latencyMs', received: String(latencyMs), expected: 'a number of milliseconds, 0 or more' });
    }
    for (const [asset, value] of Object.entries(options.balances)) {
      const amount = isDecimal(value) ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? new Decimal(value.trim()) : undefined;
      if (amount === undefined || !amount.isFinite() || amount.isNegative()) {
        issues.push({ path: `balances.${asset}`, received: JSON.stringify(isDecimal(value) ? value.toString() : value), expected: 'a decimal amount of 0 or more, such as "1000.50"' });
      } else {
        this.assets.set(asset, { total: amount, held: ZERO });
      }
    }
    const retainFinishedMs = options.retainFinishedMs;
    if (retainFinishedMs !== undefined && !(retainFinishedMs >= 0)) {
      issues.push({ path: 'retainFinishedMs', received: String(retainFinishedMs), expected: 'a number of milliseconds, 0 or more (leave it out to keep every finished order and fill)' });
    }
    let ids: VenueIdGenerator | undefined;
    try {
      ids = new VenueIdGenerator(options.idPrefix ?? '');
    } catch {
      issues.push({ path: 'idPrefix', received: JSON.stringify(options.idPrefix), expected: 'up to 8 characters A-Z or 0-9' });
    }
    const traded: { time: EpochMs; amount: Decimal }[] = [];
    let index = 0;
    for (const entry of options.tradedVolume ?? []) {
      if (!Number.isFinite(entry.time) || !isDecimal(entry.amount) || !entry.amount.isFinite() || entry.amount.isNegative()) {
        issues.push({ path: `tradedVolume[${index}]`, received: JSON.stringify({ time: entry.time, amount: String(entry.amount) }), expected: 'a time in epoch ms and a Decimal amount of 0 or more' });
      } else {
        traded.push(entry);
      }
      index++;
    }
    if (issues.length > 0 || ids === undefined) throw new ConfigError(issues, 'simulated venue');

    this.instruments = options.instruments;
    this.clock = options.clock;
    this.feeModel = options.feeModel ?? new KrakenSpotFeeModel();
    this.slippageModel = options.slippageModel ?? new FixedBpsSlippage(5);
    this.participation = participation >= 1 ? undefined : new Decimal(participation);
    this.participationNumber = participation;
    this.orderTime = options.orderTime ?? 'clock';
    this.limitFillOn = limitFillOn;
    this.latencyMs = latencyMs;
    this.assetDecimals = options.assetDecimals ?? krakenAssetDecimals;
    this.postOnlyRejectReason = options.postOnlyRejectReason ?? SIMULATED_VENUE_ERRORS.postOnly;
    this.explainInsufficientFunds = options.explainInsufficientFunds === true;
    this.ids = ids;
    this.retainFinishedMs = retainFinishedMs;
    for (const entry of traded) this.volume.add(entry.time, entry.amount);
  }

  // ---------------------------------------------------------------- ExecutionClient

  async connect(sink: ExecutionReportSink): Promise<void> {
    this.sink = sink;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  submit(order: SubmitOrder): void {
    const sink = this.requireSink('submit');
    const now = this.clock.now();
    const reason = this.validate(order);
    if (typeof reason === 'string') {
      sink.onRejected({ clientOrderId: order.clientOrderId, reason, time: now });
      return;
    }
    const { instrument, holdPrice, holdFeeRate, resting } = reason;
    const buy = order.side === 'buy';
    const heldAsset = buy ? instrument.quote : instrument.base;
    const venueOrder: VenueOrder = {
      side: order.side,
      type: order.type,
      price: order.price,
      priceValue: order.price === undefined ? Number.NaN : decimalToNumber(order.price),
      triggerPrice: order.triggerPrice,
      triggerValue: order.triggerPrice === undefined ? Number.NaN : decimalToNumber(order.triggerPrice),
      postOnly: order.postOnly,
      timeInForce: order.timeInForce,
      command: order,
      instrument,
      venueOrderId: venueOrderId(this.ids.nextOrderId()),
      eligibleAt: this.orderTimeOf(order) + this.latencyMs,
      status: 'accepted',
      filled: ZERO,
      resting,
      triggered: false,
      held: ZERO,
      heldAsset,
      holdPrice,
      holdFeeRate,
      updatedAt: now,
    };
    venueOrder.held = this.holdFor(venueOrder, order.quantity);
    const heldBalance = this.asset(heldAsset);
    heldBalance.held = decimalPlus(heldBalance.held, venueOrder.held);
    this.orders.set(order.clientOrderId, venueOrder);
    const list = this.openOrders.get(instrument.id);
    if (list) list.push(venueOrder);
    else this.openOrders.set(instrument.id, [venueOrder]);
    this.listedOrders += 1;
    if (order.timeInForce === 'gtd') this.openGoodTillDate += 1;
    sink.onAccepted({ clientOrderId: order.clientOrderId, venueOrderId: venueOrder.venueOrderId, time: now });
  }

  cancel(command: CancelOrder): void {
    const sink = this.requireSink('cancel');
    const now = this.clock.now();
    const order = this.orders.get(command.clientOrderId);
    const matchesVenueId = command.venueOrderId === undefined || order?.venueOrderId === command.venueOrderId;
    if (!order || !matchesVenueId || !isOpen(order)) {
      sink.onCancelRejected({ clientOrderId: command.clientOrderId, reason: SIMULATED_VENUE_ERRORS.unknownOrder, time: now });
      return;
    }
    this.finish(order, 'canceled', now);
    sink.onCanceled({ clientOrderId: command.clientOrderId, time: now });
  }

  async reconcile(since: EpochMs): Promise<ReconcileReport> {
    const orders: VenueOrderState[] = [];
    for (const order of this.orders.values()) {
      if (isOpen(order) || order.updatedAt >= since) {
        orders.push(Object.freeze({
          clientOrderId: order.command.clientOrderId,
          venueOrderId: order.venueOrderId,
          status: order.status,
          filledQuantity: order.filled,
        }));
      }
    }
    return Object.freeze({
      orders: Object.freeze(orders),
      fills: Object.freeze(this.fills.filter((fill) => fill.time >= since)),
      balances: this.balances(),
    });
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    return this.balances();
  }

  /** Balances now, sorted by asset: `total` and `available` (total minus what open orders hold). */
  balances(): readonly Balance[] {
    return Object.freeze(
      [...this.assets.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([asset, balance]) => Object.freeze({ asset, total: balance.total, available: balance.total.minus(balance.held) })),
    );
  }

  /** The account's traded quote volume over the 30 days up to `at` (what the fee tier is chosen from). */
  thirtyDayVolume(at: EpochMs = this.clock.now()): Decimal {
    return this.volume.total(at);
  }

  // ---------------------------------------------------------------- MarketDataSink

  onBar(bar: Bar): void {
    if (this.closed || this.openGoodTillDate > 0 || (this.listedOrders > 0 && this.hasListedOrders(bar.instrumentId))) {
      this.process(sliceFromBar(bar));
      return;
    }
    // Nothing can fill or expire: note the bar's time and price without building a slice. This is
    // the path of almost every bar of a backtest, so it allocates nothing once the pair is known.
    checkBar(bar);
    const market = this.marketOf(bar.instrumentId);
    if (market === undefined) {
      this.addMarket(bar.instrumentId, bar.openTime + bar.interval).setReference(bar.close, bar.close);
      return;
    }
    if (bar.openTime < market.matchedUntil) return;
    market.matchedUntil = bar.openTime + bar.interval;
    market.setReference(bar.close, bar.close);
  }

  onTrade(trade: Trade): void {
    this.process(sliceFromTrade(trade));
  }

  onQuote(quote: Quote): void {
    this.process(sliceFromQuote(quote));
  }

  /** A book is matched as its top-of-book quote; deeper levels are not walked. */
  onBook(book: BookView): void {
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (!bid || !ask) return;
    this.onQuote({ instrumentId: book.instrumentId, time: book.time, bid: bid.price, bidSize: bid.quantity, ask: ask.price, askSize: ask.quantity });
  }

  // ---------------------------------------------------------------- submission

  /** See `SimulatedVenueOptions.orderTime`. */
  private orderTimeOf(order: SubmitOrder): EpochMs {
    if (this.orderTime === 'clock') return order.createdAt;
    const seen = this.marketOf(order.instrumentId);
    return seen === undefined ? order.createdAt : Math.min(order.createdAt, seen.matchedUntil);
  }

  /** Returns the rejection text, or what acceptance needs. Follows Kraken's validation order (kraken.md §12.4). */
  private validate(order: SubmitOrder): string | { instrument: Instrument; holdPrice: Decimal; holdFeeRate: Decimal; resting: boolean } {
    if (this.orders.has(order.clientOrderId)) return SIMULATED_VENUE_ERRORS.duplicateClientOrderId;
    const instrument = this.instruments(order.instrumentId);
    if (!instrument) return SIMULATED_VENUE_ERRORS.unknownPair;
    if (instrument.status === 'post-only' && !(order.type === 'limit' && order.postOnly)) return SIMULATED_VENUE_ERRORS.postOnlyMarket;
    if (instrument.status === 'limit-only' && order.type !== 'limit') return SIMULATED_VENUE_ERRORS.limitOnlyMarket;

    const buy = order.side === 'buy';
    const isTrigger = order.type === 'stop-loss' || order.type === 'take-profit';
    if (order.type === 'limit' && order.price === undefined) return SIMULATED_VENUE_ERRORS.missingPrice;
    if (isTrigger && order.triggerPrice === undefined) return SIMULATED_VENUE_ERRORS.missingPrice;
    // Kraken's `post` flag is for limit orders only.
    if (order.postOnly && order.type !== 'limit') return SIMULATED_VENUE_ERRORS.postOnly;
    if (order.timeInForce === 'gtd' && (order.expireAt === undefined || order.expireAt <= order.createdAt)) {
      return SIMULATED_VENUE_ERRORS.missingExpireTime;
    }

    const reference = this.marketOf(instrument.id);
    const referencePrice = reference === undefined || !reference.hasReference ? undefined : decimalFromNumber(buy ? reference.buy : reference.sell);
    const orderPrice = order.type === 'limit' ? order.price : isTrigger ? order.triggerPrice : undefined;
    const violation = checkOrderRules(instrument, { quantity: order.quantity, price: orderPrice, referencePrice });
    if (violation) return violation.message;

    // A limit order crossing the last known price would take liquidity when it arrives.
    let resting = false;
    if (order.type === 'limit' && referencePrice !== undefined) {
      const limit = order.price!;
      const crosses = buy ? decimalAtLeast(limit, referencePrice) : decimalAtMost(limit, referencePrice);
      if (crosses && order.postOnly) return this.postOnlyRejectReason;
      resting = !crosses;
    }
    if (order.timeInForce === 'ioc') resting = false;

    const holdFeeRate = this.feeModel.rate(instrument, 'taker', this.volume.total(this.clock.now()));
    let holdPrice = ZERO;
    /** Which price `holdPrice` is, for the insufficient-funds figures. */
    let holdPriceName = 'limit';
    if (buy) {
      if (order.type === 'limit') {
        holdPrice = order.price!;
      } else {
        // Market and trigger buys: the price they may pay is the last price (or the trigger, if a
        // trigger buy fires above it) moved by the slippage the model would apply.
        const firesAtTrigger = order.type !== 'market' && (referencePrice === undefined || decimalAtLeast(order.triggerPrice!, referencePrice));
        const base = firesAtTrigger ? order.triggerPrice! : referencePrice;
        if (base === undefined) return SIMULATED_VENUE_ERRORS.noMarket;
        const slip = this.slippageModel.fraction({ instrument, side: 'buy', orderType: order.type, quantity: order.quantity, price: base });
        holdPrice = decimalTimes(base, decimalPlus(ONE, slip));
        holdPriceName = `${firesAtTrigger ? 'trigger price' : 'last price'}${slip.isZero() ? '' : ' with slippage'}`;
      }
    }
    const need = buy ? this.buyHold(instrument, order.quantity, holdPrice, holdFeeRate) : order.quantity;
    const heldAsset = buy ? instrument.quote : instrument.base;
    if (decimalLessThan(this.available(heldAsset), need)) {
      if (!this.explainInsufficientFunds) return SIMULATED_VENUE_ERRORS.insufficientFunds;
      const reserve = decimalMinus(need, decimalTimes(order.quantity, holdPrice));
      const parts = buy ? ` (${decimalString(order.quantity)} ${instrument.base} × ${decimalString(holdPrice)} ${holdPriceName} + ${decimalString(reserve)} ${heldAsset} fee reserve)` : '';
      const held = this.assets.get(heldAsset)?.held ?? ZERO;
      return `${SIMULATED_VENUE_ERRORS.insufficientFunds}: needs ${decimalString(need)} ${heldAsset}${parts}, ${decimalString(this.available(heldAsset))} ${heldAsset} available (${decimalString(held)} held by open orders)`;
    }
    return { instrument, holdPrice, holdFeeRate, resting };
  }

  /** quantity × price plus the taker fee on it, rounded up so the hold always covers the fee charged. */
  private buyHold(instrument: Instrument, quantity: Decimal, price: Decimal, feeRate: Decimal): Decimal {
    const cost = decimalTimes(quantity, price);
    return decimalPlus(cost, decimalToPlaces(decimalTimes(cost, feeRate), this.assetDecimals(instrument.quote), Decimal.ROUND_UP));
  }

  private holdFor(order: VenueOrder, quantity: Decimal): Decimal {
    return order.command.side === 'buy' ? this.buyHold(order.instrument, quantity, order.holdPrice, order.holdFeeRate) : quantity;
  }

  // ---------------------------------------------------------------- matching

  private process(slice: MarketSlice): void {
    if (this.closed) return;
    if (this.openGoodTillDate > 0) this.expireOrders(slice);

    const instrumentId = slice.instrumentId;
    let market = this.marketOf(instrumentId);
    // A trade stamped with the same millisecond as the previous one is new data; a bar must start
    // at or after the end of the last bar.
    const overlaps = market !== undefined && slice.time < market.matchedUntil;
    if (overlaps) return;
    if (market === undefined) market = this.addMarket(instrumentId, slice.endTime);
    else market.matchedUntil = slice.endTime;
    const open = this.openOrders.get(instrumentId);
    // A copy: reports may make the engine submit or cancel orders while this loop runs.
    if (open && open.length > 0) for (const order of [...open]) this.matchOne(order, slice);
    market.setReference(slice.lastBuyPrice, slice.lastSellPrice);
    this.dropClosed(instrumentId);
  }

  /**
   * Good-till-date orders expire before data that ends after their expiry is matched. A bar that
   * straddles the expiry counts as after it: where in the bar the fill would have happened is
   * unknown, so the order is not given prices that may be later than its life. The report carries
   * the data's time, when the venue found out.
   */
  private expireOrders(slice: MarketSlice): void {
    const time = slice.time;
    for (const [instrumentId, list] of this.openOrders) {
      for (const order of [...list]) {
        const expireAt = order.command.expireAt;
        if (isOpen(order) && order.command.timeInForce === 'gtd' && expireAt !== undefined && slice.endTime > expireAt) {
          this.finish(order, 'expired', time);
          this.requireSink('expire').onExpired({ clientOrderId: order.command.clientOrderId, time });
        }
      }
      this.dropClosed(instrumentId);
    }
  }

  private matchOne(order: VenueOrder, slice: MarketSlice): void {
    if (!isOpen(order) || !isAfterOrder(slice, order.eligibleAt)) return;
    const command = order.command;
    const buy = command.side === 'buy';
    const outcome: MatchOutcome = matchOrder(order, buy ? slice.buyPath : slice.sellPath, this.limitFillOn);
    if (outcome.kind === 'post-only-would-take') {
      this.cancelWithReason(order, this.postOnlyRejectReason, slice.time);
      return;
    }
    order.resting = outcome.resting;
    order.triggered = outcome.triggered;
    if (outcome.kind === 'fill') this.fill(order, outcome.price, outcome.liquidity, outcome.limitPrice, slice);
    const isTrigger = command.type === 'stop-loss' || command.type === 'take-profit';
    // Immediate-or-cancel: whatever did not trade on the first data it met (for trigger orders,
    // the data that fired them) is canceled.
    if (command.timeInForce === 'ioc' && isOpen(order) && (!isTrigger || order.triggered)) {
      this.cancelWithReason(order, SIMULATED_VENUE_ERRORS.immediateOrCancel, slice.time);
    }
  }

  private fill(order: VenueOrder, basePrice: Decimal, liquidity: Liquidity, limitPrice: Decimal | undefined, slice: MarketSlice): void {
    const { instrument, command } = order;
    const buy = command.side === 'buy';
    const remaining = decimalMinus(command.quantity, order.filled);
    let quantity = remaining;
    const cap = this.volumeCap(instrument, slice, buy, remaining);
    if (cap !== undefined) quantity = roundQuantity(instrument, minDecimal(quantity, cap));
    if (quantity.isZero()) return;

    let price = basePrice;
    if (liquidity === 'taker') {
      const slip = this.slippageModel.fraction({ instrument, side: command.side, orderType: command.type, quantity, price: basePrice });
      price = roundPrice(instrument, decimalTimes(basePrice, buy ? decimalPlus(ONE, slip) : decimalMinus(ONE, slip)), buy ? 'up' : 'down');
      if (limitPrice !== undefined) price = buy ? minDecimal(price, limitPrice) : maxDecimal(price, limitPrice);
    }
    if (!price.isFinite() || decimalAtMost(price, ZERO)) {
      throw new InvariantError(`simulated venue: fill price for ${command.clientOrderId} is ${price.toString()}, expected above 0 (check the slippage model)`);
    }

    const quote = instrument.quote;
    const decimals = this.assetDecimals(quote);
    const rate = this.feeModel.rate(instrument, liquidity, this.volume.total(slice.time));

    /** Set when the order is short of funds: the text of the cancel that ends it. */
    let shortOfFunds: string | undefined;
    let fee = feeOf(quantity, price, rate, decimals);
    let cost = decimalTimes(quantity, price);
    let release: Decimal | undefined;
    if (buy) {
      const free = this.available(quote);
      release = minDecimal(order.held, this.holdFor(order, quantity));
      if (decimalGreaterThan(decimalPlus(cost, fee), decimalPlus(free, release))) {
        // The price moved beyond what the order holds (a market order carrying on over several
        // bars, a fee tier that lapsed) and free funds cannot make up the difference: trade what
        // the order's whole hold and the free funds pay for, and cancel the rest.
        const budget = free.plus(order.held);
        shortOfFunds = this.shortOfFundsReason(order, remaining, price, rate, budget, free);
        quantity = roundQuantity(instrument, minDecimal(quantity, budget.dividedBy(price.times(ONE.plus(rate)))));
        while (quantity.isPositive() && decimalGreaterThan(quantity.times(price).plus(feeOf(quantity, price, rate, decimals)), budget)) quantity = quantity.minus(instrument.quantityIncrement);
        if (!quantity.isPositive()) {
          this.cancelWithReason(order, shortOfFunds, slice.time);
          return;
        }
        cost = decimalTimes(quantity, price);
        fee = feeOf(quantity, price, rate, decimals);
        // Short of funds the order is about to end, so its whole hold goes now and available never dips below zero.
        release = order.held;
      }
    }
    release ??= minDecimal(order.held, this.holdFor(order, quantity));
    order.held = decimalMinus(order.held, release);
    const heldBalance = this.asset(order.heldAsset);
    heldBalance.held = decimalMinus(heldBalance.held, release);
    const baseBalance = this.asset(instrument.base);
    const quoteBalance = this.asset(quote);
    if (buy) {
      quoteBalance.total = decimalMinus(decimalMinus(quoteBalance.total, cost), fee);
      baseBalance.total = decimalPlus(baseBalance.total, quantity);
    } else {
      baseBalance.total = decimalMinus(baseBalance.total, quantity);
      quoteBalance.total = decimalMinus(decimalPlus(quoteBalance.total, cost), fee);
    }
    this.volume.add(slice.time, cost);

    order.filled = decimalPlus(order.filled, quantity);
    order.updatedAt = slice.time;
    const complete = decimalAtLeast(order.filled, command.quantity);
    if (complete) this.finish(order, 'filled', slice.time);
    else order.status = 'partially-filled';

    const venueFill: VenueFill = Object.freeze({
      tradeId: tradeId(this.ids.nextTradeId()),
      clientOrderId: command.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrumentId: instrument.id,
      side: command.side,
      quantity,
      price,
      fee,
      feeAsset: quote,
      liquidity,
      time: slice.time,
    });
    this.fills.push(venueFill);
    this.notePastHistory();
    this.requireSink('fill').onFilled(venueFill);
    if (shortOfFunds !== undefined && isOpen(order)) this.cancelWithReason(order, shortOfFunds, slice.time);
  }

  /**
   * The cancel text of a buy that met a price its hold and the free funds cannot pay: with
   * `explainInsufficientFunds`, what the rest of the order needs at this fill's price (fee as it
   * would be charged) against what the order holds plus the free funds.
   */
  private shortOfFundsReason(order: VenueOrder, remaining: Decimal, price: Decimal, rate: Decimal, budget: Decimal, free: Decimal): string {
    if (!this.explainInsufficientFunds) return SIMULATED_VENUE_ERRORS.insufficientFunds;
    const { base, quote } = order.instrument;
    const fee = feeOf(remaining, price, rate, this.assetDecimals(quote));
    const needs = decimalPlus(decimalTimes(remaining, price), fee);
    return `${SIMULATED_VENUE_ERRORS.insufficientFunds}: needs ${decimalString(needs)} ${quote} (${decimalString(remaining)} ${base} remaining × ${decimalString(price)} fill price + ${decimalString(fee)} ${quote} fee), ` +
      `${decimalString(budget)} ${quote} available (${decimalString(order.held)} held by this order, ${decimalString(free)} free)`;
  }

  /** Most an order may take from this slice, rounded down to the lot; undefined: no cap. */
  private volumeCap(instrument: Instrument, slice: MarketSlice, buy: boolean, remaining: Decimal): Decimal | undefined {
    if (this.participation === undefined) return undefined;
    const volumeNumber = buy ? slice.buyVolume : slice.sellVolume;
    const capNumber = slice.kind === 'quote' ? volumeNumber : volumeNumber * this.participationNumber;
    // Most fills are far below the cap: decide that with numbers and skip two Decimal conversions.
    // The margin covers the number's rounding error, so a fill near the cap still takes the exact path.
    if (capNumber > decimalToNumber(remaining) * (1 + 1e-9) + 1e-12) return undefined;
    const volume = decimalFromNumber(volumeNumber);
    return roundQuantity(instrument, slice.kind === 'quote' ? volume : decimalTimes(volume, this.participation));
  }

  // ---------------------------------------------------------------- bookkeeping

  private cancelWithReason(order: VenueOrder, reason: string, time: EpochMs): void {
    this.finish(order, 'canceled', time);
    this.requireSink('cancel').onCanceled({ clientOrderId: order.command.clientOrderId, time, reason });
  }

  /** Ends an order: releases what it still holds. */
  private finish(order: VenueOrder, status: 'filled' | 'canceled' | 'expired', time: EpochMs): void {
    const balance = this.asset(order.heldAsset);
    balance.held = decimalMinus(balance.held, order.held);
    order.held = ZERO;
    order.status = status;
    order.updatedAt = time;
    if (order.command.timeInForce === 'gtd') this.openGoodTillDate -= 1;
    this.notePastHistory();
  }

  /** With `retainFinishedMs`, drops what fell out of the window, every so many additions. */
  private notePastHistory(): void {
    if (this.retainFinishedMs === undefined || ++this.historySincePrune < PRUNE_HISTORY_EVERY) return;
    this.historySincePrune = 0;
    const horizon = this.clock.now() - this.retainFinishedMs;
    let stale = 0;
    while (stale < this.fills.length && this.fills[stale]!.time < horizon) stale++;
    if (stale > 0) this.fills.splice(0, stale);
    for (const [id, order] of this.orders) if (!isOpen(order) && order.updatedAt < horizon) this.orders.delete(id);
  }

  private dropClosed(instrumentId: InstrumentId): void {
    const list = this.openOrders.get(instrumentId);
    if (list && list.some((order) => !isOpen(order))) {
      const open = list.filter(isOpen);
      this.listedOrders -= list.length - open.length;
      this.openOrders.set(instrumentId, open);
    }
  }

  private hasListedOrders(instrumentId: InstrumentId): boolean {
    const list = this.openOrders.get(instrumentId);
    return list !== undefined && list.length > 0;
  }

  private marketOf(instrumentId: InstrumentId): VenueMarket | undefined {
    return this.markets.get(instrumentId);
  }

  private addMarket(instrumentId: InstrumentId, matchedUntil: EpochMs): VenueMarket {
    const market = new VenueMarket(matchedUntil);
    this.markets.set(instrumentId, market);
    return market;
  }

  private asset(asset: string): AssetBalance {
    let balance = this.assets.get(asset);
    if (!balance) {
      balance = { total: ZERO, held: ZERO };
      this.assets.set(asset, balance);
    }
    return balance;
  }

  private available(asset: string): Decimal {
    const balance = this.assets.get(asset);
    return balance ? decimalMinus(balance.total, balance.held) : ZERO;
  }

  private requireSink(action: string): ExecutionReportSink {
    if (this.closed) throw new InvariantError(`simulated venue: ${action} after close()`);
    if (!this.sink) throw new InvariantError(`simulated venue: ${action} before connect(sink)`);
    return this.sink;
  }
}

function isOpen(order: VenueOrder): boolean {
  return order.status === 'accepted' || order.status === 'partially-filled';
}

/** Fills and finished orders between two prunings of a venue's history (`retainFinishedMs`). */
const PRUNE_HISTORY_EVERY = 256;

/**
 * The fee of trading `amount` at `price`, rounded half-up to the quote asset's places. A function
 * rather than a closure made per fill: the bundle wraps every named closure to keep its name.
 */
function feeOf(amount: Decimal, price: Decimal, rate: Decimal, decimals: number): Decimal {
  return decimalToPlaces(decimalTimes(decimalTimes(amount, price), rate), decimals, Decimal.ROUND_HALF_UP);
}
