import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { Engine } from '../engine/engine.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { instrumentId, type ClientOrderId } from '../model/ids.js';
import { Decimal } from '../model/decimal.js';
import type { Bar } from '../model/market-data.js';
import { InMemoryStore } from '../persistence/store.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { fetchBotStatus, requestBotPanic, requestBotResume } from './control-client.js';
import { controlSocketPath } from './control-protocol.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { engineControl } from './engine-control.js';

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;

/** Buys 0.1 BTC at market on the first bar, then rests a limit buy far below the market. */
class BuyAndRest implements Strategy<Record<string, never>> {
  resting: ClientOrderId | undefined;
  private bars = 0;
  subscriptions() { return [{ instrumentId: BTC, kind: 'bars' as const, interval: MINUTE }]; }
  onBar(_bar: Bar, ctx: StrategyContext<Record<string, never>>) {
    this.bars++;
    if (this.bars === 1) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    if (this.bars === 3) this.resting = ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.05', price: '20000' });
  }
}

function bar(index: number, close = 30_000): Bar {
  return { instrumentId: BTC, interval: MINUTE, openTime: index * MINUTE, open: close, high: close + 10, low: close - 10, close, volume: 50 };
}

async function runningBot() {
  const clock = new TestClock();
  const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
  const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
  const strategy = new BuyAndRest();
  const store = new InMemoryStore();
  const engine = new Engine({
    mode: 'paper', clock, instruments, execution: venue, store,
    strategies: [{ id: 'buy-and-rest', strategy, params: {} }], quoteAsset: 'USD', startBalances: { USD: '10000' },
  });
  await engine.start();
  const feed = (index: number) => {
    const next = bar(index);
    clock.advanceTo(next.openTime + MINUTE);
    engine.onBar(next);
  };
  for (let index = 0; index < 4; index++) feed(index);
  const control = engineControl(engine, { bot: 'test-bot', mode: 'paper', startedAt: 0, startEquity: engine.equity(), instruments, details: () => ({ bars: 4 }) });
  return { engine, strategy, control, feed, store };
}

const servers: ControlServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function socketIn(dir: string): string {
  return controlSocketPath(dir);
}

describe("the status's order-entry budget", () => {
  it("is the execution client's budget on each traded pair, and empty where the venue sets no limit", async () => {
    const { engine, control } = await runningBot();
    expect(control.status().orderEntryBudget).toEqual({});
    const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
    const withPairs = engineControl(engine, { bot: 'test-bot', mode: 'paper', startedAt: 0, instruments, pairs: [BTC] });
    expect(withPairs.status().orderEntryBudget).toEqual({});
    const venue = (engine as unknown as { execution: object }).execution;
    Object.assign(venue, { orderEntryBudget: () => ({ remaining: 41.237, submitCost: 1, cancelCost: () => 8 }) });
    expect(withPairs.status().orderEntryBudget).toEqual({ 'BTC/USD': 41.23 });
  });
});

describe("the status's untracked venue orders", () => {
  it("are the execution client's, amounts as text, what the venue did not say left out; none where it cannot tell", async () => {
    const { engine, control } = await runningBot();
    expect(control.status().untrackedVenueOrders).toEqual([]);
    const venue = (engine as unknown as { execution: object }).execution;
    Object.assign(venue, {
      untrackedOrders: () => [
        { venueOrderId: 'OABC12-DEF34-GHI567', venueClientOrderId: 'by-hand-1', instrumentId: BTC, side: 'sell', quantity: new Decimal('0.25'), filledQuantity: new Decimal('0.1'), limitPrice: new Decimal('41000.5'), firstSeen: 0 },
        { venueOrderId: 'OXYZ98-UVW76-RST543', venueClientOrderId: undefined, instrumentId: undefined, side: undefined, quantity: undefined, filledQuantity: undefined, limitPrice: undefined, firstSeen: 0 },
      ],
    });
    expect(control.status().untrackedVenueOrders).toEqual([
      { venueOrderId: 'OABC12-DEF34-GHI567', venueClientOrderId: 'by-hand-1', instrumentId: 'BTC/USD', side: 'sell', quantity: '0.25', filledQuantity: '0.1', limitPrice: '41000.5' },
      { venueOrderId: 'OXYZ98-UVW76-RST543' },
    ]);
  });
});

