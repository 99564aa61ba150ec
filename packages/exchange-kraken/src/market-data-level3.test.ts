import { ConfigError, instrumentId, type BookHealth, type BookView, type MarketDataSink } from '@kbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TUNING, eventually, simulatorEnv, startScriptedSimulator } from './kraken-test-harness.js';
import { createKrakenExchange, type KrakenExchange } from './plugin.js';
import type { KrakenSimulator } from './simulator/kraken-simulator.js';

/*
 * Order-by-order books for strategies: a `book` subscription with `orders: true` goes to Kraken's
 * private `level3` channel through the kraken() plugin's market-data client (keys needed), and
 * each verified message reaches the sink as a BookView whose `orders()` lists every resting order.
 */

const BTC = instrumentId('BTC/USD');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function exchangeOn(withKeys: boolean): Promise<{ sim: KrakenSimulator; exchange: KrakenExchange }> {
  const sim = await startScriptedSimulator();
  cleanups.push(() => sim.stop());
  const exchange = createKrakenExchange({}, { env: simulatorEnv(sim, withKeys ? {} : false), tuning: FAST_TUNING, mode: 'paper' });
  cleanups.push(() => exchange.close());
  await exchange.instruments.load();
  return { sim, exchange };
}

/** A sink keeping the books it gets, by whether they list orders, and the health reports. */
function recordingSink() {
  const level3: BookView[] = [];
  const level2: BookView[] = [];
  const health: BookHealth[] = [];
  const sink: MarketDataSink = {
    onBar: () => {},
    onTrade: () => {},
    onQuote: () => {},
    onBook: (book) => void (book.orders === undefined ? level2 : level3).push(book),
    onBookHealth: (report) => void health.push(report),
  };
  return { sink, level3, level2, health };
}

describe('a book subscription with orders: true (Kraken level3)', () => {
  it('delivers every resting order, in the same price levels as the book channel', async () => {
    const { sim, exchange } = await exchangeOn(true);
    const orders = recordingSink();
    const levels = recordingSink();
    await exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10, orders: true }], orders.sink);
    await exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10 }], levels.sink);
    await eventually(() => orders.level3.length > 0 && levels.level2.length > 0, 'both books');
    for (let step = 0; step < 5; step++) sim.step();
    const level3Before = orders.level3.length;
    await eventually(() => orders.level3.length > level3Before, 'level3 updates');
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Each sink got only its own kind of book.
    expect(orders.level2).toEqual([]);
    expect(levels.level3).toEqual([]);
    const l3 = orders.level3.at(-1)!;
    const l2 = levels.level2.at(-1)!;
    expect(l3.instrumentId).toBe(BTC);
    expect(Number.isFinite(l3.time)).toBe(true);
    // The price levels of the order book are the book channel's, level for level.
    expect(l3.bids(10)).toEqual(l2.bids(10));
    expect(l3.asks(10)).toEqual(l2.asks(10));
    // Every order is listed, best price first; quantities sum to the levels.
    const bids = l3.orders!('bid');
    expect(bids.length).toBeGreaterThanOrEqual(l3.bids().length);
    expect(bids[0]!.price).toBe(l3.bestBid()!.price);
    for (let index = 1; index < bids.length; index++) expect(bids[index]!.price).toBeLessThanOrEqual(bids[index - 1]!.price);
    const asks = l3.orders!('ask', 3);
    expect(new Set(asks.map((order) => order.price)).size).toBeLessThanOrEqual(3);
    const bestAskOrders = asks.filter((order) => order.price === l3.bestAsk()!.price);
    expect(bestAskOrders.reduce((sum, order) => sum + order.quantity, 0)).toBeCloseTo(l3.bestAsk()!.quantity, 8);
    expect(bids.every((order) => typeof order.orderId === 'string' && order.orderId !== '' && Number.isFinite(order.time))).toBe(true);
    // Health comes to the level3 sink as the l3 book's; the level2 sink hears its own.
    expect(orders.health.map((report) => [report.book, report.status])).toEqual([['l3', 'synced']]);
    expect(levels.health.map((report) => [report.book, report.status])).toEqual([['l2', 'synced']]);
  });

  it('reports a level3 resync to the level3 sink, which gets books again after the fresh snapshot', async () => {
    const { sim, exchange } = await exchangeOn(true);
    const orders = recordingSink();
    await exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10, orders: true }], orders.sink);
    await eventually(() => orders.level3.length > 0, 'the first level3 book');
    sim.corruptNextBookChecksum();
    sim.step();
    await eventually(() => orders.health.some((report) => report.status === 'resync'), 'the resync');
    await eventually(() => orders.health.filter((report) => report.status === 'synced').length >= 2, 'the fresh snapshot');
    expect(orders.health.map((report) => [report.book, report.status, report.reason ?? null])).toEqual([
      ['l3', 'synced', null],
      ['l3', 'resync', 'checksum'],
      ['l3', 'synced', null],
    ]);
    expect(exchange.data.bookHealth(BTC, 'l3')).toMatchObject({ status: 'synced', resyncs: 1, mismatches: 1 });
  });

  it('reports a lost connection as a resync of every verified book, L2 and level3, until the reconnection verifies them again', async () => {
    const { sim, exchange } = await exchangeOn(true);
    const orders = recordingSink();
    const levels = recordingSink();
    await exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10, orders: true }], orders.sink);
    await exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10 }], levels.sink);
    await eventually(() => orders.health.length === 1 && levels.health.length === 1, 'both books verified');
    sim.dropConnections();
    await eventually(() => orders.health.length === 3 && levels.health.length === 3, 'both books dropped and verified again');
    for (const sink of [orders, levels]) {
      expect(sink.health.map((report) => [report.status, report.reason ?? null, report.resyncs])).toEqual([
        ['synced', null, 0],
        ['resync', 'disconnected', 1],
        ['synced', null, 1],
      ]);
    }
    // Closing on purpose is not a resync.
    await exchange.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(orders.health).toHaveLength(3);
    expect(levels.health).toHaveLength(3);
  });

  it('is refused by name without keys, and beyond the depths Kraken offers', async () => {
    const { exchange } = await exchangeOn(false);
    const { sink } = recordingSink();
    const refusal = exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 10, orders: true }], sink);
    await expect(refusal).rejects.toThrow(ConfigError);
    await expect(exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', orders: true }], sink)).rejects.toThrow(
      "subscriptions[0].orders: received true (every order of the BTC/USD book), expected Kraken API keys: its level3 channel is private",
    );
    const withKeys = await exchangeOn(true);
    await expect(withKeys.exchange.data.subscribe([{ instrumentId: BTC, kind: 'book', depth: 5000, orders: true }], sink)).rejects.toThrow(
      "subscriptions[0].depth: received 5000, expected at most 1000 price levels (Kraken's level3 depths: 10, 100, 1000)",
    );
  });
});
