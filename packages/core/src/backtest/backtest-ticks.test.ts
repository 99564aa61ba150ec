import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, type DataEntry } from '../config/schema.js';
import { createBot } from '../di/container.js';
import { ConfigError, DataError } from '../errors/errors.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, Quote, Subscription, Trade } from '../model/market-data.js';
import { toReportJson } from '../report/report-json.js';
import { BaseStrategy, type StrategyContext } from '../strategy/strategy.js';
import { openBacktestData } from './backtest-data.js';
import { runBacktest } from './run-backtest.js';

const BTC = instrumentId('BTC/USD');
/** 2022-01-25 23:01:24 UTC, a whole second as Kraken stamps Spread entries. */
const S = 1643151684;
const MS = S * 1000;

const dir = mkdtempSync(join(tmpdir(), 'kbot-ticks-'));
function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const tradeRow = (ms: number, price: number, volume = 1, side = 'sell') => `${price},${volume},${(ms / 1000).toFixed(4)},${side},limit,`;

interface BidParams {
  readonly price: string;
  /** Whether it also subscribes to 1-minute bars (a backtest refuses bars no entry gives). */
  readonly bars: boolean;
  /** What the strategy was handed, in order. */
  readonly seen: string[];
}

/** Places one post-only limit buy on the first quote it sees; records everything it is handed. */
class BidOnFirstQuote extends BaseStrategy<BidParams> {
  private placed = false;
  subscriptions(params: BidParams): Subscription[] {
    const ticks: Subscription[] = [{ instrumentId: BTC, kind: 'quotes' }, { instrumentId: BTC, kind: 'trades' }];
    return params.bars ? [...ticks, { instrumentId: BTC, kind: 'bars', interval: 60_000 }] : ticks;
  }
  onBar(bar: Bar, ctx: StrategyContext<BidParams>): void {
    ctx.params.seen.push(`bar ${bar.openTime + bar.interval - MS} ${bar.close}`);
  }
  onQuote(quote: Quote, ctx: StrategyContext<BidParams>): void {
    ctx.params.seen.push(`quote ${quote.time - MS} ${quote.bid}/${quote.ask}`);
    if (this.placed) return;
    this.placed = true;
    ctx.orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', price: ctx.params.price, quantity: '0.01', postOnly: true });
  }
  onTrade(trade: Trade, ctx: StrategyContext<BidParams>): void {
    ctx.params.seen.push(`trade ${trade.time - MS} ${trade.price}`);
  }
}

async function run(entries: readonly DataEntry[], price = '100.5') {
  const seen: string[] = [];
  const bars = entries.some((entry) => typeof entry === 'object' && 'replay' in entry && entry.replay === 'bars');
  const config = validateConfig({ strategies: [BidOnFirstQuote.with({ price, seen, bars }, { id: 'bid' })], backtest: { balances: { USD: '1000' }, data: entries as never } });
  const data = openBacktestData(config.backtest.data, { baseDir: dir });
  const result = await runBacktest({ bot: createBot(config), data, kbotVersion: 'test' });
  return { result, seen };
}

