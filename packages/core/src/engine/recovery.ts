import type { ExecutionClient } from '../exchange/exchange.js';
import type { DecimalLike } from '../model/decimal.js';
import type { JournaledEvent, TradingState } from '../model/events.js';
import { splitInstrumentId, type InstrumentId, type TradeId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { EpochMs } from '../model/time.js';
import type { Recovered } from '../persistence/store.js';
import { Portfolio } from '../portfolio/portfolio.js';
import type { RiskEngineState } from '../risk/risk-engine.js';
import { parseEngineState } from './engine-state.js';
import { OrderManager } from './order-manager.js';

/** What start-up recovery found, for the session log and status lines. */
export interface RecoverySummary {
  /** Sequence of the snapshot recovery started from; undefined when there was none. */
  readonly snapshotSequence: number | undefined;
  /** Journaled events replayed after the snapshot. */
  readonly eventsReplayed: number;
  /** Fills among them. */
  readonly fillsReplayed: number;
  /** Sequence of the last journaled event; new events continue after it. */
  readonly lastSequence: number;
  readonly openOrders: number;
  readonly openPositions: number;
}

/**
 * The engine's state rebuilt from a store: hand it to `new Engine({ recovered })`. Made by
 * `recoverEngineState`; the order manager and portfolio are new objects the engine takes over.
 */
export interface RecoveredEngineState {
  readonly orders: OrderManager;
  readonly portfolio: Portfolio;
  readonly tradingState: TradingState;
  /** The reason journaled with the last trading-state change after the snapshot, if there was one. */
  readonly tradingStateReason: string | undefined;
  /** Highest order counter seen; the engine numbers new client order ids after it. */
  readonly orderCounter: number;
  readonly lastSequence: number;
  /** The events replayed after the snapshot, in order (risk policies observe them again). */
  readonly replayed: readonly JournaledEvent[];
  /** Learner states of the snapshot, by learner id (empty without a snapshot). */
  readonly learners: ReadonlyMap<string, unknown>;
  /**
   * The risk engine's state in the snapshot (undefined without one, or in one written before it
   * was kept); the engine restores it before the replayed events are observed again.
   */
  readonly risk: RiskEngineState | undefined;
  /** What each strategy kept (`ctx.state`): the snapshot's, then every change journaled after it. */
  readonly strategyStates: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  readonly summary: RecoverySummary;
}

export interface RecoverEngineStateOptions {
  /** Base and quote of an instrument, for applying replayed fills; default: split the id. */
  readonly instruments?: (id: InstrumentId) => Pick<Instrument, 'base' | 'quote'> | undefined;
  /**
   * Balances to start from when the store holds no snapshot (a journal written without
   * snapshots): replayed fills are applied on top of them. Ignored when there is a snapshot.
   */
  readonly startBalances?: Readonly<Record<string, DecimalLike>>;
}

const TRAILING_NUMBER = /(\d+)$/;

/** Whether a store holds anything to recover. */
export function hasRecoverableState(recovered: Recovered): boolean {
  return recovered.snapshot !== undefined || recovered.events.length > 0;
}

/**
 * Start-up recovery, the pure part: the latest snapshot, then every journaled event after it
 * applied in order. Orders take the state their last event recorded; fills move the portfolio
 * exactly as they did when they happened, each trade id once; the trading state is the last one
 * journaled. Position events are derived from fills and need no replay.
 */
export function recoverEngineState(recovered: Recovered, options: RecoverEngineStateOptions = {}): RecoveredEngineState {
  const orders = new OrderManager();
  let portfolio: Portfolio;
  let tradingState: TradingState = 'active';
  let tradingStateReason: string | undefined;
  let orderCounter = 0;
  let learners: ReadonlyMap<string, unknown> = new Map();
  let risk: RiskEngineState | undefined;
  const strategyStates = new Map<string, Map<string, unknown>>();
  const snapshot = recovered.snapshot;
  if (snapshot !== undefined) {
    const state = parseEngineState(snapshot.state, `snapshot at sequence ${snapshot.sequence}`);
    portfolio = Portfolio.fromJSON(state.portfolio, `snapshot at sequence ${snapshot.sequence}: portfolio`);
    tradingState = state.tradingState;
    orderCounter = state.orderCounter;
    learners = state.learners;
    risk = state.risk;
    for (const [id, values] of state.strategyStates) strategyStates.set(id, new Map(values));
    for (const restored of state.orders) orders.restore(restored.order, { tradeIds: restored.tradeIds, statusBeforeCancel: restored.statusBeforeCancel });
  } else {
    portfolio = new Portfolio(options.startBalances ?? {});
  }
  const split = (id: InstrumentId) => options.instruments?.(id) ?? splitInstrumentId(id);
  let fillsReplayed = 0;
  let lastSequence = snapshot?.sequence ?? 0;
  for (const event of recovered.events) {
    lastSequence = event.sequence;
    switch (event.type) {
      case 'order-submitted':
      case 'order-denied':
        orderCounter = Math.max(orderCounter, counterOf(event.clientOrderId));
        orders.restore(event.order);
        break;
      case 'order-filled': {
        // Applied once per trade id, whatever the journal holds.
        if (!orders.hasSeenTrade(event.fill.tradeId)) {
          portfolio.applyFill(event.fill, split(event.fill.instrumentId));
          fillsReplayed++;
        }
        orders.noteTrade(event.clientOrderId, event.fill.tradeId);
        orders.restore(event.order);
        break;
      }
      case 'order-accepted':
      case 'order-rejected':
      case 'order-cancel-requested':
      case 'order-cancel-rejected':
      case 'order-canceled':
      case 'order-expired':
        orders.restore(event.order);
        break;
      case 'trading-state-changed':
        tradingState = event.to;
        tradingStateReason = event.reason;
        break;
      case 'strategy-state-changed': {
        let values = strategyStates.get(event.strategyId);
        if (values === undefined) strategyStates.set(event.strategyId, (values = new Map()));
        if (event.value === undefined) values.delete(event.key);
        else values.set(event.key, event.value);
        break;
      }
      default:
        // position-*, engine-started, engine-stopped: derived or informational.
        break;
    }
  }
  // Round trips closed before the restart belong to earlier sessions' reports.
  portfolio.clearRoundTrips();
  return {
    orders,
    portfolio,
    tradingState,
    tradingStateReason,
    orderCounter,
    lastSequence,
    replayed: recovered.events,
    learners,
    risk,
    strategyStates,
    summary: Object.freeze({
      snapshotSequence: snapshot?.sequence,
      eventsReplayed: recovered.events.length,
      fillsReplayed,
      lastSequence,
      openOrders: orders.openCount(),
      openPositions: portfolio.openPositions().length,
    }),
  };
}

/** The number at the end of an engine-made client order id (`<prefix><counter>`); 0 when there is none. */
function counterOf(id: string): number {
  const match = TRAILING_NUMBER.exec(id);
  if (match === null) return 0;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? value : 0;
}

/**
 * An execution client that can take over orders placed before a restart: it then reports their
 * fills (except the trade ids given, which the engine already counted) and their end. Kraken's
 * client is one; call `adopt` before `connect`.
 */
export interface OrderAdoptingClient {
  adopt(order: Order, known: { readonly tradeIds: readonly TradeId[] }): void;
}

export function canAdoptOrders(client: ExecutionClient): client is ExecutionClient & OrderAdoptingClient {
  return typeof (client as Partial<OrderAdoptingClient>).adopt === 'function';
}

/** An order sent, or a cancel asked for, shortly before a restart: what a venue's rate counter still holds. */
export interface OrderEntryActivity {
  readonly time: EpochMs;
  readonly instrumentId: InstrumentId;
  readonly kind: 'placed' | 'cancel-requested';
  /** When the order was created: a cancel costs more the younger the order (Kraken). */
  readonly orderCreatedAt: EpochMs;
}

/**
 * An execution client whose venue counts order entry over time (Kraken's per-pair trading counter,
 * which decays over about a minute): told at start what the journal holds of the last minutes, it
 * does not start from an empty counter that the venue's is not, and does not send into a limit.
 */
export interface OrderEntryPrimingClient {
  primeOrderEntry(activity: readonly OrderEntryActivity[]): void;
}

export function canPrimeOrderEntry(client: ExecutionClient): client is ExecutionClient & OrderEntryPrimingClient {
  return typeof (client as Partial<OrderEntryPrimingClient>).primeOrderEntry === 'function';
}

/** How far back the order entry the journal holds is handed to the execution client at start. */
export const ORDER_ENTRY_PRIMING_WINDOW_MS = 5 * 60_000;
/** At most this many journaled events are read back for it: a bot's last few minutes. */
const ORDER_ENTRY_PRIMING_EVENTS = 5_000;

/**
 * The order entry of the `windowMs` before `now`, oldest first, from the journal's last events
 * (a store that cannot read its journal back gives nothing).
 */
export function recentOrderEntry(
  journal: ((afterSequence: number) => Iterable<JournaledEvent>) | undefined, lastSequence: number, now: EpochMs, windowMs = ORDER_ENTRY_PRIMING_WINDOW_MS,
): OrderEntryActivity[] {
  if (journal === undefined) return [];
  const activity: OrderEntryActivity[] = [];
  for (const event of journal(Math.max(0, lastSequence - ORDER_ENTRY_PRIMING_EVENTS))) {
    if (event.time < now - windowMs) continue;
    if (event.type === 'order-submitted') activity.push({ time: event.time, instrumentId: event.instrumentId, kind: 'placed', orderCreatedAt: event.order.createdAt });
    else if (event.type === 'order-cancel-requested') activity.push({ time: event.time, instrumentId: event.instrumentId, kind: 'cancel-requested', orderCreatedAt: event.order.createdAt });
  }
  return activity.sort((a, b) => a.time - b.time);
}
