import { describe, expect, it } from 'vitest';
import { ConfigError, generateBars, krakenSpotInstruments, type Bar } from '@kbot/core';
import { startKrakenSimulator } from './kraken-simulator.js';
import { PairCatalog } from './pair-catalog.js';
import { PairMarket, tradeFractions } from './pair-market.js';
import { SimulatedMarket } from './simulated-market.js';
import { MINUTE, START, flat, publicGet, scriptedBars } from './simulator-test-fixtures.js';

const catalog = new PairCatalog(krakenSpotInstruments());
const btc = catalog.find('BTC/USD')!;
const marketOptions = { levels: 20, spreadTicks: 1, levelSpacingTicks: 1, churnLevels: 2, tradesPerBar: 4, seed: 1, timeShiftMs: 0 };

describe('tradeFractions', () => {
  it('always includes the four path anchors and spreads extra trades inside the segments', () => {
    expect(tradeFractions(4)).toEqual([0, 1 / 3, 2 / 3, 1]);
    const seven = tradeFractions(7);
    expect(seven).toHaveLength(7);
    for (const anchor of [0, 1 / 3, 2 / 3, 1]) expect(seven).toContain(anchor);
    expect(seven).toEqual([...seven].sort((a, b) => a - b));
    expect(tradeFractions(5)).toHaveLength(5);
  });
});

describe('PairMarket', () => {
  it("prints each bar as trades along open → extremes → close, so its candles reproduce the bar's OHLC and volume", () => {
    const bars = [...generateBars({ instrumentId: 'BTC/USD', interval: '1m', count: 30, startPrice: 40_000, seed: 7 })];
    const market = new PairMarket(btc, bars, { ...marketOptions, tradesPerBar: 6 });
    const clock = new SimulatedMarket([market], START - 1);
    clock.advanceTo(START + 30 * MINUTE);
    expect(market.barsReleased).toBe(30);
    const candles = market.candles.candles(1);
    expect(candles).toHaveLength(30);
    const units = (price: number) => Math.round(price * 10);
    candles.forEach((candle, index) => {
      const bar = bars[index] as Bar;
      expect(candle.openTime).toBe(bar.openTime);
      expect(candle.open).toBe(units(bar.open));
      expect(candle.high).toBe(units(bar.high));
      expect(candle.low).toBe(units(bar.low));
      expect(candle.close).toBe(units(bar.close));
      expect(candle.volume).toBe(Math.round(bar.volume * 1e8));
      expect(candle.count).toBe(bar.trades);
    });
    // Every trade sits inside its bar's interval and ids run without gaps.
    expect(market.trades.map((trade) => trade.id)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    for (const trade of market.trades) {
      const bar = bars[Math.floor((trade.time - START) / MINUTE)] as Bar;
      expect(trade.time).toBeGreaterThanOrEqual(bar.openTime);
      expect(trade.time).toBeLessThan(bar.openTime + MINUTE);
    }
  });

  it('keeps the book around the last price: best bid on the tick below, best ask one spread above, sorted levels', () => {
    const market = new PairMarket(btc, scriptedBars('BTC/USD', [[40_000.04, 40_010, 39_990, 40_005.06]]), marketOptions);
    new SimulatedMarket([market], START - 1).advanceTo(START + MINUTE);
    expect(market.lastTrade!.price).toBe(400_051); // 40,005.06 rounded to the 0.1 tick
    expect(market.book.bids[0]!.price).toBe(400_051);
    expect(market.book.asks[0]!.price).toBe(400_052);
    const bidPrices = market.book.bids.map((level) => level.price);
    expect(bidPrices).toEqual([...bidPrices].sort((a, b) => b - a));
    expect(market.book.bids).toHaveLength(20);
    for (const level of [...market.book.bids, ...market.book.asks]) expect(level.qty).toBeGreaterThanOrEqual(btc.minQtyUnits);
  });

  it('is deterministic: the same bars and seed give the same trades and book', () => {
    const run = () => {
      const market = new PairMarket(btc, generateBars({ instrumentId: 'BTC/USD', interval: '5m', count: 50, startPrice: 30_000, seed: 3 }), marketOptions);
      new SimulatedMarket([market], START - 1).advanceTo(START + 50 * 5 * MINUTE);
      return JSON.stringify([market.trades, market.book.bids, market.book.asks], (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    };
    expect(run()).toBe(run());
  });
});

describe('SimulatedMarket clock', () => {
  it('releases trades in time order across pairs, steps bar by bar and stops when paused or out of data', () => {
    const a = new PairMarket(btc, scriptedBars('BTC/USD', flat(40_000, 3)), marketOptions);
    const eth = catalog.find('ETH/USD')!;
    const b = new PairMarket(eth, scriptedBars('ETH/USD', flat(2_000, 2), START + 30_000), marketOptions);
    const market = new SimulatedMarket([a, b], START - 1);
    const seen: string[] = [];
    market.addListener({ onMarketTrade: (pair, trade) => seen.push(`${pair.pair.symbol}@${trade.time - START}`), onMarketBook: () => {} });
    expect(market.step()).toBe(true);
    expect(market.now()).toBe(START + MINUTE);
    expect(seen).toEqual(['BTC/USD@0', 'BTC/USD@20000', 'ETH/USD@30000', 'BTC/USD@39999', 'ETH/USD@50000', 'BTC/USD@59999']);
    market.pause();
    expect(market.step()).toBe(false);
    market.advance(10 * MINUTE);
    expect(market.now()).toBe(START + MINUTE);
    market.resume();
    while (market.step()) {
      // to the end
    }
    expect(market.finished).toBe(true);
    expect(seen).toHaveLength(20);
  });
});

describe('startKrakenSimulator options', () => {
  it('reports every bad option at once, naming the field', async () => {
    const error = await startKrakenSimulator({
      market: { sources: [scriptedBars('BTC/USD', flat(1, 2)), { generate: { instrumentId: 'FOO/BAR', interval: '1m', count: 5 } }], tradesPerBar: 2 },
      accounts: [{ key: 'k', secret: 'not base64!', tier: 'gold' as never, balances: { USD: '-5' } }],
      speed: -1,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['market.sources[1]', 'accounts[0].secret', 'accounts[0].tier', 'accounts[0].balances.USD', 'speed', 'market.tradesPerBar']));
    // The secret is never echoed.
    expect((error as Error).message).not.toContain('not base64!');
  });

  it('runs the clock at `speed` on its own', async () => {
    const sim = await startKrakenSimulator({ market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 100, startPrice: 40_000 } }] }, speed: 600, tickMs: 10 });
    try {
      const start = sim.now();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // 300 ms at 600× is about 3 minutes of market time.
      expect(sim.now() - start).toBeGreaterThan(90_000);
      expect(sim.now() - start).toBeLessThan(30 * 60_000);
      sim.pauseMarket();
      const paused = sim.now();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sim.now()).toBe(paused);
    } finally {
      await sim.stop();
    }
  });

  it("rebases the data onto the wall clock with timeOrigin 'now'", async () => {
    const sim = await startKrakenSimulator({ market: { sources: [{ generate: { instrumentId: 'BTC/USD', interval: '1m', count: 100, startPrice: 40_000 } }], historyBars: 10, timeOrigin: 'now' }, speed: 0 });
    try {
      expect(Math.abs(sim.now() - Date.now())).toBeLessThan(2 * MINUTE);
      const { body } = await publicGet(sim, 'OHLC', { pair: 'XBTUSD' });
      const rows = body.result.XXBTZUSD as [number][];
      expect(rows).toHaveLength(10);
      expect(rows[0]![0] % 60).toBe(0);
      expect(rows.at(-1)![0] * 1000).toBeLessThan(sim.now());
    } finally {
      await sim.stop();
    }
  });
});

