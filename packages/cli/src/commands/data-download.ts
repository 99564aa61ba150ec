import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import {
  DataError, ExchangeError, TradeBarBuilder, formatInterval, isKbotError, isoTime, openBarFile, silentLogger,
  type Bar, type DataSourceSummary, type InstrumentId, type StrategyRegistry,
} from '@kbot/core';
import { toKrakenPair, type KrakenExchange, type KrakenRestClient, type OhlcInterval, type OhlcRow, type TradeRow } from '@kbot/exchange-kraken';
import { EXIT, UsageError } from '../exit-codes.js';
import type { LoadedConfig } from '../load-config.js';
import { openExchange } from '../open-exchange.js';
import {
  DATA_FOLDER, PART_SUFFIX, STATE_SUFFIX, appendDurably, dataFileName, dateFlag, intervalFlag, ohlcvtRow, pairFlag, firstWholeInterval, endOfWholeIntervals, writeFileAtomically,
} from './data-files.js';

/** The public Kraken REST calls a download makes. */
export type MarketHistoryRest = Pick<KrakenRestClient, 'time' | 'ohlc' | 'trades'>;

/** Kraken's OHLC endpoint serves only its most recent 720 candles of an interval. */
const OHLC_INTERVAL_MINUTES: ReadonlySet<number> = new Set([1, 5, 15, 30, 60, 240, 1440]);
/** Kraken's public calls are limited per IP; about one a second stays within the limit. */
const DEFAULT_REQUEST_GAP_MS = 1_000;
/** Trades per `/0/public/Trades` page: Kraken's maximum. */
const TRADES_PER_PAGE = 1_000;
/** Exit code of a download stopped by Ctrl-C (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = EXIT.interrupted;

export interface DownloadRequest {
  readonly instrumentId: InstrumentId;
  /** Milliseconds: one of the Kraken file intervals. */
  readonly interval: number;
  /** Epoch ms; bars from the first whole interval at or after it. */
  readonly from: number;
  /** Epoch ms, exclusive; default: the venue's current time. Only whole intervals before it are kept. */
  readonly to?: number;
  /** Folder the file is written to. */
  readonly dir: string;
  /** Download again even when the file exists. */
  readonly force?: boolean;
}

export interface DownloadProgress {
  /** Milliseconds of the range covered so far, and in all. */
  readonly doneMs: number;
  readonly totalMs: number;
  readonly bars: number;
  /** Time of the last trade read, epoch ms. */
  readonly through: number;
}

export interface DownloadOptions {
  readonly rest: MarketHistoryRest;
  /** Least time between two requests; default 1000 ms. */
  readonly requestGapMs?: number;
  /** Trades per page; default 1000 (Kraken's maximum). */
  readonly tradesPerPage?: number;
  /** Stops after the page in flight has been saved; the download can then be resumed. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DownloadOutcome {
  /** The finished file; the `.part` file when the download stopped early. */
  readonly file: string;
  readonly complete: boolean;
  /** `ohlc`: Kraken's OHLC endpoint covered the range; `trades`: bars were built from trades. */
  readonly source: 'ohlc' | 'trades';
  /** A previous, interrupted download was continued. */
  readonly resumed: boolean;
  /** Bars written (so far). */
  readonly bars: number;
  /** The range of whole intervals downloaded: `[from, end)`, epoch ms. */
  readonly from: number;
  readonly end: number;
  readonly requests: number;
}

/** What a download in progress keeps beside its `.part` file, rewritten atomically after each page. */
interface DownloadState {
  readonly kind: 'kbot-data-download';
  readonly version: 1;
  readonly pair: string;
  readonly instrument: string;
  readonly interval: number;
  readonly from: number;
  /** Kraken's `last` cursor of the last page saved (nanoseconds, opaque). */
  readonly cursor: string;
  /** Bytes of the `.part` file that belong to saved pages; anything after is a torn write. */
  readonly bytes: number;
  readonly bars: number;
  /** Open time of the last bar written, or null. */
  readonly lastBarTime: number | null;
  /** Time and id of the last trade read, or null. */
  readonly lastTradeTime: number | null;
  readonly lastTradeId: number | null;
  /** The bar still being built from trades when the page was saved. */
  readonly pending: Bar | null;
}

/** Keeps at least `gapMs` between the starts of two requests. */
class RequestPacer {
  private next = -Infinity;
  count = 0;

