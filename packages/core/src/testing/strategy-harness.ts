import { krakenSpotInstruments } from '../backtest/instruments.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { TestClock } from '../clock/clock.js';
import { Engine } from '../engine/engine.js';
import type { Learner } from '../learning/learner.js';
import type { Logger } from '../log/logger.js';
import { toDecimal, type DecimalLike } from '../model/decimal.js';
import type { JournaledEvent, OrderDenied, OrderEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import { splitInstrumentId, type ClientOrderId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { Bar, Subscription } from '../model/market-data.js';
import type { Order, OrderIntent, SubmitOrder } from '../model/order.js';
import type { RoundTrip } from '../model/position.js';
import type { EpochMs } from '../model/time.js';
import { InMemoryStore } from '../persistence/store.js';
import type { RiskPolicy } from '../risk/risk-policy.js';
import { NoSlippage } from '../simulation/slippage-model.js';
import { SimulatedVenue, type SimulatedVenueOptions } from '../simulation/simulated-venue.js';
import type { OrderPort, PortfolioView, Strategy, StrategyContext } from '../strategy/strategy.js';
import { deliverMarketData, type MarketDataItem } from './market-data-item.js';

/** Venue settings the harness passes to its SimulatedVenue. */
export type HarnessVenueOptions = Omit<SimulatedVenueOptions, 'instruments' | 'clock' | 'balances'>;

export interface StrategyHarnessOptions<P> {
  readonly strategy: Strategy<P>;
  readonly params: P;
  /** Default `strategy-under-test`. */
  readonly id?: string;
  /** Default: every Kraken spot pair kbot knows offline. */
  readonly instruments?: readonly Instrument[];
  /** What the account holds at start; default `{ USD: '10000' }`. */
  readonly balances?: Readonly<Record<string, DecimalLike>>;
  /** Default: the quote asset of the first subscription's instrument, else `USD`. */
  readonly quoteAsset?: string;
  /**
   * Default: no slippage and no volume cap (`maxVolumeParticipation: 1`), so a market order fills
   * in full at the next bar's open and expected fills are easy to write down; fees follow Kraken's
   * tiers (0.40% taker at the start). Pass options to make it as strict as a backtest.
   */
  readonly venue?: HarnessVenueOptions;
  readonly riskPolicies?: readonly RiskPolicy[];
  /**
   * Other strategies running in the same bot beside the one under test (same account, same
   * engine), e.g. to check how it behaves when another strategy holds one of its pairs. Their
   * orders are not in `intents`; their fills are in `fills`.
   */
  readonly alongside?: readonly { readonly id: string; readonly strategy: Strategy<unknown>; readonly params: unknown }[];
  readonly learners?: readonly Learner[];
  /** Where the clock starts (the `engine-started` time); default 0. */
  readonly startTime?: EpochMs;
  readonly logger?: Logger;
}

/** One order the strategy asked for, with what became of it. */
export interface HarnessIntent {
  readonly clientOrderId: ClientOrderId;
  /** Exactly what the strategy passed to `ctx.orders.submit`. */
  readonly intent: OrderIntent;
  /** Engine time of the submit. */
  readonly time: EpochMs;
  /** Bars the strategy had received when it submitted. */
  readonly barsSeen: number;
  /** Bars, trades, quotes and books the strategy had received when it submitted. */
  readonly dataSeen: number;
  /** The command sent to the venue (rounded to the instrument's rules); undefined when it was denied. */
  readonly command: SubmitOrder | undefined;
  /** The order now. */
  readonly order: Order | undefined;
}

export interface StrategyHarness<P = unknown> {
  readonly strategy: Strategy<P>;
  readonly strategyId: string;
  readonly engine: Engine;
  readonly clock: TestClock;
  readonly store: InMemoryStore;
  readonly venue: SimulatedVenue;
  /** What the strategy subscribed to. */
  readonly subscriptions: readonly Subscription[];
  /** Hands market data to the engine in the order given, as a backtest would. */
  feed(data: MarketDataItem | Iterable<MarketDataItem>): void;
  /**
   * Hands bars of history to the strategy as a paper or live session does at start
   * (`Engine.warmUp`: `ctx.warmingUp` is true, orders are denied `warming-up`). Call before `feed`.
   */
  warmUp(bars: readonly Bar[]): void;
  /** Stops the engine (`onStop`, `engine-stopped`). */
  stop(reason?: string): Promise<void>;
  /** Every order the strategy submitted, in order. */
  readonly intents: readonly HarnessIntent[];
  /** The journal: every state-changing event, in sequence order. */
  readonly events: readonly JournaledEvent[];
  /** Order events the strategy's `onOrderEvent` received, in order. */
  readonly orderEvents: readonly OrderEvent[];
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly denials: readonly OrderDenied[];
  readonly roundTrips: readonly RoundTrip[];
  /** The portfolio as the strategy sees it. */
  readonly portfolio: PortfolioView;
  /** Live bars the strategy has received (not those of `warmUp`). */
  readonly barsSeen: number;
  /** Bars the strategy has received while warming up. */
  readonly warmUpBarsSeen: number;
  /** Bars, trades, quotes and books the strategy has received. */
  readonly dataSeen: number;
}

interface Recorded {
  readonly clientOrderId: ClientOrderId;
  readonly intent: OrderIntent;
  readonly time: EpochMs;
  readonly barsSeen: number;
  readonly dataSeen: number;
}

type Handler = 'onStart' | 'onBar' | 'onTrade' | 'onQuote' | 'onBook' | 'onBookHealth' | 'onOrderEvent' | 'onStop';

/**
 * Runs one strategy in the real Engine, bound as in a backtest: a TestClock moved by the data,
 * an InMemoryStore and the SimulatedVenue. The test feeds market data and reads what the strategy
 * did: the orders it asked for, the journal, fills and the portfolio. The engine is started
 * (`onStart` has run) when the promise resolves.
 */
export async function createStrategyHarness<P>(options: StrategyHarnessOptions<P>): Promise<StrategyHarness<P>> {
  const strategy = options.strategy;
  const strategyId = options.id ?? 'strategy-under-test';
  const subscriptions = Object.freeze([...strategy.subscriptions(options.params)]);
  const instrumentList = options.instruments ?? krakenSpotInstruments();
  const instruments = new StaticInstrumentProvider(instrumentList);
  const balances = options.balances ?? { USD: '10000' };
  const firstInstrument = subscriptions[0] ? instruments.get(subscriptions[0].instrumentId) : undefined;
  const quoteAsset = options.quoteAsset ?? firstInstrument?.quote ?? (subscriptions[0] ? splitInstrumentId(subscriptions[0].instrumentId).quote : 'USD');
  const clock = new TestClock(options.startTime ?? 0);
  const store = new InMemoryStore();
  const venue = new SimulatedVenue({
    slippageModel: new NoSlippage(),
    ...options.venue,
    fillModel: { maxVolumeParticipation: 1, ...options.venue?.fillModel },
    instruments: (id) => instruments.get(id),
    clock,
    balances: Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [asset, toDecimal(amount, `balances.${asset}`)])),
  });

  const recorded: Recorded[] = [];
  const orderEvents: OrderEvent[] = [];
  let barsSeen = 0;
  let warmUpBarsSeen = 0;
  let dataSeen = 0;

  // The strategy gets a context whose order port records each intent before the engine sees it.
  const wrapped = new WeakMap<StrategyContext<P>, StrategyContext<P>>();
  const contextFor = (context: StrategyContext<P>): StrategyContext<P> => {
    let result = wrapped.get(context);
    if (!result) {
      const orders: OrderPort = Object.freeze({
        submit(intent: OrderIntent): ClientOrderId {
          const clientOrderId = context.orders.submit(intent);
          recorded.push(Object.freeze({ clientOrderId, intent, time: context.clock.now(), barsSeen, dataSeen }));
          return clientOrderId;
        },
        cancel: (id: ClientOrderId) => context.orders.cancel(id),
        cancelAll: (instrumentId?: string) => context.orders.cancelAll(instrumentId),
        budget: (instrumentId: string) => context.orders.budget(instrumentId),
        get tradingState() {
          return context.orders.tradingState;
        },
      });
      // The spread copies `warmingUp` as it is now; the getter reads it when the strategy does.
      result = Object.freeze({
        ...context,
        orders,
        get warmingUp() {
          return context.warmingUp;
        },
      });
      wrapped.set(context, result);
    }
    return result;
  };
  const proxy: Strategy<P> = { subscriptions: (params: P) => strategy.subscriptions(params) };
  const forward = (name: Handler, before?: (argument: unknown, context: StrategyContext<P>) => void) => {
    if (typeof strategy[name] !== 'function') return;
    (proxy as unknown as Record<Handler, (...args: unknown[]) => void>)[name] = (...args: unknown[]) => {
      const context = args[args.length - 1] as StrategyContext<P>;
      if (args.length > 1) before?.(args[0], context);
      (strategy[name] as (...handlerArgs: unknown[]) => void).apply(strategy, [...args.slice(0, -1), contextFor(context)]);
    };
  };
  forward('onStart');
  forward('onStop');
  forward('onBar', (_bar, context) => {
    if (context.warmingUp) {
      warmUpBarsSeen++;
      return;
    }
    barsSeen++;
    dataSeen++;
  });
  forward('onTrade', () => dataSeen++);
  forward('onQuote', () => dataSeen++);
  forward('onBook', () => dataSeen++);
  forward('onBookHealth');
  if (typeof strategy.onOrderEvent === 'function') {
    forward('onOrderEvent', (event) => orderEvents.push(event as OrderEvent));
  } else {
    // Record order events even for strategies without the handler, without adding routes the engine checks.
    proxy.onOrderEvent = (event) => {
      orderEvents.push(event);
    };
  }

  const engine = new Engine({
    mode: 'backtest',
    clock,
    instruments,
    execution: venue,
    store,
    strategies: [{ id: strategyId, strategy: proxy, params: options.params }, ...(options.alongside ?? [])],
    quoteAsset,
    startBalances: balances,
    riskPolicies: options.riskPolicies ?? [],
    learners: options.learners ?? [],
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  await engine.start();

  const journal = () => store.events();
  return {
    strategy,
    strategyId,
    engine,
    clock,
    store,
    venue,
    subscriptions,
    feed(data) {
      const items: Iterable<MarketDataItem> = isIterable(data) ? data : [data];
      for (const item of items) deliverMarketData(item, engine);
    },
    warmUp: (bars) => engine.warmUp(bars),
    stop: (reason = 'end of test') => engine.stop(reason),
    get intents(): readonly HarnessIntent[] {
      const submitted = new Map<ClientOrderId, SubmitOrder>();
      for (const event of journal()) if (event.type === 'order-submitted') submitted.set(event.clientOrderId, event.command);
      return recorded.map((entry) => Object.freeze({ ...entry, command: submitted.get(entry.clientOrderId), order: engine.orders.get(entry.clientOrderId) }));
    },
    get events() {
      return [...journal()];
    },
    get orderEvents() {
      return [...orderEvents];
    },
    get orders() {
      return engine.orders.all();
    },
    get fills() {
      return journal().flatMap((event) => (event.type === 'order-filled' ? [event.fill] : []));
    },
    get denials() {
      return journal().filter((event): event is OrderDenied => event.type === 'order-denied');
    },
    get roundTrips() {
      return [...engine.portfolio.roundTrips()];
    },
    get portfolio() {
      return engine.portfolioViewFor();
    },
    get barsSeen() {
      return barsSeen;
    },
    get warmUpBarsSeen() {
      return warmUpBarsSeen;
    },
    get dataSeen() {
      return dataSeen;
    },
  };
}

function isIterable(value: MarketDataItem | Iterable<MarketDataItem>): value is Iterable<MarketDataItem> {
  return typeof (value as Iterable<MarketDataItem>)[Symbol.iterator] === 'function';
}
