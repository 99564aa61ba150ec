import type { Bar, Quote, Trade } from '@kbot/core';
import { CandleStore } from './candle-store.js';
import type { SimPair } from './pair-catalog.js';
import { SeededRandom } from './seeded-random.js';
import { SyntheticBook, type BookLevelUnits, type SyntheticBookOptions } from './synthetic-book.js';
import { toUnits, unitScale } from './wire-format.js';

/** A public trade the simulator printed, in integer units. */
export interface MarketTrade {
  /** Sequential per pair, from 1 (Kraken's integer `trade_id`). */
  readonly id: number;
  readonly time: number;
  readonly price: number;
  readonly qty: number;
  /** Taker side. */
  readonly side: 'buy' | 'sell';
  readonly ordType: 'market' | 'limit';
  /** Nanosecond cursor for `/0/public/Trades` (`last`, `since`). */
  readonly cursor: bigint;
}

/** Best bid and ask at one moment (`/0/public/Spread`). */
export interface SpreadPoint {
  readonly time: number;
  readonly bid: number;
  readonly ask: number;
}

/** A synthesized trade not yet released. */
interface PendingTrade {
  readonly time: number;
  readonly price: number;
  readonly qty: number;
  /** This trade's share of the bar's trade count. */
  readonly count: number;
}

export interface PairMarketOptions extends Omit<SyntheticBookOptions, 'tickUnits' | 'lotUnits'> {
  readonly tradesPerBar: number;
  readonly seed: number;
  /** Added to every bar's openTime (rebasing data onto the wall clock). */
  readonly timeShiftMs: number;
}

/** A pair's book as the public feeds read it: arrays replaced (never mutated) on every change, best first. */
export interface MarketBook {
  readonly bids: readonly BookLevelUnits[];
  readonly asks: readonly BookLevelUnits[];
}

/**
 * One pair's market as the simulator serves it (REST, WebSocket, matching): bars replayed as
 * trades (PairMarket) or a recorded book stream replayed message by message (RecordedPairMarket).
 */
export interface PairMarketFeed {
  readonly pair: SimPair;
  readonly book: MarketBook;
  readonly candles: CandleStore;
  readonly trades: readonly MarketTrade[];
  readonly spreads: readonly SpreadPoint[];
  readonly lastTrade: MarketTrade | undefined;
  /** Bars (or recorded messages) replayed so far. */
  readonly barsReleased: number;
  /** When the next step ends (`SimulatedMarket.step`): the end of the pending bar, or just after the next message. */
  readonly pendingBarEnd: number | undefined;
  readonly finished: boolean;
  /** Time of the next event to release, or undefined when the data is exhausted. */
  nextTime(): number | undefined;
  /** Releases the next event: the trade it printed, or undefined for a book change alone. */
  releaseNext(): MarketTrade | undefined;
  allocateTradeId(): number;
  toTrade(trade: MarketTrade): Trade;
  quote(time: number): Quote | undefined;
}

/** Public trades and spreads kept (between these and twice as many). */
const TRADE_HISTORY = 5_000;
const SPREAD_HISTORY = 1_000;

/**
 * What every pair market shares: its pair, candles and spreads, one trade id sequence for public
 * trades and private fills, and the venues' view of its book.
 */
export abstract class PairMarketBase {
  readonly candles = new CandleStore();
  readonly spreads: SpreadPoint[] = [];
  abstract readonly book: MarketBook;
  #nextTradeId = 1;

  constructor(readonly pair: SimPair) {}

  /** A trade id for a public trade or a private fill: one sequence, so ids stay unique per pair. */
  allocateTradeId(): number {
    return this.#nextTradeId++;
  }

  /** The trade as kbot market data, for the simulated venues. */
  toTrade(trade: MarketTrade): Trade {
    const pair = this.pair;
    return {
      instrumentId: pair.instrument.id,
      time: trade.time,
      price: trade.price / unitScale(pair.priceDecimals),
      quantity: trade.qty / unitScale(pair.qtyDecimals),
      side: trade.side,
      tradeId: String(trade.id),
    };
  }

