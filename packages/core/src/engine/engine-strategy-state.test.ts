import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { Decimal } from '../model/decimal.js';
import type { StrategyStateValue } from '../model/events.js';
import { instrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { SqliteStore } from '../persistence/sqlite-store.js';
import { InMemoryStore, type Store } from '../persistence/store.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import { Engine } from './engine.js';
import { recoverEngineState } from './recovery.js';

const BTC = instrumentId('BTC/USD');
const MINUTE = 60_000;
const START = Date.UTC(2024, 0, 1);

function bar(index: number): Bar {
  return { instrumentId: BTC, interval: MINUTE, openTime: START + index * MINUTE, open: 100, high: 101 + index, low: 99, close: 100 + index, volume: 1 };
}

/** Keeps the highest high it has seen and a count of bars, as an exit's trailing stop would. */
class Keeper implements Strategy<Record<string, never>> {
  restored: { high: StrategyStateValue | undefined; bars: StrategyStateValue | undefined; keys: string[] } | undefined;
  subscriptions() {
    return [{ instrumentId: BTC, kind: 'bars' as const, interval: MINUTE }];
  }
  onStart(ctx: StrategyContext<Record<string, never>>) {
    this.restored = { high: ctx.state.get('high'), bars: ctx.state.get('bars'), keys: ctx.state.keys() };
  }
  onBar(bar: Bar, ctx: StrategyContext<Record<string, never>>) {
    const high = ctx.state.get('high');
    if (typeof high !== 'number' || bar.high > high) ctx.state.set('high', bar.high);
    const bars = ctx.state.get('bars') as { count: number } | undefined;
    ctx.state.set('bars', { count: (bars?.count ?? 0) + 1, last: new Date(bar.openTime).toISOString() });
  }
}

async function startEngine(store: Store, strategy: Strategy<Record<string, never>>, snapshotEvery = 0) {
  const clock = new TestClock(START);
  const exchange = createFakeExchange({ clock });
  const found = store.load();
  const recovered = found.snapshot === undefined && found.events.length === 0 ? undefined : recoverEngineState(found, { instruments: (id) => exchange.instruments.get(id) });
  const engine = new Engine({
    mode: 'paper', clock, instruments: exchange.instruments, execution: exchange.execution, store, snapshotEvery,
    strategies: [{ id: 'keeper', strategy, params: {} }], quoteAsset: 'USD', startBalances: { USD: '1000' },
    ...(recovered === undefined ? {} : { recovered }),
  });
  await engine.start();
  return engine;
}

describe('ctx.state: what a strategy keeps across restarts', () => {
  it('journals each change once, in the step that made it, and nothing when the value is unchanged', async () => {
    const store = new InMemoryStore();
    const engine = await startEngine(store, new Keeper());
    engine.onBar(bar(0));
    engine.onBar(bar(0)); // same high: only the bar count changes
    const changes = store.events().filter((event) => event.type === 'strategy-state-changed');
    expect(changes.map((event) => event.type === 'strategy-state-changed' && [event.strategyId, event.key, event.value])).toEqual([
      ['keeper', 'high', 101],
      ['keeper', 'bars', { count: 1, last: '2024-01-01T00:00:00.000Z' }],
      ['keeper', 'bars', { count: 2, last: '2024-01-01T00:00:00.000Z' }],
    ]);
    expect(engine.strategyState('keeper', 'high')).toBe(101);
    await engine.stop();
  });

  it('gives a restarted strategy its values back, from the snapshot and the journal after it', async () => {
    const store = new InMemoryStore();
    const first = await startEngine(store, new Keeper(), 4);
    for (let index = 0; index < 7; index++) first.onBar(bar(index));
    // Killed: no stop. Some changes are in the snapshot, the last ones only in the journal after it.
    const found = store.load();
    expect(found.snapshot).toBeDefined();
    expect(found.events.some((event) => event.type === 'strategy-state-changed')).toBe(true);
    const strategy = new Keeper();
    const second = await startEngine(store, strategy, 4);
    expect(strategy.restored).toEqual({ high: 107, bars: { count: 7, last: new Date(START + 6 * MINUTE).toISOString() }, keys: ['high', 'bars'] });
    second.onBar(bar(7));
    expect(second.strategyState('keeper', 'bars')).toEqual({ count: 8, last: new Date(START + 7 * MINUTE).toISOString() });
    await second.stop();
  });

  it('survives a kill with SQLite: what a committed step set is there after reopening', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-state-')), 'kbot.sqlite');
    const store = new SqliteStore(file, { durability: 'normal' });
    const first = await startEngine(store, new Keeper(), 1000);
    for (let index = 0; index < 3; index++) first.onBar(bar(index));
    store.close(); // the process dies here: no engine stop, no snapshot
    const reopened = new SqliteStore(file, { durability: 'normal' });
    const strategy = new Keeper();
    const second = await startEngine(reopened, strategy, 1000);
    expect(strategy.restored?.high).toBe(103);
    expect(strategy.restored?.bars).toEqual({ count: 3, last: new Date(START + 2 * MINUTE).toISOString() });
    await second.stop();
    reopened.close();
  });

  it('deletes with undefined, keeps a frozen copy, and refuses what JSON cannot keep, naming where', async () => {
    const store = new InMemoryStore();
    const engine = await startEngine(store, { subscriptions: () => [] });
    const original = { steps: [true, false], nested: { at: 1 } };
    engine.setStrategyState('keeper', 'ladder', original);
    original.steps[1] = true;
    expect(engine.strategyState('keeper', 'ladder')).toEqual({ steps: [true, false], nested: { at: 1 } });
    expect(Object.isFrozen(engine.strategyState('keeper', 'ladder'))).toBe(true);
    // Numbers are compared as numbers; the same text as a string is another value.
    engine.setStrategyState('keeper', 'level', 5);
    engine.setStrategyState('keeper', 'level', 5);
    engine.setStrategyState('keeper', 'level', '5');
    expect(engine.strategyState('keeper', 'level')).toBe('5');
    engine.setStrategyState('keeper', 'level', undefined);
    engine.setStrategyState('keeper', 'ladder', undefined);
    expect(engine.strategyStateKeys('keeper')).toEqual([]);
    expect(store.events().filter((event) => event.type === 'strategy-state-changed').map((event) => event.type === 'strategy-state-changed' && event.value)).toEqual([{ steps: [true, false], nested: { at: 1 } }, 5, '5', undefined, undefined]);

    const where = 'strategy "keeper" ctx.state.set "bad"';
    expect(() => engine.setStrategyState('keeper', 'bad', { price: new Decimal('1.5') })).toThrow(`${where}: value.price: received a Decimal, expected plain JSON data`);
    expect(() => engine.setStrategyState('keeper', 'bad', { levels: [1, Number.NaN] })).toThrow(`${where}: value.levels[1]: received NaN, expected a finite number`);
    expect(() => engine.setStrategyState('keeper', 'bad', { gone: undefined })).toThrow(`${where}: value.gone: received undefined, expected a value (leave the key out instead)`);
    expect(() => engine.setStrategyState('keeper', 'bad', new Date(0))).toThrow('received a Date, expected plain JSON data');
    expect(() => engine.setStrategyState('keeper', '', 1)).toThrow('key: received "", expected a non-empty string');
    expect(engine.strategyStateKeys('keeper')).toEqual([]);
    await engine.stop();
  });
});
