import { instrumentId as toInstrumentId, type InstrumentId } from '../model/ids.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';

/** The latest market data the engine has seen, per instrument. Never anything later. */
export class MarketCache {
  private readonly bars = new Map<InstrumentId, Map<number, Bar>>();
  private readonly trades = new Map<InstrumentId, Trade>();
  private readonly quotes = new Map<InstrumentId, Quote>();
  private readonly books = new Map<InstrumentId, BookView>();
  private readonly prices = new Map<InstrumentId, number>();

  onBar(bar: Bar): void {
    let byInterval = this.bars.get(bar.instrumentId);
    if (!byInterval) {
      byInterval = new Map();
      this.bars.set(bar.instrumentId, byInterval);
    }
    byInterval.set(bar.interval, bar);
    this.prices.set(bar.instrumentId, bar.close);
  }

  onTrade(trade: Trade): void {
    this.trades.set(trade.instrumentId, trade);
    this.prices.set(trade.instrumentId, trade.price);
  }

  onQuote(quote: Quote): void {
    this.quotes.set(quote.instrumentId, quote);
    this.prices.set(quote.instrumentId, (quote.bid + quote.ask) / 2);
  }

  onBook(book: BookView): void {
    this.books.set(book.instrumentId, book);
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid && ask) this.prices.set(book.instrumentId, (bid.price + ask.price) / 2);
  }

  lastBar(id: InstrumentId, interval?: number): Bar | undefined {
    const byInterval = this.bars.get(id);
    if (!byInterval) return undefined;
    if (interval !== undefined) return byInterval.get(interval);
    let latest: Bar | undefined;
    for (const bar of byInterval.values()) if (!latest || bar.openTime + bar.interval > latest.openTime + latest.interval) latest = bar;
    return latest;
  }

  lastTrade(id: InstrumentId): Trade | undefined {
    return this.trades.get(id);
  }

  lastQuote(id: InstrumentId): Quote | undefined {
    return this.quotes.get(id);
  }

  book(id: InstrumentId): BookView | undefined {
    return this.books.get(id);
  }

  /** Price of the most recent data of any kind for the instrument. */
  lastPrice(id: InstrumentId): number | undefined {
    return this.prices.get(id);
  }
}

const checkedIds = new Map<string, InstrumentId>();

/**
 * Accepts `'btc/usd'` or an InstrumentId; user-facing views take both. Strategies pass the same
 * few ids every bar, so each distinct text is checked once and then looked up.
 */
export function asInstrumentId(id: InstrumentId | string): InstrumentId {
  let checked = checkedIds.get(id);
  if (checked === undefined) {
    checked = toInstrumentId(id);
    if (checkedIds.size < 10_000) checkedIds.set(id, checked);
  }
  return checked;
}