  /**
   * The book's top as a quote stamped `time`, for the simulated venues. Sizes are the whole
   * visible side: a marketable order fills at the best price in one go (the venue does not walk
   * levels), which keeps the fill price equal to what the book showed.
   */
  quote(time: number): Quote | undefined {
    const { bids, asks } = this.book;
    const bid = bids[0];
    const ask = asks[0];
    if (bid === undefined || ask === undefined) return undefined;
    const priceScale = unitScale(this.pair.priceDecimals);
    const qtyScale = unitScale(this.pair.qtyDecimals);
    const total = (side: readonly { qty: number }[]) => side.reduce((sum, level) => sum + level.qty, 0) / qtyScale;
    return { instrumentId: this.pair.instrument.id, time, bid: bid.price / priceScale, bidSize: total(bids), ask: ask.price / priceScale, askSize: total(asks) };
  }

  /** Keeps the book's best bid and ask at `time` for `/0/public/Spread`. */
  protected recordSpread(time: number): void {
    const bid = this.book.bids[0];
    const ask = this.book.asks[0];
    if (bid === undefined || ask === undefined) return;
    this.spreads.push({ time, bid: bid.price, ask: ask.price });
    // Trimmed in chunks: shifting the array on every change would make each one O(history).
    if (this.spreads.length > 2 * SPREAD_HISTORY) this.spreads.splice(0, this.spreads.length - SPREAD_HISTORY);
  }
}

/**
 * The market of one pair: replays its bars as a few trades each, and keeps what Kraken's public
 * endpoints serve (trades, spreads, candles, book). Trades follow the bar's path
 * open → low → high → close (rising bars) or open → high → low → close (falling bars), so the
 * candles built from them have exactly the bar's OHLC (rounded to the tick) and volume.
 */
export class PairMarket extends PairMarketBase implements PairMarketFeed {
  readonly book: SyntheticBook;
  readonly trades: MarketTrade[] = [];
  lastTrade: MarketTrade | undefined;
  /** Bars replayed so far. */
  barsReleased = 0;
  /** End (close time) of the bar whose trades are pending, for `step()`. */
  pendingBarEnd: number | undefined;

  readonly #bars: Iterator<Bar, undefined>;
  readonly #pending: PendingTrade[] = [];
  #pendingIndex = 0;
  #finished = false;
  #typicalLevelQty = 0;
  #lastPrice: number | undefined;

  constructor(
    pair: SimPair,
    bars: Iterable<Bar>,
    private readonly options: PairMarketOptions,
  ) {
    super(pair);
    this.#bars = bars[Symbol.iterator]() as Iterator<Bar, undefined>;
    this.book = new SyntheticBook({ ...options, tickUnits: pair.tickUnits, lotUnits: pair.lotUnits }, new SeededRandom(options.seed));
  }

  /** Time of the next trade to release, or undefined when the data is exhausted. */
  nextTime(): number | undefined {
    return this.#peek()?.time;
  }

  get finished(): boolean {
    return this.#peek() === undefined;
  }

  /** Releases the next trade: records it and moves the book. */
  releaseNext(): MarketTrade {
    const next = this.#peek();
    if (next === undefined) throw new Error(`pair market ${this.pair.symbol}: no trade left to release`);
    this.#pendingIndex++;
    const previous = this.#lastPrice;
    const side = previous === undefined || next.price >= previous ? 'buy' : 'sell';
    const id = this.allocateTradeId();
    const trade: MarketTrade = {
      id,
      time: next.time,
      price: next.price,
      qty: next.qty,
      side,
      ordType: 'market',
      cursor: BigInt(next.time) * 1_000_000n + BigInt((id + 1) % 1_000_000),
    };
    this.#lastPrice = next.price;
    this.lastTrade = trade;
    this.trades.push(trade);
    // Trimmed in chunks: shifting the array on every trade would make each release O(history).
    if (this.trades.length > 2 * TRADE_HISTORY) this.trades.splice(0, this.trades.length - TRADE_HISTORY);
    this.candles.add(trade.time, trade.price, trade.qty, next.count);
    this.book.moveTo(trade.price, this.#typicalLevelQty, this.pair.minQtyUnits);
    this.recordSpread(trade.time);
    return trade;
  }

  #peek(): PendingTrade | undefined {
    while (this.#pendingIndex >= this.#pending.length) {
      if (this.#finished || !this.#loadBar()) {
        this.#finished = true;
        this.pendingBarEnd = undefined;
        return undefined;
      }
    }
    return this.#pending[this.#pendingIndex];
  }

