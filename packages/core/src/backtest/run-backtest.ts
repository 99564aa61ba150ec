import { TestClock } from '../clock/clock.js';
import type { KbotConfig } from '../config/schema.js';
import type { Bot } from '../di/container.js';
import { ConfigError, InvariantError, type ConfigIssue } from '../errors/errors.js';
import { panicEngine, resumeEngine } from '../control/operator-commands.js';
import type { RecordedSessionInput } from '../recording/recording-lines.js';
import type { InstrumentProvider } from '../exchange/exchange.js';
import { formatInterval } from '../model/time.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import type { Learner } from '../learning/learner.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { Decimal } from '../model/decimal.js';
import { assetsValuedIn, defineInstrument, type Instrument } from '../model/instrument.js';
import type { Bar } from '../model/market-data.js';
import type { ReplayItem, ReplayOffer } from '../data/replay-item.js';
import type { Fill } from '../model/fill.js';
import { DiscardingStore, type Store } from '../persistence/store.js';
import { FixedFeeModel, InstrumentFeeModel, KrakenSpotFeeModel, type FeeModel } from '../simulation/fee-model.js';
import { FixedBpsSlippage } from '../simulation/slippage-model.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import { EquityTracker } from './equity-tracker.js';
import { krakenSpotInstruments } from './instruments.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { sessionResult } from './session-result.js';
import type { BacktestResult, DataSourceSummary } from './result.js';

/** Bars in time order (one or several instruments merged) and, once read, what they held. */
export interface BacktestData {
  readonly bars: Iterable<Bar>;
  /**
   * Bars, trades and quotes merged in time order (see `mergeReplayStreams`). When present it is
   * what the run replays, instead of `bars`, and equity is sampled once per second of data time.
   */
  readonly items?: Iterable<ReplayItem>;
  /** Called after the data is exhausted. */
  summaries(): readonly DataSourceSummary[];
  /**
   * Bars of history handed to the strategies before the data, as a paper or live session warms
   * them up at start (`Engine.warmUp`): a replay of a recorded session warms up on what it did.
   */
  readonly warmUp?: () => readonly Bar[];
  /** Instrument and interval of each bar source, checked against the strategies' bar subscriptions. */
  readonly sources?: readonly { readonly instrumentId: string; readonly interval: number }[];
  /**
   * What every source replays. When given, each trades, quotes or book subscription must be
   * served by a source, or the run would end without the data the strategy waits for.
   */
  readonly offers?: readonly ReplayOffer[];
}

/**
 * With trades or quotes, equity is sampled at the end of every second of data time that held
 * data (a second without data has no sample, as Kraken leaves out intervals without trades), and
 * Sharpe is annualised with one-second periods.
 */
export const TICK_EQUITY_SAMPLE_MS = 1000;

export interface RunBacktestOptions {
  readonly bot: Bot;
  readonly data: BacktestData;
  readonly kbotVersion: string;
  /** Called every `progressEvery` bars with the count so far (progress bars). */
  readonly onProgress?: (barsDone: number) => void;
  readonly progressEvery?: number;
  readonly logger?: Logger;
  /** Where the run journals its events; without one, nothing is journaled (the report does not need it). */
  readonly store?: Store;
  readonly learners?: readonly Learner[];
  /** The risk policies' state and trading state to start from (`EngineOptions.riskState`): a parity replay of a resumed session. */
  readonly riskState?: EngineOptions['riskState'];
  /**
   * Operator commands (and venue book-health reports) to give during the run, each before the
   * data item it names, in order: a parity replay gives a recorded session's panics, resumes and
   * book resyncs where the session got them. Only with `data.items`.
   */
  readonly operatorActions?: readonly ScheduledOperatorAction[];
}

/**
 * An operator's command or a venue's book-health report, given before item number `beforeItem`
 * of `data.items` (0: before the first; past the last: after the data).
 */
export interface ScheduledOperatorAction {
  readonly beforeItem: number;
  readonly action: RecordedSessionInput;
}

/**
 * Gives `action` to the engine as the running bot got it: a command as its control socket would
 * (operator-commands.ts), a book report as its market-data client would.
 */
function giveOperatorAction(engine: Engine, instruments: InstrumentProvider, action: RecordedSessionInput): void {
  if (action.command === 'panic') panicEngine(engine, instruments, { actor: action.actor, flatten: action.flatten });
  else if (action.command === 'resume') resumeEngine(engine, { actor: action.actor, ...(action.reason === undefined ? {} : { reason: action.reason }) });
  else engine.onBookHealth(action.health);
}

