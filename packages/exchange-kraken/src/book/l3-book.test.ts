import { instrumentId } from '@kbot/core';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { L3Book, type Level3OrderMessage } from './l3-book.js';

/** Spec §9.3's official example: BTC/USD, 10 ask levels of 14 orders, 10 bid levels of 21, as [price, quantities in queue order]. */
const ASKS: [string, string[]][] = [
  ['44939.5', ['4.52308393', '0.00111261', '0.00100000', '0.01000000']], ['44950.0', ['0.10334926']], ['44953.0', ['0.00064537']],
  ['44955.0', ['0.00250000']], ['44959.6', ['0.35630000', '0.35630000']], ['44960.1', ['0.00338072']], ['44960.2', ['0.88967575']],
  ['44967.0', ['3.14392283']], ['44978.5', ['0.06778960']], ['44979.2', ['0.35630000']],
];
const BIDS: [string, string[]][] = [
  ['44939.4', ['0.88968699', '0.45210000', '0.10000000', '0.14296323', '0.25000000', '0.10292988', '0.33880000', '1.28140860']],
  ['44937.1', ['0.03346877']], ['44934.7', ['0.35630000']], ['44930.2', ['0.22734299', '0.01000000', '0.05550000', '0.70000000', '0.15000000']],
  ['44928.0', ['0.00105240']], ['44919.6', ['0.33870000']], ['44919.5', ['0.07610000']], ['44912.0', ['0.35630000']], ['44909.7', ['0.06690000']],
  ['44901.9', ['0.00088982']],
];
const ASKS_TEXT = '44939545230839344939511126144939510000044939510000004495001033492644953064537449550250000449596356300004495963563000044960133807244960288967575449670314392283449785677896044979235630000';
const BIDS_TEXT = '449394889686994493944521000044939410000000449394142963234493942500000044939410292988449394338800004493941281408604493713346877449347356300004493022273429944930210000004493025550000449302700000004493021500000044928010524044919633870000449195761000044912035630000449097669000044901988982';

let ids = 0;
const orders = (levels: [string, string[]][], asNumbers = false): Level3OrderMessage[] =>
  levels.flatMap(([price, quantities]) => quantities.map((quantity) => ({ order_id: `O${++ids}`, limit_price: asNumbers ? Number(price) : price, order_qty: asNumbers ? Number(quantity) : quantity })));

function book(depth = 10): L3Book {
  return new L3Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth });
}

