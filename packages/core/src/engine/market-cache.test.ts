import { describe, expect, it } from 'vitest';
import { instrumentId } from '../model/ids.js';
import type { Bar, BookView } from '../model/market-data.js';
import { asInstrumentId, MarketCache } from './market-cache.js';

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');
const MINUTE = 60_000;
const HOUR = 3_600_000;

function bar(id: typeof BTC, interval: number, openTime: number, close: number): Bar {
  return { instrumentId: id, interval, openTime, open: close, high: close, low: close, close, volume: 1 };
}

function book(id: typeof BTC, bid: number | undefined, ask: number | undefined): BookView {
  const bids = bid === undefined ? [] : [{ price: bid, quantity: 1 }];
  const asks = ask === undefined ? [] : [{ price: ask, quantity: 1 }];
  return { instrumentId: id, time: 0, bids: () => bids, asks: () => asks, bestBid: () => bids[0], bestAsk: () => asks[0] };
}

describe('MarketCache', () => {
  it('keeps the first price of each instrument: a bar\'s open, a trade\'s price, a quote\'s or book\'s mid', () => {
    const cache = new MarketCache();
    expect(cache.hasAnyPrice()).toBe(false);
    expect(cache.firstPrice(BTC)).toBeUndefined();
    cache.onBar({ ...bar(BTC, MINUTE, 0, 101), open: 99 });
    cache.onBar(bar(BTC, MINUTE, MINUTE, 105));
    expect(cache.firstPrice(BTC)).toBe(99);
    expect(cache.lastPrice(BTC)).toBe(105);
    expect(cache.hasAnyPrice()).toBe(true);
    const ETC = instrumentId('ETC/USD');
    cache.onTrade({ instrumentId: ETH, tradeId: 'T1', price: 2000, quantity: 1, side: 'buy', time: 0 } as never);
    cache.onQuote({ instrumentId: ETC, bid: 10, ask: 12, bidSize: 1, askSize: 1, time: 0 } as never);
    const SOL = instrumentId('SOL/USD');
    // A book with one side has no mid: no price yet.
    cache.onBook(book(SOL, 20, undefined));
    expect(cache.firstPrice(SOL)).toBeUndefined();
    cache.onBook(book(SOL, 20, 22));
    cache.onBook(book(SOL, 30, 32));
    expect([cache.firstPrice(ETH), cache.firstPrice(ETC), cache.firstPrice(SOL)]).toEqual([2000, 11, 21]);
  });

  it('keeps the last bar of each interval and answers the latest one by close time, the first interval on a tie', () => {
    const cache = new MarketCache();
    cache.onBar(bar(BTC, MINUTE, 0, 100));
    cache.onBar(bar(BTC, MINUTE, MINUTE, 101));
    cache.onBar(bar(BTC, HOUR, 0, 90));
    expect(cache.lastBar(BTC, MINUTE)?.close).toBe(101);
    expect(cache.lastBar(BTC, HOUR)?.close).toBe(90);
    expect(cache.lastBar(BTC, 5 * MINUTE)).toBeUndefined();
    // The hourly bar closes at 1h, the last minute bar at 2m.
    expect(cache.lastBar(BTC)?.close).toBe(90);
    // Both close at 1h: the interval seen first (minutes) wins.
    cache.onBar(bar(BTC, MINUTE, HOUR - MINUTE, 102));
    expect(cache.lastBar(BTC)?.close).toBe(102);
    cache.onBar(bar(BTC, HOUR, HOUR, 95));
    expect(cache.lastBar(BTC)?.close).toBe(95);
    expect(cache.lastBar(ETH)).toBeUndefined();
    expect(cache.lastBar(ETH, MINUTE)).toBeUndefined();
  });

  it('prices an instrument from its latest data of any kind, each instrument on its own', () => {
    const cache = new MarketCache();
    expect(cache.lastPrice(BTC)).toBeUndefined();
    cache.onBar(bar(BTC, MINUTE, 0, 100));
    cache.onTrade({ instrumentId: ETH, time: 1, price: 2000, quantity: 1, side: 'buy' });
    expect(cache.lastPrice(BTC)).toBe(100);
    expect(cache.lastPrice(ETH)).toBe(2000);
    cache.onQuote({ instrumentId: BTC, time: 2, bid: 99, bidSize: 1, ask: 103, askSize: 1 });
    expect(cache.lastPrice(BTC)).toBe(101);
    expect(cache.lastPrice(ETH)).toBe(2000);
    cache.onBook(book(ETH, 1990, 2010));
    expect(cache.lastPrice(ETH)).toBe(2000);
    cache.onBook(book(ETH, 1990, undefined));
    expect(cache.lastPrice(ETH)).toBe(2000);
    cache.onBook(book(ETH, 1996, 2000));
    expect(cache.lastPrice(ETH)).toBe(1998);
    expect(cache.lastPrice(BTC)).toBe(101);
    expect(cache.lastTrade(ETH)?.price).toBe(2000);
    expect(cache.lastTrade(BTC)).toBeUndefined();
    expect(cache.lastQuote(BTC)?.ask).toBe(103);
    expect(cache.book(ETH)?.bestBid()?.price).toBe(1996);
    expect(cache.book(BTC)).toBeUndefined();
  });

  it('knows an instrument that has a book but no complete side as unpriced', () => {
    const cache = new MarketCache();
    cache.onBook(book(BTC, 100, undefined));
    expect(cache.book(BTC)).toBeDefined();
    expect(cache.lastPrice(BTC)).toBeUndefined();
    expect(cache.lastBar(BTC)).toBeUndefined();
  });
});

describe('asInstrumentId', () => {
  it('normalizes text to an instrument id, the same one when asked again', () => {
    expect(asInstrumentId('btc/usd')).toBe('BTC/USD');
    expect(asInstrumentId('btc/usd')).toBe('BTC/USD');
    expect(asInstrumentId(BTC)).toBe(BTC);
    expect(asInstrumentId('eth/usd')).toBe('ETH/USD');
  });

  it('rejects a malformed id even right after a valid one, naming the value', () => {
    expect(asInstrumentId('btc/usd')).toBe('BTC/USD');
    expect(() => asInstrumentId('btcusd')).toThrow(/btcusd/);
    expect(() => asInstrumentId('')).toThrow(/instrument/);
    expect(() => asInstrumentId(undefined as unknown as string)).toThrow();
  });
});
