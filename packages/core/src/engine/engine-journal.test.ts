import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { InvariantError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { SqliteStore } from '../persistence/sqlite-store.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { Engine } from './engine.js';

const BTC = instrumentId('BTC/USD');
const HOUR = 3_600_000;

class BuyAndSell implements Strategy<unknown> {
  private seen = 0;
  subscriptions(): Subscription[] {
    return [{ instrumentId: BTC, kind: 'bars', interval: HOUR }];
  }
  onBar(_bar: Bar, ctx: StrategyContext<unknown>): void {
    this.seen++;
    if (this.seen === 1) ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    if (this.seen === 3) ctx.orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.1' });
  }
}

describe('Engine with the SQLite journal', () => {
  it('commits each step and the reopened journal equals what the engine published', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-journal-')), 'kbot.sqlite');
    const store = new SqliteStore(file);
    const clock = new TestClock();
    const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
    const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
    const engine = new Engine({ mode: 'backtest', clock, instruments, execution: venue, store, strategies: [{ id: 's', strategy: new BuyAndSell(), params: {} }], quoteAsset: 'USD', startBalances: { USD: '10000' } });
    const published: unknown[] = [];
    engine.bus.onAny((event) => {
      if (event.sequence > 0) published.push(event);
    });
    await engine.start();
    for (let index = 0; index < 5; index++) {
      const price = 40_000 + index * 100;
      engine.onBar({ instrumentId: BTC, interval: HOUR, openTime: index * HOUR, open: price, high: price + 50, low: price - 50, close: price, volume: 100 });
    }
    await engine.stop('done');
    store.close();

    const reopened = new SqliteStore(file);
    const events = reopened.load().events;
    reopened.close();
    expect(events.map((event) => event.type)).toContain('position-closed');
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(JSON.stringify(events)).toBe(JSON.stringify(published));
  });

  it('group: many steps in one transaction, rolled back together when the work throws', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-journal-')), 'kbot.sqlite');
    const store = new SqliteStore(file);
    let batches = 0;
    const batch = store.batch.bind(store);
    store.batch = ((fn: () => unknown) => {
      batches++;
      return batch(fn);
    }) as typeof store.batch;
    const clock = new TestClock();
    const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
    const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
    const engine = new Engine({ mode: 'backtest', clock, instruments, execution: venue, store, strategies: [{ id: 's', strategy: new BuyAndSell(), params: {} }], quoteAsset: 'USD', startBalances: { USD: '10000' } });
    await engine.start();
    const bar = (index: number): Bar => ({ instrumentId: BTC, interval: HOUR, openTime: index * HOUR, open: 40_000, high: 40_050, low: 39_950, close: 40_000, volume: 100 });
    const before = batches;
    engine.group(() => {
      for (let index = 0; index < 2; index++) engine.onBar(bar(index));
    });
    expect(batches - before).toBe(1);
    const committed = store.lastSequence;
    expect(committed).toBeGreaterThan(1);
    // Bar 3 makes the strategy sell; the group fails after it, so the sale's events roll back.
    expect(() =>
      engine.group(() => {
        engine.onBar(bar(2));
        expect(store.lastSequence).toBeGreaterThan(committed);
        throw new Error('disk gone');
      }),
    ).toThrow('disk gone');
    expect(store.lastSequence).toBe(committed);
    store.close();
    const reopened = new SqliteStore(file);
    expect(reopened.load().events.at(-1)?.sequence).toBe(committed);
    reopened.close();
  });

  it('group: refused outside backtests, where every step commits before it is published', () => {
    const clock = new TestClock();
    const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
    const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '10000' } });
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-journal-')), 'kbot.sqlite');
    const store = new SqliteStore(file);
    const engine = new Engine({ mode: 'paper', clock, instruments, execution: venue, store, strategies: [], quoteAsset: 'USD', startBalances: { USD: '10000' } });
    expect(() => engine.group(() => undefined)).toThrow(InvariantError);
    expect(() => engine.group(() => undefined)).toThrow(/paper mode; only backtests/);
    store.close();
  });
});

