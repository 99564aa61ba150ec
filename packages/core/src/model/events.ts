import type { Fill } from './fill.js';
import type { ClientOrderId, InstrumentId, StrategyId } from './ids.js';
import type { Bar, BookHealth, Quote, Trade } from './market-data.js';
import type { Order, SubmitOrder } from './order.js';
import type { Position, RoundTrip } from './position.js';
import type { EpochMs } from './time.js';

/*
 * Events are facts: past tense, frozen, kebab-case `type`. Order, position and trading-state
 * events change state and are journaled before they are published; market-data events are
 * the hot path and are not journaled (the data files or the flight recorder hold them).
 */

interface EventBase<T extends string> {
  readonly type: T;
  /** Engine clock time at which the fact became known. */
  readonly time: EpochMs;
  /** Position in the bot's journal, strictly increasing from 1; 0 for unjournaled events. */
  readonly sequence: number;
}

export interface BarClosed extends EventBase<'bar-closed'> { readonly bar: Bar }
export interface TradeReceived extends EventBase<'trade-received'> { readonly trade: Trade }
export interface QuoteReceived extends EventBase<'quote-received'> { readonly quote: Quote }
/** A venue-kept book was dropped or verified again (not journaled: the flight recorder keeps it). */
export interface BookHealthReported extends EventBase<'book-health-reported'> { readonly health: BookHealth }

/** Stable reason codes for risk denials (documented in docs/risk.md). */
export type DenialCode =
  | 'trading-halted'
  | 'reducing-only'
  | 'max-position'
  | 'max-exposure'
  | 'max-open-orders'
  | 'order-rate'
  | 'book-health'
  | 'daily-loss'
  | 'max-drawdown'
  | 'min-balance'
  | 'strategy-budget'
  | 'price-band'
  | 'fat-finger'
  | 'invalid-order'
  | 'unknown-instrument'
  | 'insufficient-funds'
  | 'warming-up'
  | 'pair-taken'
  | (string & {});

interface OrderEventBase<T extends string> extends EventBase<T> {
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  /** The order after this event. */
  readonly order: Order;
}

export interface OrderSubmitted extends OrderEventBase<'order-submitted'> { readonly command: SubmitOrder }
export interface OrderDenied extends OrderEventBase<'order-denied'> {
  readonly code: DenialCode;
  readonly reason: string;
  /** The risk policy (or engine check) that denied it. */
  readonly policy: string;
}
export interface OrderAccepted extends OrderEventBase<'order-accepted'> {}
export interface OrderRejected extends OrderEventBase<'order-rejected'> { readonly reason: string }
export interface OrderFilled extends OrderEventBase<'order-filled'> { readonly fill: Fill }
export interface OrderCancelRequested extends OrderEventBase<'order-cancel-requested'> {}
export interface OrderCancelRejected extends OrderEventBase<'order-cancel-rejected'> { readonly reason: string }
export interface OrderCanceled extends OrderEventBase<'order-canceled'> {}
export interface OrderExpired extends OrderEventBase<'order-expired'> {}

export type OrderEvent =
  | OrderSubmitted
  | OrderDenied
  | OrderAccepted
  | OrderRejected
  | OrderFilled
  | OrderCancelRequested
  | OrderCancelRejected
  | OrderCanceled
  | OrderExpired;

export interface PositionOpened extends EventBase<'position-opened'> { readonly position: Position }
export interface PositionChanged extends EventBase<'position-changed'> { readonly position: Position; readonly fill: Fill }
export interface PositionClosed extends EventBase<'position-closed'> {
  readonly position: Position;
  readonly roundTrip: RoundTrip;
  readonly strategyId: StrategyId;
}

export type TradingState = 'active' | 'reducing' | 'halted';
export interface TradingStateChanged extends EventBase<'trading-state-changed'> {
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
}

/**
 * A strategy kept a value across restarts (`ctx.state.set`): journaled like an order event, so a
 * restart, even after a kill, gives the strategy back what it knew (an exit ladder's progress, a
 * trailing stop's high). `value` is plain JSON; undefined when the key was deleted.
 */
export interface StrategyStateChanged extends EventBase<'strategy-state-changed'> {
  readonly strategyId: StrategyId;
  readonly key: string;
  readonly value: StrategyStateValue | undefined;
}

/** What a strategy may keep: plain JSON (no Decimal, Date, undefined inside, NaN or Infinity). */
export type StrategyStateValue = string | number | boolean | null | readonly StrategyStateValue[] | { readonly [key: string]: StrategyStateValue };

export interface EngineStarted extends EventBase<'engine-started'> { readonly mode: string }
export interface EngineStopped extends EventBase<'engine-stopped'> { readonly reason: string }

export type PositionEvent = PositionOpened | PositionChanged | PositionClosed;
export type MarketDataEvent = BarClosed | TradeReceived | QuoteReceived | BookHealthReported;
export type JournaledEvent = OrderEvent | PositionEvent | TradingStateChanged | StrategyStateChanged | EngineStarted | EngineStopped;
export type KbotEvent = MarketDataEvent | JournaledEvent;
export type KbotEventType = KbotEvent['type'];
export type KbotEventOf<T extends KbotEventType> = Extract<KbotEvent, { type: T }>;

/** Freezes an event (shallowly: its parts are frozen where they are made). */
export function freezeEvent<E extends KbotEvent>(event: E): E {
  return Object.freeze(event);
}