  constructor(
    private readonly gapMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async wait(): Promise<void> {
    const wait = this.next - this.now();
    if (wait > 0) await this.sleep(wait);
    this.next = this.now() + this.gapMs;
    this.count++;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Downloads the bars of one pair and interval over `[from, to)` into `<dir>/<PAIR>_<minutes>.csv`
 * (Kraken OHLCVT, no header). When Kraken's OHLC endpoint (its 720 most recent candles) reaches
 * back to `from`, its candles are used; otherwise bars are built from `/0/public/Trades`, paged
 * with the `since` cursor up to `to`. Each page is saved before the next is asked for: bars
 * appended to `<file>.part`, then the cursor and the bar still being built to
 * `<file>.download.json`, so a download that stops (Ctrl-C, a crash, a network failure) continues
 * where it stopped when run again. Requests are spaced by `requestGapMs`; the REST client retries
 * Kraken's rate-limit answers with backoff.
 */
export async function downloadBars(request: DownloadRequest, options: DownloadOptions): Promise<DownloadOutcome> {
  const now = options.now ?? Date.now;
  const pacer = new RequestPacer(options.requestGapMs ?? DEFAULT_REQUEST_GAP_MS, now, options.sleep ?? defaultSleep);
  const { instrumentId, interval } = request;
  const pair = toKrakenPair(instrumentId);
  const file = join(request.dir, dataFileName(instrumentId, interval));
  const part = `${file}${PART_SUFFIX}`;
  const stateFile = `${file}${STATE_SUFFIX}`;
  // Whole intervals only, the same rule as imports (data-files.ts); the end once the venue's time is known.
  const from = firstWholeInterval(request.from, interval);
  mkdirSync(request.dir, { recursive: true });

  const saved = readState(stateFile);
  if (saved !== undefined && (saved.pair !== pair || saved.interval !== interval || saved.from !== from)) {
    throw new UsageError(
      `${stateFile} continues a download of ${saved.pair} ${formatInterval(saved.interval)} from ${isoTime(saved.from)}, not ${pair} ${formatInterval(interval)} from ${isoTime(from)}: ` +
        'run it with the same --from, or delete it and its .part file to start over',
    );
  }
  if (saved === undefined && existsSync(file) && request.force !== true) {
    throw new UsageError(`${file} exists: pass --force to download it again`);
  }

  await pacer.wait();
  const venueNow = (await options.rest.time()).unixtime * 1000;
  const end = endOfWholeIntervals(Math.min(request.to ?? Infinity, venueNow), interval);
  if (end <= from) {
    const until = request.to !== undefined && request.to <= venueNow ? `--to ${isoTime(request.to)}` : `now (${isoTime(venueNow)})`;
    throw new UsageError(`--from: received ${isoTime(request.from)}, expected a time at least one whole ${formatInterval(interval)} interval before ${until}`);
  }
  if (saved?.lastBarTime != null && saved.lastBarTime >= end) {
    throw new UsageError(`--to: received ${isoTime(end)}, expected a time after the bars already downloaded (to ${isoTime(saved.lastBarTime)} in ${part})`);
  }

  if (saved === undefined && OHLC_INTERVAL_MINUTES.has(interval / 60_000)) {
    await pacer.wait();
    const bars = await ohlcCoveringRange(options.rest, pair, interval, from, end);
    if (bars !== undefined) {
      rmSync(part, { force: true });
      if (bars.length > 0) writeFileAtomically(file, bars.join(''));
      return { file, complete: true, source: 'ohlc', resumed: false, bars: bars.length, from, end, requests: pacer.count };
    }
  }
  return downloadFromTrades({ instrumentId, pair, interval, from, end, file, part, stateFile, saved }, options, pacer);
}

/** Kraken's candles in `[from, end)` as OHLCVT rows, or undefined when they do not reach back to `from`. */
async function ohlcCoveringRange(rest: MarketHistoryRest, pair: string, interval: number, from: number, end: number): Promise<string[] | undefined> {
  const result = await rest.ohlc({ pair, interval: (interval / 60_000) as OhlcInterval });
  const rows = pageRows<OhlcRow>(result, 'OHLC', pair);
  // With gaps Kraken's 720 candles reach further back; without a candle at or before `from`
  // there is no telling whether earlier intervals had trades.
  if (rows.length === 0 || Number(rows[0]![0]) * 1000 > from) return undefined;
  const lines: string[] = [];
  for (const row of rows) {
    const time = Number(row[0]) * 1000;
    // Intervals without trades get no bar, as in Kraken's downloadable files.
    if (time < from || time >= end || Number(row[7]) === 0) continue;
    // Kraken's decimal strings verbatim: exact, and no float noise in the volume.
    lines.push(`${row[0]},${row[1]},${row[2]},${row[3]},${row[4]},${row[6]},${row[7]}\n`);
  }
  return lines;
}

interface TradeDownload {
  readonly instrumentId: InstrumentId;
  readonly pair: string;
  readonly interval: number;
  readonly from: number;
  readonly end: number;
  readonly file: string;
  readonly part: string;
  readonly stateFile: string;
  readonly saved: DownloadState | undefined;
}

async function downloadFromTrades(job: TradeDownload, options: DownloadOptions, pacer: RequestPacer): Promise<DownloadOutcome> {
  const { instrumentId, pair, interval, from, end, file, part, stateFile, saved } = job;
  const builder = new TradeBarBuilder(instrumentId, interval, `Kraken Trades ${pair}`);
  let cursor = saved?.cursor ?? (BigInt(from) * 1_000_000n).toString();
  let bytes = saved?.bytes ?? 0;
  let bars = saved?.bars ?? 0;
  let lastBarTime = saved?.lastBarTime ?? null;
  let lastTradeTime = saved?.lastTradeTime ?? null;
  let lastTradeId = saved?.lastTradeId ?? null;
  if (saved?.pending != null) builder.restore(saved.pending, saved.lastTradeTime ?? saved.pending.openTime);
  preparePart(part, stateFile, bytes);
  const report = () => options.onProgress?.({ doneMs: Math.max(0, (lastTradeTime ?? from) - from), totalMs: end - from, bars, through: lastTradeTime ?? from });
  report();

  for (;;) {
    if (options.signal?.aborted) {
      return { file: part, complete: false, source: 'trades', resumed: saved !== undefined, bars, from, end, requests: pacer.count };
    }
    await pacer.wait();
    const result = await options.rest.trades({ pair, since: cursor, count: options.tradesPerPage ?? TRADES_PER_PAGE });
    const rows = pageRows<TradeRow>(result, 'Trades', pair);
    const next = String(result.last);
    const finished: Bar[] = [];
    let reachedEnd = false;
    for (const row of rows) {
      const id = typeof row[6] === 'number' ? row[6] : null;
      // A trade seen on the previous page (Kraken's cursor may repeat the last one) counts once.
      if (id !== null && lastTradeId !== null && id <= lastTradeId) continue;
      const time = Math.floor(Number(row[2]) * 1000);
      if (time < from) continue;
      if (time >= end) {
        reachedEnd = true;
        break;
      }
      const bar = builder.add(time, Number(row[0]), Number(row[1]));
      if (bar !== undefined) finished.push(bar);
      lastTradeTime = time;
      if (id !== null) lastTradeId = id;
    }
    // No newer trades (an empty page, or a cursor that did not move): every trade up to the
    // venue's time at the start, so up to `end`, has been read.
    const caughtUp = rows.length === 0 || next === cursor;
    const done = reachedEnd || caughtUp;
    if (done) {
      const last = builder.flush();
      // (A bar saved by an earlier run with a later --to may lie past this run's end.)
      if (last !== undefined && last.openTime < end) finished.push(last);
    }
    if (finished.length > 0) {
      bytes += appendDurably(part, finished.map(ohlcvtRow).join(''));
      bars += finished.length;
      lastBarTime = finished[finished.length - 1]!.openTime;
    }
    cursor = next;
    const state: DownloadState = {
      kind: 'kbot-data-download', version: 1, pair, instrument: instrumentId, interval, from, cursor, bytes, bars, lastBarTime, lastTradeTime, lastTradeId,
      pending: builder.pending() ?? null,
    };
    writeFileAtomically(stateFile, `${JSON.stringify(state)}\n`);
    report();
    if (done) break;
  }
  if (bars > 0) renameSync(part, file);
  else rmSync(part, { force: true });
  rmSync(stateFile, { force: true });
  return { file, complete: true, source: 'trades', resumed: saved !== undefined, bars, from, end, requests: pacer.count };
}

/** The rows of the one pair in a Kraken OHLC or Trades result (keyed by Kraken's pair id). */
function pageRows<T>(result: object, endpoint: string, pair: string): readonly T[] {
  const key = Object.keys(result).find((name) => name !== 'last');
  const rows = key === undefined ? [] : (result as Record<string, unknown>)[key];
  if (!Array.isArray(rows)) {
    throw new ExchangeError('bad-response', `Kraken ${endpoint} ${pair}: received ${JSON.stringify(rows).slice(0, 80)} under "${key}", expected an array of rows`);
  }
  return rows as readonly T[];
}

/** Cuts a torn last write off the `.part` file, or starts it afresh without a state. */
function preparePart(part: string, stateFile: string, bytes: number): void {
  const size = existsSync(part) ? statSync(part).size : 0;
  if (size > bytes) truncateSync(part, bytes);
  else if (size < bytes) {
    throw new DataError(part, undefined, `holds ${size} bytes but ${stateFile} saved ${bytes}: the partial download is damaged; delete both files to start over`);
  }
}

function readState(stateFile: string): DownloadState | undefined {
  if (!existsSync(stateFile)) return undefined;
  let state: Partial<DownloadState>;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<DownloadState>;
  } catch (error) {
    throw new DataError(stateFile, undefined, `not readable as JSON (${error instanceof Error ? error.message : String(error)}): delete it and its .part file to start over`);
  }
  const whole = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value);
  const wholeOrNull = (value: unknown) => value === null || whole(value);
  if (
    state.kind !== 'kbot-data-download' || state.version !== 1 || typeof state.pair !== 'string' || typeof state.instrument !== 'string' ||
    !whole(state.interval) || !whole(state.from) || typeof state.cursor !== 'string' || !/^\d+$/.test(state.cursor) || !whole(state.bytes) ||
    !whole(state.bars) || !wholeOrNull(state.lastBarTime) || !wholeOrNull(state.lastTradeTime) || !wholeOrNull(state.lastTradeId) ||
    (state.pending !== null && typeof state.pending !== 'object')
  ) {
    throw new DataError(stateFile, undefined, 'not a kbot download state (kind "kbot-data-download", version 1): delete it and its .part file to start over');
  }
  return state as DownloadState;
}

// ---- the command --------------------------------------------------------------------------

export interface DataDownloadFlags {
  readonly config?: string;
  readonly interval?: string;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
  readonly force?: boolean;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export interface DataDownloadContext {
  readonly cwd: string;
  readonly registry: StrategyRegistry;
  /** Where the exchange plugin reads keys and URLs; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A config already loaded (tests). */
  readonly loaded?: LoadedConfig;
  readonly signal?: AbortSignal;
  readonly requestGapMs?: number;
}

export interface DataDownloadResult {
  readonly output: string;
  readonly exitCode: number;
  readonly outcome: DownloadOutcome;
  readonly summary: DataSourceSummary | undefined;
}

/** `kbot data download <pair>`: flags checked first (each error names its flag), then the download. */
export async function dataDownloadCommand(pairText: string, flags: DataDownloadFlags, context: DataDownloadContext): Promise<DataDownloadResult> {
  const instrumentId = pairFlag('<pair>', pairText);
  const interval = intervalFlag('--interval', flags.interval);
  if (flags.from === undefined) throw new UsageError('--from: received nothing, expected the first date to download, such as 2024-01-01');
  const from = dateFlag('--from', flags.from);
  const to = flags.to === undefined ? undefined : dateFlag('--to', flags.to);
  if (to !== undefined && to <= from) throw new UsageError(`--to: received ${JSON.stringify(flags.to)}, expected a time after --from (${isoTime(from)})`);
  if (flags.out !== undefined && flags.out.trim() === '') throw new UsageError('--out: received "", expected a folder');

  const opened = await openExchange({
    cwd: context.cwd,
    registry: context.registry,
    ...(flags.config ? { configFile: flags.config } : {}),
    ...(context.env ? { env: context.env } : {}),
    ...(context.loaded ? { loaded: context.loaded } : {}),
    // As every --json command: stdout is the JSON, and no log line for people goes to stderr.
    ...(flags.json ? { logger: silentLogger } : {}),
  });
  const progress = createDownloadProgress(flags.progress !== false && flags.json !== true, `download ${instrumentId} ${formatInterval(interval)}`);
  let outcome: DownloadOutcome;
  try {
    const exchange = opened.exchange as Partial<KrakenExchange>;
    if (opened.exchange.id !== 'kraken' || exchange.rest === undefined) {
      throw new UsageError(`kbot data download: received exchange "${opened.exchange.id}", expected kraken (the only exchange whose history kbot can download)`);
    }
    const dir = flags.out !== undefined ? resolve(context.cwd, flags.out) : join(opened.storageDir, DATA_FOLDER);
    try {
      outcome = await downloadBars(
        { instrumentId, interval, from, ...(to === undefined ? {} : { to }), dir, ...(flags.force ? { force: true } : {}) },
        {
          rest: exchange.rest,
          onProgress: (update) => progress.update(update),
          ...(context.signal ? { signal: context.signal } : {}),
          ...(context.requestGapMs === undefined ? {} : { requestGapMs: context.requestGapMs }),
        },
      );
    } catch (error) {
      // Kraken's answer does not say which pair it does not know; the user's argument does.
      if (error instanceof ExchangeError && error.venueMessage?.startsWith('EQuery:Unknown asset pair') === true) {
        const read = pairText.trim().toUpperCase() === instrumentId ? '' : ` (${instrumentId})`;
        throw new UsageError(`<pair>: received ${JSON.stringify(pairText)}${read}, expected a pair ${opened.exchange.id} lists, such as BTC/USD (Kraken answered ${error.venueMessage} for ${toKrakenPair(instrumentId)})`);
      }
      throw withResumeHint(error, join(dir, dataFileName(instrumentId, interval)));
    }
  } finally {
    progress.stop();
    await opened.close();
  }
  const range = `${isoTime(outcome.from).slice(0, 16)} .. ${isoTime(outcome.end).slice(0, 16)}`;
  if (!outcome.complete) {
    const text = `interrupted: ${outcome.bars} ${formatInterval(interval)} bars of ${instrumentId} saved in ${outcome.file}; run the same command again to continue`;
    return { output: flags.json ? JSON.stringify({ ...outcome, interval: formatInterval(interval) }) : text, exitCode: EXIT_INTERRUPTED, outcome, summary: undefined };
  }
  // Read the file back: proves it is readable and gives the gap report.
  const summary = outcome.bars > 0 ? openBarFile(outcome.file).summary() : undefined;
  const via = outcome.source === 'ohlc' ? 'Kraken OHLC' : 'bars built from Kraken trades';
  const gaps = summary === undefined || summary.gaps === 0 ? 'no empty intervals' : `${summary.gaps} empty interval${summary.gaps === 1 ? '' : 's'} (no trades; longest ${formatInterval(summary.largestGapMs)})`;
  const text = outcome.bars === 0
    ? `no ${instrumentId} trades in ${range}: nothing written`
    : `downloaded ${outcome.bars} ${formatInterval(interval)} bars of ${instrumentId}, ${range} (${via}, ${outcome.requests} requests${outcome.resumed ? ', resumed' : ''}); ${gaps}\n${outcome.file}`;
  const json = { ...outcome, interval: formatInterval(interval), instrument: instrumentId, gaps: summary?.gaps ?? 0, largestGapMs: summary?.largestGapMs ?? 0 };
  return { output: flags.json ? JSON.stringify(json) : text, exitCode: 0, outcome, summary };
}

/** Adds to a failure (one line) that what was saved is kept and the same command continues it. */
function withResumeHint(error: unknown, file: string): unknown {
  if (!isKbotError(error) || !existsSync(`${file}${STATE_SUFFIX}`)) return error;
  const hint = `; the bars so far are kept in ${file}${PART_SUFFIX}: run the same command again to continue`;
  if (error instanceof ExchangeError) {
    return new ExchangeError(error.kind, `${error.message}${hint}`, {
      retryable: error.retryable, cause: error,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.venueMessage === undefined ? {} : { venueMessage: error.venueMessage }),
    });
  }
  return error;
}

interface DownloadProgressBar {
  update(progress: DownloadProgress): void;
  stop(): void;
}

/** A progress bar on stderr by market time covered (cli-progress), only on a terminal. */
function createDownloadProgress(enabled: boolean, label: string): DownloadProgressBar {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | through {through} | {bars} bars | {eta_formatted} left`, stream: process.stderr, hideCursor: true, fps: 5 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const minutes = Math.round(progress.totalMs / 60_000);
      const payload = { through: isoTime(progress.through).slice(0, 16), bars: progress.bars };
      if (!started) {
        bar.start(minutes, 0, payload);
        started = true;
      }
      bar.update(Math.min(minutes, Math.round(progress.doneMs / 60_000)), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
