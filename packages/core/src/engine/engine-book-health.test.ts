import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import type { BookHealthReported, TradingStateChanged } from '../model/events.js';
import { instrumentId } from '../model/ids.js';
import type { BookHealth, BookView, Subscription } from '../model/market-data.js';
import { InMemoryStore } from '../persistence/store.js';
import { bookHealth } from '../risk/policies/book-health.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy } from '../strategy/strategy.js';
import { Engine } from './engine.js';

// A venue-kept book's health report, handed to the engine by a market-data client (Kraken's book
// keeper in paper and live): the risk policies, the strategies taking that book, and the bus.

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');
const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
const START = Date.UTC(2024, 0, 1);

const report = (instrument = BTC, status: BookHealth['status'] = 'resync'): BookHealth => ({
  instrumentId: instrument, time: START + 999_999, status, mismatches: 1, resyncs: 1, ageMs: 5_000, reason: 'checksum',
});

/** A strategy taking one instrument's book, keeping the reports it hears. */
function bookReader(subscriptions: Subscription[], withHook = true): Strategy & { heard: string[] } {
  const heard: string[] = [];
  return {
    heard,
    subscriptions: () => subscriptions,
    onBook: (_book: BookView) => {},
    ...(withHook ? { onBookHealth: (health: BookHealth) => void heard.push(`${health.instrumentId} ${health.status}`) } : {}),
  };
}

async function engineWith(strategies: Record<string, Strategy>, options: { maxResyncs?: number } = {}) {
  const clock = new TestClock(START);
  const store = new InMemoryStore();
  const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances: { USD: '100000' } });
  const engine = new Engine({
    mode: 'paper', clock, instruments, execution: venue, store, quoteAsset: 'USD', startBalances: { USD: '100000' },
    strategies: Object.entries(strategies).map(([id, strategy]) => ({ id, strategy, params: {} })),
    riskPolicies: [bookHealth(options.maxResyncs === undefined ? {} : { maxResyncs: options.maxResyncs })],
  });
  await engine.start();
  return { engine, store, clock };
}

describe('Engine.onBookHealth', () => {
  it('reaches the strategies taking that instrument\'s book that have the hook, and the bus', async () => {
    const btcReader = bookReader([{ instrumentId: BTC, kind: 'book', depth: 10 }]);
    const ethReader = bookReader([{ instrumentId: ETH, kind: 'book', depth: 10 }]);
    const barsOnly: Strategy & { heard: string[] } = { ...bookReader([{ instrumentId: BTC, kind: 'bars', interval: 60_000 }]), onBar: () => {} };
    const noHook = bookReader([{ instrumentId: BTC, kind: 'book', depth: 10 }], false);
    const { engine, clock } = await engineWith({ btcReader, ethReader, barsOnly, noHook });
    const published: BookHealthReported[] = [];
    engine.bus.on('book-health-reported', (event) => void published.push(event));

    engine.onBookHealth(report(BTC, 'resync'));
    engine.onBookHealth(report(BTC, 'synced'));

    expect(btcReader.heard).toEqual(['BTC/USD resync', 'BTC/USD synced']);
    expect(ethReader.heard).toEqual([]);
    expect(barsOnly.heard).toEqual([]);
    expect(published.map((event) => [event.health.status, event.time, event.sequence])).toEqual([['resync', START, 0], ['synced', START, 0]]);
    // The report's wall-clock time does not move the engine's clock.
    expect(clock.now()).toBe(START);
  });

  it('keeps price-level books and order-by-order books apart: each strategy gets the kind it asked for, and its health', async () => {
    const books: Record<string, string[]> = { levels: [], orders: [] };
    const reader = (name: 'levels' | 'orders', orders: boolean): Strategy & { heard: string[] } => ({
      ...bookReader([{ instrumentId: BTC, kind: 'book', depth: 10, ...(orders ? { orders: true } : {}) }]),
      onBook: (book: BookView) => void books[name]!.push(book.orders === undefined ? 'levels' : 'orders'),
    });
    const levels = reader('levels', false);
    const orders = reader('orders', true);
    const { engine } = await engineWith({ levels, orders });
    const view = (withOrders: boolean): BookView => ({
      instrumentId: BTC, time: START, bids: () => [], asks: () => [], bestBid: () => undefined, bestAsk: () => undefined,
      ...(withOrders ? { orders: () => [] } : {}),
    });
    engine.onBook(view(false));
    engine.onBook(view(true));
    expect(books).toEqual({ levels: ['levels'], orders: ['orders'] });
    engine.onBookHealth({ ...report(BTC, 'resync'), book: 'l3' });
    engine.onBookHealth({ ...report(BTC, 'synced'), book: 'l2' });
    expect(levels.heard).toEqual(['BTC/USD synced']);
    expect(orders.heard).toEqual(['BTC/USD resync']);
  });

  it('gives it to the risk policies first: a breaker trips and the trading-state change is journaled', async () => {
    const { engine, store } = await engineWith({ reader: bookReader([{ instrumentId: BTC, kind: 'book', depth: 10 }]) }, { maxResyncs: 2 });
    engine.onBookHealth(report());
    engine.onBookHealth(report());
    expect(engine.risk.state).toBe('reducing');
    const changes = store.events().filter((event): event is TradingStateChanged => event.type === 'trading-state-changed');
    expect(changes.map((event) => [event.from, event.to, event.reason])).toEqual([['active', 'reducing', 'book-health: the BTC/USD book was resynchronised 2 times in 10 min, the limit is 2']]);
  });
});
