import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  attachAuditTrail, controlSocketPath, operatorActor, engineControl, FlightRecorder, openSessionStore, parseSizeText, runSession, sessionFolder, startControlServer, StoreError, toReportJson, writeReport,
  type BookHealth, type BotControl, type ControlServer, type Engine, type Instrument, type SessionStartup, type SessionStatus, type StrategyRegistry,
} from '@kbot/core';
import { deadMansSwitchHeartbeat, type KrakenExchange } from '@kbot/exchange-kraken';
import { loadKbotConfig } from '../load-config.js';
import { openExchange } from '../open-exchange.js';
import { UsageError } from '../exit-codes.js';
import { backtestSummary } from '../output/tables.js';
import { bookName, bookStatusEntry } from '../output/book-health.js';
import { ORDERS_OVER_WEBSOCKET, orderChannelText } from '../output/order-channel.js';

export interface RunFlags {
  readonly config?: string;
  readonly mode?: string;
  readonly duration?: string;
  readonly bars?: string;
  readonly confirmLive?: boolean;
  readonly out?: string;
  readonly json?: boolean;
  /** `--no-record`: no flight recording (docs/flight-recorder.md). Default: on. */
  readonly record?: boolean;
  /** `--resume`: a bot whose journal ends halted (or reducing) starts trading again (active). */
  readonly resume?: boolean;
}

/** `20240101-120000`: the time stamp in report and recording folder names. */
function folderStamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`--duration: received ${JSON.stringify(value)}, expected a length such as 90s, 15m, 2h`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** One status line about what start-up recovered and reconciled. */
function startupLine(startup: SessionStartup, journal: string): string {
  const recovery = startup.recovery;
  if (recovery === undefined) return `new journal ${journal}: nothing to recover`;
  const reconciled = Object.entries(startup.reconciled).map(([type, count]) => `${count} ${type}`).join(', ');
  const adjusted = startup.balancesAdjusted.map((difference) => `${difference.asset} ${difference.engine.toFixed()} -> ${difference.venue.toFixed()}`).join(', ');
  return [
    `resumed from the journal: ${recovery.eventsReplayed} events replayed, ${recovery.openOrders} open orders, ${recovery.openPositions} open positions`,
    reconciled === '' ? 'nothing changed at the venue while stopped' : `reconciled: ${reconciled}`,
    ...(adjusted === '' ? [] : [`balances taken from the venue: ${adjusted}`]),
  ].join('; ');
}

/**
 * `kbot run`: the bot in paper or live mode against the configured exchange, until Ctrl-C, a
 * duration or a bar count; then the session report. Live trading needs keys in the environment
 * and, the first time for a storage folder, `--confirm-live`. The journal is kept per bot and
 * mode under the storage folder, so running the same bot again (after a stop or a crash) resumes
 * it: see docs/recovery.md.
 */
