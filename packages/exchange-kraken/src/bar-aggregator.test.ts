import { MINUTE_MS, instrumentId, type Bar } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { ClosedBarAggregator } from './bar-aggregator.js';

const BTC = instrumentId('BTC/USD');
const T0 = Date.UTC(2024, 0, 1, 12, 0);

/** A one-minute candle `index` minutes after T0, as the ohlc channel re-sends it while it forms. */
function candle(index: number, close: number, volume = 1, id = BTC, interval = MINUTE_MS): Bar {
  return { instrumentId: id, interval, openTime: T0 + index * interval, open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume, trades: volume };
}

function aggregator(graceMs = 5_000) {
  const emitted: Bar[] = [];
  const bars = new ClosedBarAggregator({ graceMs, onBar: (bar) => emitted.push(bar) });
  return { bars, emitted };
}

describe('ClosedBarAggregator', () => {
  it('never emits a forming candle, however often it is re-sent', () => {
    const { bars, emitted } = aggregator();
    bars.update(candle(0, 101), 'update');
    bars.update(candle(0, 102, 2), 'update');
    bars.update(candle(0, 99, 3), 'update');
    expect(emitted).toEqual([]);
    expect(bars.forming(BTC, MINUTE_MS)?.close).toBe(99);
  });

  it('emits a candle, with its last state, when a candle with a later interval_begin arrives', () => {
    const { bars, emitted } = aggregator();
    bars.update(candle(0, 101), 'update');
    bars.update(candle(0, 103, 4), 'update');
    bars.update(candle(1, 104), 'update');
    expect(emitted.map((bar) => [bar.openTime - T0, bar.close, bar.volume])).toEqual([[0, 103, 4]]);
    bars.update(candle(1, 105), 'update');
    bars.update(candle(2, 106), 'update');
    expect(emitted.map((bar) => bar.close)).toEqual([103, 105]);
  });

  it('closes a quiet candle by timer once its interval plus the grace period has passed, and only then', () => {
    const { bars, emitted } = aggregator(2_000);
    bars.update(candle(0, 101), 'update');
    bars.closeDue(T0 + MINUTE_MS + 1_999);
    expect(emitted).toEqual([]);
    bars.closeDue(T0 + MINUTE_MS + 2_000);
    expect(emitted.map((bar) => bar.close)).toEqual([101]);
  });

  it('never emits a bar twice: a late re-send after the timer closed it, or an old candle, is dropped', () => {
    const { bars, emitted } = aggregator(0);
    bars.update(candle(0, 101), 'update');
    bars.closeDue(T0 + MINUTE_MS);
    bars.update(candle(0, 107), 'update');
    bars.closeDue(T0 + 10 * MINUTE_MS);
    bars.update(candle(1, 108), 'update');
    bars.update(candle(0, 109), 'update');
    bars.update(candle(2, 110), 'update');
    expect(emitted.map((bar) => [bar.openTime - T0, bar.close])).toEqual([
      [0, 101],
      [MINUTE_MS, 108],
    ]);
  });

  it('skips the history of the first snapshot but keeps its last candle as the forming one', () => {
    const { bars, emitted } = aggregator();
    for (let index = 0; index < 5; index++) bars.update(candle(index, 100 + index), 'snapshot');
    expect(emitted).toEqual([]);
    bars.update(candle(4, 120), 'update');
    bars.update(candle(5, 121), 'update');
    expect(emitted.map((bar) => [bar.openTime - T0, bar.close])).toEqual([[4 * MINUTE_MS, 120]]);
  });

  it('after a reconnect, emits the candles that closed while disconnected, in order and with their final values', () => {
    const { bars, emitted } = aggregator();
    bars.update(candle(0, 100), 'snapshot');
    bars.update(candle(0, 101), 'update');
    bars.update(candle(1, 102), 'update'); // emits 0
    // Disconnected during minutes 1–3; the reconnect snapshot has every candle up to the forming minute 4.
    for (const [index, close] of [[0, 101], [1, 112], [2, 113], [3, 114], [4, 115]] as const) bars.update(candle(index, close), 'snapshot');
    expect(emitted.map((bar) => [(bar.openTime - T0) / MINUTE_MS, bar.close])).toEqual([
      [0, 101],
      [1, 112],
      [2, 113],
      [3, 114],
    ]);
    expect(bars.forming(BTC, MINUTE_MS)?.close).toBe(115);
  });

  it('primed with a warm-up history, emits the first snapshot\'s candles after it instead of skipping them', () => {
    const { bars, emitted } = aggregator();
    // The history ended with candle 2; candle 3 closed before the subscription, candle 4 is forming.
    bars.primeWith(BTC, MINUTE_MS, T0 + 2 * MINUTE_MS);
    for (const index of [1, 2, 3, 4]) bars.update(candle(index, 100 + index), 'snapshot');
    expect(emitted.map((bar) => (bar.openTime - T0) / MINUTE_MS)).toEqual([3]);
    expect(bars.forming(BTC, MINUTE_MS)?.openTime).toBe(T0 + 4 * MINUTE_MS);
    // Without priming the same snapshot is history: nothing is emitted.
    const cold = aggregator();
    for (const index of [1, 2, 3, 4]) cold.bars.update(candle(index, 100 + index), 'snapshot');
    expect(cold.emitted).toEqual([]);
  });

  it('keeps instruments and intervals apart', () => {
    const { bars, emitted } = aggregator();
    const eth = instrumentId('ETH/USD');
    bars.update(candle(0, 101), 'update');
    bars.update(candle(0, 201, 1, eth), 'update');
    bars.update(candle(0, 301, 1, BTC, 5 * MINUTE_MS), 'update');
    bars.update(candle(1, 202, 1, eth), 'update');
    expect(emitted.map((bar) => [bar.instrumentId, bar.interval, bar.close])).toEqual([[eth, MINUTE_MS, 201]]);
    bars.remove(BTC, MINUTE_MS);
    expect(bars.forming(BTC, MINUTE_MS)).toBeUndefined();
    expect(bars.forming(BTC, 5 * MINUTE_MS)?.close).toBe(301);
  });

  it('refuses a negative grace period', () => {
    expect(() => new ClosedBarAggregator({ graceMs: -1, onBar: () => {} })).toThrow(/graceMs: received -1/);
  });
});
