import { instrumentId as toInstrumentId, type InstrumentId } from '../model/ids.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';
import { InstrumentMap } from '../model/instrument-map.js';

/**
 * What the cache holds for one instrument, in one object so that a bar costs one lookup (and
 * none while the same instrument keeps coming). Fields are set in the constructor with their
 * final types: the price is a number field (NaN plus `hasPrice` when there is none), which V8
 * stores in place, where a map of numbers allocated a heap number for every price set.
 */
class InstrumentMarket {
  declare price: number;
  declare hasPrice: boolean;
  /** The first price seen (a bar's open; a trade's price; a quote's or book's mid), NaN before. */
  declare firstPrice: number;
  /** The interval of the first bars seen, and the last of them: the common case of one interval. */
  declare barInterval: number;
  declare bar: Bar | undefined;
  /** Last bar of every other interval, in the order the intervals first appeared. */
  declare otherBars: Map<number, Bar> | undefined;
  declare trade: Trade | undefined;
  declare quote: Quote | undefined;
  declare book: BookView | undefined;

  constructor() {
    this.price = Number.NaN;
    this.hasPrice = false;
    this.firstPrice = Number.NaN;
    this.barInterval = Number.NaN;
    this.bar = undefined;
    this.otherBars = undefined;
    this.trade = undefined;
    this.quote = undefined;
    this.book = undefined;
  }

  /** `opening`: the price the data began at (a bar's open), kept as the first price. */
  setPrice(price: number, opening: number): void {
    if (!this.hasPrice) this.firstPrice = opening;
    this.price = price;
    this.hasPrice = true;
  }

  setBar(bar: Bar): void {
    const interval = bar.interval;
    if (interval === this.barInterval) {
      this.bar = bar;
    } else if (this.bar === undefined) {
      this.barInterval = interval;
      this.bar = bar;
    } else if (sameInterval(interval, this.barInterval)) {
      this.bar = bar;
    } else {
      (this.otherBars ??= new Map()).set(interval, bar);
    }
  }

  barOf(interval: number): Bar | undefined {
    return sameInterval(interval, this.barInterval) ? this.bar : this.otherBars?.get(interval);
  }
}

/** Intervals as a Map compares its keys (NaN equals NaN), so odd data is cached as it always was. */
function sameInterval(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/** The latest market data the engine has seen, per instrument. Never anything later. */
export class MarketCache {
  private readonly instruments = new InstrumentMap<InstrumentMarket>();

  onBar(bar: Bar): void {
    const entry = this.entry(bar.instrumentId);
    entry.setBar(bar);
    entry.setPrice(bar.close, bar.open);
  }

  onTrade(trade: Trade): void {
    const entry = this.entry(trade.instrumentId);
    entry.trade = trade;
    entry.setPrice(trade.price, trade.price);
  }

  onQuote(quote: Quote): void {
    const entry = this.entry(quote.instrumentId);
    entry.quote = quote;
    const mid = (quote.bid + quote.ask) / 2;
    entry.setPrice(mid, mid);
  }

  onBook(book: BookView): void {
    const entry = this.entry(book.instrumentId);
    entry.book = book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid && ask) {
      const mid = (bid.price + ask.price) / 2;
      entry.setPrice(mid, mid);
    }
  }

  lastBar(id: InstrumentId, interval?: number): Bar | undefined {
    const entry = this.find(id);
    if (entry === undefined || entry.bar === undefined) return undefined;
    if (interval !== undefined) return entry.barOf(interval);
    // The latest close; on a tie the interval seen first.
    let latest: Bar = entry.bar;
    if (entry.otherBars !== undefined) {
      for (const bar of entry.otherBars.values()) if (bar.openTime + bar.interval > latest.openTime + latest.interval) latest = bar;
    }
    return latest;
  }

  lastTrade(id: InstrumentId): Trade | undefined {
    return this.find(id)?.trade;
  }

  lastQuote(id: InstrumentId): Quote | undefined {
    return this.find(id)?.quote;
  }

  book(id: InstrumentId): BookView | undefined {
    return this.find(id)?.book;
  }

  /** Price of the most recent data of any kind for the instrument. */
  lastPrice(id: InstrumentId): number | undefined {
    const entry = this.find(id);
    return entry !== undefined && entry.hasPrice ? entry.price : undefined;
  }

  /**
   * The price the instrument's data began at: the first bar's open, else the first trade's price
   * or quote's (or book's) mid. What holdings were worth when a run began.
   */
  firstPrice(id: InstrumentId): number | undefined {
    const entry = this.find(id);
    return entry !== undefined && entry.hasPrice ? entry.firstPrice : undefined;
  }

  /** Whether any instrument has a price yet. */
  hasAnyPrice(): boolean {
    return this.instruments.some((entry) => entry.hasPrice);
  }

  private find(id: InstrumentId): InstrumentMarket | undefined {
    return this.instruments.get(id);
  }

  private entry(id: InstrumentId): InstrumentMarket {
    let entry = this.instruments.get(id);
    if (entry === undefined) {
      entry = new InstrumentMarket();
      this.instruments.set(id, entry);
    }
    return entry;
  }
}

const checkedIds = new Map<string, InstrumentId>();
// The text checked last: strategies ask about the same instrument bar after bar.
let lastText: string | undefined;
let lastChecked: InstrumentId | undefined;

/**
 * Accepts `'btc/usd'` or an InstrumentId; user-facing views take both. Strategies pass the same
 * few ids every bar, so each distinct text is checked once and then looked up.
 */
export function asInstrumentId(id: InstrumentId | string): InstrumentId {
  if (id === lastText && lastChecked !== undefined) return lastChecked;
  let checked = checkedIds.get(id);
  if (checked === undefined) {
    checked = toInstrumentId(id);
    if (checkedIds.size < 10_000) checkedIds.set(id, checked);
  }
  lastText = id;
  lastChecked = checked;
  return checked;
}