describe('balances with untracked venue orders', () => {
  it('count what those orders hold as unavailable: a buy its cost plus the taker fee, a sell its quantity', async () => {
    const { engine, control } = await runningBot();
    const available = (asset: string) => control.status().balances.find((balance) => balance.asset === asset)!.available;
    const before = { usd: new Decimal(available('USD')), btc: new Decimal(available('BTC')) };
    const totalBefore = control.status().balances.map((balance) => [balance.asset, balance.total]);
    const venue = (engine as unknown as { execution: object }).execution;
    Object.assign(venue, {
      untrackedOrders: () => [
        // Partly filled: 0.06 of its 0.1 still holds 0.06 × 25,000 and the fee.
        { venueOrderId: 'O-BUY', venueClientOrderId: undefined, instrumentId: BTC, side: 'buy', quantity: new Decimal('0.1'), filledQuantity: new Decimal('0.04'), limitPrice: new Decimal('25000'), firstSeen: 0 },
        { venueOrderId: 'O-SELL', venueClientOrderId: undefined, instrumentId: BTC, side: 'sell', quantity: new Decimal('0.02'), filledQuantity: undefined, limitPrice: new Decimal('50000'), firstSeen: 0 },
        // A pair the bot does not know, or an order the venue described too sparsely: nothing to count.
        { venueOrderId: 'O-UNKNOWN', venueClientOrderId: undefined, instrumentId: undefined, side: 'buy', quantity: new Decimal('1'), filledQuantity: undefined, limitPrice: new Decimal('1'), firstSeen: 0 },
        // Executed in full but not yet reported closed: holds nothing.
        { venueOrderId: 'O-DONE', venueClientOrderId: undefined, instrumentId: BTC, side: 'sell', quantity: new Decimal('0.5'), filledQuantity: new Decimal('0.5'), limitPrice: new Decimal('50000'), firstSeen: 0 },
      ],
    });
    const takerFee = krakenSpotInstruments().find((instrument) => instrument.id === BTC)!.takerFee;
    const buyHold = new Decimal('1500').times(takerFee.plus(1));
    expect(before.usd.minus(available('USD')).toFixed()).toBe(buyHold.toFixed());
    expect(before.btc.minus(available('BTC')).toFixed()).toBe('0.02');
    // Totals are the venue's and the journal's: untouched.
    expect(control.status().balances.map((balance) => [balance.asset, balance.total])).toEqual(totalBefore);
  });
});

