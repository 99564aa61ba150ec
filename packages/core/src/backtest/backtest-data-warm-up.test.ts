import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/schema.js';
import { createBot } from '../di/container.js';
import { DataError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { MINUTE_MS } from '../model/time.js';
import { openBarFile } from '../data/bar-file.js';
import { BarRing } from '../data/warm-up-bars.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { openBacktestData } from './backtest-data.js';
import { runBacktest } from './run-backtest.js';
import { warmUpBarsWanted } from './warm-up-wanted.js';

const DATA = process.env.KBOT_SHARED_DATA ?? '';
const Q1 = join(DATA, 'ohlcv', 'kraken', 'q1-2023');
const INTERVAL_15M = 15 * MINUTE_MS;
const ohlc = (bar: Bar) => [bar.instrumentId, bar.interval, bar.openTime, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades];
const all = (bars: Iterable<Bar>) => [...bars].map((bar) => ({ ...bar }));

describe('BarRing', () => {
  it('keeps the last entries pushed, oldest first, however many were pushed', () => {
    const ring = new BarRing(3);
    for (let index = 0; index < 10; index++) ring.push({ openTime: index } as Bar);
    expect(ring.size).toBe(3);
    expect(ring.bars().map((bar) => bar.openTime)).toEqual([7, 8, 9]);
    const empty = new BarRing(0);
    empty.push({ openTime: 1 } as Bar);
    expect(empty.bars()).toEqual([]);
  });
});

describe('openBacktestData warm-up on a small file', () => {
  /** 1m BTC/USD bars 00:00..00:59; row `broken` (0-based) has its high below its low. */
  function minuteFile(broken?: number): string {
    const T0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 60 }, (_, minute) => {
      const price = 100 + minute;
      const [high, low] = minute === broken ? [price - 1, price + 1] : [price + 0.5, price - 0.5];
      return `${(T0 + minute * MINUTE_MS) / 1000},${price},${high},${low},${price},1,2`;
    });
    const file = join(mkdtempSync(join(tmpdir(), 'kbot-warm-up-')), 'XBTUSD_1.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    return file;
  }
  const from = Date.UTC(2024, 0, 1, 0, 30);

  it('a broken row the warm-up does not reach does not stop the run; one it uses is reported with its line', () => {
    const far = openBacktestData([minuteFile(5)], { baseDir: '/', from, warmUpBars: () => 10 });
    expect(far.warmUp!().map((bar) => bar.close)).toEqual([120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    expect(all(far.bars)).toHaveLength(30);
    const near = openBacktestData([minuteFile(25)], { baseDir: '/', from, warmUpBars: () => 10 });
    expect(() => near.warmUp!()).toThrow(DataError);
    expect(() => openBacktestData([minuteFile(25)], { baseDir: '/', from, warmUpBars: () => 10 }).warmUp!()).toThrow(/XBTUSD_1\.csv:26: high 124 is below low 126/);
  });

  it('bars replayed among trades warm up the same way; the trades themselves give none', () => {
    const trades = join(mkdtempSync(join(tmpdir(), 'kbot-warm-up-')), 'trades.csv');
    const T0 = Date.UTC(2024, 0, 1);
    writeFileSync(trades, [5, 35, 45].map((minute) => `${100 + minute},1,${(T0 + minute * MINUTE_MS + 1000) / 1000},buy,market,`).join('\n') + '\n');
    const data = openBacktestData([minuteFile(), { file: trades, replay: 'trades', instrument: 'BTC/USD' }], { baseDir: '/', from, warmUpBars: () => 10 });
    expect(data.warmUp!().map((bar) => bar.close)).toEqual([120, 121, 122, 123, 124, 125, 126, 127, 128, 129]);
    const items = [...data.items!].map((item) => (item.kind === 'bar' ? `bar ${item.bar.close}` : `${item.kind} ${item.time}`));
    expect(items.filter((item) => item.startsWith('bar'))).toEqual(Array.from({ length: 30 }, (_, index) => `bar ${130 + index}`));
    expect(items.filter((item) => !item.startsWith('bar'))).toEqual([`trade ${T0 + 35 * MINUTE_MS + 1000}`, `trade ${T0 + 45 * MINUTE_MS + 1000}`]);
    expect(data.summaries().map((summary) => summary.warmUp)).toEqual([{ wanted: 10, received: 10 }, undefined]);
  });

  it('asks nothing without `from`, or when no strategy wants history; refuses a count that is not a whole number', () => {
    expect(openBacktestData([minuteFile()], { baseDir: '/', warmUpBars: () => 10 }).warmUp).toBeUndefined();
    expect(openBacktestData([minuteFile()], { baseDir: '/', from, warmUpBars: () => 0 }).warmUp).toBeUndefined();
    expect(() => openBacktestData([minuteFile()], { baseDir: '/', from, warmUpBars: () => 2.5 })).toThrow(/warmUpBars\(BTC\/USD, 1m\) returned 2.5, expected a whole number of bars/);
  });

  it('a generated market warms up on the generated bars before `from`', () => {
    const generated = { generated: { instrument: 'ETH/USD', interval: '1h' as const, bars: 100, seed: 3, start: '2024-01-01', startPrice: 2000 } };
    const whole = all(openBacktestData([generated], { baseDir: '/' }).bars);
    const at = whole[40]!.openTime;
    const data = openBacktestData([generated], { baseDir: '/', from: at, to: whole[60]!.openTime, warmUpBars: () => 12 });
    expect(data.warmUp!().map(ohlc)).toEqual(whole.slice(28, 40).map(ohlc));
    expect(all(data.bars).map(ohlc)).toEqual(whole.slice(40, 60).map(ohlc));
    // (A generated market's summary describes the whole market, `from` or not.)
    expect(data.summaries()[0]!.warmUp).toEqual({ wanted: 12, received: 12 });
  });
});

// Kraken's Q1 2023 BTC/USD 15m and BTC/USDC 1m files in /work/shared/data (its README, section 2):
// real data, outside the repository; skipped where that folder is absent.
describe.skipIf(!DATA)('openBacktestData warm-up on real data', () => {
  const file = join(Q1, 'XBTUSD_15.csv');
  const whole = () => all(openBarFile(file));

  it('hands over exactly the N bars before `from`, in order, and replays from `from` as before', () => {
    const bars = whole();
    const start = bars.findIndex((bar) => bar.openTime >= Date.UTC(2023, 1, 15));
    const from = bars[start]!.openTime;
    const data = openBacktestData([file], { baseDir: '/', from, warmUpBars: (id, interval) => (id === 'BTC/USD' && interval === INTERVAL_15M ? 50 : 0) });
    const warmUp = data.warmUp!();
    expect(warmUp.map(ohlc)).toEqual(bars.slice(start - 50, start).map(ohlc));
    expect(warmUp.at(-1)!.openTime).toBe(from - INTERVAL_15M);
    // Read once: the replay resumes the pass the warm-up started.
    const replayed = all(data.bars);
    expect(replayed.map(ohlc)).toEqual(bars.slice(start).map(ohlc));
    expect(data.summaries()[0]).toMatchObject({ bars: bars.length - start, first: from, warmUp: { wanted: 50, received: 50 } });
    // The same data without warm-up: the same bars, no warm-up, no mention in the summary.
    const cold = openBacktestData([file], { baseDir: '/', from });
    expect(cold.warmUp).toBeUndefined();
    expect(all(cold.bars).map(ohlc)).toEqual(replayed.map(ohlc));
    expect(cold.summaries()[0]!.warmUp).toBeUndefined();
  });

  it('with fewer bars before `from` than wanted, warms up on what there is and says so', async () => {
    const bars = whole();
    const from = bars[9]!.openTime;
    const data = openBacktestData([file], { baseDir: '/', from, warmUpBars: () => 50 });
    expect(data.warmUp!().map(ohlc)).toEqual(bars.slice(0, 9).map(ohlc));
    const config = validateConfig({ strategies: [MovingAverageCross.with({ kind: 'sma', fast: 5, slow: 20, warmUpBars: 50 })], backtest: { balances: { USD: '100000' }, data: [{ file }] as never } });
    const bot = createBot(config);
    const result = await runBacktest({ bot, data: openBacktestData([file], { baseDir: '/', from, warmUpBars: warmUpBarsWanted(bot) }), kbotVersion: 'test' });
    expect(result.data[0]).toMatchObject({ first: from, warmUp: { wanted: 50, received: 9 } });
  });

  it('a resampled source warms up on the resampled bars before `from`, the interval holding `from` whole', () => {
    // BTC/USDC 1m misses 56% of its minutes (no trades), BTC/USD 5m hardly any.
    for (const [name, target, count] of [['XBTUSDC_1.csv', '15m', 40], ['XBTUSD_5.csv', '1h', 30]] as const) {
      const source = join(Q1, name);
      const resampled = all(openBacktestData([{ file: source, resample: target }], { baseDir: '/' }).bars);
      const start = resampled.findIndex((bar) => bar.openTime >= Date.UTC(2023, 2, 1));
      for (const from of [resampled[start]!.openTime, resampled[start]!.openTime + 7 * MINUTE_MS]) {
        const data = openBacktestData([{ file: source, resample: target }], { baseDir: '/', from, warmUpBars: () => count });
        const warmUp = data.warmUp!();
        // From 00:07 the run starts with the next interval: the one opening at 00:00 is the
        // last warm-up bar, built whole from source bars on both sides of `from`.
        const first = from === resampled[start]!.openTime ? start : start + 1;
        expect(warmUp.map(ohlc)).toEqual(resampled.slice(first - count, first).map(ohlc));
        expect(all(data.bars).map(ohlc)).toEqual(resampled.slice(first).map(ohlc));
        expect(data.summaries()[0]).toMatchObject({ first: resampled[first]!.openTime, warmUp: { wanted: count, received: count } });
      }
    }
  });
});

interface CrossParams {
  readonly kind: 'sma' | 'ema';
  readonly fast: number;
  readonly slow: number;
  readonly warmUpBars?: number;
  /** Filled by the strategy: each crossing it saw outside warm-up, and the first bar it could decide on. */
  readonly log?: { signals: string[]; firstDecision?: number };
}

/**
 * Moving-average cross on BTC/USD 15m: buys 0.1 when the fast average crosses above the slow one
 * while flat, sells it when it crosses back below. Indicators move on every bar, warm-up included;
 * nothing is traded while `ctx.warmingUp`. The simple average is summed afresh over its window on
 * every bar, so the same bars give the same value to the last bit, wherever the run started.
 */
class MovingAverageCross extends BaseStrategy<CrossParams> {
  private readonly closes: number[] = [];
  private fastEma = Number.NaN;
  private slowEma = Number.NaN;
  private previousAbove: boolean | undefined;
  private long = false;

  subscriptions(params: CrossParams): Subscription[] {
    return [{ instrumentId: instrumentId('BTC/USD'), kind: 'bars', interval: INTERVAL_15M, ...(params.warmUpBars === undefined ? {} : { warmUpBars: params.warmUpBars }) }];
  }

  onBar(bar: Bar, ctx: StrategyContext<CrossParams>): void {
    const { kind, fast, slow, log } = ctx.params;
    this.closes.push(bar.close);
    if (this.closes.length > slow) this.closes.shift();
    let fastValue: number;
    let slowValue: number;
    if (kind === 'sma') {
      if (this.closes.length < slow) return;
      fastValue = average(this.closes.slice(-fast));
      slowValue = average(this.closes);
    } else {
      this.fastEma = Number.isNaN(this.fastEma) ? bar.close : this.fastEma + (2 / (fast + 1)) * (bar.close - this.fastEma);
      this.slowEma = Number.isNaN(this.slowEma) ? bar.close : this.slowEma + (2 / (slow + 1)) * (bar.close - this.slowEma);
      if (this.closes.length < slow) return;
      fastValue = this.fastEma;
      slowValue = this.slowEma;
    }
    const above = fastValue > slowValue;
    const previous = this.previousAbove;
    this.previousAbove = above;
    if (previous === undefined || ctx.warmingUp) return;
    if (log !== undefined) log.firstDecision ??= bar.openTime;
    if (above === previous) return;
    log?.signals.push(`${new Date(bar.openTime).toISOString()} ${above ? 'up' : 'down'}`);
    if (above && !this.long) {
      ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'buy', type: 'market', quantity: '0.1' });
      this.long = true;
    } else if (!above && this.long) {
      ctx.orders.submit({ instrumentId: bar.instrumentId, side: 'sell', type: 'market', quantity: '0.1' });
      this.long = false;
    }
  }
}

