import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import type { Bar, Quote, Trade } from '../model/market-data.js';
import { HOUR_MS, MINUTE_MS } from '../model/time.js';
import { generateTicks } from './generate-ticks.js';
import { TradeBarBuilder } from './trade-bar-builder.js';

const START = Date.UTC(2024, 0, 1);

function split(source: Iterable<{ kind: string; time: number; bar?: Bar; trade?: Trade; quote?: Quote }>) {
  const quotes: Quote[] = [];
  const trades: Trade[] = [];
  const bars: Bar[] = [];
  const times: number[] = [];
  for (const item of source) {
    times.push(item.time);
    if (item.kind === 'quote') quotes.push(item.quote!);
    else if (item.kind === 'trade') trades.push(item.trade!);
    else bars.push(item.bar!);
  }
  return { quotes, trades, bars, times };
}

describe('generateTicks (a GENERATED tick market)', () => {
  const source = generateTicks({ instrumentId: 'BTC/USD', durationMs: HOUR_MS, seed: 7, startPrice: 40_000, spreadBps: 0.5 });
  const { quotes, trades, bars, times } = split(source);

  it('gives one quote per second, a constant spread of whole ticks, and items in time order', () => {
    expect(quotes).toHaveLength(3600);
    expect(quotes.map((quote) => quote.time - START).slice(0, 3)).toEqual([0, 1000, 2000]);
    // 0.5 bp of 40,000 = 2 USD = 20 ticks of 0.1, at every second.
    expect(new Set(quotes.map((quote) => Math.round((quote.ask - quote.bid) * 10)))).toEqual(new Set([20]));
    expect(quotes.every((quote) => Number.isInteger(Math.round(quote.bid * 10)) && Math.abs(quote.bid * 10 - Math.round(quote.bid * 10)) < 1e-6)).toBe(true);
    expect(quotes.every((quote) => quote.bidSize === 0 && quote.askSize === 0)).toBe(true);
    expect(times.every((time, index) => index === 0 || time >= times[index - 1]!)).toBe(true);
  });

  it('prints trades at the bid or the ask of the quote before them, about 12 a minute', () => {
    expect(trades.length).toBeGreaterThan(600);
    expect(trades.length).toBeLessThan(840);
    for (const trade of trades) {
      const before = quotes[Math.floor((trade.time - START) / 1000)]!;
      expect(trade.time).toBeGreaterThan(before.time);
      expect(trade.price).toBe(trade.side === 'buy' ? before.ask : before.bid);
      expect(trade.quantity).toBeGreaterThan(0);
    }
  });

  it('builds 1m bars from its own trades, each handed over at its close', () => {
    const builder = new TradeBarBuilder(source.instrumentId, MINUTE_MS);
    const expected: Bar[] = [];
    for (const trade of trades) {
      const finished = builder.add(trade.time, trade.price, trade.quantity);
      if (finished) expected.push(finished);
    }
    expected.push(builder.flush()!);
    expect(bars).toEqual(expected);
    expect(source.summary()).toMatchObject({ format: 'generated-ticks', generated: true, bars: bars.length, trades: trades.length, quotes: 3600, first: START, interval: MINUTE_MS });
  });

  it('is the same market for the same seed, another for another seed', () => {
    const again = split(generateTicks({ instrumentId: 'BTC/USD', durationMs: HOUR_MS, seed: 7, startPrice: 40_000, spreadBps: 0.5 }));
    expect(again.quotes).toEqual(quotes);
    expect(again.trades).toEqual(trades);
    const other = split(generateTicks({ instrumentId: 'BTC/USD', durationMs: HOUR_MS, seed: 8, startPrice: 40_000, spreadBps: 0.5 }));
    expect(other.quotes.at(-1)!.bid).not.toBe(quotes.at(-1)!.bid);
  });

  it('replays only [from, to) of the same walk', () => {
    const part = split(generateTicks({ instrumentId: 'BTC/USD', durationMs: HOUR_MS, seed: 7, startPrice: 40_000, spreadBps: 0.5, from: START + 10 * MINUTE_MS, to: START + 20 * MINUTE_MS }));
    expect(part.quotes).toEqual(quotes.slice(600, 1200));
    expect(part.bars.map((bar) => bar.openTime - START)).toEqual(bars.filter((bar) => bar.openTime >= START + 10 * MINUTE_MS && bar.openTime < START + 20 * MINUTE_MS).map((bar) => bar.openTime - START));
  });

  it('rejects impossible settings, naming each', () => {
    expect(() => generateTicks({ instrumentId: 'BTC/USD', durationMs: 0, spreadBps: -1, bars: '90s' as never })).toThrow(ConfigError);
    expect(() => generateTicks({ instrumentId: 'BTC/USD', durationMs: 0, spreadBps: -1 })).toThrow(/generateTicks\.durationMs: received 0.*generateTicks\.spreadBps: received -1/s);
    expect(() => generateTicks({ instrumentId: 'BTC/USD', durationMs: 1000, start: START + 1 })).toThrow(/generateTicks\.start: received 1704067200001, expected epoch milliseconds on a whole second/);
  });
});
