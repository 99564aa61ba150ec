import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Table from 'cli-table3';
import {
  createBot, createConsoleLogger, readRecordingManifest, REPORT_FILE_NAMES, RECORDING_MANIFEST_FILE, runParity, silentLogger,
  type Fill, type ParityOutcome, type ReportJson, type StrategyRegistry,
} from '@kbot/core';
import type { Command } from 'commander';
import { loadKbotConfig } from '../load-config.js';
import { curveRatio, percent } from '../output/tables.js';
import { EXIT, UsageError } from '../exit-codes.js';
import type { CliIo } from '../program.js';

/** `kbot report --parity` found differences between the session and its replay (docs/cli.md). */
export const PARITY_DIFFERS_EXIT = EXIT.parityDiffers;

export interface ReportFlags {
  readonly config?: string;
  readonly json?: boolean;
  readonly parity?: boolean;
}

/** A session as `kbot report` found it: its report folder and, when there is one, its flight recording. */
interface ResolvedSession {
  readonly reportDir: string | undefined;
  readonly recordingDir: string | undefined;
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

async function storageOf(cwd: string, configFile: string | undefined): Promise<{ storageDir: string; configPath: string }> {
  const { config, file } = await loadKbotConfig({ cwd, ...(configFile ? { file: configFile } : {}) });
  return { storageDir: resolve(dirname(file), config.storage.dir), configPath: file };
}

/** Every recording folder under the storage folder: `<storage>/<mode>/<bot>/recordings/<stamp>`. */
function recordingDirs(storageDir: string): string[] {
  const found: string[] = [];
  for (const mode of ['paper', 'live']) {
    const modeDir = join(storageDir, mode);
    if (!isDir(modeDir)) continue;
    for (const bot of readdirSync(modeDir)) {
      const recordings = join(modeDir, bot, 'recordings');
      if (!isDir(recordings)) continue;
      for (const stamp of readdirSync(recordings)) {
        if (existsSync(join(recordings, stamp, RECORDING_MANIFEST_FILE))) found.push(join(recordings, stamp));
      }
    }
  }
  return found;
}

function recordingOfReport(storageDir: string, reportDir: string): string | undefined {
  return recordingDirs(storageDir).find((dir) => {
    try {
      return readRecordingManifest(dir).reportDir === reportDir;
    } catch {
      return false;
    }
  });
}

/**
 * Resolves `<session>`: a path to a report folder (holding report.json) or to a recording folder
 * (holding manifest.json); otherwise the name of a folder under `<storage>/reports/` (exact, or
 * the only one whose name contains it, e.g. a time stamp). Several or none: a usage error listing
 * the candidates.
 */
export async function resolveSession(session: string, context: { cwd: string; configFile?: string; needRecording: boolean }): Promise<ResolvedSession> {
  const path = resolve(context.cwd, session);
  let storage: { storageDir: string } | undefined;
  const storageDir = async () => (storage ??= await storageOf(context.cwd, context.configFile)).storageDir;
  if (isDir(path) && existsSync(join(path, RECORDING_MANIFEST_FILE))) {
    const reportDir = readRecordingManifest(path).reportDir ?? undefined;
    return { recordingDir: path, reportDir: reportDir !== undefined && existsSync(join(reportDir, REPORT_FILE_NAMES.json)) ? reportDir : undefined };
  }
  let reportDir: string;
  if (isDir(path) && existsSync(join(path, REPORT_FILE_NAMES.json))) {
    reportDir = path;
  } else {
    const reports = join(await storageDir(), 'reports');
    const names = isDir(reports) ? readdirSync(reports).filter((name) => existsSync(join(reports, name, REPORT_FILE_NAMES.json))).sort() : [];
    const exact = names.find((name) => name === session);
    const matches = exact !== undefined ? [exact] : names.filter((name) => name.includes(session));
    if (matches.length !== 1) {
      const list = (matches.length === 0 ? names.slice(-10) : matches).join(', ');
      throw new UsageError(matches.length === 0
        ? `session ${JSON.stringify(session)}: no report folder of that name or path, and none under ${reports} contains it${names.length === 0 ? ' (there are no reports there yet)' : `; sessions there: ${list}`}`
        : `session ${JSON.stringify(session)} is ambiguous: ${matches.length} reports under ${reports} contain it: ${list}`);
    }
    reportDir = join(reports, matches[0]!);
  }
  if (!context.needRecording) return { reportDir, recordingDir: undefined };
  const recordingDir = recordingOfReport(await storageDir(), reportDir);
  if (recordingDir === undefined) {
    const kind = (readReport(reportDir) as { kind?: string }).kind;
    throw new UsageError(kind === 'backtest'
      ? `${reportDir} is a backtest report: parity compares a recorded paper or live session with its replay`
      : `${reportDir}: no flight recording of this session under ${await storageDir()} (recorded by "kbot run" unless --no-record; pass the recording folder itself if it was moved)`);
  }
  return { reportDir, recordingDir };
}

function readReport(reportDir: string): ReportJson {
  const file = join(reportDir, REPORT_FILE_NAMES.json);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReportJson;
  } catch (error) {
    throw new UsageError(`${file}: cannot read the report: ${(error as Error).message}`);
  }
}

