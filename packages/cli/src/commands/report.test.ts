import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareFills, Decimal, readRecordingManifest, recordingEntries, type Fill, type ParityOutcome } from '@kbot/core';
import { kraken, startKrakenSimulator, type KrakenSimulator } from '@kbot/exchange-kraken';
import { EXIT } from '../exit-codes.js';
import { kbot } from '../operator-test-harness.js';
import { PARITY_DIFFERS_EXIT, paritySummary } from './report.js';

/*
 * `kbot report` and `kbot report --parity` on a real session: an in-process `kbot run --mode
 * paper` against the in-process Kraken simulator, its flight recording replayed through the
 * backtester. The simulator's generated market is dated a day ahead of the wall clock, or two days
 * behind it (`dayOffset`), which is how a live feed looks to an order placed on a closed bar.
 * The plugin reaches the temporary config through globalThis, as in operator-test-harness.ts.
 */

const PLUGIN_GLOBAL = '__kbotReportTestExchange';
let sim: KrakenSimulator | undefined;
/** Where the account's key is, for the commands that read the account (`kbot panic`). */
const KEY_VARIABLE = 'KBOT_REPORT_TEST_KEY';
const SECRET_VARIABLE = 'KBOT_REPORT_TEST_SECRET';
afterEach(async () => {
  delete (globalThis as Record<string, unknown>)[PLUGIN_GLOBAL];
  delete process.env[KEY_VARIABLE];
  delete process.env[SECRET_VARIABLE];
  await sim?.stop();
  sim = undefined;
});

