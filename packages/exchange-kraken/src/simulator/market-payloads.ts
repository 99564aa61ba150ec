import { bookChecksum } from './book-checksum.js';
import { candleVwap, statsSince, type Candle, type CandleStats, type KrakenOhlcInterval } from './candle-store.js';
import type { SimPair } from './pair-catalog.js';
import type { MarketTrade, PairMarketFeed } from './pair-market.js';
import type { BookLevelUnits } from './synthetic-book.js';
import { epochSeconds, formatUnits, rfc3339, unitsToNumber } from './wire-format.js';

/*
 * Public market data in Kraken's shapes: REST (spec §5.5–5.9, decimal strings) and WebSocket v2
 * (spec §8.6–8.10, JSON numbers).
 */

const DAY_MS = 86_400_000;

interface TickerNumbers {
  readonly today: CandleStats;
  readonly day: CandleStats;
}

/** Today (since 00:00 UTC) and rolling 24 h statistics, from the 15-minute candles. */
function tickerNumbers(market: PairMarketFeed, now: number): TickerNumbers {
  const candles = market.candles.candles(15);
  return { today: statsSince(candles, Math.floor(now / DAY_MS) * DAY_MS), day: statsSince(candles, now - DAY_MS) };
}

function vwapUnits(stats: CandleStats, fallback: number): number {
  return stats.volume > 0 ? Math.round(stats.notional / stats.volume) : fallback;
}

/** `/0/public/Ticker` entry. */
export function restTicker(market: PairMarketFeed, now: number): Record<string, unknown> {
  const { pair, book } = market;
  const last = market.lastTrade;
  const lastPrice = last?.price ?? 0;
  const { today, day } = tickerNumbers(market, now);
  const side = (level: BookLevelUnits | undefined) => {
    const qty = level?.qty ?? 0;
    const whole = Math.floor(qty / 10 ** pair.qtyDecimals);
    return [pair.price(level?.price ?? 0), String(whole), (qty / 10 ** pair.qtyDecimals).toFixed(3)];
  };
  return {
    a: side(book.asks[0]),
    b: side(book.bids[0]),
    c: [pair.price(lastPrice), pair.qty(last?.qty ?? 0)],
    v: [pair.qty(today.volume), pair.qty(day.volume)],
    p: [pair.price(vwapUnits(today, lastPrice)), pair.price(vwapUnits(day, lastPrice))],
    t: [today.count, day.count],
    l: [pair.price(today.low ?? lastPrice), pair.price(day.low ?? lastPrice)],
    h: [pair.price(today.high ?? lastPrice), pair.price(day.high ?? lastPrice)],
    o: pair.price(today.open ?? lastPrice),
  };
}

/** WebSocket v2 `ticker` entry (24 h rolling values). */
export function wsTicker(market: PairMarketFeed, now: number): Record<string, unknown> {
  const { pair, book } = market;
  const last = market.lastTrade?.price ?? 0;
  const { day } = tickerNumbers(market, now);
  const open = day.open ?? last;
  const change = last - open;
  const p = (units: number) => unitsToNumber(units, pair.priceDecimals);
  return {
    symbol: pair.symbol,
    bid: p(book.bids[0]?.price ?? 0),
    bid_qty: unitsToNumber(book.bids[0]?.qty ?? 0, pair.qtyDecimals),
    ask: p(book.asks[0]?.price ?? 0),
    ask_qty: unitsToNumber(book.asks[0]?.qty ?? 0, pair.qtyDecimals),
    last: p(last),
    volume: unitsToNumber(day.volume, pair.qtyDecimals),
    vwap: p(vwapUnits(day, last)),
    low: p(day.low ?? last),
    high: p(day.high ?? last),
    change: p(change),
    change_pct: open > 0 ? Math.round((change / open) * 10_000) / 100 : 0,
    timestamp: rfc3339(now),
  };
}

