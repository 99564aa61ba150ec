import type { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import type { ClientOrderId, InstrumentId, VenueOrderId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Bar, BookHealth, BookView, Quote, Subscription, Trade } from '../model/market-data.js';
import type { CancelOrder, OrderSide, OrderStatus, SubmitOrder } from '../model/order.js';
import type { Balance } from '../model/position.js';
import type { EpochMs } from '../model/time.js';

/** Knows the venue's instruments and their order rules. */
export interface InstrumentProvider {
  /** Loads (or reloads) instruments from the venue. */
  load(): Promise<readonly Instrument[]>;
  get(id: InstrumentId): Instrument | undefined;
  list(): readonly Instrument[];
}

/** Receives market data. Called synchronously, in data order. */
export interface MarketDataSink {
  onBar(bar: Bar): void;
  onTrade(trade: Trade): void;
  onQuote(quote: Quote): void;
  onBook(book: BookView): void;
  /**
   * A venue-kept book was dropped or verified again (see BookHealth). Optional: a sink without it
   * ignores book health, and a client whose books need no checking never calls it.
   */
  onBookHealth?(health: BookHealth): void;
}

export interface MarketDataClient {
  /** Starts delivering the subscribed data to the sink. */
  subscribe(subscriptions: readonly Subscription[], sink: MarketDataSink): Promise<void>;
  unsubscribe(subscriptions: readonly Subscription[]): Promise<void>;
  close(): Promise<void>;
  /**
   * Up to `count` of the latest closed bars of an instrument and interval, oldest first: the
   * history a session warms its strategies on (`Subscription.warmUpBars`). Fewer when the venue
   * keeps fewer (Kraken: 719) or had intervals without trades (which make no bar). A venue that
   * keeps no history leaves it out, and its strategies start cold.
   */
  recentBars?(instrumentId: InstrumentId, interval: number, count: number): Promise<readonly Bar[]>;
}

/** A fill as the venue reports it; the engine adds the strategy that owns the order. */
export type VenueFill = Omit<Fill, 'strategyId'>;

/** How an execution client reports what happened to orders. Every call may arrive late or twice. */
export interface ExecutionReportSink {
  onAccepted(report: { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId; time: EpochMs }): void;
  onRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void;
  onFilled(fill: VenueFill): void;
  onCanceled(report: { clientOrderId: ClientOrderId; time: EpochMs; reason?: string }): void;
  onCancelRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void;
  onExpired(report: { clientOrderId: ClientOrderId; time: EpochMs }): void;
}

/** The venue's view of one order, as returned by reconciliation. */
export interface VenueOrderState {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly status: OrderStatus;
  readonly filledQuantity: Decimal;
}

export interface ReconcileReport {
  readonly orders: readonly VenueOrderState[];
  readonly fills: readonly VenueFill[];
  readonly balances: readonly Balance[];
}

export interface ExecutionClient {
  connect(sink: ExecutionReportSink): Promise<void>;
  /**
   * Sends an order that the engine has already rounded and checked. Returns at once; the result
   * arrives through the sink (synchronously for simulated venues).
   */
  submit(order: SubmitOrder): void;
  cancel(command: CancelOrder): void;
  /** The venue's current truth: open and recently closed orders, recent fills, balances. */
  reconcile(since: EpochMs): Promise<ReconcileReport>;
  fetchBalances(): Promise<readonly Balance[]>;
  close(): Promise<void>;
  /**
   * The venue's order-entry budget on an instrument now (Kraken: the per-pair trading counter);
   * undefined when the venue sets no such limit or this client does not model it (simulated
   * venues). Strategies read it as `ctx.orders.budget(instrumentId)`.
   */
  orderEntryBudget?(instrumentId: InstrumentId): OrderEntryBudget | undefined;
  /**
   * Stops sending, for good: a stopping session calls it once it has waited for the venue's
   * answers. Orders and cancels still waiting their turn (Kraken: for the trading counter) are
   * not sent but reported through the sink at once, an order as rejected and a cancel as cancel
   * rejected, each giving `reason`; later submits and cancels are refused the same way. Requests
   * already sent still report their answers. Clients that send at once need not implement it.
   */
  stopOrderEntry?(reason: string): void;
  /**
   * Open orders on the venue account that this client does not track: placed by hand, by another
   * bot or process with the same key, or before the bot's journal was reset. kbot never touches
   * them; `kbot status` lists them. Clients that cannot tell need not implement it.
   */
  untrackedOrders?(): readonly UntrackedOrder[];
}

/** An open order on the venue account that the bot's journal does not hold (`ExecutionClient.untrackedOrders`). */
export interface UntrackedOrder {
  /** The venue's order id (Kraken's txid). */
  readonly venueOrderId: string;
  /** The client order id the venue holds for it (Kraken's `cl_ord_id`), when it has one. */
  readonly venueClientOrderId: string | undefined;
  /** Undefined when the venue's pair is not among the loaded instruments. */
  readonly instrumentId: InstrumentId | undefined;
  readonly side: OrderSide | undefined;
  readonly quantity: Decimal | undefined;
  /** Executed so far, as the venue last reported it; undefined when it did not say. */
  readonly filledQuantity: Decimal | undefined;
  /** Undefined when the venue's report did not give it. */
  readonly limitPrice: Decimal | undefined;
  /** When the client first saw it open (its clock). */
  readonly firstSeen: EpochMs;
}

/**
 * What a venue still lets a bot send on one instrument, in the venue's own units (Kraken: points
 * under the per-pair trading counter's threshold, after the client's safety headroom and the work
 * it has queued). Sending more than `remaining` is not refused by kbot: the client waits until the
 * counter has decayed enough, so an order or cancel sent on an empty budget leaves late.
 */
export interface OrderEntryBudget {
  readonly remaining: number;
  /** What one new order spends (Kraken: 1). */
  readonly submitCost: number;
  /**
   * What cancelling an open order now would spend (Kraken: 8 under 5 s old, down to 0 after 300 s).
   * Without an id (or for an order the venue does not hold yet): what cancelling an order placed
   * now would cost, its dearest; what a strategy keeps free to be able to pull a new order.
   */
  cancelCost(clientOrderId?: ClientOrderId): number;
}

/**
 * A venue that decides fills from market data (the simulated venue). The engine hands it each
 * piece of market data before strategies see it, so an order placed on bar N can only fill on
 * data that arrives after it: bar N+1 at the earliest.
 */
export interface MarketDrivenVenue extends ExecutionClient, MarketDataSink {
  readonly marketDriven: true;
}

export function isMarketDrivenVenue(client: ExecutionClient): client is MarketDrivenVenue {
  return (client as Partial<MarketDrivenVenue>).marketDriven === true;
}

/** One venue: its instruments, its market data and its order execution. */
export interface Exchange {
  readonly id: string;
  readonly instruments: InstrumentProvider;
  readonly data: MarketDataClient;
  readonly execution: ExecutionClient;
}