describe('backtests on trades and quotes', () => {
  // Quotes: 23:01:24 (replayed at .999) bid 100 / ask 101, twice in that second; 23:01:25 bid 99 / ask 100.
  const spreads = file('XBTUSD_spreads.csv', ['unix,bid,ask,date,spread', `${S},100,101,x,1`, `${S},100,101.2,x,1.2`, `${S + 1},99,100,x,1`]);
  // Trades: 23:01:24.500 at 99 (before the order), 23:01:24.999 at 99 (the quote's millisecond),
  // 23:01:26.000 at 100.4 (after the order, below its limit), 23:01:27.000 at 102.
  const trades = file('XBTUSD_trades.csv', [
    'price,volume,time,buysell,ordtype,misc',
    tradeRow(MS + 500, 99), tradeRow(MS + 999, 99), tradeRow(MS + 2000, 100.4), tradeRow(MS + 3000, 102, 1, 'buy'),
  ]);

  it('hands the strategy trades and quotes in time order, a trade before a quote of the same millisecond', async () => {
    const { seen } = await run([{ file: trades, replay: 'trades' }, spreads]);
    expect(seen).toEqual(['trade 500 99', 'trade 999 99', 'quote 999 100/101', 'quote 999 100/101.2', 'quote 1999 99/100', 'trade 2000 100.4', 'trade 3000 102']);
  });

  it('fills an order placed on a quote only on later data: not on ticks of its own millisecond, not on a sizeless quote, on the next trade through its limit', async () => {
    const { result } = await run([spreads, { file: trades, replay: 'trades' }]);
    const [order] = result.orders;
    expect(order).toMatchObject({ side: 'buy', type: 'limit', postOnly: true, status: 'filled', createdAt: MS + 999 });
    // The ask of 100 at 23:01:25.999 is through the 100.5 bid, but Kraken's Spread data has no
    // sizes: a quote alone fills nothing. The trade at 100.4 one millisecond later does.
    expect(result.fills.map((fill) => [fill.time - MS, fill.price.toString(), fill.quantity.toString(), fill.liquidity])).toEqual([[2000, '100.5', '0.01', 'maker']]);
  });

  it('counts what it replayed, in the result, the report and each source summary', async () => {
    const { result, seen } = await run([{ file: trades, replay: 'bars', interval: '1m' }, { file: trades, replay: 'trades' }, spreads]);
    // The 23:01 bar built from the trades is handed over at its close, after every tick inside it.
    expect(seen.at(-1)).toBe('bar 36000 102');
    expect([result.barsProcessed, result.tradesProcessed, result.quotesProcessed]).toEqual([1, 4, 3]);
    const report = toReportJson(result);
    expect(report.run).toMatchObject({ barsProcessed: 1, tradesProcessed: 4, quotesProcessed: 3 });
    expect(report.dataSources.map((source) => [source.format, source.bars, source.trades, source.quotes, source.first, source.last])).toEqual([
      ['kraken-trades', 1, 0, 0, Date.UTC(2022, 0, 25, 23, 1), Date.UTC(2022, 0, 25, 23, 1)],
      ['kraken-trades', 0, 4, 0, MS + 500, MS + 3000],
      ['kraken-spreads', 0, 0, 3, MS + 999, MS + 1999],
    ]);
    // Equity is sampled at the end of each second that held data: the bar handed over at 23:02:00.000
    // falls in the second 23:02:00–23:02:01.
    expect(result.equityCurve.map((point) => point.time - MS)).toEqual([1000, 2000, 3000, 4000, 37_000]);
    // Buy and hold over the quotes, mid to mid (100.5 to 99.5), not from a trade to a bar close.
    expect(result.metrics.buyAndHoldPercent).toBeCloseTo((99.5 / 100.5 - 1) * 100, 12);
  });

  it('refuses a run whose strategy subscribes to ticks no entry replays, naming both', async () => {
    const config = validateConfig({ strategies: [BidOnFirstQuote.with({ price: '1', seen: [], bars: true }, { id: 'bid' })], backtest: { data: [{ file: trades, replay: 'bars', interval: '1m' }] as never } });
    const data = openBacktestData(config.backtest.data, { baseDir: dir });
    const error = await runBacktest({ bot: createBot(config), data, kbotVersion: 'test' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain('strategy "bid" subscribes to quotes of BTC/USD; no entry replays them');
    expect(String((error as Error).message)).toContain('strategy "bid" subscribes to trades of BTC/USD; no entry replays them');
  });

  it('refuses bars no entry gives, and says the replayed trades can be made into them', async () => {
    const config = validateConfig({ strategies: [BidOnFirstQuote.with({ price: '1', seen: [], bars: true }, { id: 'bid' })], backtest: { data: [{ file: trades, replay: 'trades' }, { file: spreads }] as never } });
    const data = openBacktestData(config.backtest.data, { baseDir: dir });
    const error = await runBacktest({ bot: createBot(config), data, kbotVersion: 'test' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain(
      "backtest.data: received strategy \"bid\" subscribes to BTC/USD 1m bars; no entry gives them (entries give no bars), expected a data file of BTC/USD 1m bars for every pair and interval a strategy trades, or { file, resample: '1m' } from a shorter interval, or the BTC/USD trades file made into bars as well: { file, replay: 'bars', interval: '1m' } (kbot backtest --data <file> --interval 1m)",
    );
    // Done as it says, the run goes.
    const fixed = validateConfig({ strategies: [BidOnFirstQuote.with({ price: '1', seen: [], bars: true }, { id: 'bid' })], backtest: { data: [{ file: trades, replay: 'trades' }, { file: trades, replay: 'bars', interval: '1m' }, { file: spreads }] as never } });
    await expect(runBacktest({ bot: createBot(fixed), data: openBacktestData(fixed.backtest.data, { baseDir: dir }), kbotVersion: 'test' })).resolves.toBeDefined();
  });
});

describe('openBacktestData with tick entries', () => {
  const spreads = file('XBTUSD_quotes.csv', ['unix,bid,ask', `${S},100,101`]);
  const trades = file('XBTUSD_prints.csv', ['price,volume,time,buysell,ordtype,misc', tradeRow(MS, 100)]);
  const candles = file('XBTUSD_1.csv', [`${S - 24},100,100,100,100,1,1`]);

  it('keeps bar-only data as it was (no merged items) and recognises a spreads file by its header', () => {
    expect(openBacktestData([candles], { baseDir: dir }).items).toBeUndefined();
    const data = openBacktestData([candles, spreads], { baseDir: dir });
    expect(data.tickSources.map((source) => [source.format, source.offers])).toEqual([['kraken-spreads', { instrumentId: 'BTC/USD', quotes: true }]]);
    expect([...data.items!].map((item) => item.kind)).toEqual(['quote', 'bar']);
  });

  it('rejects replays the file cannot give, naming the entry', () => {
    expect(() => openBacktestData([{ file: candles, replay: 'trades' }], { baseDir: dir })).toThrow('backtest.data[0].replay: received "trades", expected "bars" for a kraken-ohlcvt file');
    expect(() => openBacktestData([candles, { file: trades, replay: 'quotes' }], { baseDir: dir })).toThrow('backtest.data[1].replay: received "quotes", expected "bars" or "trades" for a kraken-trades file');
    expect(() => openBacktestData([{ file: spreads, replay: 'bars', format: 'kraken-spreads' }], { baseDir: dir })).toThrow(/backtest\.data\[0\]\.replay: received "bars", expected "quotes" for a kraken-spreads file/);
    expect(() => openBacktestData([{ file: trades, replay: 'trades', resample: '1h' }], { baseDir: dir })).toThrow(/backtest\.data\[0\]\.resample: received "1h", expected nothing: trades are not bars/);
    expect(() => openBacktestData([{ file: 'nope.csv', replay: 'trades' }], { baseDir: dir })).toThrow(DataError);
  });

  it('reports a bad tick row by file and line when the run reaches it', () => {
    const bad = file('XBTUSD_bad_spreads.csv', ['unix,bid,ask', `${S},100,101`, `${S + 1},102,101`]);
    const data = openBacktestData([bad], { baseDir: dir });
    expect(() => [...data.items!]).toThrow(`${bad}:3: column 2 (bid): received "102", expected a bid at or below the ask (101)`);
  });
});
