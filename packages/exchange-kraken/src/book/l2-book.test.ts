import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { crc32OfText } from './crc32.js';
import { L2Book } from './l2-book.js';

type Level = readonly [price: string, quantity: string];

// Spec §9.2 test vector A (BTC/USD, precisions 1 / 8), as the table prints it.
const VECTOR_A_BIDS: Level[] = [
  ['45283.5', '0.10000000'], ['45283.4', '1.54582015'], ['45282.1', '0.10000000'], ['45281.0', '0.10000000'], ['45280.3', '1.54592586'],
  ['45279.0', '0.07990000'], ['45277.6', '0.03310103'], ['45277.5', '0.30000000'], ['45277.3', '1.54602737'], ['45276.6', '0.15445238'],
];
const VECTOR_A_ASKS: Level[] = [
  ['45285.2', '0.00100000'], ['45286.4', '1.54571953'], ['45286.6', '1.54571109'], ['45289.6', '1.54560911'], ['45290.2', '0.15890660'],
  ['45291.8', '1.54553491'], ['45294.7', '0.04454749'], ['45296.1', '0.35380000'], ['45297.5', '0.09945542'], ['45299.5', '0.18772827'],
];

// Spec §9.2 test vector B (MATIC/USD, precisions 4 / 8): trimmed tokens exactly as the docs print them.
const VECTOR_B_BIDS: Level[] = [
  ['0.5666', '4831.75496356'], ['0.5665', '6658.22734739'], ['0.5664', '18724.91513344'], ['0.5663', '11563.92544914'], ['0.5662', '14006.65365711'],
  ['0.5661', '17454.85679807'], ['0.566', '18097.1547'], ['0.5659', '33644.89175666'], ['0.5658', '148.3464'], ['0.5657', '606.70854372'],
];
const VECTOR_B_ASKS: Level[] = [
  ['0.5668', '4410.79769741'], ['0.5669', '4655.40412487'], ['0.567', '49844.89424998'], ['0.5671', '24306.41678'], ['0.5672', '29783.25223475'],
  ['0.5673', '57234.71239278'], ['0.5674', '45065.04744'], ['0.5675', '5912.76380354'], ['0.5676', '42514.92434778'], ['0.5677', '36304.0847022'],
];

function bookOf(symbol: string, pricePrecision: number, quantityPrecision: number, bids: Level[], asks: Level[], depth = 10): L2Book {
  const book = new L2Book({ instrumentId: instrumentId(symbol), pricePrecision, quantityPrecision, depth });
  // Fed in reverse and interleaved so the result cannot depend on arrival order.
  for (const [price, quantity] of [...bids].reverse()) expect(book.setLevel('bid', price, quantity)).toBe(true);
  for (const [price, quantity] of [...asks].reverse()) expect(book.setLevel('ask', price, quantity)).toBe(true);
  book.truncate();
  return book;
}

describe('L2Book checksum', () => {
  it('reproduces test vector A: 3310070434', () => {
    expect(bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS).checksum()).toBe(3310070434);
  });

  it('reproduces test vector B from trimmed tokens (2439117997), then its documented update (2114181697)', () => {
    const book = bookOf('MATIC/USD', 4, 8, VECTOR_B_BIDS, VECTOR_B_ASKS);
    expect(book.checksum()).toBe(2439117997);
    expect(book.setLevel('bid', '0.5657', '1098.3947558')).toBe(true);
    book.truncate();
    expect(book.checksum()).toBe(2114181697);
  });

  it('changes when one quantity changes by one unit of the last decimal', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    book.setLevel('ask', '45285.2', '0.00100001');
    expect(book.checksum()).not.toBe(3310070434);
  });

  it('covers only the top ten levels of each side', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS, 25);
    book.setLevel('bid', '45000.0', '3');
    book.setLevel('ask', '46000.0', '3');
    expect(book.checksum()).toBe(3310070434);
  });
});

describe('L2Book checksumMatches', () => {
  it("compares with Kraken's unsigned value, or the same bits as a signed one", () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    expect(book.checksumMatches(3310070434)).toBe(true);
    expect(book.checksumMatches(3310070434 | 0)).toBe(true);
    expect(book.checksumMatches(3310070435)).toBe(false);
    book.setLevel('ask', '45285.2', '0.00100001');
    expect(book.checksumMatches(3310070434)).toBe(false);
    expect(book.checksumMatches(book.checksum())).toBe(true);
  });
});