function checkedOperatorActions(actions: readonly ScheduledOperatorAction[], hasItems: boolean): readonly ScheduledOperatorAction[] {
  if (actions.length > 0 && !hasItems) throw new InvariantError(`operatorActions: received ${actions.length} actions, expected them only with data.items (a replay of ticks or of a recording)`);
  actions.forEach((entry, index) => {
    const previous = index === 0 ? 0 : actions[index - 1]!.beforeItem;
    if (!Number.isSafeInteger(entry.beforeItem) || entry.beforeItem < previous) {
      throw new InvariantError(`operatorActions[${index}].beforeItem: received ${entry.beforeItem}, expected a whole number of at least ${previous} (actions in the order of the data)`);
    }
  });
  return actions;
}

/** Instruments of the backtest: Kraken's rules for known pairs, then the config's overrides. */
export function backtestInstruments(config: KbotConfig): StaticInstrumentProvider {
  const overrides: Instrument[] = config.backtest.instruments.map((entry) => defineInstrument(entry));
  return new StaticInstrumentProvider(krakenSpotInstruments()).with(overrides);
}

/**
 * One issue per instrument a strategy subscribes to whose order rules the backtest lacks (not in
 * Kraken's table, not in `backtest.instruments`). `kbot config check` reports the same.
 */
export function missingInstrumentRules(bot: Bot, instruments: StaticInstrumentProvider = backtestInstruments(bot.config)): ConfigIssue[] {
  const subscribed = new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).map((sub) => sub.instrumentId)));
  return [...subscribed].filter((id) => !instruments.get(id)).map((id) => ({
    path: 'backtest.instruments', received: `no order rules for ${id}`, expected: `an entry for ${id} (pricePrecision, quantityPrecision, minQuantity, minCost)`,
  }));
}

