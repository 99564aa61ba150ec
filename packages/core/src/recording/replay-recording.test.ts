import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { validateConfig } from '../config/schema.js';
import { createBot } from '../di/container.js';
import type { Instrument } from '../model/instrument.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { SqliteStore, storeFilePath } from '../persistence/sqlite-store.js';
import { runSession } from '../session/run-session.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import { bars } from '../testing/market-data-builders.js';
import { FlightRecorder } from './flight-recorder.js';
import { RECORDING_MANIFEST_FILE } from './recording-manifest.js';
import { recordingFiles } from './recording-reader.js';
import { runParity } from './replay-recording.js';
import { BuyThenSell } from '../session/buy-then-sell.fixture.js';

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;


const root = mkdtempSync(join(tmpdir(), 'kbot-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const config = validateConfig({ name: 'parity-test', strategies: [BuyThenSell.with({})], backtest: { balances: { USD: '10000' } } });

/**
 * A paper session laid out as `kbot run` lays it out: the journal in the session folder, the
 * recording in `recordings/<stamp>` beside it. `killed`: the process dies before the recorder
 * writes anything (its lines are still buffered, as in the first second of a session) and before
 * it stamps the manifest's stop time.
 */
async function recordedSession(name: string, killed: boolean, sessionConfig = config, history: (start: number) => Bar[] = () => []): Promise<string> {
  const folder = join(root, name);
  const dir = join(folder, 'recordings', '20260101-000000');
  const store = new SqliteStore(storeFilePath(folder), { durability: 'normal' });
  const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
  const exchange = createFakeExchange({ instruments: krakenSpotInstruments(), history: history(start) });
  const recorder = new FlightRecorder({
    dir, bot: config.name, mode: 'paper', exchange: exchange.id, configFile: join(root, 'missing.config.mjs'), kbotVersion: 'test',
    flushIntervalMs: 0, flushChars: 1 << 20,
  });
  const session = runSession({
    bot: createBot(sessionConfig), exchange: { ...exchange, data: recorder.marketData(exchange.data) }, mode: 'paper', kbotVersion: 'test',
    paperBalances: { USD: '10000' }, maxBars: 6, store,
    onEngine: (engine) => {
      recorder.attach(engine.bus);
      const instrument = exchange.instruments.get(BTC) as Instrument;
      recorder.recordStart({ quoteAsset: engine.quoteAsset, balances: engine.portfolio.balances(), instruments: [instrument] });
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  exchange.data.push(bars([40_000, 40_100, 40_200, 40_300, 40_400, 40_500], { instrument: 'BTC/USD', interval: '1m', start, volume: 100 }));
  const result = await session;
  expect(result.fills).toHaveLength(2);
  if (!killed) recorder.close();
  store.close();
  return dir;
}

describe('parity of a session that was killed', () => {
  it('counts the fills its journal has and its recording lost as live fills, and says the session never stopped', async () => {
    const dir = await recordedSession('killed', true);
    expect(recordingFiles(dir)).toEqual([]);
    const outcome = await runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    expect(outcome.manifest.stoppedAt).toBeNull();
    expect(outcome.parity.empty).toBe(false);
    expect(outcome.parity.onlyLive.map((fill) => fill.side)).toEqual(['buy', 'sell']);
    expect(outcome.notes).toContainEqual(expect.stringContaining('the session did not stop: its manifest has no stop time'));
    expect(outcome.notes).toContainEqual(expect.stringContaining(`2 fills of the session are in its journal ${storeFilePath(join(root, 'killed'))} but not in the recording`));
    // Reading the journal left nothing beside it.
    expect(readdirSync(join(root, 'killed')).sort()).toEqual(['kbot.sqlite', 'recordings']);
  });

  it('says so when the recording stopped early on a failed write', async () => {
    const dir = await recordedSession('full-disk', true);
    const manifest = JSON.parse(readFileSync(join(dir, RECORDING_MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, RECORDING_MANIFEST_FILE), JSON.stringify({ ...manifest, stoppedAt: Date.now(), recordingError: 'ENOSPC: no space left on device, write' }));
    const outcome = await runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    expect(outcome.notes).toContainEqual('the recording stopped before the session did (ENOSPC: no space left on device, write): the replay ends where it stopped');
    expect(outcome.parity.onlyLive).toHaveLength(2);
  });

  it('finds nothing missing in a session that stopped and recorded everything', async () => {
    const dir = await recordedSession('stopped', false);
    const outcome = await runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    expect(outcome.parity.totals.liveFills).toBe(2);
    expect(outcome.notes.filter((note) => note.includes('journal') || note.includes('did not stop'))).toEqual([]);
  });
});

describe('parity of a session that resumed from its journal', () => {
  /** The recording of a session, its manifest saying it resumed carrying `startRisk`. */
  async function resumedWith(name: string, startRisk: unknown): Promise<string> {
    const dir = await recordedSession(name, false);
    const manifest = JSON.parse(readFileSync(join(dir, RECORDING_MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, RECORDING_MANIFEST_FILE), JSON.stringify({ ...manifest, resumed: true, startRisk }));
    return dir;
  }

  it('replays from the risk state the session carried: an operator\'s halt carried over halts the replay too', async () => {
    const dir = await resumedWith('resumed-halted', { operatorState: 'halted', operatorReason: 'halted by ops (kbot panic)', requests: [], policies: [] });
    const outcome = await runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    // The live run here traded (the manifest was edited); the replay starts halted, so its buy is denied.
    expect(outcome.replay.fills).toEqual([]);
    expect(outcome.parity.onlyLive).toHaveLength(2);
    expect(outcome.notes).toContainEqual(expect.stringContaining('the replay starts from its balances and the risk state it carried'));
  });

  it('recorded before kbot kept the risk state (no startRisk), replays with the policies afresh and says so', async () => {
    const dir = await resumedWith('resumed-old', undefined);
    const outcome = await runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    expect(outcome.replay.fills).toHaveLength(2);
    expect(outcome.notes).toContainEqual(expect.stringContaining('with risk policies afresh (the recording is older than kbot keeping their state in it)'));
  });

  it('refuses a startRisk it cannot read, naming the manifest and the field', async () => {
    const dir = await resumedWith('resumed-bad', { operatorState: 'sleeping', requests: [], policies: [] });
    await expect(runParity({ dir, config, createBot: (replay) => createBot(replay), kbotVersion: 'test' })).rejects.toThrow(
      `${join(dir, RECORDING_MANIFEST_FILE)}: startRisk.operatorState: received "sleeping", expected`,
    );
  });
});

/** Buys when a close beats the three before it (history included) and sells on the next bar. */
class BreakoutOfThree extends BaseStrategy<Record<string, never>> {
  private readonly closes: number[] = [];
  private bought = false;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: MINUTE, warmUpBars: 3 }];
  }
  onBar(bar: Bar, ctx: StrategyContext<Record<string, never>>): void {
    const before = this.closes.slice(-3);
    this.closes.push(bar.close);
    if (ctx.warmingUp) return;
    const held = ctx.portfolio.position(BTC);
    if (held !== undefined) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: held.quantity });
    else if (!this.bought && before.length === 3 && bar.close > Math.max(...before)) {
      this.bought = true;
      ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.01' });
    }
  }
}

describe('parity of a session that warmed up on history', () => {
  it('replays the warm-up the session recorded, so the first live signals are the same', async () => {
    const warmConfig = validateConfig({ name: 'parity-warm', strategies: [BreakoutOfThree.with({})], backtest: { balances: { USD: '10000' } } });
    // History below the live bars: the first live bar already breaks out, which it can only know from the history.
    const history = (start: number) => bars([39_000, 39_100, 39_200], { instrument: 'BTC/USD', interval: '1m', start: start - 3 * MINUTE, volume: 100 });
    const dir = await recordedSession('warm', false, warmConfig, history);
    const outcome = await runParity({ dir, config: warmConfig, createBot: (replay) => createBot(replay), kbotVersion: 'test' });
    expect(outcome.parity.totals.liveFills).toBe(2);
    expect(outcome.parity.empty).toBe(true);
    // The buy was sent on the first live bar and filled at the second's open (40,000 plus
    // slippage); without the warm-up it would have waited for the fourth bar (40,300).
    expect(outcome.replay.fills[0]!.price.toNumber()).toBeGreaterThanOrEqual(40_000);
    expect(outcome.replay.fills[0]!.price.toNumber()).toBeLessThan(40_100);
  });
});
