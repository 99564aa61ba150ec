import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { HOUR_MS, MINUTE_MS } from '../model/time.js';
import { openBarFile } from './bar-file.js';
import { resampleBars } from './resample.js';
import { TradeBarBuilder } from './trade-bar-builder.js';
import { openTradeFile } from './trade-file.js';

const BTC = instrumentId('BTC/USD');
const T0 = Date.UTC(2024, 0, 1);

function build(builder: TradeBarBuilder, trades: readonly (readonly [number, number, number])[]): Bar[] {
  const bars: Bar[] = [];
  for (const [time, price, quantity] of trades) {
    const finished = builder.add(time, price, quantity);
    if (finished !== undefined) bars.push(finished);
  }
  const last = builder.flush();
  if (last !== undefined) bars.push(last);
  return bars;
}

describe('TradeBarBuilder', () => {
  it('builds epoch-aligned bars from trades: first price, extremes, last price, summed quantity, count', () => {
    const bars = build(new TradeBarBuilder(BTC, HOUR_MS * 4), [
      [T0 + 3 * HOUR_MS + 59 * MINUTE_MS, 100, 1],
      [T0 + 4 * HOUR_MS, 101, 0.5],
      [T0 + 5 * HOUR_MS, 99, 0.25],
      [T0 + 5 * HOUR_MS, 104, 0.25],
      [T0 + 8 * HOUR_MS - 1, 102, 1],
      // Nothing traded from 08:00 to 12:00: no bar for that interval.
      [T0 + 13 * HOUR_MS, 103, 2],
    ]);
    expect(bars).toEqual([
      { instrumentId: BTC, interval: 4 * HOUR_MS, openTime: T0, open: 100, high: 100, low: 100, close: 100, volume: 1, trades: 1 },
      { instrumentId: BTC, interval: 4 * HOUR_MS, openTime: T0 + 4 * HOUR_MS, open: 101, high: 104, low: 99, close: 102, volume: 2, trades: 4 },
      { instrumentId: BTC, interval: 4 * HOUR_MS, openTime: T0 + 12 * HOUR_MS, open: 103, high: 103, low: 103, close: 103, volume: 2, trades: 1 },
    ]);
  });

  it('continues a saved bar after a restore, as a resumed download does', () => {
    const whole = build(new TradeBarBuilder(BTC, MINUTE_MS), [[T0 + 1_000, 10, 1], [T0 + 2_000, 12, 1], [T0 + 3_000, 9, 1], [T0 + 61_000, 11, 1]]);
    const first = new TradeBarBuilder(BTC, MINUTE_MS);
    first.add(T0 + 1_000, 10, 1);
    first.add(T0 + 2_000, 12, 1);
    const saved = first.pending()!;
    const second = new TradeBarBuilder(BTC, MINUTE_MS);
    second.restore(saved, T0 + 2_000);
    expect(() => second.add(T0 + 1_500, 10, 1)).toThrow(/trade time goes backwards/);
    expect(build(second, [[T0 + 3_000, 9, 1], [T0 + 61_000, 11, 1]])).toEqual(whole);
  });

  it('refuses trades out of order and impossible prices or quantities, naming the source', () => {
    const builder = new TradeBarBuilder(BTC, MINUTE_MS, 'Kraken Trades XBTUSD');
    builder.add(T0 + 5_000, 10, 1);
    expect(() => builder.add(T0 + 4_000, 10, 1)).toThrow(DataError);
    expect(() => builder.add(T0 + 4_000, 10, 1)).toThrow(/^Kraken Trades XBTUSD: trade time goes backwards/);
    expect(() => builder.add(T0 + 6_000, 0, 1)).toThrow(/price 0 is not a positive number/);
    expect(() => builder.add(T0 + 6_000, 10, Number.NaN)).toThrow(/quantity NaN is not a positive number/);
  });
});

const DATA = process.env.KBOT_SHARED_DATA ?? '';

// The two Kraken trade samples in /work/shared/data (README sections 6 and 7); skipped where that
// folder is absent.
describe.skipIf(!DATA)('TradeBarBuilder on real Kraken trades', () => {
  const files = [join(DATA, 'trades', 'kraken', 'Kraken_BTCUSD_tradeprints.csv'), join(DATA, 'trades', 'kraken', 'kraken_eth_usd_historical_price_source.csv')];

  it.each(files.flatMap((file) => ['1m', '5m', '15m'].map((interval) => [file, interval] as const)))('%s at %s: the same bars as the trade file reader', (file, interval) => {
    const fromFile = [...openBarFile(file, { interval })].map((bar) => ({ ...bar }));
    const trades = openTradeFile(file);
    const source = openBarFile(file, { interval });
    const pushed = build(new TradeBarBuilder(trades.instrumentId, source.interval), [...trades].map((trade) => [trade.time, trade.price, trade.quantity] as const));
    expect(pushed).toEqual(fromFile);
  });

  it('1m bars built from trades, resampled to 15m, equal 15m bars built from the same trades', () => {
    const minutes = openBarFile(files[1]!, { interval: '1m' });
    const resampled = [...resampleBars(minutes, '15m', { partial: 'keep' })];
    const direct = [...openBarFile(files[1]!, { interval: '15m' })].map((bar) => ({ ...bar }));
    expect(resampled.map(({ volume, ...rest }) => rest)).toEqual(direct.map(({ volume, ...rest }) => rest));
    resampled.forEach((bar, index) => expect(bar.volume).toBeCloseTo(direct[index]!.volume, 9));
  });
});
