import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKbotError } from '../errors/errors.js';
import { toReportJson } from './report-json.js';
import { buildFixtureResult } from './test-fixture.js';
import { toTradesCsv } from './trades-csv.js';
import { writeReport } from './write-report.js';

describe('writeReport', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kbot-report-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the directory and writes report.json, trades.csv and report.html, leaving no temporary files', async () => {
    const result = buildFixtureResult();
    const dir = join(root, 'reports', 'run-1');
    const paths = await writeReport(result, dir);
    expect(paths).toEqual({ directory: dir, json: join(dir, 'report.json'), csv: join(dir, 'trades.csv'), html: join(dir, 'report.html') });
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json', 'trades.csv']);
    expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(toReportJson(result));
    expect(await readFile(paths.csv, 'utf8')).toBe(toTradesCsv(result));
    expect(await readFile(paths.html, 'utf8')).toContain('<svg');
  });

  it('replaces an earlier report in the same directory', async () => {
    await writeFile(join(root, 'report.json'), '{"old":true}');
    await writeReport(buildFixtureResult(), root);
    expect(JSON.parse(await readFile(join(root, 'report.json'), 'utf8')).schemaVersion).toBe(1);
    expect((await readdir(root)).sort()).toEqual(['report.html', 'report.json', 'trades.csv']);
  });

  it('fails with a KbotError naming the directory when it cannot write', async () => {
    const blocker = join(root, 'not-a-directory');
    await writeFile(blocker, 'x');
    const error = await writeReport(buildFixtureResult(), join(blocker, 'out')).catch((caught: unknown) => caught);
    expect(isKbotError(error)).toBe(true);
    expect((error as Error).message).toContain(join(blocker, 'out'));
    expect(await readdir(root)).toEqual(['not-a-directory']);
  });
});
