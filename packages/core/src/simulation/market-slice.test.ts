import { describe, expect, it } from 'vitest';
import { instrumentId } from '../model/ids.js';
import type { Bar, Quote, Trade } from '../model/market-data.js';
import { checkBar, sliceFromBar, sliceFromQuote, sliceFromTrade } from './market-slice.js';

const BTC = instrumentId('BTC/USD');
const good: Bar = { instrumentId: BTC, interval: 60_000, openTime: 120_000, open: 10, high: 12, low: 9, close: 11, volume: 5 };
const trade: Trade = { instrumentId: BTC, time: 5, price: 10, quantity: 2, side: 'buy' };
const quote: Quote = { instrumentId: BTC, time: 7, bid: 99, bidSize: 1, ask: 101, askSize: 2 };

describe('checkBar', () => {
  it('accepts a sound bar, zero volume included', () => {
    expect(() => checkBar(good)).not.toThrow();
    expect(() => checkBar({ ...good, volume: 0 })).not.toThrow();
    expect(sliceFromBar(good)).toMatchObject({ kind: 'bar', time: 120_000, endTime: 180_000, buyVolume: 5, lastBuyPrice: 11 });
  });

  it('names the bar and the first field out of range', () => {
    expect(() => checkBar({ ...good, open: 0, high: Number.NaN })).toThrow('bar BTC/USD at 120000 open: received 0, expected a finite price above 0');
    expect(() => checkBar({ ...good, high: Number.POSITIVE_INFINITY })).toThrow('bar BTC/USD at 120000 high: received Infinity');
    expect(() => checkBar({ ...good, close: -1 })).toThrow('close: received -1');
    expect(() => checkBar({ ...good, low: 13 })).toThrow('bar BTC/USD at 120000: low 13 is above high 12');
    expect(() => checkBar({ ...good, interval: 0 })).toThrow('interval: received 0, expected a positive number of milliseconds');
    expect(() => checkBar({ ...good, volume: -2 })).toThrow('bar BTC/USD at 120000 volume: received -2, expected a finite quantity of 0 or more');
    expect(() => sliceFromBar({ ...good, volume: Number.NaN })).toThrow('volume: received NaN');
  });
});

describe('sliceFromTrade and sliceFromQuote', () => {
  it('turn sound ticks into slices', () => {
    expect(sliceFromTrade(trade)).toMatchObject({ kind: 'trade', time: 5, endTime: 5, buyPath: { open: 10, high: 10, low: 10 }, buyVolume: 2, sellVolume: 2, lastSellPrice: 10 });
    expect(sliceFromTrade({ ...trade, quantity: 0 }).buyVolume).toBe(0);
    expect(sliceFromQuote(quote)).toMatchObject({ kind: 'quote', buyPath: { open: 101 }, sellPath: { low: 99 }, buyVolume: 2, sellVolume: 1, lastBuyPrice: 101, lastSellPrice: 99 });
  });

  it('name the tick and the first field out of range', () => {
    expect(() => sliceFromTrade({ ...trade, price: Number.NaN, quantity: -1 })).toThrow('trade BTC/USD at 5 price: received NaN, expected a finite price above 0');
    expect(() => sliceFromTrade({ ...trade, quantity: Number.POSITIVE_INFINITY })).toThrow('trade BTC/USD at 5 quantity: received Infinity');
    expect(() => sliceFromQuote({ ...quote, bid: 0, ask: 0 })).toThrow('quote BTC/USD at 7 bid: received 0');
    expect(() => sliceFromQuote({ ...quote, ask: -3 })).toThrow('quote BTC/USD at 7 ask: received -3');
    expect(() => sliceFromQuote({ ...quote, askSize: -1, bidSize: -1 })).toThrow('quote BTC/USD at 7 askSize: received -1, expected a finite quantity of 0 or more');
    expect(() => sliceFromQuote({ ...quote, bidSize: Number.NaN })).toThrow('quote BTC/USD at 7 bidSize: received NaN');
  });
});
