import {
  ConfigError, Decimal, ZERO, isOrderOpen, isOrderTerminal, roundQuantity,
  type Bar, type ClientOrderId, type Fill, type Instrument, type OrderEvent, type OrderPort, type Position,
} from '@kbot/core';
import { ATR } from '../indicators/atr.js';
import type { ExitAction } from './exit-action.js';
import { exitQuantity, isBelowMinimum } from './exit-quantity.js';
import { fallsTo, parseRule, type ExitReason, type ExitRuleRuntime, type HeldPosition } from './exit-rule.js';
import { createRuleRuntime, exitRulesSchema, type ExitRule } from './exit-rules.js';

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
}

const NONE: readonly ExitAction[] = Object.freeze([]);
const FULL = 1 - 1e-9;

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
 * onStart(ctx)      { this.exits = new ExitManager({ instrument: ctx.market.instrument(pair), rules: [stopLoss({ percent: 2 }), trailingStop({ atrMultiple: 3 })] }); }
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

  private quantity: Decimal = ZERO;
  private peak: Decimal = ZERO;
  private isHolding = false;
  private readonly tradeIds = new Set<string>();
  /** `updatedAt` of the position last passed to onBar (-1: flat), to skip Decimal work when it did not change. */
  private lastPositionUpdate = -1;
  private soldFraction = 0;
  private level = Number.NaN;
  private levelReason: ExitReason = 'stop-loss';

  private exitOrder: ExitOrder | undefined;
  private stop: RestingStop | undefined;
  private readonly whenSubmitted = new WeakMap<ExitAction, (id: ClientOrderId) => void>();

  constructor(options: ExitManagerOptions) {
    const rules = parseRule(exitRulesSchema, 'exits', options.rules);
    const feeRate = options.feeRate ?? options.instrument.takerFee.toNumber();
    if (!Number.isFinite(feeRate) || feeRate < 0 || feeRate >= 0.5) {
      throw new ConfigError([{ path: 'exits.feeRate', received: String(feeRate), expected: 'a fee fraction from 0 to below 0.5 (0.004 = 0.40%)' }]);
    }
    this.instrument = options.instrument;
    this.resting = options.resting ?? false;
    this.runtimes = rules.map(createRuleRuntime);
    for (const runtime of this.runtimes) {
      for (const period of runtime.atrPeriods) if (!this.atrs.has(period)) this.atrs.set(period, new ATR(period));
    }
    this.atrList = [...this.atrs.values()];
    const increment = options.instrument.priceIncrement;
    this.tickSize = increment.isPositive() && !increment.isZero() ? increment : new Decimal(10).pow(-options.instrument.pricePrecision);
    this.tick = this.tickSize.toNumber();
    this.view = new PositionView(feeRate, this.atrs);
  }

  /** True while a position is open. */
  get holding(): boolean {
    return this.isHolding;
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
    return this.isHolding && !Number.isNaN(this.level) ? this.level : undefined;
  }

  /** Which rule sets `stopPrice`. */
  get stopReason(): ExitReason | undefined {
    return this.stopPrice === undefined ? undefined : this.levelReason;
  }

  get entryPrice(): number | undefined {
    return this.isHolding ? this.view.entryPrice : undefined;
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

  /** Every bar of the instrument, in order; `position` is the strategy's position now (undefined when flat). */
  onBar(bar: Bar, position: Position | undefined): readonly ExitAction[] {
    if (bar.instrumentId !== this.instrument.id) return NONE;
    for (const atr of this.atrList) atr.add(bar);
    let actions = this.syncPosition(position, bar);
    if (!this.isHolding) return actions;

    const view = this.view;
    view.barsHeld += 1;
    if (!(bar.high <= view.highestHigh)) view.highestHigh = bar.high;
    view.close = bar.close;
    view.closeTime = bar.openTime + bar.interval;
    if (view.entryAtrs.size < this.atrs.size) this.captureEntryAtrs();
    for (const runtime of this.runtimes) runtime.observe?.(view);
    this.updateLevel();
    if (this.busy) return actions;

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
      this.soldFraction = fraction;
      const tag = `exit: take-profit ${Math.round(fraction * 100)}%`;
      return concat(actions, this.sellFraction(fraction, before, 'take-profit', tag));
    }
    if (this.resting) actions = concat(actions, this.syncRestingStop());
    return actions;
  }

  /** A fill of one of the strategy's orders on this instrument (duplicates, by trade id, are ignored). */
  onFill(fill: Fill): readonly ExitAction[] {
    if (fill.instrumentId !== this.instrument.id || this.tradeIds.has(fill.tradeId)) return NONE;
    this.tradeIds.add(fill.tradeId);
    if (fill.side === 'buy') {
      const price = fill.price.toNumber();
      if (!this.isHolding) {
        this.openPosition(price, fill.time);
      } else {
        const held = this.quantity.toNumber();
        const added = fill.quantity.toNumber();
        this.view.entryPrice = (this.view.entryPrice * held + price * added) / (held + added);
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
        if (status !== 'filled' && event.order.filledQuantity.isZero()) this.soldFraction = this.exitOrder.fractionBefore;
        this.exitOrder = undefined;
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
      this.openPosition(position!.averageEntryPrice.toNumber(), position!.openedAt ?? bar.openTime);
      this.quantity = quantity;
      this.peak = quantity;
    } else if (!quantity.equals(this.quantity)) {
      this.quantity = quantity;
      if (quantity.greaterThan(this.peak)) this.peak = quantity;
      if (this.stop) this.stop.stale = true;
    }
    return NONE;
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
    this.soldFraction = 0;
    this.peak = ZERO;
    this.isHolding = true;
    this.updateLevel();
  }

  private captureEntryAtrs(): void {
    for (const [period, atr] of this.atrs) {
      if (!this.view.entryAtrs.has(period) && atr.value !== undefined) this.view.entryAtrs.set(period, atr.value);
    }
  }

  /** The position is gone: forget it, and cancel a resting stop that would now sell coins we do not hold. */
  private flatten(): readonly ExitAction[] {
    this.isHolding = false;
    this.quantity = ZERO;
    this.peak = ZERO;
    this.tradeIds.clear();
    this.level = Number.NaN;
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
      this.soldFraction = fractionBefore;
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

function concat(first: readonly ExitAction[], second: readonly ExitAction[]): readonly ExitAction[] {
  if (second.length === 0) return first;
  if (first.length === 0) return second;
  return [...first, ...second];
}
