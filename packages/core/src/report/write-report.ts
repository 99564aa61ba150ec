import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BacktestResult } from '../backtest/result.js';
import { KbotError } from '../errors/errors.js';
import { renderReportHtml } from './report-html.js';
import { toReportJson } from './report-json.js';
import { toTradesCsv } from './trades-csv.js';

export const REPORT_FILE_NAMES = Object.freeze({ json: 'report.json', csv: 'trades.csv', html: 'report.html' });

export interface ReportPaths {
  readonly directory: string;
  readonly json: string;
  readonly csv: string;
  readonly html: string;
}

/**
 * Writes report.json, trades.csv and report.html into `dir` (created when missing) and returns
 * their absolute paths. Everything is rendered before the first byte is written; each file is
 * written under a temporary name, flushed to disk and then renamed into place, and report.json is
 * renamed last. A crash therefore never leaves a truncated file under a final name, and a
 * report.json next to the other two means the report is complete.
 */
export async function writeReport(result: BacktestResult, dir: string): Promise<ReportPaths> {
  const directory = resolve(dir);
  const report = toReportJson(result);
  // Order matters: report.json is the completion marker, so it comes last.
  const files: Array<readonly [string, string]> = [
    [join(directory, REPORT_FILE_NAMES.csv), toTradesCsv(result)],
    [join(directory, REPORT_FILE_NAMES.html), renderReportHtml(report)],
    [join(directory, REPORT_FILE_NAMES.json), `${JSON.stringify(report, null, 2)}\n`],
  ];
  const suffix = `.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const temporary: string[] = [];
  try {
    await mkdir(directory, { recursive: true });
    for (const [path, content] of files) {
      const temp = path + suffix;
      temporary.push(temp);
      await writeDurably(temp, content);
    }
    for (const [path] of files) await rename(path + suffix, path);
  } catch (error) {
    await Promise.all(temporary.map((temp) => rm(temp, { force: true }).catch(() => undefined)));
    const message = error instanceof Error ? error.message : String(error);
    throw new KbotError('report-write-failed', `could not write the report to ${directory}: ${message}`, { cause: error });
  }
  return Object.freeze({
    directory,
    json: join(directory, REPORT_FILE_NAMES.json),
    csv: join(directory, REPORT_FILE_NAMES.csv),
    html: join(directory, REPORT_FILE_NAMES.html),
  });
}

/** Writes and fsyncs, so the rename never publishes a file whose data is still only in the page cache. */
async function writeDurably(path: string, content: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
