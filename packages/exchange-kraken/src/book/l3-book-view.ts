import type { BookLevel, BookOrder, BookView, InstrumentId } from '@kbot/core';
import type { L3Book, L3Order } from './l3-book.js';
import { POWERS_OF_TEN } from './scaled-decimal.js';

/**
 * A level3 book as core's BookView, for strategies: aggregated price levels (each the sum of its
 * orders) like any book, and `orders()` with every resting order in queue order. Live: it reads
 * the L3Book it wraps at each call, so keep numbers, not the view, across messages.
 */
export class L3BookView implements BookView {
  constructor(readonly book: L3Book) {}

  get instrumentId(): InstrumentId {
    return this.book.instrumentId;
  }

  get time(): number {
    return this.book.time;
  }

  bids(depth?: number): readonly BookLevel[] {
    return this.book.bids(depth).map((level) => this.#level(level.price, level.orders));
  }

  asks(depth?: number): readonly BookLevel[] {
    return this.book.asks(depth).map((level) => this.#level(level.price, level.orders));
  }

  bestBid(): BookLevel | undefined {
    return this.bids(1)[0];
  }

  bestAsk(): BookLevel | undefined {
    return this.asks(1)[0];
  }

  orders(side: 'bid' | 'ask', levels?: number): readonly BookOrder[] {
    const kept = side === 'bid' ? this.book.bids(levels) : this.book.asks(levels);
    const priceScale = POWERS_OF_TEN[this.book.pricePrecision]!;
    const quantityScale = POWERS_OF_TEN[this.book.quantityPrecision]!;
    const orders: BookOrder[] = [];
    for (const level of kept) {
      for (const order of level.orders) {
        orders.push({ orderId: order.orderId, price: order.price / priceScale, quantity: order.quantity / quantityScale, ...(order.time === undefined ? {} : { time: order.time }) });
      }
    }
    return orders;
  }

  /** A price level: the sum of its orders, in scaled integers (exact), then as numbers. */
  #level(price: number, orders: readonly L3Order[]): BookLevel {
    let quantity = 0;
    for (const order of orders) quantity += order.quantity;
    return { price: price / POWERS_OF_TEN[this.book.pricePrecision]!, quantity: quantity / POWERS_OF_TEN[this.book.quantityPrecision]! };
  }
}
