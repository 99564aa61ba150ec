import type { SimPair } from './pair-catalog.js';
import { PairMarketBase, type MarketBook, type MarketTrade, type PairMarketFeed } from './pair-market.js';
import type { RecordedBookStream } from './recorded-book-stream.js';
import type { BookLevelUnits } from './synthetic-book.js';
import { toUnits } from './wire-format.js';

/**
 * One pair's market replayed from a recorded Kraken book stream (recorded-book-stream.ts): each
 * message sets the levels it carries, at the time it arrived (shifted by `timeShiftMs`), the book
 * is kept to the recording's depth as a Kraken client keeps it (spec §9.1), and the
 * simulator serves that book on its `book` channel and `Depth`, and matches orders against its
 * top. The recording holds no trades, so nothing is printed on `trade`, and candles and the
 * ticker's last price stay empty; orders fill against the recorded book.
 */
export class RecordedPairMarket extends PairMarketBase implements PairMarketFeed {
  readonly trades: readonly MarketTrade[] = [];
  readonly lastTrade: MarketTrade | undefined = undefined;
  barsReleased = 0;
  #bids: readonly BookLevelUnits[] = [];
  #asks: readonly BookLevelUnits[] = [];
  #next = 0;

  constructor(
    pair: SimPair,
    private readonly stream: RecordedBookStream,
    private readonly timeShiftMs: number,
  ) {
    super(pair);
  }

  /** Arrays replaced, never mutated, on every message (the WebSocket sessions diff against the previous ones). */
  get book(): MarketBook {
    return { bids: this.#bids, asks: this.#asks };
  }

  get finished(): boolean {
    return this.#next >= this.stream.events.length;
  }

  nextTime(): number | undefined {
    const event = this.stream.events[this.#next];
    return event === undefined ? undefined : event.time + this.timeShiftMs;
  }

  /** A step releases one message. */
  get pendingBarEnd(): number | undefined {
    const time = this.nextTime();
    return time === undefined ? undefined : time + 1;
  }

  releaseNext(): undefined {
    const event = this.stream.events[this.#next];
    if (event === undefined) throw new Error(`recorded market ${this.pair.symbol}: no message left to release`);
    this.#next++;
    this.barsReleased++;
    const { priceDecimals, qtyDecimals } = this.pair;
    const levels = (side: typeof event.bids) => side.map(([price, quantity]) => ({ price: toUnits(price, priceDecimals), qty: toUnits(quantity, qtyDecimals) }));
    const depth = this.stream.depth;
    this.#bids = applyLevels(event.snapshot ? [] : this.#bids, levels(event.bids), (a, b) => b - a, depth);
    this.#asks = applyLevels(event.snapshot ? [] : this.#asks, levels(event.asks), (a, b) => a - b, depth);
    this.recordSpread(event.time + this.timeShiftMs);
    return undefined;
  }
}

/**
 * `side` with `changes` applied (quantity 0 deletes), best first by `order`, truncated to the
 * recording's depth (Kraken does not delete levels that leave it), as a new array.
 */
function applyLevels(side: readonly BookLevelUnits[], changes: readonly BookLevelUnits[], order: (a: number, b: number) => number, depth: number): readonly BookLevelUnits[] {
  if (changes.length === 0) return side;
  const byPrice = new Map(side.map((level) => [level.price, level]));
  for (const change of changes) {
    if (change.qty === 0) byPrice.delete(change.price);
    else byPrice.set(change.price, change);
  }
  return [...byPrice.values()].sort((a, b) => order(a.price, b.price)).slice(0, depth);
}
