import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BacktestData } from '../backtest/run-backtest.js';
import { runBacktest, type ScheduledOperatorAction } from '../backtest/run-backtest.js';
import type { BacktestResult, DataSourceSummary } from '../backtest/result.js';
import type { KbotConfig } from '../config/schema.js';
import type { Bot } from '../di/container.js';
import type { ReplayItem } from '../data/replay-item.js';
import { DataError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Fill } from '../model/fill.js';
import { barCloseTime, type Bar } from '../model/market-data.js';
import type { RecordedEntry } from './recording-lines.js';
import { storeFilePath } from '../persistence/sqlite-store.js';
import { compareFills, type FillParity } from './fill-parity.js';
import { journaledSessionFills } from './journaled-session-fills.js';
import { RECORDING_MANIFEST_FILE, readRecordingManifest, type RecordingManifest } from './recording-manifest.js';
import { parseRiskEngineState } from '../engine/engine-state.js';
import type { RiskEngineState } from '../risk/risk-engine.js';
import { recordingEntries, recordingFiles, type RecordingReadSummary } from './recording-reader.js';
import { recordingFileName } from './recording-writer.js';

/**
 * The recorded market data as backtest data: bars, trades and quotes in the order they reached
 * the session (arrival order, which is the order the session's engine saw them), each at its own
 * data time. Books are recorded top-of-book only and are not replayed. Each iteration reads the
 * files afresh.
 */
export function recordedReplayData(dir: string, summary?: RecordingReadSummary): BacktestData & { readonly bookMessages: () => number } {
  const sources = new Map<string, { instrumentId: string; interval: number; bars: number; trades: number; quotes: number; first: number | undefined; last: number | undefined }>();
  let books = 0;
  const entries = recordingEntries(dir, summary);
  const items: Iterable<ReplayItem> = {
    *[Symbol.iterator]() {
      sources.clear();
      books = 0;
      for (const entry of entries) {
        // Operator commands and book reports are given by the replay itself (recordedSession).
        if (entry.kind === 'event' || entry.kind === 'warm-up' || entry.kind === 'operator' || entry.kind === 'book-health') continue;
        if (entry.kind === 'book') {
          books++;
          continue;
        }
        const instrumentId = entry.kind === 'bar' ? entry.bar.instrumentId : entry.kind === 'trade' ? entry.trade.instrumentId : entry.quote.instrumentId;
        let source = sources.get(instrumentId);
        if (source === undefined) {
          source = { instrumentId, interval: 0, bars: 0, trades: 0, quotes: 0, first: undefined, last: undefined };
          sources.set(instrumentId, source);
        }
        let item: ReplayItem;
        if (entry.kind === 'bar') {
          source.bars++;
          source.interval = entry.bar.interval;
          item = { kind: 'bar', time: barCloseTime(entry.bar), bar: entry.bar };
        } else if (entry.kind === 'trade') {
          source.trades++;
          item = { kind: 'trade', time: entry.trade.time, trade: entry.trade };
        } else {
          source.quotes++;
          item = { kind: 'quote', time: entry.quote.time, quote: entry.quote };
        }
        const time = entry.kind === 'bar' ? entry.bar.openTime : item.time;
        source.first = source.first === undefined ? time : Math.min(source.first, time);
        source.last = source.last === undefined ? time : Math.max(source.last, time);
        yield item;
      }
    },
  };
  return {
    bars: [],
    items,
    warmUp: () => recordedWarmUp(entries),
    bookMessages: () => books,
    summaries: (): DataSourceSummary[] => [...sources.values()].map((source) => ({
      file: dir, format: 'flight-recording', instrumentId: source.instrumentId, interval: source.interval, bars: source.bars,
      trades: source.trades, quotes: source.quotes, first: source.first, last: source.last, gaps: 0, largestGapMs: 0, generated: false,
    })),
  };
}

/**
 * The history the session's strategies warmed up on (`warm-up` lines). The session fetches it
 * before it subscribes to anything, so reading stops at the first live market data.
 */
function recordedWarmUp(entries: Iterable<RecordedEntry>): Bar[] {
  const bars: Bar[] = [];
  for (const entry of entries) {
    if (entry.kind === 'warm-up') bars.push(entry.bar);
    else if (entry.kind !== 'event' && entry.kind !== 'operator' && entry.kind !== 'book-health') break;
  }
  return bars;
}

/** An operator's command (or a venue's book report) a recorded session got, placed for the replay, with when it came. */
export type RecordedOperatorActionAt = ScheduledOperatorAction & { readonly at: number };

/**
 * What the session did, read in one pass over its recording: its fills (recorded `order-filled`
 * events, in the order they happened) and the inputs it got that a replay cannot work out: the
 * operator's commands (`kbot panic`, `kbot resume`, `kbot run --resume`) and the venue's
 * book-health reports, each with the number of replayed items (bars, trades,
 * quotes: what recordedReplayData yields) that came before it, so the replay gives it at the same
 * point.
 */