describe('L3Book (Kraken level3, spec §9.3)', () => {
  it("reproduces the official example's checksum, 1063832831, from decimal strings and from numbers", () => {
    // The documented strings themselves, checked with Node's own CRC-32 first.
    expect(crc32(ASKS_TEXT + BIDS_TEXT) >>> 0).toBe(1063832831);
    for (const asNumbers of [false, true]) {
      const l3 = book();
      expect(l3.apply({ type: 'snapshot', symbol: 'BTC/USD', checksum: 1063832831, asks: orders(ASKS, asNumbers), bids: orders(BIDS, asNumbers) })).toBe('verified');
      expect(l3.asks()).toHaveLength(10);
      expect(l3.bids()[0]!.orders.map((order) => order.quantity)).toEqual([88968699, 45210000, 10000000, 14296323, 25000000, 10292988, 33880000, 128140860]);
    }
  });

  it('keeps queue order through add, modify and delete, drops empty levels, and truncates to the depth', () => {
    const l3 = book(2);
    const asks = [{ order_id: 'A1', limit_price: '100.0', order_qty: '1' }, { order_id: 'A2', limit_price: '100.0', order_qty: '2' }, { order_id: 'A3', limit_price: '100.1', order_qty: '3' }, { order_id: 'A4', limit_price: '100.2', order_qty: '4' }];
    const bids = [{ order_id: 'B1', limit_price: '99.9', order_qty: '1' }];
    l3.apply({ type: 'snapshot', symbol: 'BTC/USD', checksum: 0, asks, bids });
    // Depth 2: the third ask level went at once.
    expect(l3.asks().map((level) => [level.price, level.orders.map((order) => order.orderId)])).toEqual([[1000, ['A1', 'A2']], [1001, ['A3']]]);
    l3.apply({
      type: 'update', symbol: 'BTC/USD', checksum: 0, bids: [],
      asks: [
        { event: 'modify', order_id: 'A1', limit_price: '100.0', order_qty: '0.5' },
        { event: 'add', order_id: 'A5', limit_price: '100.0', order_qty: '5' },
        { event: 'delete', order_id: 'A3', limit_price: '100.1', order_qty: '3' },
        // The level that scrolls in, as Kraken publishes it.
        { event: 'add', order_id: 'A4', limit_price: '100.2', order_qty: '4' },
      ],
    });
    expect(l3.asks().map((level) => [level.price, level.orders.map((order) => [order.orderId, order.quantity])])).toEqual([
      [1000, [['A1', 50_000_000], ['A2', 200_000_000], ['A5', 500_000_000]]],
      [1002, [['A4', 400_000_000]]],
    ]);
    // The checksum is over what the book holds: a text the test builds the documented way.
    const expected = crc32(['1000', '50000000', '1000', '200000000', '1000', '500000000', '1002', '400000000', '999', '100000000'].join('')) >>> 0;
    expect(l3.checksum()).toBe(expected);
    expect(l3.apply({ type: 'update', symbol: 'BTC/USD', checksum: expected, asks: [], bids: [] })).toBe('verified');
    expect(l3.apply({ type: 'update', symbol: 'BTC/USD', checksum: expected + 1, asks: [], bids: [] })).toBe('mismatch');
  });

  it('refuses a value it cannot read at the precision, naming the order and field', () => {
    const l3 = book();
    expect(() => l3.apply({ type: 'snapshot', symbol: 'BTC/USD', checksum: 0, bids: [], asks: [{ order_id: 'A1', limit_price: '100.05', order_qty: '1' }] })).toThrow(
      'level3 BTC/USD asks[0].limit_price: received "100.05", expected a number of at most 1 decimals',
    );
    expect(() => l3.apply({ type: 'update', symbol: 'BTC/USD', checksum: 0, asks: [], bids: [{ event: 'replace' as never, order_id: 'B1', limit_price: '99', order_qty: '1' }] })).toThrow(
      'level3 BTC/USD bids[0].event: received "replace", expected "add", "modify" or "delete"',
    );
  });
  it('keeps the same book as a naive model (sorted afresh on every message) through 3,000 random adds, modifies and deletes', () => {
    // A small deterministic generator: the same sequence on every run.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const depth = 5;
    const l3 = book(depth);
    // The model: every order by id, with its side, price, quantity and arrival order.
    const model = new Map<string, { side: 'bids' | 'asks'; price: number; quantity: number; seq: number }>();
    let seq = 0;
    const levelsOf = (side: 'bids' | 'asks') => {
      const byPrice = new Map<number, { id: string; quantity: number; seq: number }[]>();
      for (const [id, order] of model) if (order.side === side) byPrice.set(order.price, [...(byPrice.get(order.price) ?? []), { id, quantity: order.quantity, seq: order.seq }]);
      const prices = [...byPrice.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b));
      return prices.map((price) => ({ price, orders: byPrice.get(price)!.sort((a, b) => a.seq - b.seq) }));
    };
    for (let step = 0; step < 3_000; step++) {
      const side = random() < 0.5 ? 'bids' : 'asks';
      const price = side === 'bids' ? 9_990 - Math.floor(random() * 12) : 10_000 + Math.floor(random() * 12);
      const existing = [...model].filter(([, order]) => order.side === side);
      const roll = random();
      let entry: Level3OrderMessage;
      if (roll < 0.5 || existing.length === 0) {
        const id = `N${step}`;
        const quantity = 1 + Math.floor(random() * 9);
        model.set(id, { side, price, quantity, seq: ++seq });
        entry = { event: 'add', order_id: id, limit_price: (price / 10).toFixed(1), order_qty: String(quantity) };
      } else {
        const [id, order] = existing[Math.floor(random() * existing.length)]!;
        if (roll < 0.75) {
          const quantity = 1 + Math.floor(random() * 9);
          model.set(id, { ...order, quantity });
          entry = { event: 'modify', order_id: id, limit_price: (order.price / 10).toFixed(1), order_qty: String(quantity) };
        } else {
          model.delete(id);
          entry = { event: 'delete', order_id: id, limit_price: (order.price / 10).toFixed(1), order_qty: String(order.quantity) };
        }
      }
      l3.apply({ type: 'update', symbol: 'BTC/USD', checksum: 0, bids: side === 'bids' ? [entry] : [], asks: side === 'asks' ? [entry] : [] });
      // Kraken's truncation, in the model: levels beyond the depth leave with their orders.
      for (const sideName of ['bids', 'asks'] as const) {
        for (const level of levelsOf(sideName).slice(depth)) for (const order of level.orders) model.delete(order.id);
      }
      for (const sideName of ['bids', 'asks'] as const) {
        const expected = levelsOf(sideName).map((level) => [level.price, level.orders.map((order) => [order.id, order.quantity * 100_000_000])]);
        const actual = l3[sideName]().map((level) => [level.price, level.orders.map((order) => [order.orderId, order.quantity])]);
        expect(actual, `${sideName} after step ${step}`).toEqual(expected);
      }
    }
    // The checksum over the final book, from the documented text rule.
    const text = (['asks', 'bids'] as const)
      .flatMap((sideName) => levelsOf(sideName).slice(0, 10).flatMap((level) => level.orders.map((order) => `${level.price}${order.quantity * 100_000_000}`)))
      .join('');
    expect(l3.checksum()).toBe(crc32(text) >>> 0);
  });
  it('feeds nothing for a quantity of 0, as the documented rule strips every leading zero of "0.00000000"', () => {
    const l3 = book();
    const asks = [{ order_id: 'A1', limit_price: '100.0', order_qty: '0.5' }, { order_id: 'A2', limit_price: '100.0', order_qty: '0.00000000' }];
    const expected = crc32(['1000', '50000000', '1000', ''].join('')) >>> 0;
    expect(l3.apply({ type: 'snapshot', symbol: 'BTC/USD', checksum: expected, asks, bids: [] })).toBe('verified');
  });
});