function ohlcRow(pair: SimPair, candle: Candle): [number, string, string, string, string, string, string, number] {
  return [
    candle.openTime / 1000,
    pair.price(candle.open),
    pair.price(candle.high),
    pair.price(candle.low),
    pair.price(candle.close),
    pair.price(candleVwap(candle)),
    pair.qty(candle.volume),
    candle.count,
  ];
}

/**
 * `/0/public/OHLC`: candles ending after `since` (so polling with `since = last` repeats the last
 * committed candle, then the forming one), at most 720, and `last` = the start of the last
 * committed interval, as Kraken reports it even across gaps.
 */
export function restOhlc(market: PairMarketFeed, interval: KrakenOhlcInterval, since: number | undefined, now: number): { rows: unknown[]; last: number } {
  const size = interval * 60_000;
  const rows = market.candles
    .candles(interval)
    .filter((candle) => candle.openTime <= now && (since === undefined || candle.openTime + size > since * 1000))
    .map((candle) => ohlcRow(market.pair, candle));
  const last = (Math.floor(now / size) * size - size) / 1000;
  return { rows, last };
}

/** WebSocket v2 `ohlc` entry. */
export function wsCandle(pair: SimPair, candle: Candle, interval: number): Record<string, unknown> {
  const p = (units: number) => unitsToNumber(units, pair.priceDecimals);
  return {
    symbol: pair.symbol,
    open: p(candle.open),
    high: p(candle.high),
    low: p(candle.low),
    close: p(candle.close),
    trades: candle.count,
    volume: unitsToNumber(candle.volume, pair.qtyDecimals),
    vwap: p(candleVwap(candle)),
    interval_begin: rfc3339(candle.openTime),
    interval,
    timestamp: rfc3339(candle.openTime + interval * 60_000),
  };
}

/** `/0/public/Depth` levels: `[price, volume, timestamp]`. */
export function restDepth(market: PairMarketFeed, count: number, now: number): { asks: unknown[]; bids: unknown[] } {
  const { pair, book } = market;
  const stamp = Math.floor(now / 1000);
  const level = (entry: BookLevelUnits) => [pair.price(entry.price), pair.qty(entry.qty), stamp];
  return { asks: book.asks.slice(0, count).map(level), bids: book.bids.slice(0, count).map(level) };
}

/** `/0/public/Trades` row: `[price, volume, time, b|s, m|l, misc, trade_id]`. */
export function restTrade(pair: SimPair, trade: MarketTrade): unknown[] {
  return [pair.price(trade.price), pair.qty(trade.qty), epochSeconds(trade.time), trade.side === 'buy' ? 'b' : 's', trade.ordType === 'market' ? 'm' : 'l', '', trade.id];
}

/** WebSocket v2 `trade` entry. */
export function wsTrade(pair: SimPair, trade: MarketTrade): Record<string, unknown> {
  return {
    symbol: pair.symbol,
    side: trade.side,
    price: unitsToNumber(trade.price, pair.priceDecimals),
    qty: unitsToNumber(trade.qty, pair.qtyDecimals),
    ord_type: trade.ordType,
    trade_id: trade.id,
    timestamp: rfc3339(trade.time),
  };
}

/** Book levels as WebSocket v2 sends them. */
export function wsLevels(pair: SimPair, levels: readonly BookLevelUnits[]): { price: number; qty: number }[] {
  return levels.map((level) => ({ price: unitsToNumber(level.price, pair.priceDecimals), qty: unitsToNumber(level.qty, pair.qtyDecimals) }));
}

/** The checksum of the top 10 of each side, with the pair's fixed precision (spec §9.2). */
export function checksumOf(pair: SimPair, asks: readonly BookLevelUnits[], bids: readonly BookLevelUnits[]): number {
  const text = (levels: readonly BookLevelUnits[]) => levels.slice(0, 10).map((level) => ({ price: formatUnits(level.price, pair.priceDecimals), qty: formatUnits(level.qty, pair.qtyDecimals) }));
  return bookChecksum(text(asks), text(bids));
}