const money = (value: string, places = 2) => {
  const number = Number(value);
  return Number.isFinite(number) ? number.toFixed(places) : value;
};

/**
 * The summary of a saved report, from report.json alone (the run's Decimals and equity curve are
 * not rebuilt: the figures are the ones the run wrote, rounded for reading).
 */
export function reportSummary(report: ReportJson, reportDir: string): string {
  const quote = report.quoteAsset;
  const m = report.metrics;
  const lines = [
    `${report.kind.toUpperCase()} ${report.name} (kbot ${report.kbotVersion}), ${report.run.startedAtIso} to ${report.run.finishedAtIso}`,
    ...(report.generatedMarket ? ['NOTE: market data in this run is GENERATED (a seeded random market), not real prices.'] : []),
  ];
  const metrics = new Table({ style: { head: [], border: [] } });
  metrics.push(
    { 'start equity': `${money(report.startEquity)} ${quote}` },
    { 'end equity': `${money(report.endEquity)} ${quote}` },
    { 'net P&L (after fees)': `${money(m.netPnl)} ${quote} (${percent(m.netPnlPercent)})` },
    { 'buy and hold': percent(m.buyAndHoldPercent) },
    { 'fees paid': `${money(m.feesPaid)} ${quote}` },
    { 'max drawdown': `${percent(m.maxDrawdown === null ? null : m.maxDrawdown * 100)} (${m.maxDrawdownQuote === null ? 'n/a' : m.maxDrawdownQuote.toFixed(2)} ${quote})` },
    { sharpe: curveRatio(m.sharpe, m.returnCount) },
    { 'round trips': String(m.tradeCount) },
    { 'win rate': m.winRate === null ? 'n/a' : percent(m.winRate * 100, 1) },
    { fills: String(m.fillCount) },
    { 'bars, trades, quotes': `${report.run.barsProcessed}, ${report.run.tradesProcessed}, ${report.run.quotesProcessed}` },
  );
  const denials = Object.entries(report.denials);
  if (denials.length > 0) metrics.push({ 'orders denied': denials.map(([code, count]) => `${code} ${count}`).join(', ') });
  lines.push(metrics.toString());
  const balances = new Table({ head: ['asset', 'start', 'end'], style: { head: [], border: [] } });
  for (const row of report.balances) balances.push([row.asset, row.start, row.end]);
  lines.push(balances.toString());
  if (report.openPositions.length > 0) lines.push(`open at the end: ${report.openPositions.map((position) => `${position.quantity} ${position.instrumentId}`).join(', ')}`);
  lines.push(`report: ${join(reportDir, REPORT_FILE_NAMES.html)} (also ${REPORT_FILE_NAMES.json}, ${REPORT_FILE_NAMES.csv})`);
  return lines.join('\n');
}

function fillJson(fill: Fill) {
  return {
    strategyId: fill.strategyId, instrumentId: fill.instrumentId, side: fill.side, quantity: fill.quantity.toFixed(), price: fill.price.toFixed(),
    fee: fill.fee.toFixed(), feeAsset: fill.feeAsset, liquidity: fill.liquidity, time: fill.time, timeIso: new Date(fill.time).toISOString(), clientOrderId: fill.clientOrderId,
  };
}

