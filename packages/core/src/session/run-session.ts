import { LiveClock, type Clock } from '../clock/clock.js';
import type { Bot } from '../di/container.js';
import { ConfigError } from '../errors/errors.js';
import { Engine, type BalanceComparison, type BalanceDifference } from '../engine/engine.js';
import { hasRecoverableState, recoverEngineState, type RecoveredEngineState, type RecoverySummary } from '../engine/recovery.js';
import type { Exchange, ExecutionClient } from '../exchange/exchange.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { toDecimal, type Decimal } from '../model/decimal.js';
import { instrumentId, splitInstrumentId } from '../model/ids.js';
import { assetsValuedIn } from '../model/instrument.js';
import type { Subscription } from '../model/market-data.js';
import { formatInterval } from '../model/time.js';
import type { TradingState } from '../model/events.js';
import { InMemoryStore, type SessionLogEntry, type Store } from '../persistence/store.js';
import type { Balance } from '../model/position.js';
import { KrakenSpotFeeModel } from '../simulation/fee-model.js';
import { FixedBpsSlippage } from '../simulation/slippage-model.js';
import { krakenAssetDecimals } from '../simulation/asset-decimals.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import { FEE_VOLUME_WINDOW_MS } from '../simulation/trailing-volume.js';
import { PAPER_VENUE_SETTINGS } from '../recording/flight-recorder.js';
import { EquityTracker } from '../backtest/equity-tracker.js';
import type { BacktestResult } from '../backtest/result.js';
import { sessionResult } from '../backtest/session-result.js';
import type { Fill } from '../model/fill.js';
import type { Order } from '../model/order.js';
import { sessionHistory } from './session-history.js';
import { describeWarmUpSeries, fetchWarmUpHistory } from './warm-up.js';

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
  /**
   * The journal. Start-up is recovery: what the store holds (latest snapshot + the journal after
   * it) is rebuilt first, then the venue is reconciled (see docs/recovery.md). Default: in memory,
   * nothing survives the process. `kbot run` passes a SqliteStore kept per bot and mode.
   */
  readonly store?: Store;
  /** Journaled events between snapshots; default 1000. 0: no snapshots (a restart then cannot know the starting balances). */
  readonly snapshotEvery?: number;
  /**
   * Live restarts compare the journal's balances with the venue's: the places the venue reports
   * an asset to, below which a difference is its rounding. Default: Kraken's asset precisions.
   */
  readonly balanceDecimals?: (asset: string) => number;
  /** The session's lines carry no bot name or mode of their own: bind them (`kbot run` binds both). */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Stops the session when aborted (Ctrl-C, `kbot panic`, a test). */
  readonly signal?: AbortSignal;
  /** Stops after this long (ms). */
  readonly durationMs?: number;
  /** Stops after this many closed bars. */
  readonly maxBars?: number;
  /**
   * Live: how long a clean stop waits for the venue to answer the orders and cancels already
   * sent (and the strategies' onStop sends) before the engine stops; default 5000 ms.
   */
  readonly settleTimeoutMs?: number;
  /** Called on every closed bar with a status snapshot (live status lines, health heartbeat). */
  readonly onStatus?: (status: SessionStatus) => void;
  /** Called once start-up (recovery and reconciliation included) is done, before market data flows. */
  readonly onStarted?: (startup: SessionStartup) => void;
  /**
   * Called once the strategies warmed up on history (`Subscription.warmUpBars`), before live
   * data, with one line per series for people (also in the session log, kind `warm-up`).
   * Not called when no strategy asks for history.
   */
  readonly onWarmedUp?: (lines: readonly string[]) => void;
  /**
   * Called once the engine exists, before it starts: where the control socket, the audit trail
   * and dashboards attach (`engine.bus` carries every event, recovery's included).
   */
  readonly onEngine?: (engine: Engine, session: { readonly startedAt: number }) => void;
  /**
   * The bot's health heartbeat: `beat` is called every `intervalMs` while the session runs, with
   * the trading state (the Kraken dead man's switch is refreshed from it, and stops being
   * refreshed once the bot halts). A stuck event loop stops the beats too, which is the point.
   */
  readonly heartbeat?: { readonly intervalMs: number; readonly beat: (tradingState: TradingState) => void };
}

