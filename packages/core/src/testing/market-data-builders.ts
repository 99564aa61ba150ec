import type { InstrumentId } from '../model/ids.js';
import type { Instrument } from '../model/instrument.js';
import type { AggressorSide, Bar, BookLevel, BookView, Quote, Trade } from '../model/market-data.js';
import { parseInterval, type EpochMs } from '../model/time.js';
import { instrumentIdOf } from './instrument-fixtures.js';

/** 2024-01-01T00:00:00Z: where builders start time unless told otherwise. */
export const TEST_START_TIME: EpochMs = Date.UTC(2024, 0, 1);

const DEFAULT_INSTRUMENT = 'BTC/USD';
const DEFAULT_INTERVAL = 60_000;
const DEFAULT_VOLUME = 10;

function finite(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${field}: received ${String(value)}, expected a finite number`);
  return value;
}

function positive(value: number, field: string): number {
  if (finite(value, field) <= 0) throw new TypeError(`${field}: received ${value}, expected a number above 0`);
  return value;
}

function nonNegative(value: number, field: string): number {
  if (finite(value, field) < 0) throw new TypeError(`${field}: received ${value}, expected 0 or more`);
  return value;
}

function intervalMs(value: number | string | undefined, field: string): number {
  if (value === undefined) return DEFAULT_INTERVAL;
  if (typeof value === 'string') return parseInterval(value);
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${field}: received ${value}, expected a positive whole number of milliseconds or text such as "1m"`);
  return value;
}

export interface BarInput {
  readonly instrumentId?: Instrument | InstrumentId | string;
  /** Milliseconds or text such as `'1m'`, `'1h'`; default 1 minute. */
  readonly interval?: number | string;
  readonly openTime?: EpochMs;
  /** Default: `close`. */
  readonly open?: number;
  /** Default: the larger of open and close. */
  readonly high?: number;
  /** Default: the smaller of open and close. */
  readonly low?: number;
  /** Default: `open`, else 100. */
  readonly close?: number;
  /** Base volume; default 10. */
  readonly volume?: number;
  readonly trades?: number;
}

/** One frozen bar (BTC/USD, 1m, 2024-01-01 by default); inconsistent prices throw a TypeError naming the field. */
export function bar(input: BarInput = {}): Bar {
  const close = positive(input.close ?? input.open ?? 100, 'bar.close');
  const open = positive(input.open ?? close, 'bar.open');
  const high = positive(input.high ?? Math.max(open, close), 'bar.high');
  const low = positive(input.low ?? Math.min(open, close), 'bar.low');
  if (high < Math.max(open, close)) throw new TypeError(`bar.high: received ${high}, expected at least the larger of open ${open} and close ${close}`);
  if (low > Math.min(open, close)) throw new TypeError(`bar.low: received ${low}, expected at most the smaller of open ${open} and close ${close}`);
  const result: Bar = {
    instrumentId: instrumentIdOf(input.instrumentId ?? DEFAULT_INSTRUMENT),
    interval: intervalMs(input.interval, 'bar.interval'),
    openTime: finite(input.openTime ?? TEST_START_TIME, 'bar.openTime'),
    open,
    high,
    low,
    close,
    volume: nonNegative(input.volume ?? DEFAULT_VOLUME, 'bar.volume'),
    ...(input.trades === undefined ? {} : { trades: nonNegative(input.trades, 'bar.trades') }),
  };
  return Object.freeze(result);
}

export interface BarsOptions {
  readonly instrument?: Instrument | InstrumentId | string;
  /** Milliseconds or text such as `'1m'`; default 1 minute. */
  readonly interval?: number | string;
  /** openTime of the first bar; default 2024-01-01T00:00:00Z. */
  readonly start?: EpochMs;
  /** Base volume of every bar; default 10. */
  readonly volume?: number;
}

/**
 * Consecutive bars from closing prices: each bar opens at the previous close (the first opens at
 * its own close), high and low are the larger and smaller of open and close.
 */
