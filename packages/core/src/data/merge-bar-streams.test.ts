import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { HOUR_MS, MINUTE_MS } from '../model/time.js';
import { openBarFile } from './bar-file.js';
import { generateBars } from './generate-bars.js';
import { mergeBarStreams } from './merge-bar-streams.js';

function bar(symbol: string, interval: number, openTime: number, close = 1): Bar {
  return { instrumentId: instrumentId(symbol), interval, openTime, open: close, high: close, low: close, close, volume: 0, trades: 0 };
}

const label = (bars: Iterable<Bar>) => [...bars].map((b) => `${b.instrumentId}@${b.openTime / MINUTE_MS}+${b.interval / MINUTE_MS}`);

describe('mergeBarStreams', () => {
  it('orders bars by close time, so an hourly bar follows the 15m bars that close inside it', () => {
    const hourly = [bar('BTC/USD', HOUR_MS, 0), bar('BTC/USD', HOUR_MS, HOUR_MS)];
    const quarter = [0, 15, 30, 45, 60].map((minute) => bar('ETH/USD', 15 * MINUTE_MS, minute * MINUTE_MS));
    expect(label(mergeBarStreams([hourly, quarter]))).toEqual([
      'ETH/USD@0+15',
      'ETH/USD@15+15',
      'ETH/USD@30+15',
      // Both close at minute 60; the hourly stream was given first.
      'BTC/USD@0+60',
      'ETH/USD@45+15',
      'ETH/USD@60+15',
      'BTC/USD@60+60',
    ]);
  });

  it('breaks ties by the order of the streams (stable) and keeps each stream in its own order', () => {
    const a = [bar('BTC/USD', MINUTE_MS, 0, 1), bar('BTC/USD', MINUTE_MS, MINUTE_MS, 2)];
    const b = [bar('ETH/USD', MINUTE_MS, 0, 3), bar('ETH/USD', MINUTE_MS, MINUTE_MS, 4)];
    const c = [bar('SOL/USD', MINUTE_MS, 0, 5)];
    expect([...mergeBarStreams([c, a, b])].map((x) => x.close)).toEqual([5, 1, 3, 2, 4]);
    expect([...mergeBarStreams([a, b, c])].map((x) => x.close)).toEqual([1, 3, 5, 2, 4]);
  });

  it('handles no streams, empty streams and a single stream', () => {
    expect([...mergeBarStreams([])]).toEqual([]);
    expect([...mergeBarStreams([[], []])]).toEqual([]);
    const only = [bar('BTC/USD', MINUTE_MS, 0), bar('BTC/USD', MINUTE_MS, MINUTE_MS)];
    expect([...mergeBarStreams([[], only])]).toEqual(only);
  });

  it('merges generated markets into one time-ordered stream, each input read lazily', () => {
    const btc = generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: 300, seed: 1 });
    const eth = generateBars({ instrumentId: 'ETH/USD', interval: '5m', count: 60, seed: 2 });
    const merged = [...mergeBarStreams([btc, eth])];
    expect(merged).toHaveLength(360);
    for (let index = 1; index < merged.length; index++) {
      const previous = merged[index - 1]!;
      const current = merged[index]!;
      expect(current.openTime + current.interval).toBeGreaterThanOrEqual(previous.openTime + previous.interval);
    }
    expect(merged.filter((x) => x.instrumentId === 'ETH/USD')).toEqual([...eth]);
  });

  it('closes every input when the consumer stops early', () => {
    let closed = 0;
    const tracked = (bars: Bar[]): Iterable<Bar> => ({
      [Symbol.iterator]() {
        const inner = bars[Symbol.iterator]();
        return {
          next: () => inner.next(),
          return: () => {
            closed++;
            return { done: true, value: undefined };
          },
        };
      },
    });
    const merged = mergeBarStreams([tracked([bar('BTC/USD', MINUTE_MS, 0), bar('BTC/USD', MINUTE_MS, MINUTE_MS)]), tracked([bar('ETH/USD', MINUTE_MS, 0)])]);
    for (const item of merged) {
      void item;
      break;
    }
    expect(closed).toBe(2);
  });

  it('refuses an input that goes back in time', () => {
    const unsorted = [bar('BTC/USD', MINUTE_MS, MINUTE_MS), bar('BTC/USD', MINUTE_MS, 0)];
    expect(() => [...mergeBarStreams([unsorted])]).toThrow(InvariantError);
  });

  // Reads /work/shared/data; skipped where it is absent.
  it.skipIf(!process.env.KBOT_SHARED_DATA)('merges the Q1-2023 BTC/USD, BTC/USDT and BTC/USDC hourly files: 3 x 2,160 bars, in time order', () => {
    const folder = join(process.env.KBOT_SHARED_DATA!, 'ohlcv', 'kraken', 'q1-2023');
    const sources = ['XBTUSD_60.csv', 'XBTUSDT_60.csv', 'XBTUSDC_60.csv'].map((name) => openBarFile(join(folder, name)));
    let count = 0;
    let previousTime = -Infinity;
    const order: string[] = [];
    for (const item of mergeBarStreams(sources)) {
      expect(item.openTime).toBeGreaterThanOrEqual(previousTime);
      previousTime = item.openTime;
      if (count < 4) order.push(item.instrumentId);
      count++;
    }
    expect(count).toBe(3 * 2160);
    expect(order).toEqual(['BTC/USD', 'BTC/USDT', 'BTC/USDC', 'BTC/USD']);
  });
});