/** The parity result as JSON (money as decimal strings). */
export function parityJson(outcome: ParityOutcome, session: { reportDir: string | undefined; recordingDir: string }) {
  const { parity } = outcome;
  const totals = parity.totals;
  return {
    kind: 'parity',
    empty: parity.empty,
    session: { bot: outcome.manifest.bot, mode: outcome.manifest.mode, reportDir: session.reportDir ?? null, recordingDir: session.recordingDir },
    notes: outcome.notes,
    replayed: { lines: outcome.read.lines, files: outcome.read.files, bars: outcome.replay.barsProcessed, trades: outcome.replay.tradesProcessed ?? 0, quotes: outcome.replay.quotesProcessed ?? 0 },
    totals: {
      liveFills: totals.liveFills, replayFills: totals.replayFills, matched: totals.matched, exact: totals.exact, onlyLive: totals.onlyLive, onlyReplay: totals.onlyReplay,
      liveNotional: totals.liveNotional.toFixed(), replayNotional: totals.replayNotional.toFixed(),
      liveFees: totals.liveFees.toFixed(), replayFees: totals.replayFees.toFixed(), feeDifference: totals.replayFees.minus(totals.liveFees).toFixed(),
      matchedPriceImpact: totals.matchedPriceImpact.toFixed(), maxTimeDifferenceMs: totals.maxTimeDifferenceMs,
    },
    differences: parity.matched.filter((pair) => !pair.exact).map((pair) => ({
      live: fillJson(pair.live), replay: fillJson(pair.replay),
      priceDifference: pair.priceDifference.toFixed(), feeDifference: pair.feeDifference.toFixed(), timeDifferenceMs: pair.timeDifferenceMs, liquidityDiffers: pair.liquidityDiffers,
    })),
    onlyLive: parity.onlyLive.map(fillJson),
    onlyReplay: parity.onlyReplay.map(fillJson),
  };
}

/** What a person reads after `kbot report --parity`. */
export function paritySummary(outcome: ParityOutcome, session: { reportDir: string | undefined; recordingDir: string }): string {
  const { parity, manifest } = outcome;
  const totals = parity.totals;
  const lines = [
    `parity of the ${manifest.mode} session of ${manifest.bot} started ${manifest.startedAtIso}`,
    `recording: ${session.recordingDir} (${outcome.read.lines} lines in ${outcome.read.files} files)`,
    `replayed: ${outcome.replay.barsProcessed} bars, ${outcome.replay.tradesProcessed ?? 0} trades, ${outcome.replay.quotesProcessed ?? 0} quotes`,
    ...outcome.notes.map((note) => `note: ${note}`),
  ];
  const table = new Table({ head: ['', 'live', 'replay', 'difference'], style: { head: [], border: [] } });
  table.push(
    ['fills', String(totals.liveFills), String(totals.replayFills), String(totals.replayFills - totals.liveFills)],
    ['notional', totals.liveNotional.toFixed(), totals.replayNotional.toFixed(), totals.replayNotional.minus(totals.liveNotional).toFixed()],
    ['fees', totals.liveFees.toFixed(), totals.replayFees.toFixed(), totals.replayFees.minus(totals.liveFees).toFixed()],
  );
  lines.push(table.toString());
  lines.push(`matched ${totals.matched} (${totals.exact} exact), only live ${totals.onlyLive}, only replay ${totals.onlyReplay}; matched fills' price impact ${totals.matchedPriceImpact.toFixed()}, largest time difference ${totals.maxTimeDifferenceMs} ms`);
  if (parity.empty) {
    lines.push('parity: no differences');
    return lines.join('\n');
  }
  const differences = new Table({
    head: ['', 'strategy', 'instrument', 'side', 'quantity', 'live time', 'replay time', 'live price', 'replay price', 'price diff', 'fee diff', 'time diff ms'],
    style: { head: [], border: [] },
  });
  const time = (fill: Fill) => new Date(fill.time).toISOString();
  for (const pair of parity.matched.filter((entry) => !entry.exact)) {
    differences.push([
      'differs', pair.live.strategyId, pair.live.instrumentId, pair.live.side, pair.live.quantity.toFixed(), time(pair.live), time(pair.replay),
      pair.live.price.toFixed(), pair.replay.price.toFixed(), pair.priceDifference.toFixed(), pair.feeDifference.toFixed(), String(pair.timeDifferenceMs),
    ]);
  }
  // A fill on one side only has that side's time and price; there is nothing to take a difference from.
  for (const fill of parity.onlyLive) {
    differences.push(['only live', fill.strategyId, fill.instrumentId, fill.side, fill.quantity.toFixed(), time(fill), '-', fill.price.toFixed(), '-', '-', '-', '-']);
  }
  for (const fill of parity.onlyReplay) {
    differences.push(['only replay', fill.strategyId, fill.instrumentId, fill.side, fill.quantity.toFixed(), '-', time(fill), '-', fill.price.toFixed(), '-', '-', '-']);
  }
  lines.push(differences.toString());
  lines.push(`parity: ${totals.matched - totals.exact + totals.onlyLive + totals.onlyReplay} differences`);
  return lines.join('\n');
}