export function bars(closes: readonly number[], options: BarsOptions = {}): Bar[] {
  const interval = intervalMs(options.interval, 'bars.interval');
  const start = finite(options.start ?? TEST_START_TIME, 'bars.start');
  const instrumentId = instrumentIdOf(options.instrument ?? DEFAULT_INSTRUMENT);
  return closes.map((close, index) => {
    positive(close, `bars closes[${index}]`);
    const open = index === 0 ? close : closes[index - 1]!;
    return bar({ instrumentId, interval, openTime: start + index * interval, open, close, volume: options.volume ?? DEFAULT_VOLUME });
  });
}

export interface TradeInput {
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly time?: EpochMs;
  readonly price?: number;
  readonly quantity?: number;
  readonly side?: AggressorSide;
  readonly tradeId?: string;
}

/** One public trade (BTC/USD at 100, quantity 1, a buy, at 2024-01-01 by default). */
export function trade(input: TradeInput = {}): Trade {
  return Object.freeze({
    instrumentId: instrumentIdOf(input.instrumentId ?? DEFAULT_INSTRUMENT),
    time: finite(input.time ?? TEST_START_TIME, 'trade.time'),
    price: positive(input.price ?? 100, 'trade.price'),
    quantity: nonNegative(input.quantity ?? 1, 'trade.quantity'),
    side: input.side ?? 'buy',
    ...(input.tradeId === undefined ? {} : { tradeId: input.tradeId }),
  });
}

export interface QuoteInput {
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly time?: EpochMs;
  readonly bid?: number;
  readonly ask?: number;
  readonly bidSize?: number;
  readonly askSize?: number;
}

/** Best bid and offer (99.9 / 100.1, size 1 each, by default); a crossed quote throws. */
export function quote(input: QuoteInput = {}): Quote {
  const bid = positive(input.bid ?? 99.9, 'quote.bid');
  const ask = positive(input.ask ?? 100.1, 'quote.ask');
  if (bid > ask) throw new TypeError(`quote.bid: received ${bid}, expected at most the ask ${ask}`);
  return Object.freeze({
    instrumentId: instrumentIdOf(input.instrumentId ?? DEFAULT_INSTRUMENT),
    time: finite(input.time ?? TEST_START_TIME, 'quote.time'),
    bid,
    bidSize: nonNegative(input.bidSize ?? 1, 'quote.bidSize'),
    ask,
    askSize: nonNegative(input.askSize ?? 1, 'quote.askSize'),
  });
}

export interface BookInput {
  readonly instrumentId?: Instrument | InstrumentId | string;
  readonly time?: EpochMs;
  /** `[price, quantity]` pairs, in any order: they are sorted best first. */
  readonly bids?: ReadonlyArray<readonly [number, number]>;
  readonly asks?: ReadonlyArray<readonly [number, number]>;
}

/** A frozen order book view from price levels. */
export function book(input: BookInput = {}): BookView {
  const levels = (pairs: ReadonlyArray<readonly [number, number]>, side: string): BookLevel[] =>
    pairs.map(([price, quantity], index) => Object.freeze({
      price: positive(price, `book.${side}[${index}] price`),
      quantity: nonNegative(quantity, `book.${side}[${index}] quantity`),
    }));
  const bids = Object.freeze(levels(input.bids ?? [[99.9, 1]], 'bids').sort((a, b) => b.price - a.price));
  const asks = Object.freeze(levels(input.asks ?? [[100.1, 1]], 'asks').sort((a, b) => a.price - b.price));
  if (bids[0] && asks[0] && bids[0].price > asks[0].price) {
    throw new TypeError(`book.bids: best bid ${bids[0].price} is above the best ask ${asks[0].price}`);
  }
  return Object.freeze({
    instrumentId: instrumentIdOf(input.instrumentId ?? DEFAULT_INSTRUMENT),
    time: finite(input.time ?? TEST_START_TIME, 'book.time'),
    bids: (depth?: number) => (depth === undefined ? bids : bids.slice(0, depth)),
    asks: (depth?: number) => (depth === undefined ? asks : asks.slice(0, depth)),
    bestBid: () => bids[0],
    bestAsk: () => asks[0],
  });
}
