import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal.js';
import { matchOrder, type MatchableOrder } from './order-matching.js';
import { isAfterOrder, sliceFromBar, sliceFromQuote, sliceFromTrade } from './market-slice.js';
import { instrumentId } from '../model/ids.js';

const base: MatchableOrder = {
  side: 'buy', type: 'limit', price: new Decimal(100), priceValue: 100, triggerPrice: undefined, triggerValue: Number.NaN,
  postOnly: false, timeInForce: 'gtc', resting: true, triggered: false,
};
const path = (open: number, high: number, low: number) => ({ open, high, low });
const text = (outcome: ReturnType<typeof matchOrder>) =>
  outcome.kind === 'fill' ? `${outcome.liquidity} ${outcome.price.toFixed()}${outcome.limitPrice ? ` cap ${outcome.limitPrice.toFixed()}` : ''}` : outcome.kind;

describe('matchOrder', () => {
  it('fills resting limits at their own price, through or touch', () => {
    expect(text(matchOrder(base, path(101, 102, 100), 'through'))).toBe('none');
    expect(text(matchOrder(base, path(101, 102, 100), 'touch'))).toBe('maker 100');
    expect(text(matchOrder(base, path(95, 96, 94), 'through'))).toBe('maker 100');
    expect(text(matchOrder({ ...base, side: 'sell' }, path(99, 100.1, 98), 'through'))).toBe('maker 100');
  });

  it('lets a limit that has not rested take at the open, capped at its limit, or join the book', () => {
    const arriving = { ...base, resting: false };
    expect(text(matchOrder(arriving, path(99, 101, 98), 'through'))).toBe('taker 99 cap 100');
    const joined = matchOrder(arriving, path(101, 102, 99.5), 'through');
    expect(text(joined)).toBe('maker 100');
    expect(joined.kind === 'fill' && joined.resting).toBe(true);
    expect(matchOrder({ ...arriving, postOnly: true }, path(99, 101, 98), 'through').kind).toBe('post-only-would-take');
    expect(text(matchOrder({ ...arriving, timeInForce: 'ioc' }, path(101, 102, 95), 'through'))).toBe('none');
  });

  it('marks a trigger order triggered and lets it trade at later opens as a market order', () => {
    const stop: MatchableOrder = { ...base, side: 'sell', type: 'stop-loss', price: undefined, priceValue: Number.NaN, triggerPrice: new Decimal(95), triggerValue: 95, resting: false };
    const fired = matchOrder(stop, path(100, 100, 94), 'through');
    expect(fired).toMatchObject({ kind: 'fill', liquidity: 'taker', triggered: true });
    expect(text(matchOrder({ ...stop, triggered: true }, path(97, 99, 96), 'through'))).toBe('taker 97');
  });
});

describe('market slices', () => {
  const btc = instrumentId('BTC/USD');

  it('stamps a bar with its open time and ends it at its close', () => {
    const slice = sliceFromBar({ instrumentId: btc, interval: 60_000, openTime: 120_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });
    expect([slice.time, slice.endTime, slice.lastBuyPrice, slice.buyVolume]).toEqual([120_000, 180_000, 1.5, 3]);
    expect([isAfterOrder(slice, 120_000), isAfterOrder(slice, 120_001)]).toEqual([true, false]);
  });

  it('treats a trade as a one-price bar and needs it strictly after the order', () => {
    const slice = sliceFromTrade({ instrumentId: btc, time: 5, price: 10, quantity: 2, side: 'buy' });
    expect(slice.buyPath).toEqual({ open: 10, high: 10, low: 10 });
    expect([isAfterOrder(slice, 5), isAfterOrder(slice, 4)]).toEqual([false, true]);
  });

  it('gives buyers the ask and sellers the bid of a quote', () => {
    const slice = sliceFromQuote({ instrumentId: btc, time: 5, bid: 99, bidSize: 1, ask: 101, askSize: 2 });
    expect([slice.buyPath.open, slice.sellPath.open, slice.buyVolume, slice.sellVolume]).toEqual([101, 99, 2, 1]);
  });

  it('refuses broken data, naming the field', () => {
    expect(() => sliceFromBar({ instrumentId: btc, interval: 60_000, openTime: 0, open: Number.NaN, high: 2, low: 1, close: 1, volume: 1 })).toThrow(/bar BTC\/USD at 0 open: received NaN/);
    expect(() => sliceFromBar({ instrumentId: btc, interval: 60_000, openTime: 0, open: 1, high: 1, low: 2, close: 1, volume: 1 })).toThrow(/low 2 is above high 1/);
    expect(() => sliceFromTrade({ instrumentId: btc, time: 0, price: 1, quantity: -1, side: undefined })).toThrow(/quantity: received -1/);
    expect(() => sliceFromQuote({ instrumentId: btc, time: 0, bid: 0, bidSize: 1, ask: 1, askSize: 1 })).toThrow(/bid: received 0/);
  });
});