describe('L2Book maintenance', () => {
  it('keeps asks ascending and bids descending whatever the arrival order', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    expect(book.bids(3)).toEqual([
      { price: 45283.5, quantity: 0.1 },
      { price: 45283.4, quantity: 1.54582015 },
      { price: 45282.1, quantity: 0.1 },
    ]);
    expect(book.asks(2)).toEqual([
      { price: 45285.2, quantity: 0.001 },
      { price: 45286.4, quantity: 1.54571953 },
    ]);
    expect(book.bestBid()).toEqual({ price: 45283.5, quantity: 0.1 });
    expect(book.bestAsk()).toEqual({ price: 45285.2, quantity: 0.001 });
    expect(book.bestBidPrice()).toBe(45283.5);
    expect(book.bestAskPrice()).toBe(45285.2);
    expect(book.bids()).toHaveLength(10);
  });

  it('replaces a quantity with the new aggregate and deletes on quantity 0', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    book.setLevel('bid', '45283.5', '2.5');
    expect(book.bestBid()).toEqual({ price: 45283.5, quantity: 2.5 });
    book.setLevel('bid', '45283.5', '0.0');
    expect(book.bestBidPrice()).toBe(45283.4);
    expect(book.bidCount).toBe(9);
    book.setLevel('ask', '1.0', '0'); // deleting an absent level is a no-op
    expect(book.askCount).toBe(10);
  });

  it('truncates each side to the subscribed depth, dropping the worst levels', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    book.setLevel('bid', '45284.0', '1');
    book.setLevel('ask', '45285.0', '1');
    book.truncate();
    expect(book.bidCount).toBe(10);
    expect(book.bids().at(-1)?.price).toBe(45277.3);
    expect(book.asks().at(-1)?.price).toBe(45297.5);
  });

  it('grows past its initial capacity and reports empty sides as undefined / NaN', () => {
    const book = new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 1000 });
    expect(book.bestBid()).toBeUndefined();
    expect(book.bestAskPrice()).toBeNaN();
    for (let index = 0; index < 1500; index++) book.setBid(100000 + index, 1);
    book.truncate();
    expect(book.bidCount).toBe(1000);
    expect(book.bestBidPrice()).toBe(10149.9);
    expect(book.bids().at(-1)?.price).toBe(10050);
  });

  it('refuses a level finer than the precision without changing the book', () => {
    const book = bookOf('BTC/USD', 1, 8, VECTOR_A_BIDS, VECTOR_A_ASKS);
    expect(book.setLevel('bid', '45283.55', '1')).toBe(false);
    expect(book.setLevel('bid', '45283.5', 'x')).toBe(false);
    expect(book.checksum()).toBe(3310070434);
  });

  it('rejects impossible precisions and depths by name', () => {
    expect(() => new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: -1, quantityPrecision: 8, depth: 10 })).toThrow(/pricePrecision: received -1/);
    expect(() => new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 0 })).toThrow(/depth: received 0/);
  });
});

describe('L2Book beyond 2^53', () => {
  it('keeps checksum digits exact for quantities a double cannot hold (1e11 tokens at 5 decimals)', () => {
    const book = new L2Book({ instrumentId: instrumentId('BTT/USD'), pricePrecision: 8, quantityPrecision: 5, depth: 10 });
    expect(book.setLevel('ask', '0.00000101', '123456789012.34567')).toBe(true);
    expect(book.setLevel('bid', '0.00000100', '90071992547.40993')).toBe(true);
    expect(book.checksum()).toBe(crc32OfText('101' + '12345678901234567' + '100' + '9007199254740993'));
    // the same huge level is found again for an update and a delete
    book.setLevel('ask', '0.00000101', '123456789012.34568');
    expect(book.askCount).toBe(1);
    book.setLevel('ask', '0.00000101', '0');
    expect(book.askCount).toBe(0);
  });
});

describe('L2Book incremental checksum', () => {
  it('always equals the checksum of the text built from scratch, over 20,000 random sets, deletes and truncations', () => {
    const book = new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 25 });
    const model = { bid: new Map<number, number>(), ask: new Map<number, number>() };
    let seed = 42;
    const random = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const expected = (): number => {
      const top = (side: 'bid' | 'ask') =>
        [...model[side].entries()].sort((a, b) => (side === 'ask' ? a[0] - b[0] : b[0] - a[0])).slice(0, 10);
      return crc32OfText([...top('ask'), ...top('bid')].map(([price, quantity]) => `${price}${quantity}`).join(''));
    };
    const truncateModel = (side: 'bid' | 'ask') => {
      const kept = [...model[side].entries()].sort((a, b) => (side === 'ask' ? a[0] - b[0] : b[0] - a[0])).slice(0, 25);
      model[side] = new Map(kept);
    };
    for (let step = 0; step < 20_000; step++) {
      const side = random() < 0.5 ? 'bid' : 'ask';
      const price = side === 'bid' ? 1000 - Math.floor(random() * 40) : 1001 + Math.floor(random() * 40);
      const quantity = random() < 0.3 ? 0 : 1 + Math.floor(random() * 1e9);
      if (side === 'bid') book.setBid(price, quantity);
      else book.setAsk(price, quantity);
      if (quantity === 0) model[side].delete(price);
      else model[side].set(price, quantity);
      if (random() < 0.5) {
        book.truncate();
        truncateModel('bid');
        truncateModel('ask');
      }
      if (random() < 0.7) {
        book.truncate();
        truncateModel('bid');
        truncateModel('ask');
        expect(book.checksum()).toBe(expected());
      }
      if (random() < 0.001) {
        book.clear();
        model.bid.clear();
        model.ask.clear();
      }
    }
  });
});