// Reads /work/shared/data (real Kraken OHLCVT); skipped where that folder is absent.
describe.skipIf(!process.env.KBOT_SHARED_DATA)('replaying a real Kraken OHLCVT file', () => {
  it('serves the file\'s candles unchanged through /0/public/OHLC', async () => {
    const file = `${process.env.KBOT_SHARED_DATA}/ohlcv/kraken/q1-2023/XBTUSD_15.csv`;
    const sim = await startKrakenSimulator({ market: { sources: [{ file }], historyBars: 720 }, speed: 0 });
    try {
      const { body } = await publicGet(sim, 'OHLC', { pair: 'XBTUSD', interval: 15 });
      const rows = body.result.XXBTZUSD as unknown[][];
      expect(rows).toHaveLength(720);
      const { openBarFile } = await import('@kbot/core');
      const bars: Bar[] = [];
      for (const bar of openBarFile(file)) {
        bars.push(bar);
        if (bars.length === 720) break;
      }
      rows.forEach((row, index) => {
        const bar = bars[index]!;
        expect(row[0]).toBe(bar.openTime / 1000);
        expect(row.slice(1, 5)).toEqual([bar.open, bar.high, bar.low, bar.close].map((price) => price.toFixed(1)));
        expect(row[6]).toBe(bar.volume.toFixed(8));
        expect(row[7]).toBe(bar.trades);
      });
      expect(sim.step()).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});
