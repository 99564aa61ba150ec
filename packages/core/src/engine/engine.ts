import { EventBus, type ListenerCounter } from '../bus/event-bus.js';
import { TestClock, type Clock } from '../clock/clock.js';
import { InvariantError, isKbotError } from '../errors/errors.js';
import type { ExecutionClient, ExecutionReportSink, InstrumentProvider, MarketDataSink, OrderEntryBudget, UntrackedOrder, VenueFill } from '../exchange/exchange.js';
import { isMarketDrivenVenue } from '../exchange/exchange.js';
import type { Learner } from '../learning/learner.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { Decimal, ZERO, toDecimal, type DecimalLike } from '../model/decimal.js';
import { decimalFromNumber, decimalMinus, decimalPlus } from '../model/decimal-arithmetic.js';
import type { DenialCode, JournaledEvent, KbotEvent, OrderEvent, StrategyStateValue, TradingState } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import { clientOrderId, strategyId as toStrategyId, type ClientOrderId, type InstrumentId, type StrategyId, type VenueOrderId } from '../model/ids.js';
import { checkOrderRules, explainOrderRuleViolation, roundPrice, roundQuantity, type Instrument } from '../model/instrument.js';
import type { Bar, BookHealth, BookView, Quote, Trade } from '../model/market-data.js';
import { isOrderOpen, type Order, type OrderIntent, type SubmitOrder } from '../model/order.js';
import type { Balance, Position } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import type { Store } from '../persistence/store.js';
import { StrategyStateStore } from './strategy-state.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { RiskEngine, type RiskEngineState } from '../risk/risk-engine.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import type { PortfolioView, Strategy, StrategyContext } from '../strategy/strategy.js';
import { asInstrumentId, MarketCache } from './market-cache.js';
import { ENGINE_STATE_FORMAT, orderToJson, type EngineStateJson } from './engine-state.js';
import { OrderManager, orderHold } from './order-manager.js';
import { canAdoptOrders, canPrimeOrderEntry, recentOrderEntry, type RecoveredEngineState, type RecoverySummary } from './recovery.js';
import { createStrategyContext } from './strategy-context.js';
import { OrderRiskView } from './order-risk-view.js';

export type EngineMode = 'backtest' | 'paper' | 'live';

export interface EngineStrategy {
  readonly id: string;
  readonly strategy: Strategy<any>;
  readonly params: unknown;
}

export interface EngineOptions {
  readonly mode: EngineMode;
  readonly clock: Clock;
  readonly instruments: InstrumentProvider;
  readonly execution: ExecutionClient;
  readonly store: Store;
  readonly strategies: readonly EngineStrategy[];
  /** The asset equity and P&L are measured in (e.g. `USD`). */
  readonly quoteAsset: string;
  /** What the account holds at start (backtest and paper); live fetches it from the venue. */
  readonly startBalances?: Readonly<Record<string, DecimalLike>>;
  readonly riskPolicies?: readonly RiskPolicy[];
  readonly learners?: readonly Learner[];
  readonly logger?: Logger;
  readonly bus?: EventBus;
  /** Prefix of client order ids; ids are `<prefix><counter>`, so a run is reproducible. */
  readonly orderIdPrefix?: string;
  /**
   * State rebuilt from the store (`recoverEngineState(store.load())`): the engine continues from
   * it, and `startBalances` is ignored. At `start()` its open orders are handed to the execution
   * client (`adopt`) so their fills and ends are reported, or canceled when the venue is an
   * in-process simulation that did not survive the restart.
   */
  readonly recovered?: RecoveredEngineState;
  /**
   * Without `recovered`: the risk policies' state and the trading state to start from, as an
   * earlier run's `risk.snapshot()` held them (`where` names it in errors). A parity replay of a
   * resumed session starts from the day's loss, drawdown peak and trading state it carried.
   */
  readonly riskState?: { readonly state: RiskEngineState; readonly where: string };
  /**
   * Writes a snapshot of the engine's state to the store every this many journaled events, at
   * `start()` (before anything is journaled, so recovery knows the starting balances) and at
   * `stop()`. 0 (default) writes none: backtests do not pay for recovery.
   */
  readonly snapshotEvery?: number;
  /** How long finished orders stay in snapshots after their last change; default 24 hours. */
  readonly snapshotRetainFinishedMs?: number;
  /**
   * At most this many finished orders stay in snapshots: the most recently finished (a few more
   * when several finished in the same millisecond); default 1,000. Whichever of this and
   * `snapshotRetainFinishedMs` keeps fewer applies. A snapshot is written every `snapshotEvery`
   * events, so without this bound a bot placing tens of thousands of orders a day would write
   * all of them again every few hundred orders (measured: 54 ms a snapshot holding 40,000
   * orders, in memory; more to SQLite). Open orders and the entry orders of open positions are
   * always kept.
   */
  readonly snapshotRetainFinishedOrders?: number;
  /**
   * Where the history of finished orders and closed round trips lives.
   * - `memory` (default): the engine keeps all of it (`orders.all()`, `portfolio.roundTrips()`),
   *   which is what a backtest's report reads.
   * - `journal`: the store's journal is the history (`Store.journal`). After each snapshot the
   *   engine lets go of the finished orders the snapshot left out and of the closed round trips,
   *   so a bot that runs for weeks holds what a restart would recover, not every order it ever
   *   made. Needs snapshots (`snapshotEvery` > 0) and a store that can read its journal back.
   */
  readonly history?: 'memory' | 'journal';
}

/** How balances are compared with a venue's report. */
export interface BalanceComparison {
  /** Decimal places the venue reports an asset's balance to; differences below one unit of the last are ignored. */
  readonly decimals?: (asset: string) => number;
}

/** A balance on which the engine and the venue disagree. */
export interface BalanceDifference {
  readonly asset: string;
  readonly engine: Decimal;
  readonly venue: Decimal;
}

const DAY_MS = 86_400_000;
const DEFAULT_RETAINED_FINISHED_ORDERS = 1000;
/** At most one snapshot a minute for what risk policies learn between journaled events. */
const RISK_SNAPSHOT_INTERVAL_MS = 60_000;
const ORDER_TYPES: ReadonlySet<string> = new Set(['market', 'limit', 'stop-loss', 'take-profit']);
/** Reason on recovered orders canceled because the in-process simulated venue did not survive the restart. */
export const SIMULATED_VENUE_RESTART_REASON = 'the simulated venue restarted: resting orders do not survive a restart';

interface StrategyRuntime {
  readonly id: StrategyId;
  readonly strategy: Strategy<unknown>;
  readonly context: StrategyContext<unknown>;
}

type AnyReport = () => void;

/**
 * The one engine that backtest, paper and live share. Everything happens in one synchronous
 * loop: market data in, strategy handlers, risk, the order lifecycle, fills, portfolio, learners.
 * Work that a handler causes (an order a strategy submits, a fill a simulated venue reports) is
 * queued and runs after the current step, so every handler sees one event at a time, in order.
 * Every state-changing event is journaled to the store before it is published.
 */
export class Engine implements MarketDataSink, ExecutionReportSink {
  readonly mode: EngineMode;
  readonly bus: EventBus;
  readonly portfolio: Portfolio;
  readonly orders: OrderManager;
  readonly risk: RiskEngine;
  /** What start-up recovery found; undefined when the engine started from nothing. */
  readonly recovery: RecoverySummary | undefined;
  readonly market = new MarketCache();
  readonly clock: Clock;
  private readonly dataClock: TestClock | undefined;
  readonly quoteAsset: string;

  private readonly instruments: InstrumentProvider;
  private readonly execution: ExecutionClient;
  private readonly venueFeed: MarketDataSink | undefined;
  private readonly store: Store;
  private readonly learners: readonly Learner[];
  private readonly log: Logger;
  private readonly runtimes: StrategyRuntime[] = [];
  /** The ids of `runtimes`: who counts as a strategy of this bot in the pair rule (one lookup, no closure per order). */
  private readonly registeredStrategies = new Set<string>();
  private readonly barRoutes = new Map<InstrumentId, Map<number, StrategyRuntime[]>>();
  private readonly tradeRoutes = new Map<InstrumentId, StrategyRuntime[]>();
  private readonly quoteRoutes = new Map<InstrumentId, StrategyRuntime[]>();
  private readonly bookRoutes = new Map<InstrumentId, StrategyRuntime[]>();
  /** The strategies taking an instrument's order-by-order book (`orders: true`): its BookViews have `orders()`. */
  private readonly orderBookRoutes = new Map<InstrumentId, StrategyRuntime[]>();
  /** The strategies that want a book's health (`onBookHealth`), by `<instrument>|l2` or `<instrument>|l3`. */
  private readonly bookHealthRoutes = new Map<string, StrategyRuntime[]>();
  private readonly queue: AnyReport[] = [];
  private queueHead = 0;
  private draining = false;
  private sequence = 0;
  private orderCounter = 0;
  private readonly orderIdPrefix: string;
  private started = false;
  private readonly denialCounts = new Map<string, number>();
  private readonly recovered: RecoveredEngineState | undefined;
  private readonly snapshotEvery: number;
  private readonly snapshotRetainFinishedMs: number;
  private readonly snapshotRetainFinishedOrders: number;
  private readonly history: 'memory' | 'journal';
  private snapshotSequence = -1;

