import {
  ConfigError, Decimal, ZERO, isOrderOpen, isOrderTerminal, roundQuantity,
  type Bar, type ClientOrderId, type Fill, type Instrument, type Logger, type Order, type OrderEvent, type OrderPort, type PortfolioView, type Position,
  type StrategyStateValue, type StrategyStateView,
} from '@kbot/core';
import { ATR } from '../indicators/atr.js';
import type { ExitAction } from './exit-action.js';
import {
  exitHighKey, exitProgressKey, exitProgressValue, exitRulesFingerprint, exitTrailingLevelKey, isSamePosition, readExitProgress, sameEntryPrice,
  type ExitProgress,
} from './exit-progress.js';
import { exitQuantity, isBelowMinimum } from './exit-quantity.js';
import { fallsTo, parseRule, type ExitReason, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';
import { createRuleRuntime, exitRulesSchema, type ExitRule } from './exit-rules.js';
import { TrailingStopRuntime } from './trailing-stop.js';
import { ordersLeftOpen } from '../strategies/orders-left-open.js';

export interface ExitManagerOptions {
  /** The instrument traded; its lot size and minimums shape every exit quantity. */
  readonly instrument: Instrument;
  readonly rules: readonly ExitRule[];
  /**
   * Keep the position's stop (the highest of stop-loss, break-even and trailing stop) resting on
   * the exchange as a `stop-loss` trigger order, cancelled and replaced as the level rises,
   * instead of selling at market after a bar closes below it. The resting order also protects
   * between bar closes, and fires on a touch.
   */
  readonly resting?: boolean;
  /** Taker fee per side for break-even levels, as a fraction; default the instrument's taker fee. */
  readonly feeRate?: number;
  /**
   * The strategy's context (`ctx`). With it, a position taken over after a restart keeps the
   * protective stop an earlier run left on the exchange (instead of sending a second one that the
   * venue refuses, since the first holds the coins), goes on with the progress kept in `ctx.state`
   * (ladder steps sold, break-even armed, the trailing high), and the exits log what they restored.
   */
  readonly context?: ExitManagerContext;
  /**
   * A position taken over after a restart has no ATR until `atrPeriod` + 1 bars have been seen
   * (history handed over at start counts: see `warmUp` and `exitRulesWarmUp`). Until then, if no
   * other stop applies (no stop left on the exchange, no percent rule), its stop
   * is this many percent under the highest of the entry price and the highs since. Default 5.
   */
  readonly fallbackStopPercent?: number;
}

/** What the exits read of the strategy's context; pass the strategy's `ctx`. */
export interface ExitManagerContext {
  readonly strategyId: string;
  readonly portfolio: Pick<PortfolioView, 'openOrders' | 'order'>;
  readonly log: Logger;
  /** The strategy's `ctx.warmingUp`: while true, `onBar` only warms the ATRs (see `warmUp`). */
  readonly warmingUp?: boolean;
  /**
   * The strategy's `ctx.state`: the exits keep their progress with the position under
   * `exits:<pair>` (when it changes, not on every bar) and take it back after a restart.
   */
  readonly state?: Pick<StrategyStateView, 'get' | 'set'>;
}

const NONE: readonly ExitAction[] = Object.freeze([]);
const FULL = 1 - 1e-9;
/** The tag of every resting stop the exits send (`protective stop: trailing-stop`); how they know theirs after a restart. */
const STOP_TAG = 'protective stop: ';
const STOP_REASONS: ReadonlySet<string> = new Set<ExitReason>(['stop-loss', 'break-even', 'trailing-stop']);

/** What the take-over of a position from an earlier run found and restored, for its log line. */
interface TakeOver {
  keptStop: Order | undefined;
  canceled: number;
  /** The progress kept in ctx.state was restored: `all`, or `position` when the rules changed since. */
  restored: 'all' | 'position' | undefined;
}

/** What the exits want done once the resting stop is cancelled. */
type AfterCancel =
  | { readonly kind: 'replace' }
  | { readonly kind: 'sell'; readonly fraction: number; readonly fractionBefore: number; readonly reason: ExitReason; readonly tag: string };

interface RestingStop {
  id: ClientOrderId | undefined;
  status: 'placing' | 'open' | 'canceling';
  /** Trigger in ticks (trigger = ticks × tick size). */
  ticks: number;
  quantity: Decimal;
  /** The position changed size since the stop was placed. */
  stale: boolean;
  after: AfterCancel | undefined;
}

interface ExitOrder {
  id: ClientOrderId | undefined;
  /** Ladder progress before this order, restored if the order comes to nothing. */
  readonly fractionBefore: number;
}

/** The numbers the rules read, updated in place on every bar. */
class PositionView implements HeldPosition {
  entryPrice = Number.NaN;
  entryTime = 0;
  barsHeld = 0;
  highestHigh = Number.NaN;
  close = Number.NaN;
  closeTime = 0;
  readonly entryAtrs = new Map<number, number>();

  constructor(readonly feeRate: number, private readonly atrs: ReadonlyMap<number, ATR>) {}

  atr(period: number): number | undefined {
    return this.atrs.get(period)?.value;
  }

  entryAtr(period: number): number | undefined {
    return this.entryAtrs.get(period);
  }
}

/**
 * The profit harvester: exit rules (take-profit ladder, stop-loss, trailing stop, break-even,
 * time stop) applied to one long spot position, as a strategy holds it.
 *
 * ```ts
 * onStart(ctx)      { this.exits = new ExitManager({ instrument: ctx.market.instrument(pair), rules: [stopLoss({ percent: 2 }), trailingStop({ atrMultiple: 3 })], context: ctx }); }
 * onBar(bar, ctx)   { this.exits.apply(this.exits.onBar(bar, ctx.portfolio.position(pair)), ctx.orders); ... }
 * onOrderEvent(e, ctx) { this.exits.apply(this.exits.onOrderEvent(e), ctx.orders); }
 * ```
 *
 * - Call `onBar` on every bar, flat or not: ATR-based rules need their ATR warm at the entry.
 * - The position opens with the first buy fill (or, if no fill was seen, from the position passed
 *   to `onBar`); its entry price is the average of the buys. Sell fills shrink it.
 * - Stops, targets and break-even arming are decided on bar closes; the trailing stop follows the
 *   highest high. A market exit sent at a close fills at the next bar's open.
 * - Only one exit order is in flight at a time; nothing else is sent until it ends. A ladder step
 *   whose order is denied or rejected without any fill is tried again on the next bar that reaches it.
 * - Quantities respect the lot size and minimums (`exitQuantity`): no remainder under the minimum is
 *   ever left; the whole position is sold instead.
 * - With `resting: true`, the stop rests on the exchange as a `stop-loss` order for the whole position.
 *   Because it holds the coins, any other exit first cancels it and sends its market order when the
 *   cancel is confirmed; after a partial exit the stop is placed again for what is left.
 * - A position that was open before a restart is taken over from the portfolio (see the README,
 *   "After a restart"): with `context`, the exits keep the stop an earlier run left on the exchange.
 * - A position under the instrument's minimum (dust no order can sell) does not count as holding.
 */
export class ExitManager {
  readonly instrument: Instrument;
  readonly resting: boolean;
  private readonly runtimes: readonly ExitRuleRuntime[];
  private readonly atrs = new Map<number, ATR>();
  private readonly atrList: readonly ATR[];
  private readonly tick: number;
  private readonly tickSize: Decimal;
  private readonly view: PositionView;
  private readonly context: ExitManagerContext | undefined;
  private readonly fallbackPercent: number;

  private quantity: Decimal = ZERO;
  private peak: Decimal = ZERO;
  private isHolding = false;
  private readonly tradeIds = new Set<string>();
  /** `updatedAt` of the position last passed to onBar (-1: flat), to skip Decimal work when it did not change. */
  private lastPositionUpdate = -1;
  private soldFraction = 0;
  private level = Number.NaN;
  private levelReason: ExitReason = 'stop-loss';
  /** The position is under the instrument's minimum: no order can sell it. */
  private dust = false;
  /** The position was taken over from the portfolio, not opened by a fill the exits saw. */
  private adopted = false;
  /** The trigger of a protective stop an earlier run left: the stop never goes under it. */
  private floor = Number.NaN;
  private floorReason: ExitReason = 'stop-loss';
  /** The stop is the fallback percentage (a position taken over while its ATRs are cold). */
  private onFallback = false;
  /** The position changed since dust was last judged. */
  private dustCheckDue = false;
  private barsSeen = 0;
  /** Close time of the first bar seen: a position opened before it was opened by an earlier run. */
  private firstBarClose: number | undefined;
  private stopsLookedFor = false;
  /** What the take-over of a position found, logged once its first bar has been evaluated. */
  private takeOver: TakeOver | undefined;

  // ---- progress kept in ctx.state (see exit-progress.ts) ----
  private readonly state: Pick<StrategyStateView, 'get' | 'set'> | undefined;
  private readonly progressKey: string;
  private readonly highKey: string;
  private readonly rulesFingerprint: string;
  /** The rules with progress of their own (ladder, break-even, trailing stop). */
  private readonly progressRules: readonly ExitRuleRuntime[];
  /** The ATR trailing stops, whose levels are kept apart, each under its key. */
  private readonly trailingLevels: readonly { readonly rule: TrailingStopRuntime; readonly key: string }[];
  /** A trailing stop follows the highest high: it is kept. */
  private readonly keepsHigh: boolean;
  /** A time stop counts bars: the intervals without a bar are kept. */
  private readonly countsBars: boolean;
  /** Counts changes to what the manager itself keeps in the progress record (the rules count theirs). */
  private revision = 0;
  /** The revisions (own and rules') when the record was last kept; -1: not kept for this position. */
  private keptRevision = -1;
  /** A record is kept (or was found at start) under the key: delete it when the position closes. */
  private recordKept = false;
  /** The highest high and trailing levels as they are kept now (NaN: none), compared as numbers on each bar. */
  private keptHigh = Number.NaN;
  private readonly keptLevels: number[];
  /** The record found at start, checked against the position at the first live bar. */
  private found: ExitProgress | undefined;
  private foundChecked = false;
  /** The portfolio's `openedAt` and average entry of the position held; undefined until onBar sees it after an entry. */
  private positionOpenedAt: number | undefined;
  private positionEntry = '';
  private positionEntryPrice = Number.NaN;
  /** Intervals since the entry without a bar (`countsBars` only). */
  private skippedBars = 0;

  private exitOrder: ExitOrder | undefined;
  private stop: RestingStop | undefined;
  private readonly whenSubmitted = new WeakMap<ExitAction, (id: ClientOrderId) => void>();

  constructor(options: ExitManagerOptions) {
    const rules = parseRule(exitRulesSchema, 'exits', options.rules);
    const feeRate = options.feeRate ?? options.instrument.takerFee.toNumber();
    if (!Number.isFinite(feeRate) || feeRate < 0 || feeRate >= 0.5) {
      throw new ConfigError([{ path: 'exits.feeRate', received: String(feeRate), expected: 'a fee fraction from 0 to below 0.5 (0.004 = 0.40%)' }]);
    }
    const fallbackPercent = options.fallbackStopPercent ?? 5;
    if (!Number.isFinite(fallbackPercent) || fallbackPercent <= 0 || fallbackPercent >= 100) {
      throw new ConfigError([{ path: 'exits.fallbackStopPercent', received: String(fallbackPercent), expected: 'a percentage above 0 and below 100' }]);
    }
    this.fallbackPercent = fallbackPercent;
    this.context = options.context;
    this.instrument = options.instrument;
    this.resting = options.resting ?? false;
    this.runtimes = rules.map(createRuleRuntime);
    for (const runtime of this.runtimes) {
      for (const period of runtime.atrPeriods) if (!this.atrs.has(period)) this.atrs.set(period, new ATR(period));
    }
    this.atrList = [...this.atrs.values()];
    this.state = options.context?.state;
    this.progressKey = exitProgressKey(options.instrument.id);
    this.highKey = exitHighKey(options.instrument.id);
    this.rulesFingerprint = exitRulesFingerprint(rules);
    this.progressRules = this.runtimes.filter((runtime) => runtime.progress !== undefined);
    this.trailingLevels = this.runtimes.flatMap((rule, index) => (rule instanceof TrailingStopRuntime && rule.levelKept ? [{ rule, key: exitTrailingLevelKey(options.instrument.id, index) }] : []));
    this.keptLevels = this.trailingLevels.map(() => Number.NaN);
    this.keepsHigh = rules.some((rule) => rule.kind === 'trailing-stop');
    this.countsBars = rules.some((rule) => rule.kind === 'time-stop' && rule.bars !== undefined);
    const increment = options.instrument.priceIncrement;
    this.tickSize = increment.isPositive() && !increment.isZero() ? increment : new Decimal(10).pow(-options.instrument.pricePrecision);
    this.tick = this.tickSize.toNumber();
    this.view = new PositionView(feeRate, this.atrs);
  }

  /** True while a position is open that an order could sell (dust under the instrument's minimum does not count). */
  get holding(): boolean {
    return this.isHolding && !this.dust;
  }

  /** True while an exit order is in flight or the resting stop is being cancelled. */
  get busy(): boolean {
    return this.exitOrder !== undefined || this.stop?.status === 'canceling';
  }

  /**
   * True while the exits are selling (an exit order in flight, or the stop being cancelled to make
   * room for one). A strategy whose entry order is still filling should cancel it then: buying
   * more while selling only pays fees twice.
   */
  get exiting(): boolean {
    return this.exitOrder !== undefined || this.stop?.after?.kind === 'sell';
  }

  /** The position's stop level after the last bar (the highest of the stop rules); undefined when none. */
  get stopPrice(): number | undefined {
    return this.holding && !Number.isNaN(this.level) ? this.level : undefined;
  }

  /** Which rule sets `stopPrice`. */
  get stopReason(): ExitReason | undefined {
    return this.stopPrice === undefined ? undefined : this.levelReason;
  }

  get entryPrice(): number | undefined {
    return this.holding ? this.view.entryPrice : undefined;
  }

  /** The resting stop order's id, once submitted. */
  get restingStopId(): ClientOrderId | undefined {
    return this.stop?.id;
  }

  /** Sends the actions through the strategy's order port and remembers the ids the exits need. */
  apply(actions: readonly ExitAction[], orders: OrderPort): void {
    for (const action of actions) {
      if (action.kind === 'cancel') {
        orders.cancel(action.clientOrderId);
        continue;
      }
      const id = orders.submit(action.intent);
      this.whenSubmitted.get(action)?.(id);
    }
  }

  /**
   * Every bar of the instrument, in order; `position` is the strategy's position now (undefined when flat).
   * While the context says the strategy is warming up, the bar only warms the ATRs (`warmUp`).
   */
  onBar(bar: Bar, position: Position | undefined): readonly ExitAction[] {
    if (bar.instrumentId !== this.instrument.id) return NONE;
    if (this.context?.warmingUp === true) {
      this.warmUp(bar);
      return NONE;
    }
    const actions = this.evaluateBar(bar, position);
    if (this.state !== undefined) this.keepProgress();
    return actions;
  }

  private evaluateBar(bar: Bar, position: Position | undefined): readonly ExitAction[] {
    for (const atr of this.atrList) atr.add(bar);
    this.barsSeen += 1;
    this.firstBarClose ??= bar.openTime + bar.interval;
    const first = !this.foundChecked;
    if (first) this.lookForKeptProgress();
    let actions = this.syncPosition(position, bar);
    if (first) this.settleKeptProgress();
    if (!this.isHolding) return actions;
    // Once, at the first bar with a position: stops an earlier run left on the exchange.
    if (!this.stopsLookedFor && this.context !== undefined) actions = concat(actions, this.takeOverStops());
    // Judged once no exit order is selling: a market exit filling in pieces passes through dust sizes.
    if (this.dustCheckDue && this.exitOrder === undefined) this.checkDust(bar.close);

    const view = this.view;
    view.barsHeld += 1;
    if (this.countsBars) this.countSkippedBars(bar);
    if (!(bar.high <= view.highestHigh)) view.highestHigh = bar.high;
    view.close = bar.close;
    view.closeTime = bar.openTime + bar.interval;
    if (view.entryAtrs.size < this.atrs.size) this.captureEntryAtrs();
    for (const runtime of this.runtimes) runtime.observe?.(view);
    this.updateLevel();
    if (this.takeOver !== undefined) this.reportTakeOver(bar);
    if (this.busy || this.dust) return actions;

    const stopLive = this.stop !== undefined;
    if ((!this.resting || !stopLive) && fallsTo(bar.close, this.level)) return concat(actions, this.exitAll(this.levelReason, `exit: ${this.levelReason}`));
    for (const runtime of this.runtimes) {
      if (runtime.exitNow?.(view)) return concat(actions, this.exitAll(runtime.reason, `exit: ${runtime.reason}`));
    }
    let fraction = 0;
    for (const runtime of this.runtimes) {
      const sold = runtime.soldFraction?.(view);
      if (sold !== undefined && sold > fraction) fraction = sold;
    }
    if (fraction > this.soldFraction + 1e-12) {
      const before = this.soldFraction;
      this.setSold(fraction);
      const tag = `exit: take-profit ${Math.round(fraction * 100)}%`;
      return concat(actions, this.sellFraction(fraction, before, 'take-profit', tag));
    }
    if (this.resting) actions = concat(actions, this.syncRestingStop());
    return actions;
  }

  /**
   * A bar of history a paper or live session hands over at start (`ctx.warmingUp`): it feeds the
   * ATRs, so ATR stops have a level from the first live bar, and nothing else. It does not touch
   * the position: a position held now (taken over after a restart) is not adopted on an old bar,
   * its bars held are not counted on history (the take-over counts them from the entry time) and
   * its highest high, which the trailing stop follows, is not raised by highs that came before
   * this run took it over. The stop of a position this run did not watch starts from the entry
   * price and the live bars, as it did before warm-up existed; only the ATR is better. No order is
   * sent or cancelled, and the stops an earlier run left are looked for at the first live bar.
   */
  warmUp(bar: Bar): void {
    if (bar.instrumentId !== this.instrument.id) return;
    for (const atr of this.atrList) atr.add(bar);
    // Counted for the take-over's "ATR is warm in N bars" line; `firstBarClose` is not set: it
    // marks where this run's own bars begin (a position opened before it is taken over).
    this.barsSeen += 1;
  }

  /** A fill of one of the strategy's orders on this instrument (duplicates, by trade id, are ignored). */
  onFill(fill: Fill): readonly ExitAction[] {
    if (fill.instrumentId !== this.instrument.id || this.tradeIds.has(fill.tradeId)) return NONE;
    this.tradeIds.add(fill.tradeId);
    if (fill.side === 'buy') {
      const price = fill.price.toNumber();
      if (!this.isHolding) {
        this.openPosition(price, fill.time);
      } else if (this.dust) {
        // A new entry on top of dust: a new position, the dust taken in at its price.
        const held = this.quantity.toNumber();
        const added = fill.quantity.toNumber();
        this.openPosition((this.view.entryPrice * held + price * added) / (held + added), fill.time);
      } else {
        const held = this.quantity.toNumber();
        const added = fill.quantity.toNumber();
        this.view.entryPrice = (this.view.entryPrice * held + price * added) / (held + added);
        // The portfolio's average entry moved too: the position is named again at the next bar.
        this.positionOpenedAt = undefined;
        this.revision += 1;
      }
      this.quantity = this.quantity.plus(fill.quantity);
      if (this.quantity.greaterThan(this.peak)) this.peak = this.quantity;
      if (this.stop) this.stop.stale = true;
      return this.resting ? this.placeStop() : NONE;
    }
    this.quantity = Decimal.max(ZERO, this.quantity.minus(fill.quantity));
    if (this.stop && this.stop.id === fill.clientOrderId) {
      // The stop filling in pieces (a volume cap) is still the right order for what is left.
      this.stop.quantity = Decimal.max(ZERO, this.stop.quantity.minus(fill.quantity));
    } else if (this.stop) {
      this.stop.stale = true;
    }
    if (!this.quantity.isZero()) return NONE;
    // The resting stop itself sold the last of the position: there is nothing left to cancel.
    if (this.stop && this.stop.id === fill.clientOrderId) this.stop = undefined;
    return this.flatten();
  }

  /** Every order event of the strategy (fills included: no need to call `onFill` as well). */
  onOrderEvent(event: OrderEvent): readonly ExitAction[] {
    if (event.instrumentId !== this.instrument.id) return NONE;
    let actions = event.type === 'order-filled' ? this.onFill(event.fill) : NONE;
    const id = event.clientOrderId;
    const status = event.order.status;
    if (this.exitOrder !== undefined && id === this.exitOrder.id) {
      if (isOrderTerminal(status)) {
        if (status !== 'filled' && event.order.filledQuantity.isZero()) this.setSold(this.exitOrder.fractionBefore);
        this.exitOrder = undefined;
        this.revision += 1;
        if (this.resting) actions = concat(actions, this.placeStop());
      }
    } else if (this.stop !== undefined && id === this.stop.id) {
      const stop = this.stop;
      if (event.type === 'order-accepted' && stop.status === 'placing') {
        stop.status = 'open';
      } else if (event.type === 'order-cancel-rejected' && isOrderOpen(status)) {
        stop.status = 'open';
        stop.after = undefined;
      } else if (isOrderTerminal(status)) {
        // Filled: the fills have shrunk the position. Denied, rejected or cancelled by someone else:
        // the bar check guards the position until the next bar places a new stop.
        this.stop = undefined;
        if (status !== 'filled' && stop.after !== undefined) actions = concat(actions, this.afterCancel(stop.after));
      }
    }
    if (this.state !== undefined) this.keepProgress();
    return actions;
  }

  /**
   * The strategy's own exit (its signal says the trade is over): sells the whole position at
   * market, cancelling the resting stop first. Nothing while another exit is in flight.
   */
  closePosition(tag = 'exit: strategy'): readonly ExitAction[] {
    if (!this.isHolding || this.busy) return NONE;
    return this.exitAll('strategy', tag);
  }

  // ---- internals ---------------------------------------------------------------------------

  private syncPosition(position: Position | undefined, bar: Bar): readonly ExitAction[] {
    // A position that was not updated since the last bar needs no Decimal work.
    const updatedAt = position === undefined ? -1 : position.updatedAt;
    if (updatedAt === this.lastPositionUpdate && (position === undefined) === !this.isHolding) return NONE;
    this.lastPositionUpdate = updatedAt;
    const quantity = position?.quantity ?? ZERO;
    if (quantity.isZero()) return this.isHolding ? this.flatten() : NONE;
    if (!this.isHolding) {
      // No fill was seen (a restart, or a strategy that does not forward fills): adopt the position.
      const openedAt = position!.openedAt;
      this.openPosition(position!.averageEntryPrice.toNumber(), openedAt ?? bar.openTime);
      this.quantity = quantity;
      this.peak = quantity;
      this.adopted = true;
      // Bars held so far, from the entry time (the entry's bar is the first; onBar counts this one).
      // A venue that skips intervals without trades (Kraken) shows fewer bars than this.
      this.view.barsHeld = openedAt === undefined ? 0 : Math.max(0, Math.ceil((bar.openTime - openedAt) / bar.interval));
      if (openedAt !== undefined && openedAt < this.firstBarClose!) this.takeOver = { keptStop: undefined, canceled: 0, restored: undefined };
      if (this.state !== undefined) this.namePosition(position!);
      if (this.found !== undefined) this.restoreProgress(position!, bar);
    } else {
      if (!quantity.equals(this.quantity)) {
        this.quantity = quantity;
        if (quantity.greaterThan(this.peak)) {
          this.peak = quantity;
          this.revision += 1;
        }
        if (this.stop) this.stop.stale = true;
      }
      if (this.state !== undefined) this.namePosition(position!);
    }
    this.dustCheckDue = true;
    return NONE;
  }

  // ---- progress kept in ctx.state (exit-progress.ts) ---------------------------------------

  private setSold(fraction: number): void {
    if (fraction === this.soldFraction) return;
    this.soldFraction = fraction;
    this.revision += 1;
  }

  /** Intervals since the entry that had no bar: what a restart, counting bars held from the entry time, must take off. */
  private countSkippedBars(bar: Bar): void {
    const skipped = Math.max(0, Math.ceil((bar.openTime - this.view.entryTime) / bar.interval)) + 1 - this.view.barsHeld;
    if (skipped === this.skippedBars) return;
    this.skippedBars = skipped;
    this.revision += 1;
  }

  /** Once, at the first live bar: the record an earlier run kept, for the take-over of the position it names. */
  private lookForKeptProgress(): void {
    this.foundChecked = true;
    const state = this.state;
    if (state === undefined) return;
    // What is kept now: compared with the position's values from here, so a value of an earlier
    // position is replaced or deleted.
    if (this.keepsHigh) this.keptHigh = keptNumber(state.get(this.highKey));
    this.trailingLevels.forEach((level, index) => {
      this.keptLevels[index] = keptNumber(state.get(level.key));
    });
    const value = state.get(this.progressKey);
    if (value === undefined) return;
    this.recordKept = true;
    this.found = readExitProgress(value);
    if (this.found === undefined) {
      this.context?.log.info(`exits: the progress kept under "${this.progressKey}" is not in a form this version reads: not restored (it is replaced or deleted)`, { pair: this.instrument.id });
    }
  }

  /** After the first live bar's position is known: a record no take-over used names a position that is gone. */
  private settleKeptProgress(): void {
    const found = this.found;
    this.found = undefined;
    // Held: taken over (the record was used or found not to match) or opened by a fill this run
    // saw; the record is replaced at the end of the bar either way.
    if (this.isHolding) return;
    this.forgetProgress();
    if (found !== undefined) {
      this.context?.log.info(`exits: no ${this.instrument.id} position is held now: the progress kept for the one opened ${new Date(found.openedAt).toISOString()} (average entry ${found.entry}) is deleted`, {
        pair: this.instrument.id, openedAt: found.openedAt, entry: found.entry,
      });
    }
  }

  /** The portfolio's name for the position held (its `openedAt` and average entry), kept with the progress. */
  private namePosition(position: Position): void {
    const openedAt = position.openedAt;
    const entryPrice = position.averageEntryPrice.toNumber();
    if (openedAt === this.positionOpenedAt && sameEntryPrice(this.positionEntryPrice, entryPrice)) return;
    this.positionOpenedAt = openedAt;
    this.positionEntry = position.averageEntryPrice.toFixed();
    this.positionEntryPrice = entryPrice;
    this.revision += 1;
  }

  /**
   * A position taken over at start whose record was found: if the record is this position's, the
   * exits go on where the earlier run was; if not, they take it over as without a record, and say why.
   */
  private restoreProgress(position: Position, bar: Bar): void {
    const found = this.found!;
    this.found = undefined;
    const pair = this.instrument.id;
    if (!isSamePosition(found, position.openedAt, position.averageEntryPrice.toNumber())) {
      const held = position.openedAt === undefined ? 'opened at an unknown time' : `opened ${new Date(position.openedAt).toISOString()}`;
      this.context?.log.info(`exits: the progress kept for the ${pair} position opened ${new Date(found.openedAt).toISOString()} (average entry ${found.entry}) is not the position held (${held}, average entry ${position.averageEntryPrice.toFixed()}): not restored`, {
        pair, keptOpenedAt: found.openedAt, keptEntry: found.entry, openedAt: position.openedAt, entry: position.averageEntryPrice.toFixed(),
      });
      return;
    }
    const view = this.view;
    view.entryPrice = found.entryPrice;
    view.entryTime = found.entryTime;
    const peak = new Decimal(found.peak);
    if (peak.greaterThan(this.peak)) this.peak = peak;
    // Kept with the record (only with a trailing stop); else the highs from here.
    view.highestHigh = Number.isNaN(this.keptHigh) ? found.entryPrice : this.keptHigh;
    view.entryAtrs.clear();
    for (const [period, value] of Object.entries(found.entryAtrs)) view.entryAtrs.set(Number(period), value);
    this.captureEntryAtrs();
    this.skippedBars = found.skippedBars ?? 0;
    // onBar counts this bar next.
    view.barsHeld = Math.max(0, Math.ceil((bar.openTime - view.entryTime) / bar.interval)) - this.skippedBars;

    let restored: TakeOver['restored'] = 'position';
    const startAgain = 'its entry, largest size, highest high and entry ATR are restored, but the take-profit steps sold, break-even and the trailing stop start again';
    if (found.rules !== this.rulesFingerprint || found.progress.length !== this.runtimes.length) {
      this.context?.log.info(`exits: the progress of the ${pair} position was kept for other exit rules: ${startAgain}`, { pair });
    } else if (this.progressRules.every((runtime) => runtime.restore!(found.progress[this.runtimes.indexOf(runtime)]!))) {
      this.setSold(found.sold);
      if (found.exiting !== undefined) this.resumeExit(found.exiting);
      this.trailingLevels.forEach((level, index) => level.rule.restoreLevel(this.keptLevels[index]!));
      restored = 'all';
    } else {
      for (const runtime of this.runtimes) runtime.open();
      this.context?.log.info(`exits: the progress of the rules kept for the ${pair} position cannot be read: ${startAgain}`, { pair });
    }
    // The level from the take-over's entry price gives way to the one the restored progress sets.
    this.level = Number.NaN;
    this.updateLevel();
    if (this.takeOver !== undefined) this.takeOver.restored = restored;
  }

  /** Keeps each record when something in it changed since it was last kept (one journal row each). */
  private keepProgress(): void {
    // The position is named at the bar after its entry: nothing is kept before.
    if (!this.isHolding || this.positionOpenedAt === undefined) return;
    let revision = this.revision;
    for (const runtime of this.progressRules) revision += runtime.revision!;
    if (revision !== this.keptRevision) {
      this.keptRevision = revision;
      this.recordKept = true;
      this.state!.set(this.progressKey, this.progressRecord());
    }
    if (!this.keepsHigh) return;
    const high = this.view.highestHigh;
    if (high !== this.keptHigh) {
      this.keptHigh = high;
      this.state!.set(this.highKey, high);
    }
    const levels = this.trailingLevels;
    for (let index = 0; index < levels.length; index++) {
      const level = levels[index]!.rule.currentLevel;
      const kept = this.keptLevels[index]!;
      if (level === kept || (Number.isNaN(level) && Number.isNaN(kept))) continue;
      this.keptLevels[index] = level;
      this.state!.set(levels[index]!.key, Number.isNaN(level) ? undefined : level);
    }
  }

  private progressRecord(): StrategyStateValue {
    const view = this.view;
    const entryAtrs: Record<string, number> = {};
    for (const [period, value] of view.entryAtrs) entryAtrs[String(period)] = value;
    const exiting = this.exitOrder?.id === undefined ? {} : { exiting: { order: this.exitOrder.id, soldBefore: this.exitOrder.fractionBefore } };
    return exitProgressValue({
      ...exiting,
      openedAt: this.positionOpenedAt!,
      entry: this.positionEntry,
      rules: this.rulesFingerprint,
      entryPrice: view.entryPrice,
      entryTime: view.entryTime,
      peak: this.peak.toFixed(),
      sold: this.soldFraction,
      ...(this.countsBars ? { skippedBars: this.skippedBars } : {}),
      entryAtrs,
      progress: this.runtimes.map((runtime) => runtime.progress?.() ?? null),
    });
  }

  /** The position is gone: so is its record. */
  private forgetProgress(): void {
    this.positionOpenedAt = undefined;
    this.keptRevision = -1;
    this.skippedBars = 0;
    if (this.recordKept) {
      this.recordKept = false;
      this.state?.set(this.progressKey, undefined);
    }
    if (!Number.isNaN(this.keptHigh)) {
      this.keptHigh = Number.NaN;
      this.state?.set(this.highKey, undefined);
    }
    this.trailingLevels.forEach((level, index) => {
      if (Number.isNaN(this.keptLevels[index]!)) return;
      this.keptLevels[index] = Number.NaN;
      this.state?.set(level.key, undefined);
    });
  }

  /**
   * Dust (under the minimum quantity or cost at `price`) cannot be sold: it must not keep the
   * strategy from entering again. Judged when the position changes.
   */
  private checkDust(price: number): void {
    const rounded = roundQuantity(this.instrument, this.quantity);
    const dust = rounded.isZero() || isBelowMinimum(this.instrument, rounded, new Decimal(price));
    if (dust && !this.dust) {
      this.context?.log.info(`exits: the ${this.instrument.id} position of ${this.quantity.toFixed()} is under the minimum order (${this.instrument.minQuantity.toFixed()} ${this.instrument.base}, ${this.instrument.minCost.toFixed()} ${this.instrument.quote}): no order can sell it, so it does not count as holding; the next entry takes it in`, {
        pair: this.instrument.id, quantity: this.quantity.toFixed(), price,
      });
    }
    this.dust = dust;
    this.dustCheckDue = false;
  }

  /**
   * The protective stops this strategy left on the exchange in an earlier run (its sell
   * `stop-loss` orders on the instrument tagged `protective stop: …`). Resting: the one closest
   * under the price becomes the stop, the others are cancelled; not resting: all are cancelled.
   * Either way the highest trigger is a floor for the stop.
   */
  private takeOverStops(): readonly ExitAction[] {
    this.stopsLookedFor = true;
    const context = this.context!;
    this.takeOverExitOrder(context);
    const own = this.stop?.id;
    const found = context.portfolio.openOrders(this.instrument.id).filter((order) =>
      order.strategyId === context.strategyId && order.side === 'sell' && order.type === 'stop-loss' && order.triggerPrice !== undefined
      && order.clientOrderId !== own && order.tag !== undefined && order.tag.startsWith(STOP_TAG));
    if (found.length === 0) return NONE;
    const highest = highestTrigger(found)!;
    // A stop whose cancel was requested before the restart is on its way out: kept only if no other rests.
    const resting = found.filter((order) => order.status !== 'pending-cancel');
    const kept = this.resting && this.stop === undefined ? highestTrigger(resting.length > 0 ? resting : found) : undefined;
    const reason = highest.tag!.slice(STOP_TAG.length);
    this.floor = highest.triggerPrice!.toNumber();
    this.floorReason = STOP_REASONS.has(reason) ? (reason as ExitReason) : 'stop-loss';
    const actions: ExitAction[] = [];
    for (const order of found) {
      if (order === kept || order.status === 'pending-cancel') continue;
      actions.push(Object.freeze({ kind: 'cancel', reason: this.floorReason, clientOrderId: order.clientOrderId }));
    }
    if (kept !== undefined) {
      const remaining = kept.quantity.minus(kept.filledQuantity);
      const canceling = kept.status === 'pending-cancel';
      this.stop = {
        id: kept.clientOrderId,
        status: canceling ? 'canceling' : kept.status === 'submitted' ? 'placing' : 'open',
        ticks: Math.floor(kept.triggerPrice!.toNumber() / this.tick + 1e-9),
        quantity: remaining,
        stale: !remaining.equals(roundQuantity(this.instrument, this.quantity)),
        // Its cancel was requested before the restart: a new stop goes in once it is confirmed.
        after: canceling ? { kind: 'replace' } : undefined,
      };
    }
    if (this.takeOver !== undefined) {
      this.takeOver.keptStop = kept;
      this.takeOver.canceled = actions.length;
    }
    return actions;
  }

  /**
   * The exit the kept record names as in flight: still open, it is this run's exit order (with
   * the share sold before it); ended without a fill while the bot was down (a paper session's
   * venue cancels it at the restart), its share was not sold after all and is sold again when
   * its step is still reached.
   */
  private resumeExit(exiting: { readonly order: string; readonly soldBefore: number }): void {
    const order = this.context?.portfolio.order(exiting.order as ClientOrderId);
    if (order === undefined) return;
    if (isOrderOpen(order.status)) {
      this.exitOrder = { id: order.clientOrderId, fractionBefore: exiting.soldBefore };
    } else if (order.status !== 'filled' && order.filledQuantity.isZero()) {
      this.setSold(exiting.soldBefore);
      this.context?.log.info('the exit order in flight at the restart ended without a fill: its share is sold again when its step is reached', { clientOrderId: order.clientOrderId, status: order.status });
    }
  }

  /**
   * An exit the earlier run left in flight (its market sell, sent but not yet done when the bot
   * stopped): it is this run's exit order, so nothing else is sold until it ends, instead of a
   * second exit for shares the first already holds (the venue would refuse it for funds).
   */
  private takeOverExitOrder(context: ExitManagerContext): void {
    if (this.exitOrder !== undefined) return;
    const left = ordersLeftOpen(context, this.instrument.id, 'sell').find((order) => order.type === 'market' && order.status !== 'pending-cancel');
    if (left === undefined) return;
    // The ladder progress kept with the position already counts it; if it comes to nothing, that is where it goes back to.
    this.exitOrder = { id: left.clientOrderId, fractionBefore: this.soldFraction };
    context.log.info('took over the exit order an earlier run left in flight', { clientOrderId: left.clientOrderId, quantity: left.quantity.minus(left.filledQuantity).toFixed() });
  }

  /** One log line when a position from an earlier run is taken over: what the exits restored and what they could not. */
  private reportTakeOver(bar: Bar): void {
    const takeOver = this.takeOver!;
    this.takeOver = undefined;
    const log = this.context?.log;
    if (log === undefined || this.dust) return;
    const view = this.view;
    const pair = this.instrument.id;
    const places = this.tickSize.decimalPlaces();
    const price = (value: number) => String(Number(value.toFixed(places)));
    const parts = [`exits: took over the ${pair} position of ${this.quantity.toFixed()} (average entry ${price(view.entryPrice)}, opened ${new Date(view.entryTime).toISOString()}) from an earlier run; bars held counted from the entry time: ${view.barsHeld}`];
    if (takeOver.keptStop !== undefined) parts.push(`kept its protective stop ${takeOver.keptStop.clientOrderId} at ${takeOver.keptStop.triggerPrice!.toFixed()}`);
    else if (!Number.isNaN(this.floor)) parts.push(`the stop it left at ${price(this.floor)} is the lowest the stop goes`);
    if (takeOver.canceled > 0) parts.push(`cancelled ${takeOver.canceled} other protective stop(s) it left`);
    const restored = takeOver.restored;
    if (restored !== undefined) {
      const known = [`largest size ${this.peak.toFixed()}`];
      if (restored === 'all' && this.runtimes.some((runtime) => runtime.reason === 'take-profit')) known.push(`take-profit sold ${Number((this.soldFraction * 100).toFixed(2))}%`);
      if (this.keepsHigh) known.push(`highest high ${price(view.highestHigh)}`);
      const stop = Number.isNaN(this.level) ? 'no stop' : `the stop ${price(this.level)} (${this.levelReason})`;
      parts.push(restored === 'all'
        ? `went on from the progress kept in ctx.state (${known.join(', ')}): ${stop}`
        : `restored the entry and ${known.join(', ')} from ctx.state, but not the rules' progress (the exit rules changed since): ${stop}`);
    }
    let missing = false;
    const cold = this.atrList.filter((atr) => !atr.isStable);
    if (cold.length > 0) {
      missing = true;
      const bars = Math.max(...cold.map((atr) => atr.warmUp - this.barsSeen));
      const periods = cold.map((atr) => `ATR(${atr.period})`).join(', ');
      const now = Number.isNaN(this.level) ? 'the position has no stop'
        : this.onFallback ? `the stop is ${price(this.level)}, ${this.fallbackPercent}% under the highest of the entry price and the highs since (fallbackStopPercent)`
        : `the stop is ${price(this.level)} (${this.levelReason})`;
      parts.push(restored === undefined
        ? `${periods} is warm in ${bars} bar(s): until then there is no ATR stop, and ${now}`
        : `${periods} is warm in ${bars} bar(s): until then a stop on the current ATR does not rise, and ${now}`);
    }
    for (const runtime of restored === 'all' ? [] : this.runtimes) {
      if (runtime.reason === 'take-profit') {
        missing = true;
        parts.push(`the take-profit ladder counts its steps from this size and the entry price: a step sold before the restart sells again when a close reaches it`);
      }
      if (runtime.reason === 'break-even' && Number.isNaN(this.floor)) {
        missing = true;
        parts.push('break-even arms again only at a close at its level');
      }
    }
    const fields = { pair, quantity: this.quantity.toFixed(), entryPrice: view.entryPrice, openedAt: view.entryTime, barsHeld: view.barsHeld, stop: this.stopPrice, stopReason: this.stopReason, restingStopId: this.stop?.id, barTime: bar.openTime };
    if (missing) log.warn(parts.join('; '), fields);
    else log.info(parts.join('; '), fields);
  }

  private openPosition(price: number, time: number): void {
    const view = this.view;
    view.entryPrice = price;
    view.entryTime = time;
    view.barsHeld = 0;
    view.highestHigh = price;
    view.close = price;
    view.closeTime = time;
    view.entryAtrs.clear();
    this.captureEntryAtrs();
    for (const runtime of this.runtimes) runtime.open();
    this.setSold(0);
    this.peak = ZERO;
    this.revision += 1;
    this.positionOpenedAt = undefined;
    this.skippedBars = 0;
    this.isHolding = true;
    this.dust = false;
    this.adopted = false;
    this.floor = Number.NaN;
    this.takeOver = undefined;
    this.level = Number.NaN;
    this.updateLevel();
  }

  private captureEntryAtrs(): void {
    for (const [period, atr] of this.atrs) {
      if (!this.view.entryAtrs.has(period) && atr.value !== undefined) {
        this.view.entryAtrs.set(period, atr.value);
        this.revision += 1;
      }
    }
  }

  /** The position is gone: forget it, and cancel a resting stop that would now sell coins we do not hold. */
  private flatten(): readonly ExitAction[] {
    this.isHolding = false;
    this.quantity = ZERO;
    this.peak = ZERO;
    this.tradeIds.clear();
    this.level = Number.NaN;
    this.dust = false;
    this.adopted = false;
    this.floor = Number.NaN;
    this.takeOver = undefined;
    this.forgetProgress();
    const stop = this.stop;
    if (stop === undefined || stop.status === 'canceling') return NONE;
    if (stop.id === undefined) {
      this.stop = undefined;
      return NONE;
    }
    stop.status = 'canceling';
    stop.after = undefined;
    return [Object.freeze({ kind: 'cancel', reason: this.levelReason, clientOrderId: stop.id })];
  }

  private updateLevel(): void {
    let level = Number.NaN;
    let reason: ExitReason = this.levelReason;
    for (const runtime of this.runtimes) {
      const candidate = runtime.stopLevel?.(this.view);
      if (candidate !== undefined && candidate > 0 && !(candidate <= level)) {
        level = candidate;
        reason = runtime.reason;
      }
    }
    if (this.floor > 0 && !(this.floor <= level)) {
      level = this.floor;
      reason = this.floorReason;
    }
    if (this.adopted) {
      // Taken over without history: until the ATRs are warm, a percentage stands in for ATR stops,
      // and the stop never moves down (a warm ATR stop can sit under the level held so far).
      this.onFallback = Number.isNaN(level) && this.atrList.some((atr) => !atr.isStable);
      if (this.onFallback) {
        level = this.view.highestHigh * (1 - this.fallbackPercent / 100);
        reason = 'stop-loss';
      }
      if (this.level > level || (Number.isNaN(level) && !Number.isNaN(this.level))) {
        level = this.level;
        reason = this.levelReason;
      }
    }
    this.level = level;
    this.levelReason = reason;
  }

  private exitAll(reason: ExitReason, tag: string): readonly ExitAction[] {
    return this.sellFraction(1, this.soldFraction, reason, tag);
  }

  /** Sells down to `1 − fraction` of the peak size (everything for 1), cancelling the resting stop first. */
  private sellFraction(fraction: number, fractionBefore: number, reason: ExitReason, tag: string): readonly ExitAction[] {
    const stop = this.stop;
    if (stop !== undefined) {
      if (stop.id === undefined) return NONE;
      stop.status = 'canceling';
      stop.after = { kind: 'sell', fraction, fractionBefore, reason, tag };
      return [Object.freeze({ kind: 'cancel', reason, clientOrderId: stop.id })];
    }
    // Fractions are binary sums (1 − 0.33 − 0.33 = 0.33999999999999997); 12 places undo that without
    // touching any real fraction.
    const wanted = fraction >= FULL ? this.quantity : this.quantity.minus(this.peak.times(new Decimal(1 - fraction).toDecimalPlaces(12)));
    if (!wanted.isPositive() || wanted.isZero()) return NONE;
    const quantity = exitQuantity(this.instrument, this.quantity, wanted, new Decimal(this.view.close));
    if (quantity === undefined) {
      this.setSold(fractionBefore);
      return NONE;
    }
    const order: ExitOrder = { id: undefined, fractionBefore };
    this.exitOrder = order;
    const action: ExitAction = Object.freeze({
      kind: 'submit',
      reason,
      intent: Object.freeze({ instrumentId: this.instrument.id, side: 'sell', type: 'market', quantity, tag }),
    });
    this.whenSubmitted.set(action, (id) => {
      order.id = id;
      // Kept with the order it names, in the step that sends it: a restart knows what was in flight.
      this.revision += 1;
      if (this.state !== undefined) this.keepProgress();
    });
    return [action];
  }

  private afterCancel(after: AfterCancel): readonly ExitAction[] {
    if (!this.isHolding) return NONE;
    if (after.kind === 'replace') return this.placeStop();
    return this.sellFraction(after.fraction, after.fractionBefore, after.reason, after.tag);
  }

  /** Places the resting stop for the whole position at the current level, if there is none. */
  private placeStop(): readonly ExitAction[] {
    if (!this.resting || !this.isHolding || this.stop !== undefined || this.exitOrder !== undefined) return NONE;
    const ticks = this.triggerTicks();
    if (ticks <= 0) return NONE;
    const trigger = this.tickSize.times(ticks);
    const quantity = roundQuantity(this.instrument, this.quantity);
    if (quantity.isZero() || isBelowMinimum(this.instrument, quantity, trigger)) return NONE;
    const stop: RestingStop = { id: undefined, status: 'placing', ticks, quantity, stale: false, after: undefined };
    this.stop = stop;
    const reason = this.levelReason;
    const action: ExitAction = Object.freeze({
      kind: 'submit',
      reason,
      intent: Object.freeze({ instrumentId: this.instrument.id, side: 'sell', type: 'stop-loss', quantity, triggerPrice: trigger, tag: `protective stop: ${reason}` }),
    });
    this.whenSubmitted.set(action, (id) => {
      stop.id = id;
    });
    return [action];
  }

  /** Moves the resting stop up when the level rose by a tick or more, or resizes it to the position. */
  private syncRestingStop(): readonly ExitAction[] {
    const stop = this.stop;
    if (stop === undefined) return this.placeStop();
    if (stop.status === 'canceling' || stop.id === undefined) return NONE;
    const ticks = this.triggerTicks();
    const resized = stop.stale && !roundQuantity(this.instrument, this.quantity).equals(stop.quantity);
    stop.stale = false;
    if (ticks <= stop.ticks && !resized) return NONE;
    stop.status = 'canceling';
    stop.after = { kind: 'replace' };
    return [Object.freeze({ kind: 'cancel', reason: this.levelReason, clientOrderId: stop.id })];
  }

  /** The level in whole ticks, rounded down (a sell stop never fires above the level asked for); 0 when none. */
  private triggerTicks(): number {
    const level = this.level;
    if (!(level > 0)) return 0;
    return Math.floor(level / this.tick + 1e-9);
  }
}

/** A number kept in ctx.state (a high, a level); NaN when there is none. */
function keptNumber(value: StrategyStateValue | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

function highestTrigger(orders: readonly Order[]): Order | undefined {
  let highest: Order | undefined;
  for (const order of orders) if (highest === undefined || order.triggerPrice!.greaterThan(highest.triggerPrice!)) highest = order;
  return highest;
}

function concat(first: readonly ExitAction[], second: readonly ExitAction[]): readonly ExitAction[] {
  if (second.length === 0) return first;
  if (first.length === 0) return second;
  return [...first, ...second];
}