/** What start-up did: the recovery from the store and, live, the reconciliation with the venue. */
export interface SessionStartup {
  /** Undefined when the store was empty: a fresh start. */
  readonly recovery: RecoverySummary | undefined;
  /** Journaled order events that start-up produced (fills, cancels, acceptances found at the venue), by type. */
  readonly reconciled: Readonly<Record<string, number>>;
  /** Live: balances the venue had that fills did not explain, taken from the venue. */
  readonly balancesAdjusted: readonly BalanceDifference[];
}

/** How many times start-up reads the venue's balances before deciding a difference is real. */
const BALANCE_CHECKS = 5;
const BALANCE_CHECK_INTERVAL_MS = 400;

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
  const store = options.store ?? new InMemoryStore();
  const sessionLog = (kind: string, message: string, details?: Record<string, unknown>) =>
    store.appendSessionLog?.({ time: Date.now(), kind, message, ...(details === undefined ? {} : { details }) } satisfies SessionLogEntry);

  // Start-up is recovery: the latest snapshot and the journal after it, before the venue is touched.
  const found = store.load();
  const paperStart = { ...(options.paperBalances ?? { [quoteAsset]: '10000' }) };
  let recovered: RecoveredEngineState | undefined;
  if (hasRecoverableState(found)) {
    recovered = recoverEngineState(found, { instruments: (id) => exchange.instruments.get(id), ...(mode === 'paper' ? { startBalances: paperStart } : {}) });
    const summary = recovered.summary;
    const message = `replayed ${summary.eventsReplayed} journaled events after ${summary.snapshotSequence === undefined ? 'no snapshot' : `the snapshot at sequence ${summary.snapshotSequence}`}: ${summary.openOrders} open orders, ${summary.openPositions} open positions`;
    logger.info('recovered from the journal', { ...summary });
    sessionLog('recovered', message, { ...summary });
  }

  let execution: ExecutionClient;
  let startBalances: Record<string, string | Decimal>;
  if (mode === 'paper') {
    // The simulated venue lives in this process: it restarts with the recovered balances, and the
    // orders that rested on it before are canceled by the engine at start.
    startBalances = recovered === undefined ? paperStart : totals(recovered.portfolio.balances());
    execution = new SimulatedVenue({
      instruments: (id) => exchange.instruments.get(id),
      clock,
      balances: startBalances,
      // The settings a parity replay of this session uses too (kbot report --parity).
      feeModel: new KrakenSpotFeeModel(),
      slippageModel: new FixedBpsSlippage(PAPER_VENUE_SETTINGS.slippageBps),
      fillModel: { maxVolumeParticipation: PAPER_VENUE_SETTINGS.maxVolumeParticipation },
      limitFillOn: PAPER_VENUE_SETTINGS.limitFillOn,
      // As a backtest (and so a parity replay) explains a refusal for funds.
      explainInsufficientFunds: true,
      // Bars of a live feed arrive after they close: an order placed on one may fill on the next
      // bar, as in a backtest, although the wall clock already says that bar has begun.
      orderTime: 'market-data',
      // Venue ids must not repeat across sessions: derive them from the start time.
      idPrefix: `P${(startedAt % 36 ** 7).toString(36).toUpperCase().padStart(7, '0')}`,
      // A paper session may run for weeks: the venue keeps a day of finished orders and fills,
      // as the engine's snapshots do, not all of them.
      retainFinishedMs: PAPER_VENUE_RETAIN_FINISHED_MS,
      // Resumed: the fee tier goes on from the account's last 30 days of trading, not from nothing.
      ...(recovered === undefined ? {} : { tradedVolume: tradedVolumeSince(store, clock.now() - FEE_VOLUME_WINDOW_MS) }),
    });
  } else {
    execution = exchange.execution;
    startBalances = recovered === undefined ? totals(await execution.fetchBalances()) : totals(recovered.portfolio.balances());
  }

  const snapshotEvery = options.snapshotEvery ?? 1000;
  // A session may run for weeks: where the store can read its journal back, the engine keeps only
  // what a snapshot holds, and the report below is read from the journal.
  const readJournal = snapshotEvery > 0 ? store.journal?.bind(store) : undefined;
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
    // Live ids must not repeat across sessions, even if the journal were lost: the venue keeps them.
    orderIdPrefix: `${mode === 'live' ? 'L' : 'P'}${startedAt.toString(36)}-`,
    ...(recovered === undefined ? {} : { recovered }),
    snapshotEvery,
    history: readJournal === undefined ? 'memory' : 'journal',
  });
  const firstSequence = engine.journalSequence;
  const tracker = new EquityTracker();
  // What the session started with is valued at the first prices it sees (engine.openingEquity):
  // before any price, equity would leave held assets out and count them as profit later.
  options.onEngine?.(engine, { startedAt });
  let bars = 0;
  let fillCount = 0;
  // Without a journal to read back, the session's fills are kept here for the report.
  const fills: Fill[] | undefined = readJournal === undefined ? [] : undefined;
  let firstClose: number | undefined;
  let lastClose: number | undefined;
  /** Time of the equity curve's latest sample: a bar's close time, never going back. */
  let sampleTime = -Infinity;
  const benchmark = subscriptions[0]!.instrumentId;
  let stop: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  // A failed step halts the engine (its memory is ahead of the journal): the session ends, and
  // rethrows the failure once the market data is closed. A restart recovers from the journal.
  engine.onFailure(() => stop('the engine halted after a failed step'));

  engine.bus.on('order-filled', (event) => {
    fillCount++;
    fills?.push(event.fill);
  });
  engine.bus.on('bar-closed', (event) => {
    bars++;
    if (event.bar.instrumentId === benchmark) {
      firstClose ??= event.bar.close;
      lastClose = event.bar.close;
    }
    // Live bars of several pairs do not close in time order: a pair with no trade in an interval
    // gets no candle, so its bar is closed later by a timer, after other pairs' next bars. Such a
    // late bar gives the equity now, at the latest step (replacing that step's sample), since a
    // curve's time cannot go back.
    sampleTime = Math.max(sampleTime, event.bar.openTime + event.bar.interval);
    tracker.record(sampleTime, engine.equityNumber(), engine.hasExposure());
    options.onStatus?.({ mode, time: clock.now(), bars, fills: fillCount, openOrders: engine.orders.openCount(), equity: engine.equityNumber(), tradingState: engine.risk.state });
    if (options.maxBars !== undefined && bars >= options.maxBars) stop(`${bars} bars closed`);
  });
  const timer = options.durationMs === undefined ? undefined : setTimeout(() => stop('duration reached'), options.durationMs);
  const onAbort = () => stop('stopped by signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop('stopped by signal');

  sessionLog('session-started', `${mode} session on ${exchange.id}${recovered === undefined ? '' : ' (resumed)'}`, { mode, exchange: exchange.id, kbotVersion: options.kbotVersion, resumed: recovered !== undefined });
  // What the venue reports while the engine starts is what happened while the bot was down.
  const reconciled: Record<string, number> = {};
  let startupOver = false;
  const countStartup = engine.bus.onAny((event) => {
    // After engine-started come the strategies' own orders (onStart).
    if (event.type === 'engine-started') startupOver = true;
    if (!startupOver && event.sequence > 0 && event.type.startsWith('order-')) reconciled[event.type] = (reconciled[event.type] ?? 0) + 1;
  });
  try {
    await engine.start();
  } finally {
    countStartup();
  }
  let balancesAdjusted: readonly BalanceDifference[] = [];
  if (recovered !== undefined) {
    if (Object.keys(reconciled).length > 0) {
      const what = Object.entries(reconciled).map(([type, count]) => `${count} ${type}`).join(', ');
      logger.info('reconciled with the venue', reconciled);
      sessionLog('reconciled', `start-up reconciliation with ${mode === 'live' ? exchange.id : 'the simulated venue'}: ${what}`, reconciled);
    }
    if (mode === 'live') {
      const balances = await reconcileBalances(engine, execution, () => fillCount, { decimals: options.balanceDecimals ?? krakenAssetDecimals });
      balancesAdjusted = balances.adopted;
      if (balances.unsettled.length > 0) {
        const what = balances.unsettled.map((difference) => `${difference.asset} journal ${difference.engine.toFixed()}, venue ${difference.venue.toFixed()}`).join('; ');
        logger.warn('balances differ from the venue\'s while fills keep arriving; kept the journal\'s', { differences: what });
        sessionLog('balances-unsettled', `balances differ from the venue's while fills keep arriving; kept the journal's: ${what}`);
      }
      if (balancesAdjusted.length > 0) {
        const what = balancesAdjusted.map((difference) => `${difference.asset} ${difference.engine.toFixed()} -> ${difference.venue.toFixed()}`).join(', ');
        logger.warn('balances differ from what the journal explains; the venue\'s are taken', { differences: what });
        sessionLog('balances-adjusted', `balances differ from what the journal explains; the venue's are taken: ${what}`, {
          differences: balancesAdjusted.map((difference) => ({ asset: difference.asset, journal: difference.engine.toFixed(), venue: difference.venue.toFixed() })),
        });
      }
    }
  }
  options.onStarted?.(Object.freeze({ recovery: recovered?.summary, reconciled: Object.freeze({ ...reconciled }), balancesAdjusted }));
  let reason: string;
  let heartbeat: NodeJS.Timeout | undefined;
  let valuation: Subscription[] = [];
  try {
    if (options.heartbeat !== undefined) {
      const { beat, intervalMs } = options.heartbeat;
      const safeBeat = () => {
        try {
          beat(engine.risk.state);
        } catch (error) {
          logger.error('heartbeat failed', { error: String(error) });
        }
      };
      safeBeat();
      heartbeat = setInterval(safeBeat, intervalMs);
    }
    const warmedUp = await warmUpStrategies(engine, exchange, subscriptions, stopped, logger, sessionLog);
    if (warmedUp !== undefined) options.onWarmedUp?.(warmedUp);
    valuation = valuationSubscriptions(engine, subscriptions, exchange, quoteAsset, (message, details) => {
      logger.warn(message, details);
      sessionLog('asset-unvalued', message, details);
    });
    if (valuation.length > 0) logger.info('held assets no strategy trades are valued at their quotes', { pairs: valuation.map((sub) => sub.instrumentId) });
    // A venue whose stream cannot open yet may keep this waiting (data can still arrive another
    // way, such as Kraken's REST fallback); a stop must not wait for it.
    await Promise.race([exchange.data.subscribe([...subscriptions, ...valuation], engine), stopped]);
    // No `mode` field: the session's logger carries it (the CLI binds bot and mode), and a second one made the JSON line repeat the key.
    logger.info('session started', { strategies: bot.strategies.map((entry) => entry.id), subscriptions: subscriptions.length });
    reason = await stopped;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await exchange.data.unsubscribe([...subscriptions, ...valuation]).catch((error: unknown) => logger.warn('unsubscribe failed', { error: String(error) }));
  }
  // A clean stop waits (briefly) for the venue to answer orders and cancels already sent, so the
  // journal does not end with an order the venue holds as open (or has canceled) but the journal
  // only as submitted (or pending cancel).
  if (engine.failed !== undefined) {
    await engine.stop(reason);
    if (mode === 'paper') await execution.close();
    throw engine.failed;
  }
  if (mode === 'live') {
    // The strategies' onStop first, so what they send as they stop is answered and journaled too.
    engine.runStopHandlers();
    const settleTimeoutMs = options.settleTimeoutMs ?? SETTLE_TIMEOUT_MS;
    let unanswered = await settleRequestsInFlight(engine, settleTimeoutMs);
    if (unanswered.length > 0 && execution.stopOrderEntry !== undefined) {
      // Work still waiting its turn is reported as not sent while the engine can journal it:
      // sent after the engine stopped, its answer would reach nothing and the journal would end
      // with an order pending a cancel the venue has carried out.
      execution.stopOrderEntry('the session stopped before it was its turn to be sent');
      unanswered = waitingForTheVenue(engine);
    }
    if (unanswered.length > 0) {
      const what = unanswered.map((order) => `${order.clientOrderId} (${order.status})`).join(', ');
      const message = `stopped with ${unanswered.length} request(s) the venue had not answered after ${settleTimeoutMs} ms: ${what}; the next start reconciles them`;
      logger.warn(message);
      sessionLog('requests-unanswered', message, { orders: unanswered.map((order) => ({ clientOrderId: order.clientOrderId, status: order.status })) });
    }
  }
  await engine.stop(reason);
  logger.info('session stopped', { reason, bars, fills: fillCount });
  sessionLog('session-stopped', reason, { bars, fills: fillCount, openOrders: engine.orders.openCount() });
  if (mode === 'paper') await execution.close();

  return sessionResult(engine, {
    mode,
    bot,
    kbotVersion: options.kbotVersion,
    startedAt,
    quoteAsset,
    // What this session started with (after recovery, and a venue's balances adopted at start).
    startBalances: engine.openingBalanceTotals(),
    startEquity: engine.openingEquity(),
    history:
      readJournal === undefined
        ? { fills: fills ?? [], roundTrips: [...engine.portfolio.roundTrips()], orders: engine.orders.all() }
        : sessionHistory(readJournal(firstSequence), engine.orders.all()),
    tracker,
    barsProcessed: bars,
    data: [],
    firstClose,
    lastClose,
  });
}

