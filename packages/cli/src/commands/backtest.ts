import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  createBot, createConsoleLogger, openBacktestData, silentLogger, parseTimeOption, runBacktest, toReportJson, warmUpBarsWanted, writeReport, ResampledBarSource,
  type BarSource, type DataEntry, type StrategyRegistry,
} from '@kbot/core';
import { UsageError } from '../exit-codes.js';
import { loadKbotConfig } from '../load-config.js';
import { createProgress } from '../output/progress.js';
import { backtestSummary } from '../output/tables.js';

export interface BacktestFlags {
  readonly config?: string;
  readonly data?: readonly string[];
  /** Kraken trades files replayed as Trade events (`--trades`). */
  readonly trades?: readonly string[];
  readonly instrument?: string;
  readonly interval?: string;
  readonly resample?: string;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export interface BacktestOutcome {
  readonly reportDir: string;
  readonly output: string;
}

/** `kbot backtest`: loads the config, replays the data through the engine, writes the report. */
export async function backtestCommand(flags: BacktestFlags, context: { cwd: string; kbotVersion: string; registry: StrategyRegistry }): Promise<BacktestOutcome> {
  const { config, file } = await loadKbotConfig({ cwd: context.cwd, ...(flags.config ? { file: flags.config } : {}) });
  const from = parseTimeOption(flags.from ?? config.backtest.from, flags.from ? '--from' : 'backtest.from');
  const to = parseTimeOption(flags.to ?? config.backtest.to, flags.to ? '--to' : 'backtest.to');
  const fromFlags = (flags.data ?? []).map((path): DataEntry => ({
    file: resolve(context.cwd, path),
    ...(flags.instrument ? { instrument: flags.instrument } : {}),
    ...(flags.interval ? { interval: flags.interval } : {}),
  }));
  const tradeFlags = (flags.trades ?? []).map((path): DataEntry => ({
    file: resolve(context.cwd, path),
    replay: 'trades',
    ...(flags.instrument ? { instrument: flags.instrument } : {}),
  }));
  const entries = fromFlags.length + tradeFlags.length > 0 ? [...fromFlags, ...tradeFlags] : config.backtest.data;
  const configDir = dirname(file);
  const logger = config.log.level === 'silent' ? silentLogger : createConsoleLogger(config.log.level, { bot: config.name });
  const bot = createBot(config, { registry: context.registry, logger });
  // From `from`, the strategies warm up on the bars just before it, as on a venue's history at
  // the start of a session (Freqtrade's startup candles): their first signals are those of a run
  // over the whole data at the same bars.
  const data = openBacktestData(entries, {
    baseDir: configDir,
    ...(from === undefined ? {} : { from, warmUpBars: warmUpBarsWanted(bot) }),
    ...(to === undefined ? {} : { to }),
    ...(flags.resample ? { resample: flags.resample } : {}),
  });

  // A report folder that cannot be made fails now, not after a long run.
  if (flags.out !== undefined) ensureFolder(resolve(context.cwd, flags.out), `--out: received ${JSON.stringify(flags.out)}`);
  const ticks = data.tickSources.reduce((total, source) => total + (source.generated ? 0 : countLines(source.file)), 0);
  const progress = createProgress(estimateBars(data.sources) + ticks, { enabled: flags.progress !== false && !flags.json, label: 'backtest' });
  let result;
  try {
    result = await runBacktest({ bot, data, logger, kbotVersion: context.kbotVersion, onProgress: (done) => progress.update(done), progressEvery: 20_000 });
  } finally {
    progress.stop();
  }
  // A run that replayed nothing has nothing to report: say why instead of writing an empty report.
  if (result.barsProcessed === 0 && (result.tradesProcessed ?? 0) === 0 && (result.quotesProcessed ?? 0) === 0) {
    throw new UsageError(nothingReplayed(result.data, flags.from ?? config.backtest.from, flags.to ?? config.backtest.to));
  }
  const stamp = new Date(result.startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const reportDir = flags.out ? resolve(context.cwd, flags.out) : resolve(configDir, config.storage.dir, 'reports', `${config.name}-${stamp}`);
  await writeReport(result, reportDir);
  const output = flags.json ? JSON.stringify(toReportJson(result)) : backtestSummary(result, reportDir);
  return { reportDir, output };
}

/** Bars to expect, for the progress bar: generated counts, and line counts of files (fast scan). */
function estimateBars(sources: readonly BarSource[]): number {
  let total = 0;
  for (const source of sources) {
    // A resampled file: its lines, shrunk by how many source bars make one resampled bar.
    const read = source instanceof ResampledBarSource ? source.source : source;
    const file = (read as { file?: string }).file;
    if (file === undefined) total += source.summary().bars;
    else total += Math.ceil(countLines(file) * read.interval / source.interval);
  }
  return total;
}

function countLines(file: string): number {
  if (statSync(file).size > 512 * 1024 * 1024) return 0;
  const descriptor = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  try {
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, null);
      if (read === 0) break;
      for (let index = 0; index < read; index++) if (buffer[index] === 10) lines++;
    }
  } finally {
    closeSync(descriptor);
  }
  return lines;
}

function ensureFolder(folder: string, what: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new UsageError(`${what}, expected a folder kbot can create and write (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${(error as Error).message})`);
  }
}

/** Why a run had no market data: the period asked for, and what each data source holds. */
function nothingReplayed(sources: readonly { file: string; first: number | undefined; last: number | undefined }[], from: string | number | undefined, to: string | number | undefined): string {
  const time = (value: string | number) => (typeof value === 'number' ? new Date(value).toISOString() : value);
  const period = from === undefined && to === undefined ? 'the whole data' : `${from === undefined ? 'the start' : time(from)} to ${to === undefined ? 'the end' : time(to)}`;
  const held = sources.map((source) => `${basename(source.file)}: ${source.first === undefined ? 'nothing in that period' : `${new Date(source.first).toISOString()} to ${new Date(source.last ?? source.first).toISOString()}`}`).join('; ');
  return `backtest: received no bars, trades or quotes for ${period}, expected market data for the strategies to trade on (${held || 'no data sources'}); check --from/--to (backtest.from/to) against the data, and that the data gives what the strategies subscribe to (bars, not only trades)`;
}