/** `kbot report <session>` and `kbot report --parity <session>`. */
export async function reportCommand(session: string, flags: ReportFlags, context: { cwd: string; kbotVersion: string; registry: StrategyRegistry }): Promise<{ output: string; code: number }> {
  const resolved = await resolveSession(session, { cwd: context.cwd, needRecording: flags.parity === true, ...(flags.config ? { configFile: flags.config } : {}) });
  if (!flags.parity) {
    if (resolved.reportDir === undefined) throw new UsageError(`${resolved.recordingDir}: this session has no report (the process stopped before writing it); "kbot report --parity" still replays its recording`);
    const report = readReport(resolved.reportDir);
    return { code: 0, output: flags.json ? JSON.stringify(report) : reportSummary(report, resolved.reportDir) };
  }
  const recordingDir = resolved.recordingDir!;
  const manifest = readRecordingManifest(recordingDir);
  // The session's config: --config, else the file the session ran with.
  const configFile = flags.config ?? manifest.configFile;
  if (!existsSync(resolve(context.cwd, configFile))) throw new UsageError(`the session ran with ${manifest.configFile}, which is gone: pass the config with --config`);
  const { config, file } = await loadKbotConfig({ cwd: context.cwd, file: configFile });
  if (config.name !== manifest.bot) throw new UsageError(`${file} is the config of bot "${config.name}"; the session is of bot "${manifest.bot}": pass its config with --config`);
  const logger = config.log.level === 'silent' ? silentLogger : createConsoleLogger(config.log.level, { bot: config.name });
  const outcome = await runParity({
    dir: recordingDir, config, configFile: file, kbotVersion: context.kbotVersion, logger,
    createBot: (replayConfig) => createBot(replayConfig, { registry: context.registry, logger }),
  });
  const where = { reportDir: resolved.reportDir, recordingDir };
  return {
    code: outcome.parity.empty ? 0 : PARITY_DIFFERS_EXIT,
    output: flags.json ? JSON.stringify(parityJson(outcome, where)) : paritySummary(outcome, where),
  };
}

/** Adds `kbot report` to the program. */
export function registerReportCommand(program: Command, io: CliIo, options: { readonly registry: StrategyRegistry; readonly kbotVersion: string; readonly setExitCode: (code: number) => void }): void {
  program
    .command('report')
    .description('print a saved session or backtest report; --parity replays a recorded session and lists the fills that differ')
    .argument('<session>', `a report folder, a recording folder, or the name (or part of it, e.g. a time stamp) of a folder under <storage.dir>/reports`)
    .option('-c, --config <file>', 'config file (default: kbot.config.ts found from the current folder; for --parity, the one the session ran with)')
    .option('--parity', `replay the session's flight recording through the backtester and compare the fills (exit ${PARITY_DIFFERS_EXIT} when they differ)`)
    .option('--json', 'print JSON instead of tables')
    .action(async (session: string, flags: ReportFlags) => {
      const outcome = await reportCommand(session, flags, { cwd: io.cwd, kbotVersion: options.kbotVersion, registry: options.registry });
      io.stdout(outcome.output);
      if (outcome.code !== 0) options.setExitCode(outcome.code);
    });
}
