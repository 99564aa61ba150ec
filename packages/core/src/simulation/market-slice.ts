import { InvariantError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import { barCloseTime, type Bar, type Quote, type Trade } from '../model/market-data.js';
import type { EpochMs } from '../model/time.js';

/** The prices one side of the market could trade at during a slice, in time order: first, best, worst. */
export interface PricePath {
  readonly open: number;
  readonly high: number;
  readonly low: number;
}

/**
 * One piece of market data as the matching rules see it. Bars and trades are the same thing
 * (a trade is a bar with one price); a quote gives buyers the ask and sellers the bid.
 */
export interface MarketSlice {
  readonly kind: 'bar' | 'trade' | 'quote';
  readonly instrumentId: InstrumentId;
  /**
   * The data's own timestamp and the earliest moment any of its prices can have happened: the
   * bar's openTime (as Kraken stamps candles), the tick's time. Fills and expiries the slice causes
   * carry this time, which is where the engine's clock stands while the venue processes the data.
   */
  readonly time: EpochMs;
  /** When the slice is over: the bar's close time (openTime + interval), the tick's time. */
  readonly endTime: EpochMs;
  /** Prices a buyer trades at: the traded prices for bars and trades, the ask for quotes. */
  readonly buyPath: PricePath;
  /** Prices a seller trades at: the traded prices for bars and trades, the bid for quotes. */
  readonly sellPath: PricePath;
  /** Base quantity on the buyer's side: traded volume (bars, trades) or the ask size (quotes). */
  readonly buyVolume: number;
  readonly sellVolume: number;
  /** Price a buyer / seller would face right after the slice: the close, the trade price, the ask / bid. */
  readonly lastBuyPrice: number;
  readonly lastSellPrice: number;
}

function positive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvariantError(`${field}: received ${value}, expected a finite price above 0`);
  return value;
}

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) throw new InvariantError(`${field}: received ${value}, expected a finite quantity of 0 or more`);
  return value;
}

/*
 * The checks below run on every bar and tick. Each first decides with plain comparisons and only
 * then, for bad data, builds a message, in a function of its own. Texts built in line (or in a
 * function the JIT inlines) are a hazard on a hot path: the JIT treats two conversions of the
 * same number to text as one operation and may compute it ahead of both checks, that is, on
 * every call (see EquityTracker.record).
 */

/**
 * Throws when a bar cannot be matched against (non-positive or non-finite prices, low above high,
 * negative volume). Plain comparisons first: the message is only built for a bad bar.
 */
export function checkBar(bar: Bar): void {
  const { open, high, low, close, volume, interval } = bar;
  if (open > 0 && high > 0 && low > 0 && close > 0 && low <= high && volume >= 0 && interval > 0
    && Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) && Number.isFinite(volume) && Number.isFinite(interval)) return;
  rejectBar(bar);
}

function rejectBar(bar: Bar): void {
  const { open, high, low, close, volume, interval } = bar;
  const where = `bar ${bar.instrumentId} at ${bar.openTime}`;
  positive(open, `${where} open`);
  positive(high, `${where} high`);
  positive(low, `${where} low`);
  positive(close, `${where} close`);
  if (low > high) throw new InvariantError(`${where}: low ${low} is above high ${high}`);
  if (!Number.isFinite(interval) || interval <= 0) throw new InvariantError(`${where} interval: received ${interval}, expected a positive number of milliseconds`);
  nonNegative(volume, `${where} volume`);
}

function isPrice(value: number): boolean {
  return value > 0 && Number.isFinite(value);
}

function isQuantity(value: number): boolean {
  return value >= 0 && Number.isFinite(value);
}

function rejectTrade(trade: Trade): never {
  const where = `trade ${trade.instrumentId} at ${trade.time}`;
  positive(trade.price, `${where} price`);
  nonNegative(trade.quantity, `${where} quantity`);
  throw new InvariantError(`${where}: rejected, but no field is out of range`);
}

function rejectQuote(quote: Quote): never {
  const where = `quote ${quote.instrumentId} at ${quote.time}`;
  positive(quote.bid, `${where} bid`);
  positive(quote.ask, `${where} ask`);
  nonNegative(quote.askSize, `${where} askSize`);
  nonNegative(quote.bidSize, `${where} bidSize`);
  throw new InvariantError(`${where}: rejected, but no field is out of range`);
}

export function sliceFromBar(bar: Bar): MarketSlice {
  checkBar(bar);
  const path = { open: bar.open, high: bar.high, low: bar.low };
  return {
    kind: 'bar',
    instrumentId: bar.instrumentId,
    time: bar.openTime,
    endTime: barCloseTime(bar),
    buyPath: path,
    sellPath: path,
    buyVolume: bar.volume,
    sellVolume: bar.volume,
    lastBuyPrice: bar.close,
    lastSellPrice: bar.close,
  };
}

export function sliceFromTrade(trade: Trade): MarketSlice {
  const price = trade.price;
  const quantity = trade.quantity;
  if (!isPrice(price) || !isQuantity(quantity)) rejectTrade(trade);
  const path = { open: price, high: price, low: price };
  return {
    kind: 'trade',
    instrumentId: trade.instrumentId,
    time: trade.time,
    endTime: trade.time,
    buyPath: path,
    sellPath: path,
    buyVolume: quantity,
    sellVolume: quantity,
    lastBuyPrice: price,
    lastSellPrice: price,
  };
}

export function sliceFromQuote(quote: Quote): MarketSlice {
  const bid = quote.bid;
  const ask = quote.ask;
  const askSize = quote.askSize;
  const bidSize = quote.bidSize;
  if (!isPrice(bid) || !isPrice(ask) || !isQuantity(askSize) || !isQuantity(bidSize)) rejectQuote(quote);
  return {
    kind: 'quote',
    instrumentId: quote.instrumentId,
    time: quote.time,
    endTime: quote.time,
    buyPath: { open: ask, high: ask, low: ask },
    sellPath: { open: bid, high: bid, low: bid },
    buyVolume: askSize,
    sellVolume: bidSize,
    lastBuyPrice: ask,
    lastSellPrice: bid,
  };
}

/**
 * The no-look-ahead rule. An order may only trade on prices that happened after it reached the
 * venue (`eligibleAt` = createdAt + latency). A bar qualifies when it opens at or after that time
 * (its open is the first price after the order: an order placed on bar N's close, which is bar
 * N+1's openTime, trades on bar N+1); a trade or quote must be strictly later, because one stamped
 * with the same millisecond may be the very tick the strategy reacted to.
 */
export function isAfterOrder(slice: MarketSlice, eligibleAt: EpochMs): boolean {
  return slice.kind === 'bar' ? slice.time >= eligibleAt : slice.time > eligibleAt;
}