/**
 * Runs a bot over historical bars through the real engine and the simulated venue, streaming
 * the data (only the bars in flight are held), and returns everything the reports need.
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestResult> {
  const { bot } = options;
  const config = bot.config;
  const settings = config.backtest;
  const startedAt = Date.now();
  const instruments = backtestInstruments(config);
  const subscribed = [...new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).map((sub) => sub.instrumentId)))];
  const issues: ConfigIssue[] = [...missingInstrumentRules(bot, instruments), ...dataCoverageIssues(bot, options.data)];
  if (issues.length > 0) throw new ConfigError(issues);
  const quoteAsset = settings.quoteAsset ?? (subscribed[0] ? instruments.get(subscribed[0])!.quote : Object.keys(settings.balances)[0] ?? 'USD');
  const unvalued = assetsWithoutValue(subscribed.map((id) => instruments.get(id)!), settings.balances, quoteAsset);
  if (unvalued.length > 0) throw new ConfigError(unvalued);
  const clock = new TestClock(0);
  const venue = new SimulatedVenue({
    instruments: (id) => instruments.get(id),
    clock,
    balances: settings.balances,
    feeModel: feeModelFor(settings.fees),
    slippageModel: new FixedBpsSlippage(settings.slippageBps),
    fillModel: { maxVolumeParticipation: settings.maxVolumeParticipation },
    limitFillOn: settings.limitFillOn,
    // Reports say what an order lacked; the Kraken simulator keeps Kraken's bare texts instead.
    explainInsufficientFunds: true,
    // Nothing asks a backtest's venue for its past orders and fills (there is no restart to
    // reconcile): the engine keeps what the report needs, and the venue lets go of the rest.
    retainFinishedMs: 0,
  });
  const store = options.store ?? new DiscardingStore();
  const engine = new Engine({
    mode: 'backtest',
    clock,
    instruments,
    execution: venue,
    store,
    strategies: bot.strategies,
    quoteAsset,
    startBalances: settings.balances,
    riskPolicies: bot.riskPolicies,
    learners: options.learners ?? config.learning,
    logger: options.logger ?? silentLogger,
    orderIdPrefix: 'bt-',
    ...(options.riskState === undefined ? {} : { riskState: options.riskState }),
  });
  const items = options.data.items;
  const operatorActions = checkedOperatorActions(options.operatorActions ?? [], items !== undefined);
  const tracker = items === undefined ? new EquityTracker() : new EquityTracker({ intervalMs: TICK_EQUITY_SAMPLE_MS });
  const startBalances = Object.fromEntries(engine.portfolio.balances().map((balance) => [balance.asset, balance.total]));
  let firstClose: number | undefined;
  let lastClose: number | undefined;
  const benchmark = subscribed[0];
  let barsProcessed = 0;
  let tradesProcessed = 0;
  let quotesProcessed = 0;
  const progressEvery = options.progressEvery ?? 10_000;
  const onProgress = options.onProgress;

  const fills: Fill[] = [];
  engine.bus.on('order-filled', (event) => fills.push(event.fill));
  /** Ends the run after `processed` items and assembles the result (ticks: what was replayed of each kind). */
  const finish = async (processed: number, ticks: { tradesProcessed?: number; quotesProcessed?: number } = {}): Promise<BacktestResult> => {
    await engine.stop('end of data');
    onProgress?.(processed);
    return sessionResult(engine, {
      mode: 'backtest',
      bot,
      kbotVersion: options.kbotVersion,
      startedAt,
      quoteAsset,
      startBalances,
      startEquity: engine.openingEquity(),
      history: { fills, roundTrips: [...engine.portfolio.roundTrips()], orders: engine.orders.all() },
      tracker,
      barsProcessed,
      ...ticks,
      data: options.data.summaries(),
      firstClose,
      lastClose,
    });
  };
  await engine.start();
  const warmUp = options.data.warmUp?.() ?? [];
  if (warmUp.length > 0) engine.warmUp(warmUp);
  if (items !== undefined) {
    // Ticks (and any bars) in time order. Buy and hold runs from the benchmark's first price to its
    // last, both of one kind: the quote mid when quotes of it are replayed (the price a quoting
    // strategy trades around, and over the stretch it can trade), else trade prices, else bar
    // closes. Mixing kinds would make it move by half a spread depending on which came last.
    const benchmarkPrices = { quote: [Number.NaN, Number.NaN], trade: [Number.NaN, Number.NaN], bar: [Number.NaN, Number.NaN] };
    let period = Number.NaN;
    let done = 0;
    let nextAction = 0;
    let nextActionAt = operatorActions.length > 0 ? operatorActions[0]!.beforeItem : Number.POSITIVE_INFINITY;
    /** Gives the operator actions due before item `index` (all that are left, for Infinity). */
    const giveActionsBefore = (index: number): void => {
      while (nextAction < operatorActions.length && operatorActions[nextAction]!.beforeItem <= index) giveOperatorAction(engine, instruments, operatorActions[nextAction++]!.action);
      nextActionAt = nextAction < operatorActions.length ? operatorActions[nextAction]!.beforeItem : Number.POSITIVE_INFINITY;
    };
    feedInGroups(engine, items, (iterator) => {
      for (let count = 0; count < BACKTEST_GROUP_ITEMS; count++) {
        const next = iterator.next();
        if (next.done === true) return true;
        const item = next.value;
        if (done >= nextActionAt) giveActionsBefore(done);
        const itemPeriod = Math.floor(item.time / TICK_EQUITY_SAMPLE_MS);
        if (itemPeriod !== period) {
          if (!Number.isNaN(period)) tracker.record((period + 1) * TICK_EQUITY_SAMPLE_MS, engine.equityNumber(), engine.hasExposure());
          period = itemPeriod;
        }
        let price: number;
        let instrumentId: string;
        if (item.kind === 'bar') {
          engine.onBar(item.bar);
          barsProcessed++;
          price = item.bar.close;
          instrumentId = item.bar.instrumentId;
        } else if (item.kind === 'trade') {
          engine.onTrade(item.trade);
          tradesProcessed++;
          price = item.trade.price;
          instrumentId = item.trade.instrumentId;
        } else {
          engine.onQuote(item.quote);
          quotesProcessed++;
          price = (item.quote.bid + item.quote.ask) / 2;
          instrumentId = item.quote.instrumentId;
        }
        if (instrumentId === benchmark) {
          const pair = benchmarkPrices[item.kind];
          if (Number.isNaN(pair[0]!)) pair[0] = price;
          pair[1] = price;
        }
        done++;
        if (onProgress !== undefined && done % progressEvery === 0) onProgress(done);
      }
      return false;
    });
    // Commands the session got after its last recorded message.
    giveActionsBefore(Number.POSITIVE_INFINITY);
    if (!Number.isNaN(period)) tracker.record((period + 1) * TICK_EQUITY_SAMPLE_MS, engine.equityNumber(), engine.hasExposure());
    const [first, last] = [benchmarkPrices.quote, benchmarkPrices.trade, benchmarkPrices.bar].find((pair) => !Number.isNaN(pair[0]!)) ?? [undefined, undefined];
    firstClose = first;
    lastClose = last;
    return finish(done, { tradesProcessed, quotesProcessed });
  }
  let sawBenchmark = false;
  let benchmarkLast = Number.NaN;
  feedInGroups(engine, options.data.bars, (iterator) => {
    // The loop is written out here, not a per-bar callback: the per-bar path stays one function for the JIT.
    // The benchmark's last close and the bar count live in locals during a group and are written
    // back after it: a fraction stored in a variable the closure shares is boxed (one allocation a
    // bar), and every such write goes to the shared context.
    let last = benchmarkLast;
    let seen = sawBenchmark;
    let bars = barsProcessed;
    try {
      for (let count = 0; count < BACKTEST_GROUP_ITEMS; count++) {
        const next = iterator.next();
        if (next.done === true) return true;
        const bar = next.value;
        engine.onBar(bar);
        if (bar.instrumentId === benchmark) {
          if (!seen) {
            firstClose = bar.close;
            seen = true;
          }
          last = bar.close;
        }
        tracker.record(bar.openTime + bar.interval, engine.equityNumber(), engine.hasExposure());
        bars++;
        if (onProgress !== undefined && bars % progressEvery === 0) {
          barsProcessed = bars;
          onProgress(bars);
        }
      }
      return false;
    } finally {
      benchmarkLast = last;
      sawBenchmark = seen;
      barsProcessed = bars;
    }
  });
  if (sawBenchmark) lastClose = benchmarkLast;
  return finish(barsProcessed);
}