  #loadBar(): boolean {
    const result = this.#bars.next();
    if (result.done) return false;
    const bar = result.value;
    const { tradesPerBar, timeShiftMs } = this.options;
    const pair = this.pair;
    const toPrice = (value: number) => Math.max(pair.tickUnits, Math.round(toUnits(value, pair.priceDecimals) / pair.tickUnits) * pair.tickUnits);
    const openTime = bar.openTime + timeShiftMs;
    const rising = bar.close >= bar.open;
    const anchors = [bar.open, rising ? bar.low : bar.high, rising ? bar.high : bar.low, bar.close];
    const fractions = tradeFractions(tradesPerBar);
    const volumeUnits = Math.max(0, Math.round(toUnits(bar.volume, pair.qtyDecimals) / pair.lotUnits) * pair.lotUnits);
    const perTrade = Math.floor(volumeUnits / tradesPerBar / pair.lotUnits) * pair.lotUnits;
    const counts = splitCount(bar.trades, tradesPerBar);
    this.#pending.length = 0;
    this.#pendingIndex = 0;
    fractions.forEach((fraction, index) => {
      const segment = Math.min(2, Math.floor(fraction * 3));
      const within = fraction * 3 - segment;
      const raw = anchors[segment]! + (anchors[segment + 1]! - anchors[segment]!) * within;
      const last = index === fractions.length - 1;
      const qty = perTrade === 0 ? pair.lotUnits : last ? volumeUnits - perTrade * (tradesPerBar - 1) : perTrade;
      this.#pending.push({
        time: openTime + Math.round(fraction * (bar.interval - 1)),
        price: toPrice(raw),
        qty: Math.max(pair.lotUnits, qty),
        count: counts[index]!,
      });
    });
    // Level sizes follow the market's activity, smoothed so one quiet bar does not empty the book.
    const barLevelQty = volumeUnits / tradesPerBar;
    this.#typicalLevelQty = this.#typicalLevelQty === 0 ? barLevelQty : 0.9 * this.#typicalLevelQty + 0.1 * barLevelQty;
    this.#typicalLevelQty = Math.max(this.#typicalLevelQty, pair.minQtyUnits * 5);
    this.pendingBarEnd = openTime + bar.interval;
    this.barsReleased++;
    return true;
  }
}

/**
 * Where in a bar (0 to 1) its trades happen: always at 0, 1/3, 2/3 and 1 (the four path
 * anchors, so OHLC survives), with any further trades spread evenly inside the three segments.
 */
export function tradeFractions(count: number): number[] {
  const fractions = [0, 1 / 3, 2 / 3, 1];
  const extra = Math.max(0, count - 4);
  for (let segment = 0; segment < 3; segment++) {
    const inSegment = Math.floor(extra / 3) + (segment < extra % 3 ? 1 : 0);
    for (let i = 1; i <= inSegment; i++) fractions.push((segment + i / (inSegment + 1)) / 3);
  }
  return fractions.sort((a, b) => a - b);
}

/** Splits a bar's trade count over its synthesized trades (1 each when the source has no count). */
function splitCount(trades: number | undefined, parts: number): number[] {
  if (trades === undefined || !Number.isFinite(trades) || trades < 0) return new Array<number>(parts).fill(1);
  const whole = Math.round(trades);
  const base = Math.floor(whole / parts);
  return Array.from({ length: parts }, (_, index) => base + (index < whole % parts ? 1 : 0));
}