/**
 * Hands the strategies the history they asked for (`Subscription.warmUpBars`) before live data,
 * so a session that starts, or restarts, trades as soon as its first live bar closes instead of
 * after hours of warming indicators. What could not be had is logged; those strategies warm up
 * on live bars. A stop during the fetch skips the warm-up.
 */
async function warmUpStrategies(
  engine: Engine,
  exchange: Exchange,
  subscriptions: readonly Subscription[],
  stopped: Promise<string>,
  logger: Logger,
  sessionLog: (kind: string, message: string, details?: Record<string, unknown>) => void,
): Promise<readonly string[] | undefined> {
  const history = await Promise.race([fetchWarmUpHistory(exchange.data, subscriptions), stopped.then(() => undefined)]);
  if (history === undefined || history.series.length === 0) return undefined;
  if (!history.available) {
    const message = `${exchange.id} gives no history: the strategies warm up on live bars (${history.series.map((series) => `${series.instrumentId} ${formatInterval(series.interval)}: ${series.wanted} bars`).join(', ')})`;
    logger.warn(message);
    sessionLog('warm-up', message);
    return [message];
  }
  engine.warmUp(history.bars);
  const lines = history.series.map(describeWarmUpSeries);
  const short = history.series.some((series) => series.received < series.wanted);
  const details = { series: history.series.map((series) => ({ instrumentId: series.instrumentId, interval: formatInterval(series.interval), wanted: series.wanted, received: series.received, ...(series.error === undefined ? {} : { error: series.error }) })) };
  if (short) logger.warn('strategies warmed up on less history than they asked for', { ...details, summary: lines.join('; ') });
  else logger.info('strategies warmed up on history', { ...details, summary: lines.join('; ') });
  sessionLog('warm-up', `warmed up on ${history.bars.length} bars of history: ${lines.join('; ')}`, details);
  return lines;
}