/**
 * Items fed to the engine per store transaction. A durable store pays a commit per transaction
 * (the BEGIN/COMMIT pair and the WAL pages it writes); a group of this many bars or ticks makes
 * that cost vanish per item, while a journal of a long run still commits often.
 */
export const BACKTEST_GROUP_ITEMS = 4096;

/**
 * Runs `feedGroup` as one engine group (one store transaction) after another until it reports
 * that `items` ended. `feedGroup` takes up to BACKTEST_GROUP_ITEMS items from the iterator and
 * returns true when the iterator is done.
 */
function feedInGroups<T>(engine: Engine, items: Iterable<T>, feedGroup: (iterator: Iterator<T>) => boolean): void {
  const iterator = items[Symbol.iterator]();
  let ended = false;
  const group = (): void => {
    ended = feedGroup(iterator);
  };
  try {
    while (!ended) engine.group(group);
  } finally {
    // A failed run still closes its data source (a file reader's handle).
    if (!ended) iterator.return?.();
  }
}

/**
 * Whether the data and the strategies' subscriptions match: data nobody subscribed to (it would
 * run silently with no trades), bars and ticks a strategy waits for that no entry gives. The
 * checks `runBacktest` makes before the run; `kbot config check` makes them too.
 */
export function dataCoverageIssues(bot: Bot, data: BacktestData): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const wanted = new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).filter((sub) => sub.kind === 'bars').map((sub) => `${sub.instrumentId} ${formatInterval(sub.interval ?? 0)}`)));
  for (const source of data.sources ?? []) {
    const offered = `${source.instrumentId} ${formatInterval(source.interval)}`;
    if (!wanted.has(offered)) {
      issues.push({ path: 'backtest.data', received: `${offered} bars`, expected: `bars a strategy subscribes to (${[...wanted].join(', ') || 'none'})` });
    }
  }
  if (data.offers !== undefined) issues.push(...unservedSubscriptions(bot, data.offers));
  issues.push(...barsWithoutData(bot, data));
  return issues;
}

/**
 * Bar subscriptions (pair and interval) that no data entry gives. A strategy waiting for bars that
 * never come runs without them: a multi-pair strategy decides each step late (it waits for the
 * silent pair until the next step), a single-pair one never decides, and the report looks like a
 * result. Skipped for data given without its sources (a programmatic `bars` stream).
 */
