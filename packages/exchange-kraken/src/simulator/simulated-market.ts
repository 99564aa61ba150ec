import type { Quote, Trade } from '@kbot/core';
import type { MarketTrade, PairMarketFeed } from './pair-market.js';

/** Who hears about market events, in this order for each trade: the trade, then the book move. */
export interface MarketListener {
  onMarketTrade(market: PairMarketFeed, trade: MarketTrade): void;
  onMarketBook(market: PairMarketFeed, time: number): void;
}

/** A simulated venue's market-data side: it matches its orders against what the market prints. */
export interface MatchingSink {
  onTrade(trade: Trade): void;
  onQuote(quote: Quote): void;
}

/**
 * The market clock over every pair. Time only moves when told: `advance(ms)`, `step()` (to the
 * end of the next bar) or the auto-runner the simulator drives at `speed`. A trade stamped t is
 * released once the clock is past t, in time order across pairs; after each trade the venues
 * see the trade and then the new top of book.
 */
export class SimulatedMarket {
  readonly #pairs: readonly PairMarketFeed[];
  readonly #bySymbol: ReadonlyMap<string, PairMarketFeed>;
  readonly #listeners: MarketListener[] = [];
  readonly #sinks: MatchingSink[] = [];
  #now: number;
  #paused = false;

  constructor(pairs: readonly PairMarketFeed[], start: number) {
    this.#pairs = pairs;
    this.#bySymbol = new Map(pairs.map((market) => [market.pair.symbol, market]));
    this.#now = start;
  }

  /** Market time, epoch ms. Everything stamped before it has been released. */
  now(): number {
    return this.#now;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Stops the clock: no trades, no book moves, manual steps included, until `resume()`. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  get finished(): boolean {
    return this.#pairs.every((market) => market.finished);
  }

  markets(): readonly PairMarketFeed[] {
    return this.#pairs;
  }

  market(symbol: string): PairMarketFeed | undefined {
    return this.#bySymbol.get(symbol);
  }

  addListener(listener: MarketListener): void {
    this.#listeners.push(listener);
  }

  addSink(sink: MatchingSink): void {
    this.#sinks.push(sink);
  }

  /** Moves the clock `ms` forward, releasing every trade stamped before the new time. */
  advance(ms: number): void {
    if (this.#paused || !(ms > 0)) return;
    this.advanceTo(this.#now + ms);
  }

  /** Moves the clock to `time` (never backwards). */
  advanceTo(time: number): void {
    if (this.#paused || time <= this.#now) return;
    for (;;) {
      let next: PairMarketFeed | undefined;
      let nextTime = Infinity;
      for (const market of this.#pairs) {
        const at = market.nextTime();
        if (at !== undefined && at < time && at < nextTime) {
          next = market;
          nextTime = at;
        }
      }
      if (next === undefined) break;
      this.#release(next);
    }
    this.#now = time;
  }

  /**
   * Moves the clock to the end of the earliest pending bar across pairs, so that bar is fully
   * replayed. False when paused or every pair's data is exhausted.
   */
  step(): boolean {
    if (this.#paused) return false;
    let end = Infinity;
    for (const market of this.#pairs) {
      if (market.nextTime() === undefined) continue;
      end = Math.min(end, market.pendingBarEnd!);
    }
    if (end === Infinity) return false;
    this.advanceTo(Math.max(end, this.#now + 1));
    return true;
  }

  /**
   * Shows the venues the book as it stands now, stamped with the current time: an order that just
   * arrived then trades against the standing book at once, as on Kraken, instead of waiting for
   * the next print. Orders must be created at `now() - 1` for this (data must be after an order).
   */
  touch(symbol: string, sink: MatchingSink): void {
    const market = this.#bySymbol.get(symbol);
    const quote = market?.quote(this.#now);
    if (quote !== undefined) sink.onQuote(quote);
  }

  #release(market: PairMarketFeed): void {
    const time = market.nextTime()!;
    // A recorded book stream's messages move the book without a trade.
    const trade = market.releaseNext();
    if (trade !== undefined) {
      for (const listener of this.#listeners) listener.onMarketTrade(market, trade);
      const asTrade = market.toTrade(trade);
      for (const sink of this.#sinks) sink.onTrade(asTrade);
    }
    for (const listener of this.#listeners) listener.onMarketBook(market, time);
    const quote = market.quote(time);
    if (quote !== undefined) for (const sink of this.#sinks) sink.onQuote(quote);
  }
}