export async function runCommand(
  flags: RunFlags,
  context: { cwd: string; kbotVersion: string; registry: StrategyRegistry; status: (line: string, once?: boolean) => void; signal?: AbortSignal },
): Promise<{ output: string; reportDir: string }> {
  const loaded = await loadKbotConfig({ cwd: context.cwd, ...(flags.config ? { file: flags.config } : {}) });
  const mode = flags.mode ?? loaded.config.mode;
  if (mode !== 'paper' && mode !== 'live') {
    throw new UsageError(`--mode: received ${JSON.stringify(mode)}, expected "paper" or "live" (set mode in the config or pass --mode; backtests run with "kbot backtest")`);
  }
  const durationMs = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  const maxBars = flags.bars === undefined ? undefined : Number(flags.bars);
  if (maxBars !== undefined && !(Number.isInteger(maxBars) && maxBars > 0)) throw new UsageError(`--bars: received ${JSON.stringify(flags.bars)}, expected a whole number ≥ 1`);
  const opened = await openExchange({ cwd: context.cwd, registry: context.registry, mode, loaded, ...(flags.config ? { configFile: flags.config } : {}) });
  const { config, storageDir, bot, exchange, logger } = opened;
  const confirmation = resolve(storageDir, 'live-confirmed');
  if (mode === 'live' && !existsSync(confirmation) && !flags.confirmLive) {
    await opened.close();
    throw new UsageError(`live mode trades real money: run once with --confirm-live to confirm for ${storageDir}`);
  }
  if (mode === 'live' && flags.confirmLive) {
    try {
      mkdirSync(storageDir, { recursive: true });
      writeFileSync(confirmation, `live trading confirmed ${new Date().toISOString()}\n`);
    } catch (error) {
      await opened.close();
      throw new StoreError('store-unavailable', storageDir, `cannot record the live confirmation in it (${(error as Error).message}); expected a folder this user can write to: kbot run keeps the bot's journal there. Give this user write permission there or point storage.dir at another folder`, { cause: error });
    }
  }

  const sessionKey = { mode, botName: config.name } as const;
  // The control socket (kbot status, kbot panic) is also the lock on the journal: a second run of
  // this bot stops here, before it opens the journal the first one is writing.
  let control: ControlServer;
  let store;
  try {
    control = await startControlServer({ path: controlSocketPath(sessionFolder(storageDir, sessionKey)), logger });
  } catch (error) {
    await opened.close();
    throw error;
  }
  try {
    store = openSessionStore(storageDir, sessionKey, { logger });
  } catch (error) {
    await control.close();
    await opened.close();
    throw error;
  }
  // The flight recorder: every market-data message and order event of the session, for
  // `kbot report --parity` (docs/flight-recorder.md).
  let recorder: FlightRecorder | undefined;
  if (flags.record !== false) {
    try {
      const recordings = resolve(sessionFolder(storageDir, sessionKey), 'recordings');
      const maxTotalSize = config.recording.maxTotalSize;
      recorder = new FlightRecorder({
        dir: resolve(recordings, folderStamp(Date.now())),
        bot: config.name, mode, exchange: exchange.id, configFile: opened.file, kbotVersion: context.kbotVersion,
        ...(maxTotalSize === false ? {} : { retention: { root: recordings, maxTotalBytes: parseSizeText(maxTotalSize, 'recording.maxTotalSize') } }),
        onPrune: (outcome) => logger.info('old flight recordings deleted to stay under recording.maxTotalSize', {
          maxTotalSize, sessions: outcome.sessions.length, files: outcome.files.length, bytesFreed: outcome.bytesFreed, bytesLeft: outcome.bytesLeft,
        }),
        onPruneError: (error) => logger.warn('could not delete old flight recordings; recording goes on', { error: error.message }),
        onError: (error) => logger.warn('flight recording could not be written; the bot goes on (the recording files stop at the first failed write)', { error: error.message }),
      });
    } catch (error) {
      store.close();
      await control.close();
      await opened.close();
      throw error;
    }
  }
  let detachRecorder: (() => void) | undefined;
  let lastStatus: SessionStatus | undefined;
  let detachAudit: (() => void) | undefined;
  let detachBookHealth: (() => void) | undefined;
  // How live orders reach the exchange (undefined in paper mode), and what the last status line said of it.
  const orderChannel = () => (mode === 'live' ? orderChannelText(exchange.execution) : undefined);
  let lastChannel: string | undefined;
  /** The latest book-health report per book, for `kbot status`. */
  const books = new Map<string, BookHealth>();
  let runningEngine: Engine | undefined;
  /** The running bot's control (its panic and resume recorded when recording), once the engine is built. */
  let botControl: BotControl | undefined;
  // Kraken's dead man's switch, when configured: refreshed from the session's heartbeat.
  const deadMansSwitch = (exchange as Partial<KrakenExchange>).deadMansSwitch;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  context.signal?.addEventListener('abort', onSignal, { once: true });
  let result;
  try {
    result = await runSession({
      bot, mode, kbotVersion: context.kbotVersion, logger, signal: controller.signal, store,
      exchange: recorder === undefined ? exchange : { id: exchange.id, instruments: exchange.instruments, execution: exchange.execution, data: recorder.marketData(exchange.data) },
      paperBalances: config.backtest.balances,
      onStarted: (startup: SessionStartup) => {
        recorder?.update({ resumed: startup.recovery !== undefined });
        context.status(startupLine(startup, store.file), true);
        if (flags.resume && botControl !== undefined && runningEngine !== undefined && runningEngine.risk.state !== 'active') {
          // The operator's resume, through the same control `kbot resume` reaches: journaled,
          // recorded for the parity replay, and audited here.
          const actor = operatorActor();
          const { from, tradingState } = botControl.resume({ actor, reason: 'as the bot started (kbot run --resume)' });
          opened.audit.recordOperatorAction({ command: 'run --resume', args: { bot: config.name, mode, from, tradingState }, outcome: 'ok', actor });
          context.status(`trading state ${from} -> ${tradingState} (--resume)`);
        }
      },
      onWarmedUp: (lines) => {
        for (const line of lines) context.status(`warm-up: ${line}`, true);
      },
      onEngine: (engine, session) => {
        runningEngine = engine;
        if (recorder !== undefined) {
          detachRecorder = recorder.attach(engine.bus);
          const ids = [...new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).map((sub) => sub.instrumentId)))];
          const instruments = ids.map((id) => exchange.instruments.get(id)).filter((instrument): instrument is Instrument => instrument !== undefined);
          // The risk state too: a parity replay of a resumed session starts from what it carried.
          recorder.recordStart({ quoteAsset: engine.quoteAsset, balances: engine.portfolio.balances(), instruments, risk: engine.risk.snapshot() });
        }
        // Every order command, the strategies' and the operator's, goes to audit.log.
        detachAudit = attachAuditTrail(engine.bus, opened.audit);
        // A checked book dropped or verified again: a line for the operator, and the status keeps the latest.
        detachBookHealth = engine.bus.on('book-health-reported', ({ health }) => {
          books.set(bookName(health), health);
          if (health.status === 'resync') context.status(`book ${bookName(health)} dropped (${health.reason ?? 'resync'}): resync ${health.resyncs}, waiting for a fresh snapshot`, true);
          else if (health.resyncs > 0) context.status(`book ${bookName(health)} verified again after ${health.resyncs} resync${health.resyncs === 1 ? '' : 's'}`, true);
        });
        const engineCommands = engineControl(engine, {
          bot: config.name, mode, startedAt: session.startedAt, instruments: exchange.instruments,
          pairs: [...new Set(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params).map((sub) => sub.instrumentId)))],
          details: () => {
            const channel = orderChannel();
            return {
              bars: lastStatus?.bars ?? 0,
              fills: lastStatus?.fills ?? 0,
              ...(lastStatus ? { lastBarClosedAt: new Date(lastStatus.time).toISOString() } : {}),
              ...(books.size === 0 ? {} : { books: [...books.values()].map(bookStatusEntry) }),
              ...(channel === undefined ? {} : { orderChannel: channel }),
              journal: store.file,
            };
          },
        });
        // The operator's panic and resume are recorded where they come, for the parity replay.
        botControl = recorder === undefined ? engineCommands : recorder.recordedControl(engineCommands);
        control.attach(botControl);
      },
      ...(deadMansSwitch === undefined ? {} : { heartbeat: deadMansSwitchHeartbeat(deadMansSwitch) }),
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(maxBars === undefined ? {} : { maxBars }),
      onStatus: (status: SessionStatus) => {
        lastStatus = status;
        // A line when orders move to REST (the private socket lost) and when they move back.
        // (None for the WebSocket at the start: that is the normal way.)
        const channel = orderChannel();
        if (channel !== lastChannel && channel !== undefined && !(lastChannel === undefined && channel === ORDERS_OVER_WEBSOCKET)) context.status(`orders go over ${channel}`, true);
        lastChannel = channel;
        context.status(`${status.mode} ${new Date(status.time).toISOString().slice(11, 19)} bars ${status.bars} fills ${status.fills} open orders ${status.openOrders} equity ${status.equity.toFixed(2)} state ${status.tradingState}`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    detachAudit?.();
    detachBookHealth?.();
    detachRecorder?.();
    // Closed (flushed) here as well, so a failed session keeps what it recorded.
    if (result === undefined) recorder?.close();
    // Plugins close what they opened (sockets, timers), so the process can end.
    await opened.close();
    store.close();
    await control.close();
  }
  const reportDir = flags.out ? resolve(context.cwd, flags.out) : resolve(storageDir, 'reports', `${config.name}-${mode}-${folderStamp(result.startedAt)}`);
  try {
    await writeReport(result, reportDir);
  } finally {
    recorder?.close({ reportDir });
  }
  return { reportDir, output: flags.json ? JSON.stringify(toReportJson(result)) : `${mode.toUpperCase()} session on ${exchange.id}\n${backtestSummary(result, reportDir)}` };
}
