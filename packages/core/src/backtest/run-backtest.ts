import { TestClock } from '../clock/clock.js';
import type { KbotConfig } from '../config/schema.js';
import type { Bot } from '../di/container.js';
import { ConfigError, type ConfigIssue } from '../errors/errors.js';
import { formatInterval } from '../model/time.js';
import { Engine } from '../engine/engine.js';
import type { Learner } from '../learning/learner.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { Decimal } from '../model/decimal.js';
import { defineInstrument, type Instrument } from '../model/instrument.js';
import type { Bar } from '../model/market-data.js';
import type { Fill } from '../model/fill.js';
import { InMemoryStore, type Store } from '../persistence/store.js';
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
  /** Called after the bars are exhausted. */
  summaries(): readonly DataSourceSummary[];
  /** Instrument and interval of each source, checked against the strategies' subscriptions. */
  readonly sources?: readonly { readonly instrumentId: string; readonly interval: number }[];
}

export interface RunBacktestOptions {
  readonly bot: Bot;
  readonly data: BacktestData;
  readonly kbotVersion: string;
  /** Called every `progressEvery` bars with the count so far (progress bars). */
  readonly onProgress?: (barsDone: number) => void;
  readonly progressEvery?: number;
  readonly logger?: Logger;
  readonly store?: Store;
  readonly learners?: readonly Learner[];
}

/** Instruments of the backtest: Kraken's rules for known pairs, then the config's overrides. */
export function backtestInstruments(config: KbotConfig): StaticInstrumentProvider {
  const overrides: Instrument[] = config.backtest.instruments.map((entry) => defineInstrument(entry));
  return new StaticInstrumentProvider(krakenSpotInstruments()).with(overrides);
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
  const issues: ConfigIssue[] = [];
  for (const id of subscribed) {
    if (!instruments.get(id)) {
      issues.push({ path: 'backtest.instruments', received: `no order rules for ${id}`, expected: `an entry for ${id} (pricePrecision, quantityPrecision, minQuantity, minCost)` });
    }
  }
  // Data nobody subscribed to would run silently with no trades: say so before the run.
  const wanted = new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).filter((sub) => sub.kind === 'bars').map((sub) => `${sub.instrumentId} ${formatInterval(sub.interval ?? 0)}`)));
  for (const source of options.data.sources ?? []) {
    const offered = `${source.instrumentId} ${formatInterval(source.interval)}`;
    if (!wanted.has(offered)) {
      issues.push({ path: 'backtest.data', received: `${offered} bars`, expected: `bars a strategy subscribes to (${[...wanted].join(', ') || 'none'})` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const quoteAsset = settings.quoteAsset ?? (subscribed[0] ? instruments.get(subscribed[0])!.quote : Object.keys(settings.balances)[0] ?? 'USD');
  const clock = new TestClock(0);
  const venue = new SimulatedVenue({
    instruments: (id) => instruments.get(id),
    clock,
    balances: settings.balances,
    feeModel: feeModelFor(settings.fees),
    slippageModel: new FixedBpsSlippage(settings.slippageBps),
    fillModel: { maxVolumeParticipation: settings.maxVolumeParticipation },
    limitFillOn: settings.limitFillOn,
  });
  const store = options.store ?? new InMemoryStore();
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
  });
  const tracker = new EquityTracker();
  const startBalances = Object.fromEntries(engine.portfolio.balances().map((balance) => [balance.asset, balance.total]));
  let startEquity: Decimal | undefined;
  let firstClose: number | undefined;
  let lastClose: number | undefined;
  const benchmark = subscribed[0];
  let barsProcessed = 0;
  const progressEvery = options.progressEvery ?? 10_000;
  const onProgress = options.onProgress;

  const fills: Fill[] = [];
  engine.bus.on('order-filled', (event) => fills.push(event.fill));
  await engine.start();
  for (const bar of options.data.bars) {
    if (startEquity === undefined) startEquity = engine.equity();
    engine.onBar(bar);
    if (bar.instrumentId === benchmark) {
      if (firstClose === undefined) firstClose = bar.close;
      lastClose = bar.close;
    }
    tracker.record(bar.openTime + bar.interval, engine.equityNumber(), engine.hasExposure());
    barsProcessed++;
    if (onProgress !== undefined && barsProcessed % progressEvery === 0) onProgress(barsProcessed);
  }
  await engine.stop('end of data');
  onProgress?.(barsProcessed);

  return sessionResult(engine, {
    mode: 'backtest',
    bot,
    kbotVersion: options.kbotVersion,
    startedAt,
    quoteAsset,
    startBalances,
    startEquity: startEquity ?? engine.equity(),
    fills,
    tracker,
    barsProcessed,
    data: options.data.summaries(),
    firstClose,
    lastClose,
  });
}

/** `kraken`: Kraken's spot tiers by 30-day volume; `instrument`: each instrument's own rates; or fixed rates. */
function feeModelFor(fees: KbotConfig['backtest']['fees']): FeeModel {
  if (fees === 'kraken') return new KrakenSpotFeeModel();
  if (fees === 'instrument') return new InstrumentFeeModel();
  return new FixedFeeModel(new Decimal(fees.maker), new Decimal(fees.taker));
}