export function recordedSession(dir: string): { readonly fills: Fill[]; readonly operatorActions: RecordedOperatorActionAt[] } {
  const fills: Fill[] = [];
  const operatorActions: RecordedOperatorActionAt[] = [];
  let items = 0;
  for (const entry of recordingEntries(dir)) {
    if (entry.kind === 'bar' || entry.kind === 'trade' || entry.kind === 'quote') items++;
    else if (entry.kind === 'operator') operatorActions.push({ beforeItem: items, action: entry.action, at: entry.at });
    else if (entry.kind === 'book-health') operatorActions.push({ beforeItem: items, action: { command: 'book-health', health: entry.health }, at: entry.at });
    else if (entry.kind === 'event' && entry.event.type === 'order-filled') fills.push(entry.event.fill);
  }
  return { fills, operatorActions };
}

/** The fills the session made, from its recorded `order-filled` events, in the order they happened. */
export function recordedFills(dir: string): Fill[] {
  return recordedSession(dir).fills;
}

/**
 * The config a replay of the session runs with: the session's config, starting from the balances
 * and order rules the session started with, matching orders the way the session's venue did (a
 * paper session's simulated-venue settings; a live session's venue was the exchange, so the
 * config's own backtest settings stand in for it).
 */
export function parityConfig(config: KbotConfig, manifest: RecordingManifest): KbotConfig {
  const venue = manifest.venue;
  return {
    ...config,
    backtest: {
      ...config.backtest,
      data: [],
      ...(manifest.startBalances === null ? {} : { balances: { ...manifest.startBalances } }),
      ...(manifest.quoteAsset === null ? {} : { quoteAsset: manifest.quoteAsset }),
      ...(venue === null ? {} : { fees: venue.fees, slippageBps: venue.slippageBps, maxVolumeParticipation: venue.maxVolumeParticipation, limitFillOn: venue.limitFillOn }),
      instruments: [...config.backtest.instruments.filter((entry) => !manifest.instruments.some((recorded) => recorded.id === entry.id)), ...manifest.instruments.map((entry) => ({ ...entry }))],
    },
  };
}

export interface ParityOptions {
  /** The recording folder (`<session folder>/recordings/<stamp>`). */
  readonly dir: string;
  /** The config to replay with (normally the session's config file, loaded again). */
  readonly config: KbotConfig;
  /** The config file it was loaded from, to check it is the one the session ran with. */
  readonly configFile?: string;
  /** Builds a fresh bot (new strategy instances) from a config. */
  readonly createBot: (config: KbotConfig) => Bot;
  readonly kbotVersion: string;
  readonly logger?: Logger;
  /**
   * The bot's journal, to find fills the recording lost (a killed process). Default: the
   * `kbot.sqlite` of the session folder the recording sits in (`<folder>/recordings/<stamp>`),
   * if there is one. `null`: no such check.
   */
  readonly journalFile?: string | null;
}

/** `<session folder>/kbot.sqlite` for a recording in `<session folder>/recordings/<stamp>`, if it exists. */
function sessionJournal(dir: string): string | undefined {
  const recordings = dirname(dir);
  if (basename(recordings) !== 'recordings') return undefined;
  const file = storeFilePath(dirname(recordings));
  return existsSync(file) ? file : undefined;
}

/** One trade of one order: the same fill in the journal and in the recording. */
const fillKey = (fill: Fill) => `${fill.instrumentId}\u0000${fill.clientOrderId}\u0000${fill.tradeId}`;

export interface ParityOutcome {
  readonly manifest: RecordingManifest;
  readonly parity: FillParity;
  readonly replay: BacktestResult;
  readonly read: RecordingReadSummary;
  /** What limits the comparison (a resumed session, a changed config, a cut recording, books). */
  readonly notes: readonly string[];
}

/**
 * `kbot report --parity`: replays a recorded session's market data through `runBacktest` with
 * the session's config and start, and compares the fills with the session's own.
 */
/** The risk state the recorded session started with; undefined when the manifest has none (fresh, or older). */
function recordedStartRisk(dir: string, manifest: RecordingManifest): RiskEngineState | undefined {
  if (manifest.startRisk === undefined || manifest.startRisk === null) return undefined;
  const file = join(dir, RECORDING_MANIFEST_FILE);
  try {
    return parseRiskEngineState(manifest.startRisk, 'startRisk');
  } catch (error) {
    throw new DataError(file, undefined, (error as Error).message, { cause: error });
  }
}

