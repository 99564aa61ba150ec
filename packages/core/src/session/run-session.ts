import { LiveClock, type Clock } from '../clock/clock.js';
import type { Bot } from '../di/container.js';
import { ConfigError } from '../errors/errors.js';
import { Engine } from '../engine/engine.js';
import type { Exchange, ExecutionClient } from '../exchange/exchange.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { toDecimal, type Decimal } from '../model/decimal.js';
import type { TradingState } from '../model/events.js';
import { InMemoryStore, type Store } from '../persistence/store.js';
import { KrakenSpotFeeModel } from '../simulation/fee-model.js';
import { FixedBpsSlippage } from '../simulation/slippage-model.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import { EquityTracker } from '../backtest/equity-tracker.js';
import type { BacktestResult } from '../backtest/result.js';
import { sessionResult } from '../backtest/session-result.js';
import type { Fill } from '../model/fill.js';

export interface SessionStatus {
  readonly mode: 'paper' | 'live';
  readonly time: number;
  readonly bars: number;
  readonly fills: number;
  readonly openOrders: number;
  readonly equity: number;
  readonly tradingState: TradingState;
}

export interface RunSessionOptions {
  readonly bot: Bot;
  readonly exchange: Exchange;
  readonly mode: 'paper' | 'live';
  readonly kbotVersion: string;
  /** Paper mode: what the simulated account holds at the start. */
  readonly paperBalances?: Readonly<Record<string, string | Decimal>>;
  /** The asset equity is measured in; defaults to the first subscribed instrument's quote. */
  readonly quoteAsset?: string;
  readonly store?: Store;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Stops the session when aborted (Ctrl-C, `kbot panic`, a test). */
  readonly signal?: AbortSignal;
  /** Stops after this long (ms). */
  readonly durationMs?: number;
  /** Stops after this many closed bars. */
  readonly maxBars?: number;
  /** Called on every closed bar with a status snapshot (live status lines, health heartbeat). */
  readonly onStatus?: (status: SessionStatus) => void;
}

/**
 * Runs a bot in paper or live mode: the same engine as a backtest, bound to the venue's market
 * data, with orders going to the simulated venue (paper) or the venue itself (live). Returns when
 * the signal aborts, the duration passes or `maxBars` bars have closed, with the same result
 * shape as a backtest so the same reports serve.
 */
export async function runSession(options: RunSessionOptions): Promise<BacktestResult> {
  const { bot, exchange, mode } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? new LiveClock();
  const startedAt = Date.now();
  await exchange.instruments.load();
  const subscriptions = bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params));
  const missing = [...new Set(subscriptions.map((sub) => sub.instrumentId))].filter((id) => !exchange.instruments.get(id));
  if (missing.length > 0) {
    throw new ConfigError(missing.map((id) => ({ path: 'strategies', received: `a subscription to ${id}`, expected: `an instrument the ${exchange.id} venue lists` })));
  }
  const quoteAsset = options.quoteAsset ?? exchange.instruments.get(subscriptions[0]!.instrumentId)!.quote;

  let execution: ExecutionClient;
  let startBalances: Record<string, string | Decimal>;
  if (mode === 'paper') {
    startBalances = { ...(options.paperBalances ?? { [quoteAsset]: '10000' }) };
    execution = new SimulatedVenue({
      instruments: (id) => exchange.instruments.get(id),
      clock,
      balances: startBalances,
      feeModel: new KrakenSpotFeeModel(),
      slippageModel: new FixedBpsSlippage(5),
      // Venue ids must not repeat across sessions: derive them from the start time.
      idPrefix: `P${(startedAt % 36 ** 7).toString(36).toUpperCase().padStart(7, '0')}`,
    });
  } else {
    execution = exchange.execution;
    startBalances = Object.fromEntries((await execution.fetchBalances()).map((balance) => [balance.asset, balance.total]));
  }

  const store = options.store ?? new InMemoryStore();
  const engine = new Engine({
    mode,
    clock,
    instruments: exchange.instruments,
    execution,
    store,
    strategies: bot.strategies,
    quoteAsset,
    startBalances,
    riskPolicies: bot.riskPolicies,
    learners: bot.config.learning,
    logger,
    // Live ids must not repeat across sessions: the venue keeps them.
    orderIdPrefix: `${mode === 'live' ? 'L' : 'P'}${startedAt.toString(36)}-`,
  });
  const tracker = new EquityTracker();
  const startEquity = engine.equity();
  let bars = 0;
  const fills: Fill[] = [];
  let firstClose: number | undefined;
  let lastClose: number | undefined;
  const benchmark = subscriptions[0]!.instrumentId;
  let stop: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));

  engine.bus.on('order-filled', (event) => fills.push(event.fill));
  engine.bus.on('bar-closed', (event) => {
    bars++;
    if (event.bar.instrumentId === benchmark) {
      firstClose ??= event.bar.close;
      lastClose = event.bar.close;
    }
    tracker.record(event.bar.openTime + event.bar.interval, engine.equityNumber(), engine.hasExposure());
    options.onStatus?.({ mode, time: clock.now(), bars, fills: fills.length, openOrders: engine.orders.openCount(), equity: engine.equityNumber(), tradingState: engine.risk.state });
    if (options.maxBars !== undefined && bars >= options.maxBars) stop(`${bars} bars closed`);
  });
  const timer = options.durationMs === undefined ? undefined : setTimeout(() => stop('duration reached'), options.durationMs);
  const onAbort = () => stop('stopped by signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop('stopped by signal');

  await engine.start();
  let reason: string;
  try {
    await exchange.data.subscribe(subscriptions, engine);
    logger.info('session started', { mode, strategies: bot.strategies.map((entry) => entry.id), subscriptions: subscriptions.length });
    reason = await stopped;
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await exchange.data.unsubscribe(subscriptions).catch((error: unknown) => logger.warn('unsubscribe failed', { error: String(error) }));
  }
  await engine.stop(reason);
  logger.info('session stopped', { reason, bars, fills: fills.length });
  if (mode === 'paper') await execution.close();

  return sessionResult(engine, {
    mode,
    bot,
    kbotVersion: options.kbotVersion,
    startedAt,
    quoteAsset,
    startBalances: Object.fromEntries(Object.entries(startBalances).map(([asset, amount]) => [asset, toDecimal(amount, `balances.${asset}`)])),
    startEquity,
    fills,
    tracker,
    barsProcessed: bars,
    data: [],
    firstClose,
    lastClose,
  });
}
