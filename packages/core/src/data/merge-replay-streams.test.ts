import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { MINUTE_MS } from '../model/time.js';
import { bar, quote, trade } from '../testing/market-data-builders.js';
import { mergeReplayStreams } from './merge-replay-streams.js';
import { barItems, quoteItems, tradeItems, type ReplayItem } from './replay-item.js';

const T = Date.UTC(2024, 0, 1);

/** `kind@ms after T` (bars by their close), plus a label to tell equal items apart. */
function describeItem(item: ReplayItem): string {
  if (item.kind === 'bar') return `bar@${item.time - T}:${item.bar.close}`;
  if (item.kind === 'trade') return `trade@${item.time - T}:${item.trade.price}`;
  return `quote@${item.time - T}:${item.quote.bid}`;
}

describe('mergeReplayStreams', () => {
  it('interleaves bars (at their close), trades and quotes by time', () => {
    const bars = barItems([bar({ openTime: T, interval: '1m', close: 1 }), bar({ openTime: T + MINUTE_MS, interval: '1m', close: 2 })]);
    const trades = tradeItems([trade({ time: T + 30_000, price: 10 }), trade({ time: T + 90_000, price: 11 }), trade({ time: T + 150_000, price: 12 })]);
    const quotes = quoteItems([quote({ time: T + 59_999, bid: 100, ask: 101 }), quote({ time: T + 60_001, bid: 102, ask: 103 })]);
    expect([...mergeReplayStreams([quotes, trades, bars])].map(describeItem)).toEqual([
      'trade@30000:10', 'quote@59999:100', 'bar@60000:1', 'quote@60001:102', 'trade@90000:11', 'bar@120000:2', 'trade@150000:12',
    ]);
  });

  it('breaks ties at one millisecond by kind (bars, trades, quotes), then by stream order, keeping each stream\'s own order', () => {
    const at = T + MINUTE_MS;
    const quotesA = quoteItems([quote({ time: at, bid: 1, ask: 2 }), quote({ time: at, bid: 3, ask: 4 })]);
    const tradesA = tradeItems([trade({ time: at, price: 5 })]);
    const quotesB = quoteItems([quote({ time: at, bid: 6, ask: 7 })]);
    const tradesB = tradeItems([trade({ time: at, price: 8 }), trade({ time: at, price: 9 })]);
    const bars = barItems([bar({ openTime: T, interval: '1m', close: 10 })]);
    const merged = [...mergeReplayStreams([quotesA, tradesA, quotesB, tradesB, bars])].map(describeItem);
    expect(merged).toEqual(['bar@60000:10', 'trade@60000:5', 'trade@60000:8', 'trade@60000:9', 'quote@60000:1', 'quote@60000:3', 'quote@60000:6']);
    // The same inputs give the same order on every pass.
    expect([...mergeReplayStreams([quotesA, tradesA, quotesB, tradesB, bars])].map(describeItem)).toEqual(merged);
  });

  it('throws an InvariantError naming the stream that goes back in time', () => {
    const good = tradeItems([trade({ time: T + 1 }), trade({ time: T + 5 })]);
    const bad = quoteItems([quote({ time: T + 2 }), quote({ time: T + 1 })]);
    expect(() => [...mergeReplayStreams([good, bad])]).toThrow(InvariantError);
    expect(() => [...mergeReplayStreams([good, bad])]).toThrow('mergeReplayStreams: stream 2 went back in time: a quote at 2024-01-01T00:00:00.001Z came after an item at 2024-01-01T00:00:00.002Z; every input must be in time order');
  });

  it('closes every input when the consumer stops early', () => {
    const closed: number[] = [];
    const stream = (index: number, times: number[]): Iterable<ReplayItem> => ({
      *[Symbol.iterator]() {
        try {
          for (const time of times) yield { kind: 'trade', time, trade: trade({ time }) } as const;
        } finally {
          closed.push(index);
        }
      },
    });
    for (const item of mergeReplayStreams([stream(1, [T + 1, T + 3]), stream(2, [T + 2, T + 4])])) {
      if (item.time === T + 2) break;
    }
    expect(closed.sort()).toEqual([1, 2]);
  });
});
