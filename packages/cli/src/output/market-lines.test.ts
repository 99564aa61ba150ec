import { instrumentId, krakenSpotInstruments, type BookLevel, type BookOrder, type BookView, type Instrument } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { bookJson, bookScreen } from './market-lines.js';

const BTC = krakenSpotInstruments().find((instrument) => instrument.id === 'BTC/USD') as Instrument;

/** A level3 book view over a fixed list of orders (price, quantity), best first per side. */
function orderBook(bids: readonly (readonly [number, number])[], asks: readonly (readonly [number, number])[]): BookView {
  const orders = (side: readonly (readonly [number, number])[], prefix: string): BookOrder[] =>
    side.map(([price, quantity], index) => ({ orderId: `${prefix}${index}`, price, quantity }));
  const levels = (side: readonly (readonly [number, number])[], depth?: number): BookLevel[] => {
    const byPrice = new Map<number, number>();
    for (const [price, quantity] of side) byPrice.set(price, (byPrice.get(price) ?? 0) + quantity);
    return [...byPrice].slice(0, depth).map(([price, quantity]) => ({ price, quantity }));
  };
  const ordersOf = (side: readonly (readonly [number, number])[], prefix: string, depth?: number) => {
    const prices = new Set(levels(side, depth).map((level) => level.price));
    return orders(side, prefix).filter((order) => prices.has(order.price));
  };
  return {
    instrumentId: instrumentId('BTC/USD'),
    time: Date.UTC(2024, 0, 1),
    bids: (depth) => levels(bids, depth),
    asks: (depth) => levels(asks, depth),
    bestBid: () => levels(bids, 1)[0],
    bestAsk: () => levels(asks, 1)[0],
    orders: (which, depth) => (which === 'bid' ? ordersOf(bids, 'B', depth) : ordersOf(asks, 'A', depth)),
  };
}

describe('the market lines of an order-by-order book', () => {
  const book = orderBook(
    [
      [40000.1, 0.5],
      [40000.1, 0.25],
      [40000.0, 1],
    ],
    [
      [40000.2, 0.1],
      [40000.3, 0.2],
      [40000.3, 0.3],
      [40000.3, 0.4],
    ],
  );

  it('puts each level\'s queue length beside its size in the terminal table', () => {
    // The table's rows as their cells, the box drawing left out.
    const rows = bookScreen('BTC/USD', book, 10, BTC, [], 0)
      .split('\n')
      .map((line) => line.split('│').map((cell) => cell.trim()).filter((cell) => cell !== ''));
    expect(rows).toContainEqual(['orders', 'bid size', 'bid', 'ask', 'ask size', 'orders']);
    expect(rows).toContainEqual(['2', '0.75000000', '40000.1', '40000.2', '0.10000000', '1']);
    expect(rows).toContainEqual(['1', '1.00000000', '40000.0', '40000.3', '0.90000000', '3']);
  });

  it('lists the orders of the shown levels in --json, as decimal strings', () => {
    const line = JSON.parse(bookJson('BTC/USD', book, 1, BTC)) as { orders: { bids: unknown[]; asks: unknown[] } };
    expect(line.orders.bids).toEqual([
      { orderId: 'B0', price: '40000.1', quantity: '0.50000000' },
      { orderId: 'B1', price: '40000.1', quantity: '0.25000000' },
    ]);
    expect(line.orders.asks).toEqual([{ orderId: 'A0', price: '40000.2', quantity: '0.10000000' }]);
  });
});