function average(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

// The same Kraken BTC/USD 15m file; skipped where /work/shared/data is absent.
describe.skipIf(!DATA)('a backtest from `from` decides as a run over the whole file does', () => {
  const file = join(Q1, 'XBTUSD_15.csv');

  async function run(params: CrossParams, from: number | undefined, warmUp: boolean) {
    const log = { signals: [] as string[] } as NonNullable<CrossParams['log']>;
    const config = validateConfig({ strategies: [MovingAverageCross.with({ ...params, log })], backtest: { balances: { USD: '100000' }, data: [{ file }] as never } });
    const bot = createBot(config);
    const data = openBacktestData([file], { baseDir: '/', ...(from === undefined ? {} : { from, ...(warmUp ? { warmUpBars: warmUpBarsWanted(bot) } : {}) }) });
    const result = await runBacktest({ bot, data, kbotVersion: 'test' });
    // An order is made when its bar closes: its time is the close, its bar the one before.
    const orders = result.orders.map((order) => ({ bar: order.createdAt - INTERVAL_15M, line: `${new Date(order.createdAt).toISOString()} ${order.side} ${order.status}` }));
    return { result, orders, log };
  }

  /**
   * A `from` where the whole-file run is flat and decides a buy within `slow` bars: a run
   * starting cold there could not have decided yet, so only a warmed-up one can match.
   */
  function flatFrom(orders: readonly { createdAt: number; side: string }[], slow: number): number {
    const middle = Date.UTC(2023, 1, 1);
    for (let index = 0; index + 1 < orders.length; index++) {
      const sell = orders[index]!;
      const buy = orders[index + 1]!;
      if (sell.side !== 'sell' || sell.createdAt < middle) continue;
      // The sell fills on the bar opening when it is made: start on the bar after that one.
      const from = sell.createdAt + INTERVAL_15M;
      const buyBar = buy.createdAt - INTERVAL_15M;
      if (buyBar >= from && buyBar < from + slow * INTERVAL_15M) return from;
    }
    throw new Error('no flat stretch followed by a quick buy in the file: pick another');
  }

  for (const params of [
    { kind: 'sma', fast: 9, slow: 21, warmUpBars: 22 },
    // An EMA never forgets its seed: it needs many times its period before two starts agree.
    { kind: 'ema', fast: 12, slow: 26, warmUpBars: 26 * 10 },
  ] as const) {
    it(`${params.kind.toUpperCase()} cross ${params.fast}/${params.slow}, warmUpBars ${params.warmUpBars}: the same orders at and after \`from\`; a cold start differs`, async () => {
      const whole = await run(params, undefined, false);
      const from = flatFrom(whole.result.orders, params.slow);
      // What the whole-file run decided on the bars from `from` on.
      const ordersAfter = whole.orders.filter((order) => order.bar >= from).map((order) => order.line);
      const signalsAfter = whole.log.signals.filter((line) => line.slice(0, 24) >= new Date(from).toISOString());
      expect(whole.result.orders.length).toBeGreaterThan(20);

      const warm = await run(params, from, true);
      expect(warm.result.data[0]!.warmUp).toEqual({ wanted: params.warmUpBars, received: params.warmUpBars });
      expect(warm.log.firstDecision).toBe(from);
      expect(warm.orders.length).toBeGreaterThan(5);
      expect(warm.orders.map((order) => order.line)).toEqual(ordersAfter);
      expect(warm.log.signals).toEqual(signalsAfter);

      // Control: from the same bar without warm-up, the strategy decides `slow` bars later and
      // misses the buy the whole-file run makes there.
      const cold = await run(params, from, false);
      expect(cold.result.data[0]!.warmUp).toBeUndefined();
      expect(cold.log.firstDecision).toBe(from + params.slow * INTERVAL_15M);
      expect(cold.orders.map((order) => order.line)).not.toEqual(ordersAfter);
    });
  }
});