  constructor(options: EngineOptions) {
    this.mode = options.mode;
    this.clock = options.clock;
    // In a backtest the data moves the clock; live and paper read the wall clock.
    this.dataClock = options.mode === 'backtest' && options.clock instanceof TestClock ? options.clock : undefined;
    this.instruments = options.instruments;
    this.execution = options.execution;
    this.venueFeed = isMarketDrivenVenue(options.execution) ? options.execution : undefined;
    this.store = options.store;
    this.learners = options.learners ?? [];
    this.log = options.logger ?? silentLogger;
    this.bus = options.bus ?? new EventBus();
    this.quoteAsset = options.quoteAsset;
    const snapshotEvery = options.snapshotEvery ?? 0;
    if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 0) {
      throw new InvariantError(`snapshotEvery: received ${String(options.snapshotEvery)}, expected a whole number of 0 or more (0: no snapshots)`);
    }
    this.snapshotEvery = snapshotEvery;
    this.snapshotRetainFinishedMs = options.snapshotRetainFinishedMs ?? DAY_MS;
    const retainOrders = options.snapshotRetainFinishedOrders ?? DEFAULT_RETAINED_FINISHED_ORDERS;
    if (!Number.isSafeInteger(retainOrders) || retainOrders < 0) {
      throw new InvariantError(`snapshotRetainFinishedOrders: received ${String(options.snapshotRetainFinishedOrders)}, expected a whole number of 0 or more`);
    }
    this.snapshotRetainFinishedOrders = retainOrders;
    this.history = options.history ?? 'memory';
    if (this.history === 'journal' && (snapshotEvery === 0 || options.store.journal === undefined)) {
      throw new InvariantError(`history: received 'journal', expected snapshots (snapshotEvery > 0, received ${snapshotEvery}) and a store that reads its journal back (Store.journal${options.store.journal === undefined ? ', which this store lacks' : ''})`);
    }
    const recovered = options.recovered;
    this.recovered = recovered;
    this.recovery = recovered?.summary;
    this.orders = recovered?.orders ?? new OrderManager({ tradeIdsPerOrder: options.mode !== 'backtest' || snapshotEvery > 0 });
    this.isolateStrategies = options.mode !== 'backtest';
    this.portfolio = recovered?.portfolio ?? new Portfolio(options.startBalances ?? {});
    this.refreshHoldings();
    this.openingBalances = this.balanceTotals();
    this.risk = new RiskEngine(options.riskPolicies ?? []);
    if (recovered === undefined && options.riskState !== undefined) this.risk.restore(options.riskState.state, options.riskState.where);
    if (recovered !== undefined) {
      this.sequence = recovered.lastSequence;
      this.orderCounter = recovered.orderCounter;
      // Resumed right at a snapshot (after a clean stop): the store has this state already.
      if (recovered.summary.snapshotSequence === recovered.lastSequence) this.snapshotSequence = recovered.lastSequence;
      // Policies take back what they had learned at the snapshot (a day's loss, a drawdown peak,
      // each strategy's holdings: a restart writes a snapshot at once, so without this every
      // restart would reset them), and the breakers' requests with them (so a breaker tripped
      // before the restart releases itself after it, where the journal's state alone would
      // become an operator's floor). Then they learn from the events journaled after it; their
      // requests were journaled back then as trading-state-changed events, so here they move the
      // state without journaling it again.
      if (recovered.risk !== undefined) {
        const restoredPolicies = this.risk.restore(recovered.risk, `snapshot at sequence ${recovered.summary.snapshotSequence ?? 0}`);
        if (restoredPolicies.length > 0) this.log.info('risk policies restored from the snapshot', { policies: restoredPolicies.join(', ') });
      }
      for (const event of recovered.replayed) this.risk.observe(event);
      if (this.risk.state !== recovered.tradingState) this.risk.setState(recovered.tradingState, recovered.tradingStateReason ?? 'the trading state the journal held at the restart');
      // Learners go on from their state in the snapshot, which is written whenever one learns
      // (below), so no trade outcome of the journal is missing from it.
      for (const learner of this.learners) {
        if (recovered.learners.has(learner.id)) learner.restore(recovered.learners.get(learner.id));
      }
      for (const [id, values] of recovered.strategyStates) {
        this.strategyStates.set(id, new StrategyStateStore(values, `recovered state of strategy "${id}"`));
      }
    }
    // A breaker's request for a new trading state goes through the engine, so it is journaled.
    this.risk.onStateRequest((to, reason) => this.setTradingState(to, reason));
    this.orderIdPrefix = options.orderIdPrefix ?? 'kb-';
    const ids = new Set<string>();
    for (const entry of options.strategies) {
      if (ids.has(entry.id)) throw new InvariantError(`two strategies share the id "${entry.id}"; give each an id`);
      ids.add(entry.id);
      this.addStrategy(entry);
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Connects the venue and starts the strategies. After a recovery this is where the engine meets
   * the venue again: open orders are adopted by the execution client before it connects, so what
   * happened to them while the bot was down (fills, cancels) arrives as the usual reports during
   * `connect`, and is journaled like any other; cancels that were requested but may not have left
   * the process are sent again.
   */
  async start(): Promise<void> {
    if (this.started) throw new InvariantError('engine already started');
    this.started = true;
    this.stopHandlersRan = false;
    const recovered = this.recovered;
    const open = recovered === undefined ? [] : this.orders.openOrders();
    const simulatedVenue = this.venueFeed !== undefined;
    // What the journal holds of the last minutes' order entry: the venue's rate counter still does.
    if (recovered !== undefined && !simulatedVenue && canPrimeOrderEntry(this.execution)) {
      this.execution.primeOrderEntry(recentOrderEntry(this.store.journal?.bind(this.store), recovered.lastSequence, this.clock.now()));
    }
    if (open.length > 0 && !simulatedVenue) {
      if (canAdoptOrders(this.execution)) {
        for (const order of open) this.execution.adopt(order, { tradeIds: this.orders.tradeIds(order.clientOrderId) });
      } else {
        this.log.warn('the execution client cannot adopt orders placed before the restart; their fills will not be reported', { openOrders: open.length });
      }
    }
    if (this.snapshotEvery > 0) this.takeSnapshot();
    await this.execution.connect(this);
    if (open.length > 0) {
      this.enqueue(() => {
        const now = this.clock.now();
        for (const order of this.orders.openOrders()) {
          if (simulatedVenue) {
            this.onCanceled({ clientOrderId: order.clientOrderId, time: now, reason: SIMULATED_VENUE_RESTART_REASON });
          } else if (order.status === 'pending-cancel') {
            // The cancel was journaled before the restart; whether it reached the venue is unknown.
            this.execution.cancel({ clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId, instrumentId: order.instrumentId, requestedAt: now });
          }
        }
      });
    }
    this.emit({ type: 'engine-started', time: this.clock.now(), sequence: 0, mode: this.mode });
    this.enqueue(() => {
      for (const runtime of this.runtimes) this.runHandler(runtime, 'onStart', () => runtime.strategy.onStart?.(runtime.context));
      // What start-up reconciled (fills and cancels while the bot was down) reaches the
      // strategies now, after their onStart, which is where they set up the state it updates.
      const early = this.eventsBeforeStart;
      this.eventsBeforeStart = undefined;
      for (const event of early ?? []) this.deliverOrderEvent(event);
    });
  }

  /** Order events emitted before the strategies' onStart ran (start-up reconciliation); undefined once they have. */
  private eventsBeforeStart: OrderEvent[] | undefined = [];

  private stopHandlersRan = false;

  /**
   * Runs the strategies' `onStop` (once: `stop()` runs it when this has not). A live session calls
   * it before it waits for the venue's answers, so orders and cancels a strategy sends as it stops
   * are answered and journaled before the engine stops.
   */
  runStopHandlers(): void {
    if (!this.started || this.stopHandlersRan) return;
    this.stopHandlersRan = true;
    this.enqueue(() => {
      for (const runtime of this.runtimes) this.runHandler(runtime, 'onStop', () => runtime.strategy.onStop?.(runtime.context));
    });
  }

  async stop(reason = 'stopped'): Promise<void> {
    if (!this.started) return;
    if (this.failure !== undefined) {
      // Nothing more can be journaled (not even engine-stopped): the journal ends at the last good step.
      this.started = false;
      return;
    }
    this.runStopHandlers();
    this.emit({ type: 'engine-stopped', time: this.clock.now(), sequence: 0, reason });
    this.started = false;
    if (this.snapshotEvery > 0) this.takeSnapshot();
  }

  // ---- snapshots and balances (recovery) ------------------------------------------------------

  /** The engine's state as a snapshot holds it: plain JSON, money as strings (see `EngineStateJson`). */
  snapshotState(): EngineStateJson {
    const portfolio = this.portfolio.toJSON();
    return this.stateWith(portfolio, this.snapshotKeeps(portfolio));
  }

  private stateWith(portfolio: ReturnType<Portfolio['toJSON']>, kept: (order: Order) => boolean): EngineStateJson {
    const orders = this.orders
      .all()
      .filter(kept)
      .map((order) => orderToJson(order, this.orders.tradeIds(order.clientOrderId), this.orders.statusBeforeCancelOf(order.clientOrderId)));
    return {
      format: ENGINE_STATE_FORMAT,
      orderCounter: this.orderCounter,
      orderIdPrefix: this.orderIdPrefix,
      tradingState: this.risk.state,
      orders,
      portfolio,
      learners: this.learners.map((learner) => ({ id: learner.id, state: learner.snapshot() })),
      risk: this.risk.snapshot(),
      strategies: [...this.strategyStates].filter(([, store]) => store.size > 0).map(([id, store]) => ({ id, state: store.toJSON() })),
    };
  }

  // ---- what strategies keep across restarts (ctx.state) ------------------------------------------

  private readonly strategyStates = new Map<string, StrategyStateStore>();

  /** A value strategy `strategyId` kept (`ctx.state.get`): frozen plain JSON, or undefined. */
  strategyState(strategyId: string, key: string): StrategyStateValue | undefined {
    return this.strategyStates.get(strategyId)?.get(key);
  }

  /** The keys strategy `strategyId` keeps values under. */
  strategyStateKeys(strategyId: string): string[] {
    return this.strategyStates.get(strategyId)?.keys() ?? [];
  }

  /**
   * Keeps a value for strategy `strategyId` across restarts (`ctx.state.set`; undefined deletes).
   * A change is journaled at once, in the step that made it, so a kill after the step's commit
   * loses nothing; setting the value already kept journals nothing.
   */
  setStrategyState(strategyId: string, key: string, value: unknown): void {
    this.assertNotFailed('ctx.state.set');
    let store = this.strategyStates.get(strategyId);
    if (store === undefined) this.strategyStates.set(strategyId, (store = new StrategyStateStore()));
    const change = store.set(key, value, `strategy "${strategyId}" ctx.state.set`);
    if (change === 'unchanged') return;
    this.step(() => {
      this.emit({ type: 'strategy-state-changed', time: this.clock.now(), sequence: 0, strategyId: toStrategyId(strategyId), key, value: change.value });
    });
  }

  /**
   * The orders a snapshot holds: open orders, the entry orders of open positions (a round trip
   * in progress names them) and the most recent finished orders (`snapshotRetainFinishedMs`,
   * `snapshotRetainFinishedOrders`), so a late or repeated report about them is still recognized.
   */
  private snapshotKeeps(portfolio: ReturnType<Portfolio['toJSON']>): (order: Order) => boolean {
    const entryOrders = new Set<string>();
    for (const position of Object.values(portfolio.positions)) {
      if (position.trip.entryOrderId !== null) entryOrders.add(position.trip.entryOrderId);
    }
    const horizon = Math.max(this.clock.now() - this.snapshotRetainFinishedMs, this.finishedOrdersCutoff());
    return (order) => isOrderOpen(order.status) || order.updatedAt >= horizon || entryOrders.has(order.clientOrderId);
  }

  /**
   * The finish time from which the `snapshotRetainFinishedOrders` most recent finished orders
   * are kept (-Infinity when there are not more than that many). Orders that finished in the same
   * millisecond as the last one kept are kept with it, so the bound can be passed by those.
   */
  private finishedOrdersCutoff(): number {
    const limit = this.snapshotRetainFinishedOrders;
    const finishedTimes: number[] = [];
    for (const order of this.orders.all()) if (!isOrderOpen(order.status)) finishedTimes.push(order.updatedAt);
    if (finishedTimes.length <= limit) return -Infinity;
    if (limit === 0) return Infinity;
    const times = Float64Array.from(finishedTimes).sort();
    return times[times.length - limit]!;
  }

  /** Writes a snapshot at the current journal sequence (once per sequence). */
  takeSnapshot(): void {
    const riskRevision = this.risk.countsRevisions ? this.risk.stateRevision() : 0;
    if (this.snapshotSequence === this.sequence && riskRevision === this.snapshotRiskRevision) return;
    const portfolio = this.portfolio.toJSON();
    const kept = this.snapshotKeeps(portfolio);
    this.store.snapshot({ sequence: this.sequence, time: this.clock.now(), state: this.stateWith(portfolio, kept) });
    this.snapshotSequence = this.sequence;
    this.snapshotRiskRevision = riskRevision;
    this.snapshotTakenAt = this.clock.now();
    if (this.history === 'journal') {
      // Memory now holds what a restart from this snapshot would: the rest is in the journal.
      this.orders.forget(kept);
      this.portfolio.clearRoundTrips();
    }
  }

  /** Sequence of the last journaled event (0 before the first). */
  get journalSequence(): number {
    return this.sequence;
  }

  /**
   * Balances on which the portfolio and `venue` disagree (an asset missing on one side counts as
   * zero). With `decimals`, the places the venue reports an asset's balance to, a difference
   * smaller than one unit in the last of them is the venue's rounding, not a difference: fills
   * are exact, a venue's balance report need not be.
   */
  balanceDifferences(venue: readonly Balance[], options: BalanceComparison = {}): BalanceDifference[] {
    const venueTotals = new Map(venue.map((balance) => [balance.asset, balance.total]));
    const assets = new Set([...this.portfolio.assets(), ...venueTotals.keys()]);
    const differences: BalanceDifference[] = [];
    for (const asset of [...assets].sort()) {
      const engine = this.portfolio.balanceTotal(asset);
      const venueTotal = venueTotals.get(asset) ?? ZERO;
      if (engine.equals(venueTotal)) continue;
      const places = options.decimals?.(asset);
      if (places !== undefined && engine.minus(venueTotal).abs().lessThan(new Decimal(10).pow(-places))) continue;
      differences.push(Object.freeze({ asset, engine, venue: venueTotal }));
    }
    return differences;
  }

  /**
   * Takes the venue's balances where they differ from the portfolio's (deposits, withdrawals,
   * trading the bot did not do) and, with snapshots on, writes a snapshot at once so a restart
   * starts from them. Returns what changed; the caller logs it.
   */
  adoptVenueBalances(venue: readonly Balance[], options: BalanceComparison = {}): BalanceDifference[] {
    const differences = this.balanceDifferences(venue, options);
    if (differences.length === 0) return differences;
    for (const difference of differences) this.portfolio.setBalance(difference.asset, difference.venue);
    this.refreshHoldings();
    // Taken before any price arrived (a restart's reconciliation), they are what the session starts with.
    if (!this.market.hasAnyPrice()) this.openingBalances = this.balanceTotals();
    if (this.snapshotEvery > 0) {
      this.snapshotSequence = -1;
      this.takeSnapshot();
    }
    return differences;
  }

  /** Every subscription of every strategy, for the market-data client. */
  subscriptions() {
    return this.runtimes.flatMap((runtime) => runtime.strategy.subscriptions(runtime.context.params));
  }

  strategyIds(): string[] {
    return this.runtimes.map((runtime) => runtime.id);
  }

  denials(): ReadonlyMap<string, number> {
    return this.denialCounts;
  }

  // ---- warm-up -------------------------------------------------------------------------------

  private warmingUpNow = false;

  /** True while `warmUp` hands history to the strategies (`StrategyContext.warmingUp`). */
  get warmingUp(): boolean {
    return this.warmingUpNow;
  }

  /**
   * Hands closed bars of history to the strategies subscribed to them, in the order they closed,
   * before a session's live data: their indicators are ready when trading starts
   * (`Subscription.warmUpBars`). Only the strategies see these bars: not the venue (a paper order
   * must not fill on an old bar), not the market cache (its prices are the live market's), not
   * the bus. Orders submitted meanwhile are denied with `warming-up`. Call after `start()`.
   */
  warmUp(bars: readonly Bar[]): void {
    this.assertNotFailed('warmUp');
    const ordered = [...bars].sort((a, b) => a.openTime + a.interval - (b.openTime + b.interval));
    this.warmingUpNow = true;
    try {
      for (const bar of ordered) {
        const runtimes = this.barRuntimes(bar.instrumentId, bar.interval);
        if (runtimes) this.step(() => this.handleAll('onBar', runtimes, bar));
        if (this.failure !== undefined) return;
        let byInterval = (this.warmedThrough ??= new Map()).get(bar.instrumentId);
        if (byInterval === undefined) this.warmedThrough.set(bar.instrumentId, (byInterval = new Map()));
        byInterval.set(bar.interval, Math.max(byInterval.get(bar.interval) ?? Number.NEGATIVE_INFINITY, bar.openTime));
      }
    } finally {
      this.warmingUpNow = false;
    }
  }

  /**
   * Per instrument and interval, the open time of the last bar the warm-up handed over; cleared
   * series by series as live bars pass it. A live feed may deliver a bar the history already
   * held (an interval that ended between the history's fetch and the subscription): handing it
   * over twice would count it twice in every indicator.
   */
  private warmedThrough: Map<InstrumentId, Map<number, number>> | undefined;

  /** True for a live bar the warm-up already handed over (it is skipped whole). */
  private warmedOn(bar: Bar): boolean {
    const byInterval = this.warmedThrough!.get(bar.instrumentId);
    const through = byInterval?.get(bar.interval);
    if (through === undefined) return false;
    if (bar.openTime <= through) {
      this.log.debug('live bar skipped: the warm-up handed it to the strategies already', { instrumentId: bar.instrumentId, interval: bar.interval, openTime: bar.openTime });
      return true;
    }
    byInterval!.delete(bar.interval);
    if (byInterval!.size === 0) this.warmedThrough!.delete(bar.instrumentId);
    if (this.warmedThrough!.size === 0) this.warmedThrough = undefined;
    return false;
  }

  // ---- market data (hot path: numbers only, no allocation unless something happens) -------------

  onBar(bar: Bar): void {
    if (this.store.batch !== undefined && !this.inStep) return this.step(() => this.onBar(bar));
    if (this.warmedThrough !== undefined && this.warmedOn(bar)) return;
    this.advanceClock(bar.openTime);
    // The venue sees the bar first: orders placed before it may fill on it; orders placed on it cannot.
    // Reports the venue makes while matching are queued and run after it, not inside its loop.
    if (this.venueFeed) this.handle('onBar', this.venueFeed, bar);
    this.advanceClock(bar.openTime + bar.interval);
    this.market.onBar(bar);
    // Breakers that follow equity between orders (max drawdown) see it at every close.
    if (this.risk.followsEquity) {
      this.risk.observeEquity(this.equityNumber(), this.clock.now());
      // A new peak is kept at once: no event may come for hours (the venue's reports are drained).
      if (this.snapshotEvery > 0 && this.started && this.riskLearnedSinceSnapshot()) this.takeSnapshot();
    }
    const runtimes = this.barRuntimes(bar.instrumentId, bar.interval);
    // Orders submitted in a handler are processed after it returns: a handler is never re-entered.
    if (runtimes) this.handleAll('onBar', runtimes, bar);
    const listeners = this.barListeners ?? (this.barListeners = this.bus.listenerCounter('bar-closed'));
    if (listeners.count > 0) this.bus.publish({ type: 'bar-closed', time: this.clock.now(), sequence: 0, bar });
  }

  onTrade(trade: Trade): void {
    if (this.store.batch !== undefined && !this.inStep) return this.step(() => this.onTrade(trade));
    this.advanceClock(trade.time);
    if (this.venueFeed) this.handle('onTrade', this.venueFeed, trade);
    this.market.onTrade(trade);
    const runtimes = this.tradeRoutes.get(trade.instrumentId);
    if (runtimes) this.handleAll('onTrade', runtimes, trade);
    const listeners = this.tradeListeners ?? (this.tradeListeners = this.bus.listenerCounter('trade-received'));
    if (listeners.count > 0) this.bus.publish({ type: 'trade-received', time: this.clock.now(), sequence: 0, trade });
  }

  onQuote(quote: Quote): void {
    if (this.store.batch !== undefined && !this.inStep) return this.step(() => this.onQuote(quote));
    this.advanceClock(quote.time);
    if (this.venueFeed) this.handle('onQuote', this.venueFeed, quote);
    this.market.onQuote(quote);
    const runtimes = this.quoteRoutes.get(quote.instrumentId);
    if (runtimes) this.handleAll('onQuote', runtimes, quote);
    const listeners = this.quoteListeners ?? (this.quoteListeners = this.bus.listenerCounter('quote-received'));
    if (listeners.count > 0) this.bus.publish({ type: 'quote-received', time: this.clock.now(), sequence: 0, quote });
  }

  onBook(book: BookView): void {
    if (this.store.batch !== undefined && !this.inStep) return this.step(() => this.onBook(book));
    this.advanceClock(book.time);
    if (this.venueFeed) this.handle('onBook', this.venueFeed, book);
    this.market.onBook(book);
    // A book listing its orders goes to the strategies that asked for orders, any other to the rest.
    const runtimes = (book.orders === undefined ? this.bookRoutes : this.orderBookRoutes).get(book.instrumentId);
    if (runtimes) this.handleAll('onBook', runtimes, book);
  }

  /**
   * A venue-kept book was dropped or verified again (BookHealth). The risk policies see it first
   * (a breaker may trip, or orders on the instrument wait for a verified book), then the
   * strategies taking books of the instrument that have `onBookHealth`, then the bus. The clock
   * does not move: the report's time is the client's wall clock, not the data's.
   */
  onBookHealth(health: BookHealth): void {
    if (this.store.batch !== undefined && !this.inStep) return this.step(() => this.onBookHealth(health));
    this.risk.observeBookHealth(health, this.clock.now());
    const runtimes = this.bookHealthRoutes.get(`${health.instrumentId}|${health.book ?? 'l2'}`);
    if (runtimes) this.handleAll('onBookHealth', runtimes, health);
    this.bus.publish({ type: 'book-health-reported', time: this.clock.now(), sequence: 0, health });
  }

  /*
   * Listener counts of the market-data events, read per tick instead of a lookup by type (taken
   * from the bus on first use; the bus keeps them current as listeners come and go).
   */
  private barListeners: ListenerCounter | undefined = undefined;
  private tradeListeners: ListenerCounter | undefined = undefined;
  private quoteListeners: ListenerCounter | undefined = undefined;

  // The bar route found last: bars of one instrument and interval come in a row (a backtest of one
  // pair never changes them), and routes are fixed once the strategies are added.
  private lastBarInstrument: InstrumentId | undefined = undefined;
  private lastBarInterval = Number.NaN;
  private lastBarRuntimes: readonly StrategyRuntime[] | undefined = undefined;

  /** The strategies subscribed to bars of this instrument and interval (undefined: none). */
  private barRuntimes(instrumentId: InstrumentId, interval: number): readonly StrategyRuntime[] | undefined {
    if (instrumentId === this.lastBarInstrument && interval === this.lastBarInterval) return this.lastBarRuntimes;
    const runtimes = this.barRoutes.get(instrumentId)?.get(interval);
    this.lastBarInstrument = instrumentId;
    this.lastBarInterval = interval;
    this.lastBarRuntimes = runtimes;
    return runtimes;
  }

  /** Account value in the quote asset as a number, positions at the last price (equity curve). */
  equityNumber(): number {
    let equity = this.quoteNumber;
    const holdings = this.holdings;
    for (let index = 0; index < holdings.length; index++) {
      const holding = holdings[index]!;
      const price = this.market.lastPrice(holding.instrumentId);
      if (price !== undefined) equity += holding.amount * price;
    }
    return equity;
  }

  /** True when the account holds any asset other than the quote asset. */
  hasExposure(): boolean {
    return this.exposed;
  }

  /*
   * Number mirrors of the balances for the per-bar equity sample, rebuilt only when a fill moves
   * a balance, so sampling equity every bar allocates nothing and looks up one price per holding.
   */
  private quoteNumber = 0;
  private holdings: readonly { readonly instrumentId: InstrumentId; readonly amount: number }[] = [];
  private exposed = false;

  private refreshHoldings(): void {
    this.quoteNumber = this.portfolio.balanceNumber(this.quoteAsset);
    this.holdings = this.portfolio
      .assets()
      .filter((asset) => asset !== this.quoteAsset && this.portfolio.balanceNumber(asset) !== 0)
      .map((asset) => ({ instrumentId: `${asset}/${this.quoteAsset}` as InstrumentId, amount: this.portfolio.balanceNumber(asset) }));
    this.exposed = this.holdings.some((holding) => holding.amount > 0);
  }

  /** Account value in the quote asset, exact, positions at `markPrices` (or the last price). */
  equity(markPrices: ReadonlyMap<string, Decimal> = this.markPrices()): Decimal {
    return this.valueInQuote(this.balanceTotals(), (pair) => markPrices.get(pair));
  }

  /** `balances` in the quote asset: each other asset at `priceOf` its `<asset>/<quote>` pair, left out without one. */
  private valueInQuote(balances: ReadonlyMap<string, Decimal>, priceOf: (pair: string) => Decimal | undefined): Decimal {
    let value = balances.get(this.quoteAsset) ?? ZERO;
    for (const [asset, amount] of balances) {
      if (asset === this.quoteAsset || amount.isZero()) continue;
      const price = priceOf(`${asset}/${this.quoteAsset}`);
      if (price !== undefined) value = value.plus(amount.times(price));
    }
    return value;
  }

  /**
   * What the account was worth when the engine began, in the quote asset: the balances it started
   * with (or adopted from the venue before any price arrived), each other asset valued at the
   * first price seen for its pair (a bar's open, a trade, a quote's mid). `equity()` before any
   * price would leave held assets out, and a run that starts holding BTC would count all of it as
   * profit. An asset with no price in the run is left out, as `equity()` leaves it out.
   */
  openingEquity(): Decimal {
    return this.valueInQuote(this.openingBalances, (pair) => {
      const price = this.market.firstPrice(pair as InstrumentId);
      return price === undefined ? undefined : decimalFromNumber(price);
    });
  }

  /** The starting balances `openingEquity` values. */
  private openingBalances: ReadonlyMap<string, Decimal>;

  /** The balances the engine started with (or adopted from the venue before any price arrived), by asset. */
  openingBalanceTotals(): Record<string, Decimal> {
    return Object.fromEntries(this.openingBalances);
  }

  private balanceTotals(): ReadonlyMap<string, Decimal> {
    return new Map(this.portfolio.assets().map((asset) => [asset, this.portfolio.balanceTotal(asset)]));
  }

  /** Last price of each instrument seen, as Decimal (for valuing positions in reports). */
  markPrices(): Map<string, Decimal> {
    const prices = new Map<string, Decimal>();
    for (const instrument of this.instruments.list()) {
      const price = this.market.lastPrice(instrument.id);
      if (price !== undefined) prices.set(instrument.id, decimalFromNumber(price));
    }
    return prices;
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Accepts an intent now and processes it in turn; the id is valid even if risk denies it. */
  submit(strategy: string, intent: OrderIntent): ClientOrderId {
    this.assertNotFailed('submit');
    const id = clientOrderId(`${this.orderIdPrefix}${++this.orderCounter}`);
    this.enqueue(() => this.processSubmit(toStrategyId(strategy), id, intent));
    return id;
  }

  cancel(id: ClientOrderId): void {
    this.assertNotFailed('cancel');
    this.enqueue(() => this.processCancel(id));
  }

  cancelAll(filter: { strategyId?: string; instrumentId?: InstrumentId } = {}): void {
    this.assertNotFailed('cancelAll');
    this.enqueue(() => {
      for (const order of this.orders.openOrders(filter.instrumentId)) {
        if (filter.strategyId === undefined || order.strategyId === filter.strategyId) this.processCancel(order.clientOrderId);
      }
    });
  }

  /** Moves the trading state (`active`, `reducing`, `halted`) and journals why. */
  setTradingState(to: TradingState, reason: string): void {
    this.enqueue(() => {
      const from = this.risk.state;
      if (this.risk.setState(to, reason)) this.emit({ type: 'trading-state-changed', time: this.clock.now(), sequence: 0, from, to, reason });
    });
  }

  // ---- execution reports (may arrive late, twice, or out of order) -----------------------------

  onAccepted(report: { clientOrderId: ClientOrderId; venueOrderId: VenueOrderId; time: EpochMs }): void {
    this.enqueue(() => {
      if (!this.orders.allows(report.clientOrderId, 'accepted')) return this.ignoreReport('accepted', report.clientOrderId);
      const order = this.orders.transition(report.clientOrderId, 'accepted', report.time, { venueOrderId: report.venueOrderId });
      this.emitOrderEvent({ type: 'order-accepted', time: report.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order });
    });
  }

  onRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void {
    this.enqueue(() => {
      if (!this.orders.allows(report.clientOrderId, 'rejected')) return this.ignoreReport('rejected', report.clientOrderId);
      const order = this.orders.transition(report.clientOrderId, 'rejected', report.time, { reason: report.reason });
      this.emitOrderEvent({ type: 'order-rejected', time: report.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order, reason: report.reason });
    });
  }

  onFilled(venueFill: VenueFill): void {
    this.enqueue(() => this.processFill(venueFill));
  }

  onCanceled(report: { clientOrderId: ClientOrderId; time: EpochMs; reason?: string }): void {
    this.enqueue(() => {
      if (!this.orders.allows(report.clientOrderId, 'canceled')) return this.ignoreReport('canceled', report.clientOrderId);
      const order = this.orders.transition(report.clientOrderId, 'canceled', report.time, report.reason ? { reason: report.reason } : {});
      this.emitOrderEvent({ type: 'order-canceled', time: report.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order });
    });
  }

  onCancelRejected(report: { clientOrderId: ClientOrderId; reason: string; time: EpochMs }): void {
    this.enqueue(() => {
      if (!this.orders.allows(report.clientOrderId, 'cancel-rejected')) return this.ignoreReport('cancel-rejected', report.clientOrderId);
      const order = this.orders.transition(report.clientOrderId, 'cancel-rejected', report.time);
      this.emitOrderEvent({ type: 'order-cancel-rejected', time: report.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order, reason: report.reason });
    });
  }

  onExpired(report: { clientOrderId: ClientOrderId; time: EpochMs }): void {
    this.enqueue(() => {
      if (!this.orders.allows(report.clientOrderId, 'expired')) return this.ignoreReport('expired', report.clientOrderId);
      const order = this.orders.transition(report.clientOrderId, 'expired', report.time);
      this.emitOrderEvent({ type: 'order-expired', time: report.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order });
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  private addStrategy(entry: EngineStrategy): void {
    const id = toStrategyId(entry.id);
    const context = createStrategyContext({
      strategyId: id,
      params: entry.params,
      engine: this,
      instruments: this.instruments,
      learners: this.learners,
      log: this.log.child({ strategy: entry.id }),
    });
    const runtime: StrategyRuntime = { id, strategy: entry.strategy as Strategy<unknown>, context };
    this.runtimes.push(runtime);
    this.registeredStrategies.add(runtime.id);
    for (const subscription of entry.strategy.subscriptions(entry.params)) {
      const instrument = subscription.instrumentId;
      const warmUpBars = subscription.warmUpBars;
      if (warmUpBars !== undefined && (!Number.isSafeInteger(warmUpBars) || warmUpBars < 0 || subscription.kind !== 'bars')) {
        throw new InvariantError(`strategy "${entry.id}" subscription to ${subscription.kind} of ${instrument}: warmUpBars: received ${String(warmUpBars)}, expected ${subscription.kind === 'bars' ? 'a whole number of bars, 0 or more' : 'nothing (only bar subscriptions warm up)'}`);
      }
      if (subscription.kind === 'bars') {
        if (!entry.strategy.onBar) throw new InvariantError(`strategy "${entry.id}" subscribes to bars but has no onBar handler`);
        if (subscription.interval === undefined) throw new InvariantError(`strategy "${entry.id}" subscribes to bars of ${instrument} without an interval`);
        let byInterval = this.barRoutes.get(instrument);
        if (!byInterval) this.barRoutes.set(instrument, (byInterval = new Map()));
        const list = byInterval.get(subscription.interval) ?? [];
        if (!list.includes(runtime)) list.push(runtime);
        byInterval.set(subscription.interval, list);
      } else {
        const [routes, handler] =
          subscription.kind === 'trades' ? [this.tradeRoutes, entry.strategy.onTrade]
          : subscription.kind === 'quotes' ? [this.quoteRoutes, entry.strategy.onQuote]
          : [subscription.orders === true ? this.orderBookRoutes : this.bookRoutes, entry.strategy.onBook];
        if (!handler) throw new InvariantError(`strategy "${entry.id}" subscribes to ${subscription.kind} but has no handler for them`);
        const list = routes.get(instrument) ?? [];
        if (!list.includes(runtime)) list.push(runtime);
        routes.set(instrument, list);
        if (subscription.kind === 'book' && entry.strategy.onBookHealth) {
          const key = `${instrument}|${subscription.orders === true ? 'l3' : 'l2'}`;
          const healthList = this.bookHealthRoutes.get(key) ?? [];
          if (!healthList.includes(runtime)) healthList.push(runtime);
          this.bookHealthRoutes.set(key, healthList);
        }
      }
    }
  }

  private advanceClock(time: EpochMs): void {
    if (this.dataClock !== undefined) this.dataClock.advanceTo(time);
  }

  private enqueue(work: AnyReport): void {
    // After a failure nothing runs again: queued work would only pile up.
    if (this.failure !== undefined) return;
    this.queue.push(work);
    if (!this.draining) this.step(() => this.drain());
  }

  private inStep = false;

  /**
   * One synchronous step of the engine is one store transaction (a durable store commits once per
   * step, not once per event). Stores without batches (in memory) run the step as it is.
   */
  private step(work: () => void): void {
    const store = this.store;
    if (this.inStep) return work();
    // After a failed step the engine's memory is ahead of its journal: it does nothing more.
    if (this.failure !== undefined) return;
    if (store.batch === undefined) {
      work();
      if (this.snapshotEvery > 0) this.snapshotIfDue();
      return;
    }
    this.inStep = true;
    try {
      // The snapshot joins the step's transaction: it is committed with the events it covers.
      store.batch(this.snapshotEvery > 0 ? () => {
        work();
        this.snapshotIfDue();
      } : work);
    } catch (error) {
      this.fail(error);
      throw error;
    } finally {
      this.inStep = false;
    }
  }

  /**
   * Set when a step failed: its store transaction rolled back (a failed commit, a full disk, an
   * engine bug, a backtest strategy's exception), but the orders, portfolio and sequence numbers
   * in memory kept what the step did. Journaling on would leave a gap in the journal, and trading
   * on would act on state the journal does not hold, so the engine halts and ignores everything
   * after: restarting recovers from the journal, and (live) reconciles with the venue.
   */
  private failure: unknown = undefined;
  private readonly failureListeners: ((error: unknown) => void)[] = [];

  /** The error that stopped the engine, or undefined while it runs normally. */
  get failed(): unknown {
    return this.failure;
  }

  /** Calls `listener` once if a step fails (the session stops the bot then). Returns an unsubscribe. */
  onFailure(listener: (error: unknown) => void): () => void {
    this.failureListeners.push(listener);
    return () => {
      const index = this.failureListeners.indexOf(listener);
      if (index >= 0) this.failureListeners.splice(index, 1);
    };
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    // In memory only: the journal can take nothing more. Strategies' orders are refused from here.
    this.risk.setState('halted', 'an engine step failed: restart the bot to recover from its journal');
    this.log.error('an engine step failed and was rolled back from the journal; the engine has halted and ignores everything after it: restart the bot to recover from the journal', {
      error: error instanceof Error ? error.message : String(error),
    });
    for (const listener of [...this.failureListeners]) {
      try {
        listener(error);
      } catch (listenerError) {
        this.log.error('a failure listener threw', { error: String(listenerError) });
      }
    }
  }

  /** Commands after a failure are refused loudly: the caller must not think an order is on its way. */
  private assertNotFailed(what: string): void {
    if (this.failure === undefined) return;
    const cause = this.failure instanceof Error ? this.failure.message : String(this.failure);
    throw new InvariantError(`${what}: the engine halted after a failed step (${cause}); restart the bot to recover from its journal`);
  }

  /**
   * Runs `work`, which feeds the engine many market-data items, as one store transaction instead
   * of one per step: a backtest's group commit. Only backtests may group steps. Nothing a backtest
   * does leaves the process, so an event that waits for its group's commit before it is on disk
   * has still been journaled before anyone outside could act on it; paper and live keep one
   * commit per step, so an event is durable before it is published. If `work` throws, the
   * group's writes roll back with it (the run has failed anyway).
   */
  group<T>(work: () => T): T {
    if (this.mode !== 'backtest') throw new InvariantError(`engine.group: the engine runs in ${this.mode} mode; only backtests commit steps in groups`);
    const store = this.store;
    if (this.inStep || store.batch === undefined) return work();
    this.inStep = true;
    try {
      return store.batch(() => {
        const result = work();
        if (this.snapshotEvery > 0) this.snapshotIfDue();
        return result;
      });
    } catch (error) {
      this.fail(error);
      throw error;
    } finally {
      this.inStep = false;
    }
  }

  /** Between steps the state is whole: a snapshot is taken when enough events were journaled. */
  private snapshotIfDue(): void {
    if (!this.started) return;
    if (this.sequence - Math.max(this.snapshotSequence, 0) >= this.snapshotEvery || this.riskLearnedSinceSnapshot()) this.takeSnapshot();
  }

  /** The risk policies' `stateRevision` the latest snapshot holds. */
  private snapshotRiskRevision = 0;
  /** Clock time of the latest snapshot. */
  private snapshotTakenAt = Number.NEGATIVE_INFINITY;

  /**
   * A policy learned something the journal does not hold (a new equity peak at a bar close) since
   * the latest snapshot, and that snapshot is a minute old or more: without a snapshot now, a
   * crash would lose it (a bot holding through a rally journals nothing for hours).
   */
  private riskLearnedSinceSnapshot(): boolean {
    return this.risk.countsRevisions && this.clock.now() - this.snapshotTakenAt >= RISK_SNAPSHOT_INTERVAL_MS && this.risk.stateRevision() !== this.snapshotRiskRevision;
  }

  /** A live order or cancel is about to leave the process: its journal entries must be on disk first. */
  private commitBeforeVenue(): void {
    if (this.mode === 'live') this.store.flush?.();
  }

  /**
   * Calls a venue's handler with `draining` set, so work it causes (a fill report) is queued
   * rather than run inside it; the outermost handler drains the queue when it returns. A method
   * name and its argument rather than a closure: one tick used to allocate two. Bars, trades,
   * quotes and book updates all go through here and `handleAll`.
   */
  private handle<K extends 'onBar' | 'onTrade' | 'onQuote' | 'onBook'>(method: K, venue: MarketDataSink, item: Parameters<MarketDataSink[K]>[0]): void {
    const outer = !this.draining;
    this.draining = true;
    try {
      (venue[method] as (value: typeof item) => void).call(venue, item);
    } finally {
      if (outer) this.draining = false;
    }
    if (outer) this.drain();
  }

  /** The same for the strategies subscribed to a tick: orders they submit run after all of them. */
  private handleAll<K extends 'onBar' | 'onTrade' | 'onQuote' | 'onBook' | 'onBookHealth'>(method: K, runtimes: readonly StrategyRuntime[], item: Parameters<NonNullable<Strategy<unknown>[K]>>[0]): void {
    const outer = !this.draining;
    this.draining = true;
    try {
      if (this.isolateStrategies) {
        this.handleEachIsolated(method, runtimes, item);
      } else {
        for (let index = 0; index < runtimes.length; index++) {
          const runtime = runtimes[index]!;
          (runtime.strategy[method] as (value: typeof item, context: StrategyContext<unknown>) => void).call(runtime.strategy, item, runtime.context);
        }
      }
    } finally {
      if (outer) this.draining = false;
    }
    if (outer) this.drain();
  }

  /**
   * Paper and live: a strategy handler that throws is logged and skipped, and the step goes on,
   * so the fills and reports of the same step are still journaled and the other strategies still
   * run. A backtest lets the exception fail the run instead: there it is a bug to see at once.
   */
  private readonly isolateStrategies: boolean;

  private handleEachIsolated<K extends 'onBar' | 'onTrade' | 'onQuote' | 'onBook' | 'onBookHealth'>(method: K, runtimes: readonly StrategyRuntime[], item: Parameters<NonNullable<Strategy<unknown>[K]>>[0]): void {
    for (let index = 0; index < runtimes.length; index++) {
      const runtime = runtimes[index]!;
      try {
        (runtime.strategy[method] as (value: typeof item, context: StrategyContext<unknown>) => void).call(runtime.strategy, item, runtime.context);
      } catch (error) {
        this.strategyThrew(runtime, method, error);
      }
    }
  }

  private strategyThrew(runtime: StrategyRuntime, handler: string, error: unknown): void {
    this.strategyErrorCount++;
    this.log.error(`strategy "${runtime.id}" threw in ${handler}; the engine carries on without it for this event`, {
      strategy: runtime.id,
      handler,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }

  private strategyErrorCount = 0;

  /** A strategy's lifecycle handler, isolated as `handleEachIsolated` isolates its data handlers. */
  private runHandler(runtime: StrategyRuntime, handler: string, call: () => void): void {
    if (!this.isolateStrategies) return call();
    try {
      call();
    } catch (error) {
      this.strategyThrew(runtime, handler, error);
    }
  }

  /** Exceptions strategies threw in paper or live mode, logged and skipped. */
  get strategyErrors(): number {
    return this.strategyErrorCount;
  }

  /** Runs queued work until none is left. Re-entrant calls only queue. */
  private drain(): void {
    if (this.draining || this.queueHead === this.queue.length) return;
    this.draining = true;
    try {
      while (this.queueHead < this.queue.length) {
        const work = this.queue[this.queueHead]!;
        this.queue[this.queueHead++] = undefined as unknown as AnyReport;
        work();
      }
    } finally {
      this.queue.length = 0;
      this.queueHead = 0;
      this.draining = false;
    }
  }

  private processSubmit(strategy: StrategyId, id: ClientOrderId, intent: OrderIntent): void {
    const now = this.clock.now();
    let instrumentIdValue: InstrumentId;
    try {
      instrumentIdValue = asInstrumentId(intent.instrumentId);
    } catch (error) {
      return this.denyUnbuilt(strategy, id, intent, now, 'unknown-instrument', (error as Error).message);
    }
    const instrument = this.instruments.get(instrumentIdValue);
    if (!instrument) return this.denyUnbuilt(strategy, id, intent, now, 'unknown-instrument', `instrument ${instrumentIdValue} is not known to the venue`);
    let command: SubmitOrder;
    try {
      command = this.buildCommand(strategy, id, intent, instrument, now);
    } catch (error) {
      if (!isKbotError(error) && !(error instanceof TypeError)) throw error;
      return this.denyUnbuilt(strategy, id, intent, now, 'invalid-order', (error as Error).message);
    }
    const order = this.orders.create(command);
    if (this.warmingUpNow) return this.deny(order, 'warming-up', 'the strategies are warming up on history at start: no order is sent for an old bar', 'warm-up');
    if (this.sharesAccount && this.registeredStrategies.has(strategy)) {
      const holder = this.pairHolder(instrument.id, strategy);
      if (holder !== undefined) {
        return this.deny(order, 'pair-taken', `${instrument.id} is traded by strategy "${holder}" of this bot (${this.positionOwner(instrument.id) === holder ? 'its open position' : 'its open orders'}): strategies of one bot do not share a pair, so none sells what another bought`, 'pair-rule');
      }
    }
    // The last price becomes a Decimal only when something reads it: the cost minimum of an
    // order without a price of its own, or a risk policy (RiskView.lastPrice, made on first read).
    const view = new OrderRiskView(now, this.risk.state, instrument, this.market.lastPrice(instrument.id), this.portfolioViewFor());
    const price = command.type === 'limit' ? command.price : command.triggerPrice;
    const rules = { quantity: command.quantity, price, referencePrice: price === undefined ? view.lastPrice : undefined, type: command.type };
    const violation = checkOrderRules(instrument, rules);
    if (violation) {
      const requested = { quantity: intent.quantity, price: intent.type === 'limit' ? intent.price : intent.triggerPrice };
      return this.deny(order, 'invalid-order', `${violation.code}: ${violation.message} (${explainOrderRuleViolation(violation, instrument, rules, requested)})`, 'order-rules');
    }
    const decision = this.risk.check(command, view);
    if (!decision.allowed) return this.deny(order, decision.code, decision.reason, decision.policy);
    const submitted = this.orders.transition(id, 'submitted', now);
    this.emitOrderEvent({ type: 'order-submitted', time: now, sequence: 0, clientOrderId: submitted.clientOrderId, strategyId: submitted.strategyId, instrumentId: submitted.instrumentId, order: submitted, command });
    this.commitBeforeVenue();
    this.execution.submit(command);
  }

  /** Converts an intent to a command, rounding at the boundary to the instrument's rules. */
  private buildCommand(strategy: StrategyId, id: ClientOrderId, intent: OrderIntent, instrument: Instrument, now: EpochMs): SubmitOrder {
    if (intent.side !== 'buy' && intent.side !== 'sell') throw new TypeError(`side: received ${JSON.stringify(intent.side)}, expected "buy" or "sell"`);
    if (!ORDER_TYPES.has(intent.type)) {
      throw new TypeError(`type: received ${JSON.stringify(intent.type)}, expected "market", "limit", "stop-loss" or "take-profit"`);
    }
    const quantity = roundQuantity(instrument, toDecimal(intent.quantity, 'quantity'));
    let price: Decimal | undefined;
    let triggerPrice: Decimal | undefined;
    if (intent.type === 'limit') {
      if (intent.price === undefined) throw new TypeError('price: received nothing, expected a limit price for a limit order');
      price = roundPrice(instrument, toDecimal(intent.price, 'price'), intent.side === 'buy' ? 'down' : 'up');
    }
    if (intent.type === 'stop-loss' || intent.type === 'take-profit') {
      if (intent.triggerPrice === undefined) throw new TypeError(`triggerPrice: received nothing, expected a trigger price for a ${intent.type} order`);
      triggerPrice = roundPrice(instrument, toDecimal(intent.triggerPrice, 'triggerPrice'), 'nearest');
    }
    const timeInForce = intent.timeInForce ?? 'gtc';
    if (timeInForce === 'gtd' && intent.expireAt === undefined) throw new TypeError('expireAt: received nothing, expected a time for a gtd order');
    return Object.freeze({
      clientOrderId: id,
      strategyId: strategy,
      instrumentId: instrument.id,
      side: intent.side,
      type: intent.type,
      quantity,
      price,
      triggerPrice,
      postOnly: intent.postOnly ?? false,
      reduceOnly: intent.reduceOnly ?? false,
      timeInForce,
      expireAt: intent.expireAt,
      tag: intent.tag,
      features: intent.features ? Object.freeze({ ...intent.features }) : undefined,
      createdAt: now,
    });
  }

  /** An intent too broken to become an order still leaves a denied order behind, so nothing is silent. */
  private denyUnbuilt(strategy: StrategyId, id: ClientOrderId, intent: OrderIntent, now: EpochMs, code: DenialCode, reason: string): void {
    const command: SubmitOrder = Object.freeze({
      clientOrderId: id,
      strategyId: strategy,
      instrumentId: String(intent.instrumentId) as InstrumentId,
      side: intent.side,
      type: intent.type,
      // An order's quantity cannot be absent, so text that is no number is kept as 0; the reason
      // quotes what was given.
      quantity: decimalOrAbsent(intent.quantity) ?? ZERO,
      price: decimalOrAbsent(intent.price),
      triggerPrice: decimalOrAbsent(intent.triggerPrice),
      postOnly: intent.postOnly ?? false,
      reduceOnly: intent.reduceOnly ?? false,
      timeInForce: intent.timeInForce ?? 'gtc',
      expireAt: intent.expireAt,
      tag: intent.tag,
      features: undefined,
      createdAt: now,
    });
    this.deny(this.orders.create(command), code, reason, 'order-rules');
  }

  private deny(order: Order, code: DenialCode, reason: string, policy: string): void {
    const denied = this.orders.transition(order.clientOrderId, 'denied', this.clock.now(), { reason });
    this.denialCounts.set(code, (this.denialCounts.get(code) ?? 0) + 1);
    this.emitOrderEvent({ type: 'order-denied', time: this.clock.now(), sequence: 0, clientOrderId: denied.clientOrderId, strategyId: denied.strategyId, instrumentId: denied.instrumentId, order: denied, code, reason, policy });
  }

  private processCancel(id: ClientOrderId): void {
    const order = this.orders.get(id);
    if (!order) return this.log.warn('cancel of an unknown order ignored', { clientOrderId: id });
    if (!this.orders.allows(id, 'cancel-requested') || order.status === 'pending-cancel') {
      return this.log.debug('cancel ignored: order is not open', { clientOrderId: id, status: order.status });
    }
    const now = this.clock.now();
    const pending = this.orders.transition(id, 'cancel-requested', now);
    this.emitOrderEvent({ type: 'order-cancel-requested', time: now, sequence: 0, clientOrderId: pending.clientOrderId, strategyId: pending.strategyId, instrumentId: pending.instrumentId, order: pending });
    this.commitBeforeVenue();
    this.execution.cancel({ clientOrderId: id, venueOrderId: pending.venueOrderId, instrumentId: pending.instrumentId, requestedAt: now });
  }

  private processFill(venueFill: VenueFill): void {
    const outcome = this.orders.applyFill(venueFill);
    if (outcome.kind === 'duplicate') return this.log.debug('duplicate fill ignored', { tradeId: venueFill.tradeId });
    if (outcome.kind === 'unknown-order') {
      return this.log.warn('fill for an order this bot does not know ignored', { tradeId: venueFill.tradeId, clientOrderId: venueFill.clientOrderId });
    }
    const order = outcome.order;
    // Copied field by field: spreading the venue's frozen fill takes V8's slow path.
    const fill: Fill = Object.freeze({
      tradeId: venueFill.tradeId,
      clientOrderId: order.clientOrderId,
      venueOrderId: venueFill.venueOrderId,
      instrumentId: venueFill.instrumentId,
      side: venueFill.side,
      quantity: venueFill.quantity,
      price: venueFill.price,
      fee: venueFill.fee,
      feeAsset: venueFill.feeAsset,
      liquidity: venueFill.liquidity,
      time: venueFill.time,
      strategyId: order.strategyId,
    });
    const instrument = this.instruments.get(fill.instrumentId);
    if (!instrument) throw new InvariantError(`fill for ${fill.instrumentId}, which the venue does not list`);
    // The portfolio moves first, so a strategy reading its position in onOrderEvent sees the fill.
    const change = this.portfolio.applyFill(fill, instrument);
    this.refreshHoldings();
    this.emitOrderEvent({ type: 'order-filled', time: fill.time, sequence: 0, clientOrderId: order.clientOrderId, strategyId: order.strategyId, instrumentId: order.instrumentId, order, fill });
    if (change.kind === 'opened') this.emit({ type: 'position-opened', time: fill.time, sequence: 0, position: change.position });
    else if (change.kind === 'changed') this.emit({ type: 'position-changed', time: fill.time, sequence: 0, position: change.position, fill });
    else {
      const entry = this.orders.get(change.entryOrderId);
      const owner = entry?.strategyId ?? order.strategyId;
      this.emit({ type: 'position-closed', time: fill.time, sequence: 0, position: change.position, roundTrip: change.roundTrip, strategyId: owner });
      for (const learner of this.learners) {
        const outcome = { strategyId: owner, instrumentId: fill.instrumentId, roundTrip: change.roundTrip, features: entry?.features ?? {}, observedAt: fill.time };
        if (!this.isolateStrategies) {
          learner.observe(outcome);
          continue;
        }
        try {
          learner.observe(outcome);
        } catch (error) {
          this.strategyErrorCount++;
          this.log.error(`learner "${learner.id}" threw in observe; the fill and the round trip are journaled without what it would have learned`, {
            learner: learner.id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
        }
      }
      // What the learners learned is committed with the event that taught them (same step, same
      // transaction), so a restart never forgets a trade outcome.
      if (this.learners.length > 0 && this.snapshotEvery > 0) this.takeSnapshot();
    }
  }

  private ignoreReport(kind: string, id: ClientOrderId): void {
    this.log.debug(`${kind} report ignored: not valid for the order's current status`, { clientOrderId: id, status: this.orders.get(id)?.status });
  }

  private emitOrderEvent(event: OrderEvent): void {
    const published = this.emit(event) as OrderEvent;
    if (this.eventsBeforeStart !== undefined) this.eventsBeforeStart.push(published);
    else this.deliverOrderEvent(published);
  }

  /** Hands an order event to the strategy that owns the order. */
  private deliverOrderEvent(published: OrderEvent): void {
    const runtimes = this.runtimes;
    for (let index = 0; index < runtimes.length; index++) {
      const runtime = runtimes[index]!;
      if (runtime.id !== published.strategyId) continue;
      if (!this.isolateStrategies) {
        runtime.strategy.onOrderEvent?.(published, runtime.context);
        return;
      }
      try {
        runtime.strategy.onOrderEvent?.(published, runtime.context);
      } catch (error) {
        this.strategyThrew(runtime, 'onOrderEvent', error);
      }
      return;
    }
  }

  /**
   * Numbers the event, journals it (state-changing events), then publishes it. `event` is a new
   * object the caller made for this call and shares with no one: it is numbered in place and
   * frozen (a copy to set the sequence cost more than the rest of emit).
   */
  private emit(event: KbotEvent): KbotEvent {
    const journaled = isJournaled(event);
    if (journaled) (event as { sequence: number }).sequence = ++this.sequence;
    const numbered = Object.freeze(event);
    if (journaled) {
      this.store.append([numbered as JournaledEvent]);
      this.risk.observe(numbered as JournaledEvent);
    }
    this.bus.publish(numbered);
    return numbered;
  }

  /**
   * Views handed to strategies and risk policies; they read live engine state. A strategy's own
   * view (`strategyId`) leaves out the positions another strategy of the bot holds (see
   * `positionOwner`): it never takes them for its own.
   */
  portfolioViewFor(strategyId?: StrategyId): PortfolioView {
    return strategyId === undefined ? this.portfolioView : createStrategyPortfolioView(this, this.portfolioView, strategyId);
  }

  // ---- strategies of one bot never share a pair -------------------------------------------------

  /** True when the bot runs more than one strategy; only then can a pair be another strategy's. */
  get sharesAccount(): boolean {
    return this.runtimes.length > 1;
  }

  /**
   * The strategy of this bot whose order opened the open position on `instrumentId`; undefined
   * when flat, or when that order's strategy is not one of the bot's (a strategy since removed
   * from the config, an operator): such a position is anyone's to take over.
   */
  positionOwner(instrumentId: InstrumentId): StrategyId | undefined {
    const entry = this.portfolio.entryOrderOf(instrumentId);
    if (entry === undefined) return undefined;
    const owner = this.orders.get(entry)?.strategyId;
    return owner !== undefined && this.registeredStrategies.has(owner) ? owner : undefined;
  }

  /**
   * Another strategy of this bot that holds `instrumentId`: the owner of its open position, else
   * one with an open order on it. Two strategies on one pair would each read the account's
   * position as their own, and one would sell what the other bought.
   */
  private pairHolder(instrumentId: InstrumentId, strategyId: string): StrategyId | undefined {
    const owner = this.positionOwner(instrumentId);
    if (owner !== undefined) return owner === strategyId ? undefined : owner;
    for (const order of this.orders.openOrders(instrumentId)) {
      if (order.strategyId !== strategyId && this.registeredStrategies.has(order.strategyId)) return order.strategyId;
    }
    return undefined;
  }

  private readonly portfolioView = createPortfolioView(this);

  /** The venue's order-entry budget on an instrument now; undefined where none is known (`ExecutionClient.orderEntryBudget`). */
  orderEntryBudget(instrumentId: InstrumentId): OrderEntryBudget | undefined {
    return this.execution.orderEntryBudget?.(instrumentId);
  }

  /** Open orders on the venue account that the execution client does not track; empty where it cannot tell (`ExecutionClient.untrackedOrders`). */
  untrackedVenueOrders(): readonly UntrackedOrder[] {
    return this.execution.untrackedOrders?.() ?? [];
  }

  /**
   * For views: what open orders hold (a buy's cost plus its taker fee; a sell's quantity), the
   * bot's own and the venue orders it does not track: the venue holds their funds too, so the bot
   * must not count them as available. An untracked order holds what the venue last reported
   * unexecuted; counting the fee on it can only understate what is available.
   */
  held(asset: string): Decimal {
    const instrumentOf = (id: InstrumentId) => this.instruments.get(id) ?? { base: '', quote: '' };
    const referencePrice = (id: InstrumentId) => {
      const price = this.market.lastPrice(id);
      return price === undefined ? undefined : decimalFromNumber(price);
    };
    const own = this.orders.reserved(asset, instrumentOf, referencePrice);
    const untracked = this.execution.untrackedOrders?.();
    if (untracked === undefined || untracked.length === 0) return own;
    let sum = own;
    for (const order of untracked) {
      if (order.instrumentId === undefined || order.side === undefined || order.quantity === undefined) continue;
      const remaining = order.filledQuantity === undefined ? order.quantity : decimalMinus(order.quantity, order.filledQuantity);
      if (!remaining.isPositive()) continue;
      const hold = orderHold(asset, order.side, order.instrumentId, remaining, order.limitPrice, instrumentOf, referencePrice);
      if (hold !== undefined) sum = decimalPlus(sum, hold);
    }
    return sum;
  }
}

function isJournaled(event: KbotEvent): boolean {
  return event.type !== 'bar-closed' && event.type !== 'trade-received' && event.type !== 'quote-received';
}

/**
 * A denied intent's amount as a Decimal, or undefined when it is missing or not a finite number:
 * the order left behind (and the report) must never show a price the strategy did not give.
 */
function decimalOrAbsent(value: DecimalLike | undefined): Decimal | undefined {
  if (value === undefined) return undefined;
  try {
    return toDecimal(value);
  } catch {
    return undefined;
  }
}

/** A strategy's view: the bot's, without the positions another strategy of the bot holds. */
function createStrategyPortfolioView(engine: Engine, shared: PortfolioView, strategyId: StrategyId): PortfolioView {
  const visible = (position: Position) => {
    const owner = engine.positionOwner(position.instrumentId);
    return owner === undefined || owner === strategyId;
  };
  return Object.freeze({
    ...shared,
    position(id: InstrumentId | string) {
      const position = shared.position(id);
      // One strategy (the common case) sees every position, without a lookup per call.
      return position === undefined || !engine.sharesAccount || visible(position) ? position : undefined;
    },
    positions() {
      const positions = shared.positions();
      return engine.sharesAccount ? positions.filter(visible) : positions;
    },
  });
}

function createPortfolioView(engine: Engine): PortfolioView {
  return {
    balance(asset: string) {
      const total = engine.portfolio.balanceTotal(asset);
      return Object.freeze({ asset, total, available: decimalMinus(total, engine.held(asset)) });
    },
    balances() {
      return engine.portfolio.balances((asset) => engine.held(asset));
    },
    position(id: InstrumentId | string) {
      return engine.portfolio.position(asInstrumentId(id));
    },
    positions() {
      return engine.portfolio.openPositions();
    },
    equity(quoteAsset?: string) {
      if (quoteAsset !== undefined && quoteAsset !== engine.quoteAsset) {
        throw new InvariantError(`equity in ${quoteAsset} is not available; the bot measures equity in ${engine.quoteAsset}`);
      }
      return engine.equity();
    },
    openOrders(id?: InstrumentId | string) {
      return engine.orders.openOrders(id === undefined ? undefined : asInstrumentId(id));
    },
    order(id: ClientOrderId) {
      return engine.orders.get(id);
    },
  };
}
