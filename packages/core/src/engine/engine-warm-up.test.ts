import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { InvariantError } from '../errors/errors.js';
import type { KbotEvent, OrderEvent } from '../model/events.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { InMemoryStore } from '../persistence/store.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import { Engine } from './engine.js';

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');
const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);

function bar(index: number, close = 40_000, id = BTC, interval = HOUR): Bar {
  return { instrumentId: id, interval, openTime: START + index * interval, open: close, high: close + 10, low: close - 10, close, volume: 5 };
}

/** Records what it is handed and, when told to, buys on every bar (warming up or not). */
class RecordingStrategy implements Strategy<Record<string, never>> {
  readonly seen: { openTime: number; instrumentId: string; warmingUp: boolean }[] = [];
  readonly events: OrderEvent[] = [];
  constructor(
    private readonly subs: Subscription[],
    private readonly buyOnEveryBar = false,
  ) {}
  subscriptions() {
    return this.subs;
  }
  onBar(bar: Bar, ctx: StrategyContext<Record<string, never>>) {
    this.seen.push({ openTime: bar.openTime, instrumentId: bar.instrumentId, warmingUp: ctx.warmingUp });
    if (this.buyOnEveryBar) ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'buy', type: 'limit', price: '30000', quantity: '0.01' });
  }
  onOrderEvent(event: OrderEvent) {
    this.events.push(event);
  }
}

async function engineWith(strategy: Strategy<Record<string, never>>) {
  const clock = new TestClock(START);
  const exchange = createFakeExchange({ clock });
  const store = new InMemoryStore();
  const engine = new Engine({
    mode: 'paper', clock, instruments: exchange.instruments, execution: exchange.execution, store,
    strategies: [{ id: 's', strategy, params: {} }], quoteAsset: 'USD', startBalances: { USD: '100000' },
  });
  const published: KbotEvent[] = [];
  // bar-closed is published only to its own listeners (the engine counts them per topic).
  engine.bus.on('bar-closed', (event) => published.push(event));
  await engine.start();
  return { engine, exchange, store, published };
}

describe('Engine.warmUp', () => {
  it('hands history to the subscribed strategies with warmingUp set, and live bars after it without', async () => {
    const strategy = new RecordingStrategy([{ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 3 }]);
    const { engine, published } = await engineWith(strategy);
    engine.warmUp([bar(0), bar(1), bar(2)]);
    expect(engine.warmingUp).toBe(false);
    engine.onBar(bar(3));
    expect(strategy.seen).toEqual([
      { openTime: bar(0).openTime, instrumentId: BTC, warmingUp: true },
      { openTime: bar(1).openTime, instrumentId: BTC, warmingUp: true },
      { openTime: bar(2).openTime, instrumentId: BTC, warmingUp: true },
      { openTime: bar(3).openTime, instrumentId: BTC, warmingUp: false },
    ]);
    // Only the live bar reached the bus and the market cache.
    expect(published.filter((event) => event.type === 'bar-closed').map((event) => (event as { bar: Bar }).bar.openTime)).toEqual([bar(3).openTime]);
    expect(engine.market.lastBar(BTC, HOUR)?.openTime).toBe(bar(3).openTime);
    await engine.stop();
  });

  it('leaves the market cache alone: its prices are the live market\'s', async () => {
    const strategy = new RecordingStrategy([{ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 2 }]);
    const { engine } = await engineWith(strategy);
    engine.warmUp([bar(0, 41_000), bar(1, 42_000)]);
    expect(engine.market.lastBar(BTC, HOUR)).toBeUndefined();
    expect(engine.market.lastPrice(BTC)).toBeUndefined();
    await engine.stop();
  });

  it('denies orders submitted while warming up (warming-up), sends none to the venue, and tells the strategy', async () => {
    const strategy = new RecordingStrategy([{ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 2 }], true);
    const { engine, exchange, store } = await engineWith(strategy);
    engine.warmUp([bar(0), bar(1)]);
    const denied = strategy.events.filter((event) => event.type === 'order-denied');
    expect(denied).toHaveLength(2);
    for (const event of denied) {
      expect(event).toMatchObject({ code: 'warming-up', policy: 'warm-up' });
      expect(event.order.status).toBe('denied');
    }
    expect(exchange.execution.submitted).toHaveLength(0);
    // Journaled like every denial: the journal says why nothing was sent.
    expect(store.events().filter((event) => event.type === 'order-denied')).toHaveLength(2);
    engine.onBar(bar(2));
    expect(exchange.execution.submitted).toHaveLength(1);
    expect(strategy.events.at(-1)?.type).not.toBe('order-denied');
    await engine.stop();
  });

  it('skips a live bar the warm-up already handed over, once per series', async () => {
    const strategy = new RecordingStrategy([{ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 2 }]);
    const { engine, published } = await engineWith(strategy);
    engine.warmUp([bar(0), bar(1)]);
    engine.onBar(bar(1));
    engine.onBar(bar(2));
    engine.onBar(bar(3));
    expect(strategy.seen.map((seen) => [seen.openTime, seen.warmingUp])).toEqual([
      [bar(0).openTime, true],
      [bar(1).openTime, true],
      [bar(2).openTime, false],
      [bar(3).openTime, false],
    ]);
    expect(published.filter((event) => event.type === 'bar-closed')).toHaveLength(2);
    await engine.stop();
  });

  it('hands several series over in the order their bars closed', async () => {
    const strategy = new RecordingStrategy([
      { instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 2 },
      { instrumentId: ETH, kind: 'bars', interval: 4 * HOUR, warmUpBars: 1 },
    ]);
    const { engine } = await engineWith(strategy);
    // ETH's 4h bar closes at 4h, after BTC's hourly bars 1 and 2 (closing at 2h and 3h).
    engine.warmUp([bar(0, 2_000, ETH, 4 * HOUR), bar(2), bar(1)]);
    expect(strategy.seen.map((seen) => `${seen.instrumentId} ${(seen.openTime - START) / HOUR}`)).toEqual(['BTC/USD 1', 'BTC/USD 2', 'ETH/USD 0']);
    await engine.stop();
  });

  it('refuses a warm-up that is not a whole number of bars, or on data other than bars', () => {
    const clock = new TestClock(START);
    const exchange = createFakeExchange({ clock });
    const build = (subscription: Subscription) =>
      new Engine({
        mode: 'paper', clock, instruments: exchange.instruments, execution: exchange.execution, store: new InMemoryStore(),
        strategies: [{ id: 'bad', strategy: new RecordingStrategy([subscription]), params: {} }], quoteAsset: 'USD', startBalances: { USD: '1000' },
      });
    expect(() => build({ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: 2.5 })).toThrow(InvariantError);
    expect(() => build({ instrumentId: BTC, kind: 'bars', interval: HOUR, warmUpBars: -1 })).toThrow('warmUpBars: received -1, expected a whole number of bars, 0 or more');
    expect(() => build({ instrumentId: BTC, kind: 'trades', warmUpBars: 5 })).toThrow('warmUpBars: received 5, expected nothing (only bar subscriptions warm up)');
  });
});