/** How long the paper venue keeps finished orders and fills (the engine's snapshots keep finished orders as long). */
const PAPER_VENUE_RETAIN_FINISHED_MS = 86_400_000;

/** How long a clean stop waits for the venue to answer orders and cancels in flight. */
const SETTLE_TIMEOUT_MS = 5_000;

/** Waits until no order is submitted or pending cancel, or the time is up; returns those still waiting. */
async function settleRequestsInFlight(engine: Engine, timeoutMs: number): Promise<readonly Order[]> {
  const deadline = Date.now() + timeoutMs;
  while (waitingForTheVenue(engine).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return waitingForTheVenue(engine);
}

/** Orders whose placing or cancel the venue has not answered yet. */
function waitingForTheVenue(engine: Engine): readonly Order[] {
  return engine.orders.openOrders().filter((order) => order.status === 'submitted' || order.status === 'pending-cancel');
}

/** What the account traded from `since` on, as the journal's fills tell it (a store that cannot say gives nothing). */
function* tradedVolumeSince(store: Store, since: number): Iterable<{ time: number; amount: Decimal }> {
  for (const fill of store.fillsSince?.(since) ?? []) yield { time: fill.time, amount: fill.quantity.times(fill.price) };
}

function totals(balances: readonly Balance[]): Record<string, Decimal> {
  return Object.fromEntries(balances.map((balance) => [balance.asset, balance.total]));
}

/**
 * After a live restart the venue's balances should be what the journal plus the reconciled fills
 * say. A difference seen once may be a fill in flight, so it counts only when two reads in a row
 * agree with each other and no fill arrived between them; then the venue's balances are taken.
 */
async function reconcileBalances(
  engine: Engine,
  execution: ExecutionClient,
  fillCount: () => number,
  comparison: BalanceComparison,
): Promise<{ readonly adopted: readonly BalanceDifference[]; readonly unsettled: readonly BalanceDifference[] }> {
  let previous: string | undefined;
  let differences: BalanceDifference[] = [];
  for (let check = 0; check < BALANCE_CHECKS; check++) {
    const fillsBefore = fillCount();
    const venue = await execution.fetchBalances();
    differences = engine.balanceDifferences(venue, comparison);
    if (differences.length === 0) return { adopted: [], unsettled: [] };
    const key = fillsBefore === fillCount() ? `${fillsBefore}:${differences.map((difference) => `${difference.asset}=${difference.venue.toFixed()}/${difference.engine.toFixed()}`).join(',')}` : undefined;
    if (key !== undefined && key === previous) return { adopted: engine.adoptVenueBalances(venue, comparison), unsettled: [] };
    previous = key;
    await new Promise((resolve) => setTimeout(resolve, BALANCE_CHECK_INTERVAL_MS));
  }
  return { adopted: [], unsettled: differences };
}

/**
 * Quotes of `<asset>/<quote>` for each asset the account holds that no strategy's pair values (a
 * position left by a run with other pairs, or bought by hand): without a price, equity, P&L and
 * the report would leave it out and still look complete. Only the market cache reads these quotes;
 * no strategy is handed them. An asset the venue lists no such pair for is reported through
 * `unvalued` and stays out of equity.
 */
function valuationSubscriptions(
  engine: Engine,
  subscriptions: readonly Subscription[],
  exchange: Exchange,
  quoteAsset: string,
  unvalued: (message: string, details: Record<string, unknown>) => void,
): Subscription[] {
  const valued = assetsValuedIn(quoteAsset, subscriptions.map((sub) => splitInstrumentId(sub.instrumentId)));
  const extra: Subscription[] = [];
  for (const asset of engine.portfolio.assets()) {
    if (valued.has(asset) || engine.portfolio.balanceTotal(asset).isZero()) continue;
    const pair = instrumentId(`${asset}/${quoteAsset}`);
    if (exchange.instruments.get(pair) !== undefined) extra.push({ instrumentId: pair, kind: 'quotes' });
    else unvalued(`${asset} is held but no strategy trades it and ${exchange.id} lists no ${pair}: it is left out of equity and P&L`, { asset, quantity: engine.portfolio.balanceTotal(asset).toFixed(), quoteAsset });
  }
  return extra;
}