function barsWithoutData(bot: Bot, data: BacktestData): ConfigIssue[] {
  const given = data.offers !== undefined
    ? data.offers.filter((offer) => offer.bars !== undefined).map((offer) => `${offer.instrumentId} ${formatInterval(offer.bars!)}`)
    : data.sources?.map((source) => `${source.instrumentId} ${formatInterval(source.interval)}`);
  if (given === undefined) return [];
  const offered = new Set(given);
  // A pair replayed as trades: the same file can also give its bars.
  const tradesReplayed = new Set(data.offers?.filter((offer) => offer.trades === true).map((offer) => offer.instrumentId as string) ?? []);
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const entry of bot.strategies) {
    for (const sub of entry.strategy.subscriptions(entry.params)) {
      if (sub.kind !== 'bars') continue;
      const key = `${sub.instrumentId} ${formatInterval(sub.interval ?? 0)}`;
      if (offered.has(key) || seen.has(key)) continue;
      seen.add(key);
      issues.push({
        path: 'backtest.data',
        received: `strategy "${entry.id}" subscribes to ${key} bars; no entry gives them (entries give ${offered.size === 0 ? 'no bars' : [...offered].join(', ')})`,
        expected: `a data file of ${key} bars for every pair and interval a strategy trades, or { file, resample: '${formatInterval(sub.interval ?? 0)}' } from a shorter interval${
          tradesReplayed.has(sub.instrumentId) ? `, or the ${sub.instrumentId} trades file made into bars as well: { file, replay: 'bars', interval: '${formatInterval(sub.interval ?? 0)}' } (kbot backtest --data <file> --interval ${formatInterval(sub.interval ?? 0)})` : ''
        }`,
      });
    }
  }
  return issues;
}

/**
 * Trades, quotes and book subscriptions that no source replays. Bars are checked the other way
 * round (every bar source must be subscribed); a strategy that waits for ticks that never come
 * would run to the end without a single decision, which reads like a result and is not one.
 */
function unservedSubscriptions(bot: Bot, offers: readonly ReplayOffer[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const entry of bot.strategies) {
    for (const sub of entry.strategy.subscriptions(entry.params)) {
      if (sub.kind === 'bars') continue;
      const key = `${sub.kind} ${sub.instrumentId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const served = offers.some((offer) => offer.instrumentId === sub.instrumentId && (sub.kind === 'trades' ? offer.trades === true : sub.kind === 'quotes' ? offer.quotes === true : false));
      if (served) continue;
      const expected = sub.kind === 'trades'
        ? `a backtest.data entry replaying trades of ${sub.instrumentId}: { file: '<Kraken trades CSV>', replay: 'trades' } or { generatedTicks: { instrument: '${sub.instrumentId}' } }`
        : sub.kind === 'quotes'
          ? `a backtest.data entry replaying quotes of ${sub.instrumentId}: a Kraken spreads CSV (unix,bid,ask,...) or { generatedTicks: { instrument: '${sub.instrumentId}' } }`
          : `order book data for ${sub.instrumentId}, which backtests cannot replay yet: subscribe to quotes instead (the scalper: source: 'quotes')`;
      issues.push({ path: 'backtest.data', received: `strategy "${entry.id}" subscribes to ${sub.kind} of ${sub.instrumentId}; no entry replays them`, expected });
    }
  }
  return issues;
}

/** `kraken`: Kraken's spot tiers by 30-day volume; `instrument`: each instrument's own rates; or fixed rates. */
function feeModelFor(fees: KbotConfig['backtest']['fees']): FeeModel {
  if (fees === 'kraken') return new KrakenSpotFeeModel();
  if (fees === 'instrument') return new InstrumentFeeModel();
  return new FixedFeeModel(new Decimal(fees.maker), new Decimal(fees.taker));
}

/**
 * Every asset a run holds must have a value in its quote asset, or equity, net P&L and fees
 * silently leave it out: a strategy trading ETH/EUR in a USD run, or USD balances in a run of
 * BTC/USDT. An asset has a value when it is the quote asset or the base of a subscribed
 * `<asset>/<quote>` pair (whose prices value it).
 */
function assetsWithoutValue(pairs: readonly Instrument[], balances: Readonly<Record<string, unknown>>, quoteAsset: string): ConfigIssue[] {
  const valued = assetsValuedIn(quoteAsset, pairs);
  const valuedText = [...valued].join(', ');
  const issues: ConfigIssue[] = [];
  for (const pair of pairs) {
    for (const asset of [pair.base, pair.quote]) {
      if (valued.has(asset)) continue;
      issues.push({
        path: 'strategies',
        received: `a strategy trading ${pair.id}, whose ${asset} the run cannot value in ${quoteAsset}`,
        expected: `pairs whose assets have a price in ${quoteAsset} (${valuedText}): a run measures equity, P&L and fees in one quote asset; run ${pair.id} as a bot of its own, or add ${asset}/${quoteAsset} data`,
      });
      valued.add(asset);
    }
  }
  for (const [asset, amount] of Object.entries(balances)) {
    if (valued.has(asset)) continue;
    issues.push({
      path: `backtest.balances.${asset}`,
      received: `${String(amount)} ${asset}, which the run cannot value in ${quoteAsset}`,
      expected: `balances in ${valuedText}: the quote asset of the strategies' pairs (${quoteAsset}) or their base assets`,
    });
  }
  return issues;
}
