import type { Clock } from '../clock/clock.js';
import type { OrderEntryBudget } from '../exchange/exchange.js';
import type { Decimal } from '../model/decimal.js';
import type { OrderEvent, StrategyStateValue, TradingState } from '../model/events.js';
import type { ClientOrderId, InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Bar, BookHealth, BookView, Quote, Subscription, Trade } from '../model/market-data.js';
import type { Order, OrderIntent } from '../model/order.js';
import type { Balance, Position } from '../model/position.js';
import type { Logger } from '../log/logger.js';
import type { Advice, AdviceQuery } from '../learning/learner.js';

/** What a strategy may read of the market: the latest data the engine has seen, never later. */
export interface MarketView {
  instrument(id: InstrumentId | string): Instrument;
  lastBar(id: InstrumentId | string, interval?: number): Bar | undefined;
  lastTrade(id: InstrumentId | string): Trade | undefined;
  lastQuote(id: InstrumentId | string): Quote | undefined;
  book(id: InstrumentId | string): BookView | undefined;
  /** Last known price: last trade, else quote mid, else last bar close. */
  lastPrice(id: InstrumentId | string): number | undefined;
}

export interface PortfolioView {
  balance(asset: string): Balance;
  balances(): readonly Balance[];
  /**
   * The open position on the instrument. In a strategy's own view (`ctx.portfolio`) of a bot
   * running several strategies, a position another of them opened is left out: strategies of one
   * bot do not share a pair (orders on it are denied `pair-taken`), so none sells what another bought.
   */
  position(id: InstrumentId | string): Position | undefined;
  /** The open positions; in a strategy's own view, without those another strategy of the bot opened. */
  positions(): readonly Position[];
  /** Account value in the quote asset, open positions marked at the last price. */
  equity(quoteAsset?: string): Decimal;
  openOrders(id?: InstrumentId | string): readonly Order[];
  order(id: ClientOrderId): Order | undefined;
}

/** How a strategy trades. Results arrive later as order events (`onOrderEvent`). */
export interface OrderPort {
  /** Submits an order; returns its client order id at once, even if risk denies it. */
  submit(intent: OrderIntent): ClientOrderId;
  cancel(id: ClientOrderId): void;
  /** Cancels every open order of this strategy (on one instrument when given). */
  cancelAll(instrumentId?: InstrumentId | string): void;
  /**
   * What the venue still lets the bot send on the instrument now (Kraken: the per-pair trading
   * counter, which cancels of young orders drain fastest); undefined where the venue sets no
   * limit or it is not modelled (backtests and paper sessions). A strategy that cancels and
   * replaces often should keep within it: past it, the exchange client holds orders and cancels
   * back until the counter decays, so they leave late.
   */
  budget(instrumentId: InstrumentId | string): OrderEntryBudget | undefined;
  /**
   * The bot's trading state now: `active`; `reducing` (only orders that shrink exposure pass, as
   * a breaker or `kbot panic --flatten` set it); `halted` (only cancels pass). A strategy that
   * quotes continuously reads it to stop sending what risk would deny, and to start again at once
   * when an operator resumes the bot.
   */
  readonly tradingState: TradingState;
}

export interface LearnerView {
  /** Advice of the bot's learners; `{ allow: true }` with no score when there are none. */
  advise(query: AdviceQuery): Advice;
}

export interface StrategyContext<P = unknown> {
  readonly strategyId: string;
  readonly params: Readonly<P>;
  readonly clock: Clock;
  readonly market: MarketView;
  readonly portfolio: PortfolioView;
  readonly orders: OrderPort;
  readonly learner: LearnerView;
  readonly log: Logger;
  /**
   * True while a paper or live session hands the strategy its history at start
   * (`Subscription.warmUpBars`): update indicators, but do not trade on old bars. Orders
   * submitted meanwhile are denied (`warming-up`). In a backtest, true while it hands over the
   * bars before `from` (`kbot backtest --from`) or, in a replay of a session that warmed up
   * (`kbot report --parity`), that history; a backtest without `from` warms up on its first bars.
   */
  readonly warmingUp: boolean;
  /**
   * Values the strategy keeps across restarts: what it cannot read back from orders and
   * positions (an exit ladder's progress, a trailing stop's high, a rebalancing calendar). Each
   * change is journaled in the step that made it, so a restart, even after a kill, finds it.
   */
  readonly state: StrategyStateView;
}

