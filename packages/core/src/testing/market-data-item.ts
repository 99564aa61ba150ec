import type { MarketDataSink } from '../exchange/exchange.js';
import type { Bar, BookView, MarketDataKind, Quote, Trade } from '../model/market-data.js';

/** Any one piece of market data a test can push. */
export type MarketDataItem = Bar | Trade | Quote | BookView;

/** Tells the four shapes apart (they share no `type` field: they are the hot-path structs). */
export function marketDataKind(item: MarketDataItem): MarketDataKind {
  const candidate = item as unknown as Record<string, unknown>;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new TypeError(`market data: received ${String(item)}, expected a bar, trade, quote or book`);
  }
  if (typeof candidate['bestBid'] === 'function') return 'book';
  if (typeof candidate['bid'] === 'number' && typeof candidate['ask'] === 'number') return 'quotes';
  if (typeof candidate['openTime'] === 'number' && typeof candidate['interval'] === 'number') return 'bars';
  if (typeof candidate['price'] === 'number' && typeof candidate['time'] === 'number') return 'trades';
  throw new TypeError(`market data: received an object with keys ${Object.keys(candidate).join(', ')}, expected a bar (openTime, interval), trade (time, price), quote (bid, ask) or book (bestBid())`);
}

/** Hands one item to the matching sink handler. */
export function deliverMarketData(item: MarketDataItem, sink: MarketDataSink): MarketDataKind {
  const kind = marketDataKind(item);
  if (kind === 'bars') sink.onBar(item as Bar);
  else if (kind === 'trades') sink.onTrade(item as Trade);
  else if (kind === 'quotes') sink.onQuote(item as Quote);
  else sink.onBook(item as BookView);
  return kind;
}