describe('the control socket of a running bot', () => {
  it('reports the bot: state, equity, positions and open orders as decimal strings', async () => {
    const { control, strategy } = await runningBot();
    const path = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    servers.push(await startControlServer({ path, control }));

    const status = await fetchBotStatus(path);
    expect(status).toMatchObject({ bot: 'test-bot', mode: 'paper', tradingState: 'active', quoteAsset: 'USD', details: { bars: 4 } });
    expect(status.positions).toEqual([expect.objectContaining({ instrumentId: 'BTC/USD', quantity: '0.1' })]);
    expect(status.openOrders.map((order) => order.clientOrderId)).toEqual([strategy.resting]);
    expect(status.openOrders[0]).toMatchObject({ side: 'buy', type: 'limit', quantity: '0.05', filledQuantity: '0', price: '20000' });
    // The resting buy holds its cost and taker fee: available is less than the total by that much.
    const usd = status.balances.find((balance) => balance.asset === 'USD')!;
    const takerFee = krakenSpotInstruments().find((instrument) => instrument.id === BTC)!.takerFee;
    expect(new Decimal(usd.total).minus(usd.available).toFixed()).toBe(new Decimal('1000').times(takerFee.plus(1)).toFixed());
    expect(Number(status.equity)).toBeGreaterThan(9000);
  });

  it('panics: cancels every open order, sells the position at market and ends halted', async () => {
    const { control, engine, strategy, feed } = await runningBot();
    const path = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    servers.push(await startControlServer({ path, control }));

    const report = await requestBotPanic(path, { flatten: true, actor: 'operator:test' });
    expect(report.canceled).toEqual([strategy.resting]);
    expect(report.flattenOrders).toEqual([expect.objectContaining({ instrumentId: 'BTC/USD', quantity: '0.1' })]);
    expect(report.notFlattened).toEqual([]);
    expect(engine.orders.get(strategy.resting!)?.status).toBe('canceled');
    // The market sell fills on the next bar (no look-ahead), after which the bot holds no BTC.
    feed(4);
    expect(engine.portfolio.position(BTC)?.quantity.isZero() ?? true).toBe(true);
    const status = await fetchBotStatus(path);
    expect(status.tradingState).toBe('halted');
    expect(status.openOrders).toEqual([]);
  });

  it('panics without flattening: halted at once, the position is kept', async () => {
    const { control, engine } = await runningBot();
    const report = await control.panic({ flatten: false, actor: 'operator:test' });
    expect(report.flattenOrders).toEqual([]);
    expect(engine.risk.state).toBe('halted');
    expect(engine.portfolio.position(BTC)?.quantity.toFixed()).toBe('0.1');
  });

  it('resumes a halted bot: active again, journaled with who asked and why, and it trades again', async () => {
    const { control, engine, feed, store } = await runningBot();
    const path = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    servers.push(await startControlServer({ path, control }));
    await requestBotPanic(path, { flatten: false, actor: 'operator:test' });
    expect(engine.risk.state).toBe('halted');

    const report = await requestBotResume(path, { actor: 'operator:alice', reason: 'checked the account' });
    expect(report).toEqual({ from: 'halted', tradingState: 'active' });
    expect((await fetchBotStatus(path)).tradingState).toBe('active');
    const changes = store.events().filter((event) => event.type === 'trading-state-changed');
    expect(changes.at(-1)).toMatchObject({ from: 'halted', to: 'active', reason: 'resumed by operator:alice: checked the account' });
    // Orders pass the gate again.
    const id = engine.submit('buy-and-rest', { instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.01', price: '20000' });
    feed(4);
    expect(engine.orders.get(id)?.status).toBe('accepted');
    await expect(requestBotResume(path, { actor: '' })).rejects.toThrow(/actor: received "", expected a short text/);
  });

  it('refuses a malformed panic request with the field that is wrong', async () => {
    const { control } = await runningBot();
    const path = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    servers.push(await startControlServer({ path, control }));
    await expect(requestBotPanic(path, { flatten: 'yes' as unknown as boolean, actor: 'operator:test' })).rejects.toThrow(/flatten: received "yes", expected true or false/);
  });

  it('says no bot is running when nothing answers, naming the socket', async () => {
    const path = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    await expect(fetchBotStatus(path)).rejects.toThrow(/this bot is not running \(nothing answers at .*kbot\.sock\)/);
  });

  it('refuses to start the same bot twice, and replaces a stale socket', async () => {
    const { control } = await runningBot();
    const dir = mkdtempSync(join(tmpdir(), 'kbot-control-'));
    const path = socketIn(dir);
    servers.push(await startControlServer({ path, control }));
    await expect(startControlServer({ path, control })).rejects.toThrow(/this bot is already running/);
    await servers.pop()!.close();

    // A socket file nobody listens on (left by a killed bot) is removed and replaced.
    const stale = socketIn(mkdtempSync(join(tmpdir(), 'kbot-control-')));
    const orphan = createServer();
    await new Promise<void>((resolve) => orphan.listen(stale, resolve));
    // Closing a listener removes its file; recreate a dead file the way kill -9 leaves one.
    await new Promise<void>((resolve) => orphan.close(() => resolve()));
    writeFileSync(stale, '');
    servers.push(await startControlServer({ path: stale, control }));
    expect((await fetchBotStatus(stale)).bot).toBe('test-bot');
  });

  it('a folder where the socket cannot be made is one clear store-unavailable error naming it, not a raw system error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-control-'));
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, '');
    // Root may write anywhere, so a file where a folder should be stands in for a read-only folder.
    const cases = [
      { folder: join(file, 'paper', 'bot'), code: 'ENOTDIR' },
      { folder: file, code: 'EEXIST' },
    ];
    // A folder named kbot.sock where the socket goes: nobody answers there, and it cannot be replaced.
    mkdirSync(join(dir, 'occupied', 'kbot.sock'), { recursive: true });
    cases.push({ folder: join(dir, 'occupied'), code: 'EISDIR' });
    for (const { folder, code } of cases) {
      const path = controlSocketPath(folder);
      expect(path).toBe(join(folder, 'kbot.sock'));
      const error = await startControlServer({ path }).then(() => undefined, (failure: unknown) => failure);
      expect(error).toMatchObject({ code: 'store-unavailable' });
      const message = (error as Error).message;
      expect(message).toContain(`${folder}: cannot create the control socket kbot.sock there`);
      expect(message).toContain(code);
      expect(message).toContain('expected a folder this user can write to');
      expect(message).not.toContain('\n');
    }
  });

  it('keeps socket paths short enough for Unix and derives a named pipe on Windows', () => {
    expect(controlSocketPath('/srv/bot/trading_data', 'linux')).toBe('/srv/bot/trading_data/kbot.sock');
    const long = controlSocketPath(`/srv/${'x'.repeat(120)}/trading_data`, 'linux');
    expect(long).toMatch(/^\/tmp\/kbot-[0-9a-f]{16}\.sock$/);
    expect(controlSocketPath(`/srv/${'x'.repeat(120)}/trading_data`, 'linux')).toBe(long);
    expect(controlSocketPath('C:\\bots\\trading_data', 'win32')).toMatch(/^\\\\\.\\pipe\\kbot-[0-9a-f]{16}$/);
  });

  it('gives one socket for one folder however it is spelled, so a symlink cannot run the bot twice', async () => {
    const { control } = await runningBot();
    const base = mkdtempSync(join(tmpdir(), 'kbot-control-'));
    // A folder too long for a socket inside it, reached by its own path and by two symlinks:
    // one long (the socket goes to /tmp either way) and one short (short enough for a socket inside).
    const real = join(base, 'x'.repeat(110), 'paper', 'bot');
    mkdirSync(real, { recursive: true });
    symlinkSync(join(base, 'x'.repeat(110)), join(base, 'y'.repeat(110)));
    symlinkSync(real, join(base, 's'));
    const spellings = [real, join(base, 'y'.repeat(110), 'paper', 'bot'), join(base, 's'), join(base, 's', '..', 's')];
    const paths = spellings.map((folder) => controlSocketPath(folder));
    expect(new Set(paths).size).toBe(1);
    expect(paths[0]).toMatch(/^\/tmp\/kbot-[0-9a-f]{16}\.sock$/);
    // A folder that does not exist yet hashes as it will be once created (its existing parent's real path).
    expect(controlSocketPath(join(base, 'y'.repeat(110), 'live', 'bot'))).toBe(controlSocketPath(join(base, 'x'.repeat(110), 'live', 'bot')));

    servers.push(await startControlServer({ path: controlSocketPath(spellings[0]!), control }));
    await expect(startControlServer({ path: controlSocketPath(spellings[1]!), control })).rejects.toThrow(/this bot is already running/);
    await expect(startControlServer({ path: controlSocketPath(spellings[2]!), control })).rejects.toThrow(/this bot is already running/);
  });
});