export async function runParity(options: ParityOptions): Promise<ParityOutcome> {
  const manifest = readRecordingManifest(options.dir);
  if (manifest.startBalances === null) {
    throw new DataError(options.dir, undefined, 'the recording has no start balances: the session stopped before its engine was built');
  }
  const files = recordingFiles(options.dir);
  if (files.length > 0 && basename(files[0]!) !== recordingFileName(1)) {
    throw new DataError(options.dir, undefined, `the recording starts at ${basename(files[0]!)}: its first files were deleted to keep recordings under recording.maxTotalSize, so the session cannot be replayed from its start`);
  }
  const notes: string[] = [];
  const startRisk = recordedStartRisk(options.dir, manifest);
  if (manifest.resumed === true) {
    notes.push(startRisk === undefined
      ? 'the session resumed from its journal (open orders and positions from before, and the risk policies\' day\'s loss, drawdown peak and trading state); the replay starts from its balances only, with risk policies afresh (the recording is older than kbot keeping their state in it), so fills of the orders from before show as live-only, and orders a carried-over limit denied live may fill in the replay'
      : 'the session resumed from its journal; the replay starts from its balances and the risk state it carried (each policy\'s state, such as the day\'s loss and the drawdown peak, and the trading state), but not from its open orders and positions\' entry prices, so fills of the orders from before show as live-only');
  }
  if (manifest.venue === null) notes.push(`a ${manifest.mode} session: the venue was ${manifest.exchange}, the replay's venue is the simulated one with the config's backtest settings (fees ${JSON.stringify(options.config.backtest.fees)}, slippage ${options.config.backtest.slippageBps} bps)`);
  const configFile = options.configFile ?? manifest.configFile;
  if (manifest.configSha256 !== '' && existsSync(configFile) && createHash('sha256').update(readFileSync(configFile)).digest('hex') !== manifest.configSha256) {
    notes.push(`${configFile} is not the config the session ran with (${manifest.configFile} as it was then): the replay runs it as it is now`);
  }
  const read: RecordingReadSummary = { files: 0, lines: 0, truncated: false };
  const data = recordedReplayData(options.dir, read);
  const bot = options.createBot(parityConfig(options.config, manifest));
  // Read before the replay: the commands are given during it. One pass for the fills as well.
  const session = recordedSession(options.dir);
  const operatorActions = session.operatorActions;
  const listed: string[] = [];
  let bookReports = 0;
  for (const { action, at } of operatorActions) {
    if (action.command === 'book-health') bookReports++;
    else listed.push(`${action.command}${action.command === 'panic' && action.flatten ? ' --flatten' : ''} by ${action.actor} at ${new Date(at).toISOString()}`);
  }
  if (listed.length > 0) notes.push(`the operator's commands during the session are given to the replay where the session got them: ${listed.join(', ')}`);
  if (bookReports > 0) notes.push(`the venue's ${bookReports === 1 ? 'book-health report (a resync or a verified snapshot) is' : `${bookReports} book-health reports (resyncs and verified snapshots) are`} given to the replay's risk policies and strategies where the session got ${bookReports === 1 ? 'it' : 'them'}`);
  const replay = await runBacktest({
    bot, data, kbotVersion: options.kbotVersion, ...(options.logger ? { logger: options.logger } : {}),
    ...(startRisk === undefined ? {} : { riskState: { state: startRisk, where: `${join(options.dir, RECORDING_MANIFEST_FILE)} startRisk` } }),
    ...(operatorActions.length === 0 ? {} : { operatorActions }),
  });
  if (read.truncated) notes.push('the recording ends in a cut line (the process was killed): it is replayed up to its last complete line');
  if (manifest.stoppedAt === null) {
    notes.push('the session did not stop: its manifest has no stop time, so the process was killed (or is still running) and the recording may lack its last second of messages');
  }
  if (typeof manifest.recordingError === 'string') notes.push(`the recording stopped before the session did (${manifest.recordingError}): the replay ends where it stopped`);
  if (data.bookMessages() > 0) notes.push(`${data.bookMessages()} order book messages were recorded (top of book only) and are not replayed: strategies reading books see nothing in the replay`);
  const recorded = session.fills;
  // The journal has every fill the session made; a killed recorder loses its last buffer. A fill
  // missing there is still a fill of the session: it is compared, so it cannot pass unseen.
  let live = recorded;
  const journalFile = options.journalFile === undefined ? sessionJournal(options.dir) : options.journalFile ?? undefined;
  if (journalFile !== undefined) {
    try {
      const inRecording = new Set(recorded.map(fillKey));
      const missing = (journaledSessionFills(journalFile, manifest) ?? []).filter((fill) => !inRecording.has(fillKey(fill)));
      if (missing.length > 0) {
        notes.push(`${missing.length} fills of the session are in its journal ${journalFile} but not in the recording: they are compared as the session's fills`);
        live = [...recorded, ...missing];
      }
    } catch (error) {
      notes.push(`the journal ${journalFile} could not be read to find fills the recording lost: ${(error as Error).message}`);
    }
  }
  return { manifest, parity: compareFills(live, replay.fills), replay, read, notes };
}