/** A paper bot against a frozen simulator whose market starts `dayOffset` days from now. */
async function paperProject(dayOffset = 1): Promise<string> {
  const start = Math.ceil((Date.now() + dayOffset * 86_400_000) / 60_000) * 60_000;
  const key = `report-test-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(64).toString('base64');
  sim = await startKrakenSimulator({
    market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 600, seed: 7, startPrice: 40_000, start } }], historyBars: 5 },
    accounts: [{ key, secret, balances: { USD: '10000' }, tier: 'intermediate' }],
    speed: 0,
  });
  process.env[KEY_VARIABLE] = key;
  process.env[SECRET_VARIABLE] = secret;
  (globalThis as Record<string, unknown>)[PLUGIN_GLOBAL] = kraken({ restUrl: sim.restUrl, wsUrl: sim.wsUrl, wsAuthUrl: sim.wsAuthUrl, tier: 'intermediate', keyEnv: { key: KEY_VARIABLE, secret: SECRET_VARIABLE } });
  const dir = mkdtempSync(join(tmpdir(), 'kbot-report-'));
  writeFileSync(join(dir, 'kbot.config.mjs'), `export default {
  name: 'report-test',
  mode: 'paper',
  exchange: globalThis.${PLUGIN_GLOBAL},
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1m', fastPeriod: 3, slowPeriod: 8 } }],
  log: { level: 'silent' },
};
`);
  return dir;
}

/** Runs a paper session of `bars` closed bars, moving the frozen simulator one bar at a time. */
async function paperSession(dir: string, bars: number, ...extra: string[]) {
  let done = false;
  const run = kbot(dir, 'run', '--mode', 'paper', '--bars', String(bars), '--json', ...extra).finally(() => (done = true));
  // Give the session time to subscribe, then feed it bars until it stops.
  await new Promise((resolve) => setTimeout(resolve, 500));
  while (!done) {
    sim!.step();
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  return run;
}

describe('kbot report on a recorded paper session against the simulator', () => {
  it('matches parity on a market dated in the past too, as a live feed is by the time an order is placed', async () => {
    // Each bar reaches the bot after it closed, so every order's wall-clock time is after all the
    // data the venue has seen: paper stamps it with the end of that data (orderTime
    // 'market-data'), so it fills on the next bar, as the backtest replay does.
    const dir = await paperProject(-2);
    const run = await paperSession(dir, 120);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const session = JSON.parse(run.stdout) as { metrics: { fillCount: number } };
    expect(session.metrics.fillCount).toBeGreaterThan(1);
    const [reportName] = readdirSync(join(dir, 'trading_data', 'reports'));
    const parity = JSON.parse((await kbot(dir, 'report', '--parity', reportName!, '--json')).stdout) as Record<string, unknown>;
    expect(parity).toMatchObject({ kind: 'parity', empty: true, differences: [], onlyLive: [], onlyReplay: [] });
    expect(parity.totals).toMatchObject({ liveFills: session.metrics.fillCount, replayFills: session.metrics.fillCount, exact: session.metrics.fillCount });
  }, 90_000);

  it('prints the report, and its parity replay has no differences', async () => {
    const dir = await paperProject();
    const run = await paperSession(dir, 120);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const session = JSON.parse(run.stdout) as { kind: string; metrics: { fillCount: number } };
    expect(session.kind).toBe('paper');
    // Not an empty comparison: the session traded.
    expect(session.metrics.fillCount).toBeGreaterThan(1);

    const reports = join(dir, 'trading_data', 'reports');
    const [reportName] = readdirSync(reports);
    expect(reportName).toMatch(/^report-test-paper-\d{8}-\d{6}$/);
    const recordings = join(dir, 'trading_data', 'paper', 'report-test', 'recordings');
    const [stamp] = readdirSync(recordings);
    const manifest = readRecordingManifest(join(recordings, stamp!));
    expect(manifest).toMatchObject({ bot: 'report-test', mode: 'paper', resumed: false, reportDir: join(reports, reportName!), startBalances: { USD: '10000' }, quoteAsset: 'USD' });
    // The risk state the session started with, for a parity replay (a fresh session's: active, nothing learned).
    expect(manifest.startRisk).toMatchObject({ operatorState: 'active', requests: [] });
    const kinds = [...recordingEntries(join(recordings, stamp!))].map((entry) => (entry.kind === 'event' ? entry.event.type : entry.kind));
    expect(kinds.filter((kind) => kind === 'bar').length).toBeGreaterThanOrEqual(120);
    expect(kinds.filter((kind) => kind === 'order-filled').length).toBe(session.metrics.fillCount);

    // By the time stamp alone (the folder name's tail), as a person would type it.
    const summary = await kbot(dir, 'report', reportName!.slice(-15));
    expect(summary.stderr).toBe('');
    expect(summary.code).toBe(EXIT.ok);
    expect(summary.stdout).toMatch(/^PAPER report-test \(kbot /);
    expect(summary.stdout).toContain(`fills`);
    expect(summary.stdout).toContain(join(reports, reportName!, 'report.html'));
    const json = await kbot(dir, 'report', join(reports, reportName!), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'paper', name: 'report-test', metrics: { fillCount: session.metrics.fillCount } });

    const parity = await kbot(dir, 'report', '--parity', reportName!);
    expect(parity.stderr).toBe('');
    expect(parity.stdout).toContain('parity: no differences');
    expect(parity.code).toBe(EXIT.ok);
    const parityJson = JSON.parse((await kbot(dir, 'report', '--parity', reportName!, '--json')).stdout) as Record<string, unknown>;
    expect(parityJson).toMatchObject({ kind: 'parity', empty: true, notes: [], differences: [], onlyLive: [], onlyReplay: [] });
    expect(parityJson.totals).toMatchObject({ liveFills: session.metrics.fillCount, replayFills: session.metrics.fillCount, matched: session.metrics.fillCount, exact: session.metrics.fillCount, feeDifference: '0' });
  }, 90_000);

  it("gives the replay the operator's panic and resume where the session got them: no differences", async () => {
    const dir = await paperProject();
    let done = false;
    const run = kbot(dir, 'run', '--mode', 'paper', '--bars', '120', '--json').finally(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The session trades on its own for 40 bars; then the operator halts it (a panic), and 30
    // bars later lets it trade again.
    for (let steps = 1; !done; steps++) {
      sim!.step();
      await new Promise((resolve) => setTimeout(resolve, 15));
      if (steps === 40) {
        const panic = await kbot(dir, 'panic');
        expect(panic.code, panic.stderr).toBe(EXIT.ok);
      } else if (steps === 70) {
        const resume = await kbot(dir, 'resume');
        expect(resume.code, resume.stderr).toBe(EXIT.ok);
      }
    }
    const session = await run;
    expect(session.code, session.stderr).toBe(EXIT.ok);
    const report = JSON.parse(session.stdout) as { metrics: { fillCount: number }; denials: Record<string, number> };
    // The halt changed what the session did: the strategy was denied while halted.
    expect(report.denials['trading-halted']).toBeGreaterThan(0);

    const recordings = join(dir, 'trading_data', 'paper', 'report-test', 'recordings');
    const [stamp] = readdirSync(recordings);
    const operatorLines = [...recordingEntries(join(recordings, stamp!))].flatMap((entry) => (entry.kind === 'operator' ? [entry.action] : []));
    expect(operatorLines).toEqual([
      { command: 'panic', actor: expect.stringMatching(/^operator:/), flatten: false },
      { command: 'resume', actor: expect.stringMatching(/^operator:/) },
    ]);
    expect(readRecordingManifest(join(recordings, stamp!)).version).toBe(3);

    const [reportName] = readdirSync(join(dir, 'trading_data', 'reports'));
    const parity = await kbot(dir, 'report', '--parity', reportName!, '--json');
    expect(parity.code, parity.stdout + parity.stderr).toBe(EXIT.ok);
    const parityJson = JSON.parse(parity.stdout) as { empty: boolean; notes: string[]; totals: Record<string, unknown> };
    expect(parityJson).toMatchObject({ empty: true, differences: [], onlyLive: [], onlyReplay: [] });
    expect(parityJson.totals).toMatchObject({ liveFills: report.metrics.fillCount, matched: report.metrics.fillCount, exact: report.metrics.fillCount });
    expect(parityJson.notes).toEqual([expect.stringMatching(/^the operator's commands during the session are given to the replay where the session got them: panic by operator:\S+ at \S+, resume by operator:\S+ at \S+$/)]);
  }, 90_000);

  it('shows the differences, with exit code 6, when the replay is not the session', async () => {
    const dir = await paperProject();
    const run = await paperSession(dir, 120);
    expect(run.code).toBe(EXIT.ok);
    const [reportName] = readdirSync(join(dir, 'trading_data', 'reports'));
    // The same bot with other parameters replays other decisions. (A second file: Node caches the
    // first one's module in this process, so rewriting it would not change what loads.)
    writeFileSync(join(dir, 'other.config.mjs'), `export default {
  name: 'report-test',
  mode: 'paper',
  exchange: globalThis.${PLUGIN_GLOBAL},
  strategies: [{ use: 'ema-rsi', params: { pair: 'BTC/USD', interval: '1m', fastPeriod: 4, slowPeriod: 13 } }],
  log: { level: 'silent' },
};
`);
    const parity = await kbot(dir, 'report', '--parity', reportName!, '--config', 'other.config.mjs');
    expect(parity.code, parity.stdout + parity.stderr).toBe(PARITY_DIFFERS_EXIT);
    expect(parity.stdout).toContain('other.config.mjs is not the config the session ran with');
    expect(parity.stdout).toMatch(/parity: \d+ differences/);
  }, 90_000);

  it('keeps recordings under recording.maxTotalSize: a later session deletes an earlier one, and parity refuses a cut recording', async () => {
    const dir = await paperProject();
    expect((await paperSession(dir, 20)).code).toBe(EXIT.ok);
    const recordings = join(dir, 'trading_data', 'paper', 'report-test', 'recordings');
    const [first] = readdirSync(recordings);
    // The same bot with a 1 KiB limit (a second file: Node caches the first one's module).
    writeFileSync(join(dir, 'small.config.mjs'), readFileSync(join(dir, 'kbot.config.mjs'), 'utf8').replace("log: { level: 'silent' },", "log: { level: 'silent' },\n  recording: { maxTotalSize: '1K' },"));
    // Start the second session a second later, so its folder name (a time stamp) sorts after the first.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const run = await paperSession(dir, 60, '--config', 'small.config.mjs');
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const left = readdirSync(recordings);
    expect(left).not.toContain(first);
    expect(left).toHaveLength(1);
    const files = readdirSync(join(recordings, left[0]!)).filter((name) => name.endsWith('.jsonl.gz')).sort();
    const sizes = files.map((name) => statSync(join(recordings, left[0]!, name)).size);
    // Within the limit up to the newest file, which holds the writes since it was opened.
    expect(sizes.slice(0, -1).reduce((total, size) => total + size, 0)).toBeLessThanOrEqual(1024);
    // 60 bars do not fit in 1 KiB: the session's own first files went too, so it cannot be replayed.
    expect(files).not.toContain('recording-000001.jsonl.gz');
    const reports = readdirSync(join(dir, 'trading_data', 'reports')).sort();
    const parity = await kbot(dir, 'report', '--parity', reports.at(-1)!, '--config', 'small.config.mjs');
    expect(parity.code).toBe(EXIT.data);
    expect(parity.stderr).toMatch(/its first files were deleted to keep recordings under recording\.maxTotalSize/);
  }, 90_000);

  it('lists the sessions when the name matches none, and --no-record records nothing', async () => {
    const dir = await paperProject();
    const run = await paperSession(dir, 3, '--no-record');
    expect(run.code).toBe(EXIT.ok);
    expect(existsSync(join(dir, 'trading_data', 'paper', 'report-test', 'recordings'))).toBe(false);
    const [reportName] = readdirSync(join(dir, 'trading_data', 'reports'));
    const missing = await kbot(dir, 'report', 'nope');
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toBe(`kbot: session "nope": no report folder of that name or path, and none under ${join(dir, 'trading_data', 'reports')} contains it; sessions there: ${reportName}\n`);
    const parity = await kbot(dir, 'report', '--parity', basename(reportName!));
    expect(parity.code).toBe(EXIT.usage);
    expect(parity.stderr).toMatch(/no flight recording of this session/);
  }, 60_000);
});

describe('paritySummary', () => {
  const fill = (quantity: string, price: string, time: number, clientOrderId: string): Fill => ({
    tradeId: `t-${clientOrderId}`, clientOrderId, venueOrderId: undefined, strategyId: 'ema-rsi', instrumentId: 'BTC/USD', side: 'buy',
    quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal('0.1'), feeAsset: 'USD', liquidity: 'taker', time,
  }) as unknown as Fill;
  const t0 = Date.UTC(2024, 0, 1, 12);

  it('puts each side\'s fill time under its own column, and a time difference only where both sides filled', () => {
    const live = [fill('0.1', '40000', t0, 'a'), fill('0.2', '40100', t0 + 60_000, 'b')];
    const replay = [fill('0.1', '40001', t0 + 500, 'x'), fill('0.3', '40200', t0 + 120_000, 'y')];
    const outcome = {
      manifest: { bot: 'report-test', mode: 'paper', startedAtIso: new Date(t0).toISOString() },
      parity: compareFills(live, replay),
      replay: { barsProcessed: 3, tradesProcessed: 0, quotesProcessed: 0 },
      read: { lines: 10, files: 1 },
      notes: [],
    } as unknown as ParityOutcome;
    const text = paritySummary(outcome, { reportDir: undefined, recordingDir: '/tmp/recording' });
    const rows = text.split('\n').filter((line) => line.startsWith('│'));
    const cells = (line: string) => line.split('│').slice(1, -1).map((cell) => cell.trim());
    const head = cells(rows.find((line) => line.includes('time diff ms'))!);
    expect(head).toEqual(['', 'strategy', 'instrument', 'side', 'quantity', 'live time', 'replay time', 'live price', 'replay price', 'price diff', 'fee diff', 'time diff ms']);
    const row = (label: string) => Object.fromEntries(head.map((name, index) => [name, cells(rows.find((line) => cells(line)[0] === label)!)[index]]));
    expect(row('differs')).toMatchObject({ 'live time': '2024-01-01T12:00:00.000Z', 'replay time': '2024-01-01T12:00:00.500Z', 'live price': '40000', 'replay price': '40001', 'time diff ms': '500' });
    expect(row('only live')).toMatchObject({ quantity: '0.2', 'live time': '2024-01-01T12:01:00.000Z', 'replay time': '-', 'live price': '40100', 'replay price': '-', 'time diff ms': '-' });
    expect(row('only replay')).toMatchObject({ quantity: '0.3', 'live time': '-', 'replay time': '2024-01-01T12:02:00.000Z', 'live price': '-', 'replay price': '40200', 'time diff ms': '-' });
    expect(text).toContain('parity: 3 differences');
  });
});