/** `ctx.state`: the strategy's own values, kept in the journal and snapshots. */
export interface StrategyStateView {
  /** The value kept under `key` (a frozen copy of plain JSON), or undefined. */
  get(key: string): StrategyStateValue | undefined;
  /**
   * Keeps `value` under `key`; undefined deletes it. Plain JSON only (strings, finite numbers,
   * booleans, null, arrays, plain objects): anything else is a TypeError naming where in the
   * value it is (a Decimal as its `toFixed()` text). Setting the value already kept is free.
   * Keep values small and set them when they change, not on every bar: each change is a
   * journal row.
   */
  set(key: string, value: StrategyStateValue | undefined): void;
  keys(): string[];
}

/**
 * A trading strategy. Handlers are synchronous and see one event at a time, in order; they read
 * the context and submit orders, and never do I/O.
 */
export interface Strategy<P = unknown> {
  subscriptions(params: P): readonly Subscription[];
  onStart?(ctx: StrategyContext<P>): void;
  onBar?(bar: Bar, ctx: StrategyContext<P>): void;
  onTrade?(trade: Trade, ctx: StrategyContext<P>): void;
  onQuote?(quote: Quote, ctx: StrategyContext<P>): void;
  onBook?(book: BookView, ctx: StrategyContext<P>): void;
  /**
   * The venue's book of an instrument this strategy takes books of was dropped (`resync`: no
   * verified book until the next `synced`) or verified again. A quoting strategy may pull its
   * quotes here; without the hook, the strategy just gets no books meanwhile.
   */
  onBookHealth?(health: BookHealth, ctx: StrategyContext<P>): void;
  onOrderEvent?(event: OrderEvent, ctx: StrategyContext<P>): void;
  onStop?(ctx: StrategyContext<P>): void;
}

/** A strategy class: constructed by the bot's container, so its constructor may ask for injections. */
export type StrategyClass<P = any> = new (...args: any[]) => Strategy<P>;

/** A strategy chosen for a bot, with its parameters. */
export interface StrategySpec<P = unknown> {
  readonly kind: 'strategy-spec';
  /** Unique within a bot; defaults to the class name in kebab case. */
  readonly id: string | undefined;
  readonly strategy: StrategyClass<P>;
  readonly params: P;
  /** Validates params; when given, the bot refuses to start with invalid ones. */
  readonly schema: { safeParse(value: unknown, options?: { reportInput?: boolean; error?: (issue: never) => unknown }): { success: boolean; data?: unknown; error?: unknown } } | undefined;
}

type ParamsOf<S> = S extends Strategy<infer P> ? P : never;
/**
 * What `.with()` accepts: the params schema's input (defaults may be left out) when the class
 * declares `static paramsSchema` (a zod schema), else the params type itself.
 */
type ParamsInput<C> = C extends { paramsSchema: { _zod: { input: infer I } } } ? I : C extends new (...args: any[]) => infer S ? ParamsOf<S> : never;

/**
 * Optional base class: gives `MyStrategy.with(params)` for configs. Strategies may equally
 * implement `Strategy` directly and be listed with `strategySpec(MyStrategy, params)`.
 */
export abstract class BaseStrategy<P = unknown> implements Strategy<P> {
  abstract subscriptions(params: P): readonly Subscription[];

  static with<C extends new (...args: any[]) => Strategy<any>>(this: C, params: ParamsInput<C>, options: { id?: string } = {}): StrategySpec<ParamsOf<InstanceType<C>>> {
    const schema = (this as unknown as { paramsSchema?: StrategySpec['schema'] }).paramsSchema;
    return strategySpec(this as unknown as StrategyClass<ParamsOf<InstanceType<C>>>, params as ParamsOf<InstanceType<C>>, { ...options, schema });
  }
}

export function strategySpec<P>(
  strategy: StrategyClass<P>,
  params: P,
  options: { id?: string | undefined; schema?: StrategySpec['schema'] } = {},
): StrategySpec<P> {
  return Object.freeze({ kind: 'strategy-spec', id: options.id, strategy, params, schema: options.schema });
}

export function isStrategySpec(value: unknown): value is StrategySpec {
  return typeof value === 'object' && value !== null && (value as StrategySpec).kind === 'strategy-spec';
}

/** `MeanReversionBands` → `mean-reversion-bands`. */
export function defaultStrategyId(strategy: StrategyClass): string {
  return strategy.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase() || 'strategy';
}
