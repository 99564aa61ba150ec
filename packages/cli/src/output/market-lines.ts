import Table from 'cli-table3';
import { formatInterval, isoTime, type Bar, type BookView, type Instrument, type Trade } from '@kbot/core';
import type { BookHealth } from '@kbot/exchange-kraken';

/** One book level as decimal strings: `[price, quantity]`. */
export type LevelText = readonly [price: string, quantity: string];

/** A scaled integer (`400001` at precision 1) as its exact decimal text (`40000.1`). */
export function scaledText(scaled: number, precision: number): string {
  const digits = String(Math.abs(Math.trunc(scaled)));
  const sign = scaled < 0 ? '-' : '';
  if (precision === 0) return `${sign}${digits}`;
  const padded = digits.padStart(precision + 1, '0');
  return `${sign}${padded.slice(0, -precision)}.${padded.slice(-precision)}`;
}

interface ScaledBook extends BookView {
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  scaledLevel(side: 'bid' | 'ask', index: number): { readonly price: number; readonly quantity: number } | undefined;
}

function isScaledBook(book: BookView): book is ScaledBook {
  return typeof (book as Partial<ScaledBook>).scaledLevel === 'function' && typeof (book as Partial<ScaledBook>).pricePrecision === 'number';
}

/**
 * The top `depth` levels of each side as decimal strings. Kraken's L2 book keeps scaled integers,
 * so its text is exact; any other BookView is written at the instrument's precision.
 */
export function bookLevels(book: BookView, depth: number, instrument: Instrument): { bids: LevelText[]; asks: LevelText[] } {
  if (isScaledBook(book)) {
    const side = (which: 'bid' | 'ask'): LevelText[] => {
      const levels: LevelText[] = [];
      for (let index = 0; index < depth; index++) {
        const level = book.scaledLevel(which, index);
        if (level === undefined) break;
        levels.push([scaledText(level.price, book.pricePrecision), scaledText(level.quantity, book.quantityPrecision)]);
      }
      return levels;
    };
    return { bids: side('bid'), asks: side('ask') };
  }
  const text = (levels: readonly { price: number; quantity: number }[]): LevelText[] =>
    levels.map((level) => [level.price.toFixed(instrument.pricePrecision), level.quantity.toFixed(instrument.quantityPrecision)]);
  return { bids: text(book.bids(depth)), asks: text(book.asks(depth)) };
}

/** One resting order of an order-by-order book as decimal strings. */
export interface OrderText {
  readonly orderId: string;
  readonly price: string;
  readonly quantity: string;
}

/**
 * The resting orders of the top `depth` levels of each side, best level first and each level's
 * queue in order (Kraken level3, `--orders`); undefined for a book of price levels only.
 */
export function bookOrders(book: BookView, depth: number, instrument: Instrument): { bids: OrderText[]; asks: OrderText[] } | undefined {
  if (book.orders === undefined) return undefined;
  const text = (side: 'bid' | 'ask'): OrderText[] =>
    book.orders!(side, depth).map((order) => ({ orderId: order.orderId, price: order.price.toFixed(instrument.pricePrecision), quantity: order.quantity.toFixed(instrument.quantityPrecision) }));
  return { bids: text('bid'), asks: text('ask') };
}

/** How many orders rest at each of the top `depth` levels of a side (level3), best first. */
function queueLengths(orders: readonly OrderText[]): number[] {
  const lengths: number[] = [];
  for (let index = 0; index < orders.length; index++) {
    if (index > 0 && orders[index]!.price === orders[index - 1]!.price) lengths[lengths.length - 1]! += 1;
    else lengths.push(1);
  }
  return lengths;
}

/** `--json`: one line per book update; only verified books are delivered, so checksumOk is true. With --orders, every resting order too. */
export function bookJson(pair: string, book: BookView, depth: number, instrument: Instrument): string {
  const { bids, asks } = bookLevels(book, depth, instrument);
  const orders = bookOrders(book, depth, instrument);
  return JSON.stringify({ type: 'book', pair, time: isoTime(book.time), bids, asks, ...(orders === undefined ? {} : { orders }), checksumOk: true });
}

export function resyncJson(pair: string, health: BookHealth, time: number): string {
  return JSON.stringify({
    type: 'resync',
    pair,
    time: isoTime(time),
    reason: health.reason ?? null,
    checksumOk: health.reason === 'checksum' ? false : null,
    expectedChecksum: health.expectedChecksum ?? null,
    computedChecksum: health.computedChecksum ?? null,
    resyncs: health.resyncs,
    mismatches: health.mismatches,
  });
}

export function tradeJson(trade: Trade, instrument: Instrument): string {
  return JSON.stringify({
    type: 'trade',
    pair: trade.instrumentId,
    time: isoTime(trade.time),
    side: trade.side ?? null,
    price: trade.price.toFixed(instrument.pricePrecision),
    quantity: trade.quantity.toFixed(instrument.quantityPrecision),
    tradeId: trade.tradeId ?? null,
  });
}

export function candleJson(bar: Bar, instrument: Instrument): string {
  const price = (value: number) => value.toFixed(instrument.pricePrecision);
  return JSON.stringify({
    type: 'ohlc',
    pair: bar.instrumentId,
    interval: formatInterval(bar.interval),
    openTime: isoTime(bar.openTime),
    open: price(bar.open),
    high: price(bar.high),
    low: price(bar.low),
    close: price(bar.close),
    volume: bar.volume.toFixed(instrument.quantityPrecision),
  });
}

/** One line for people when output is not a terminal: best bid, best ask, spread. */
export function bookLine(pair: string, book: BookView, instrument: Instrument): string {
  const { bids, asks } = bookLevels(book, 1, instrument);
  const orders = bookOrders(book, 1, instrument);
  const queue = (side: readonly OrderText[] | undefined) => (side === undefined ? '' : ` (${side.length} order${side.length === 1 ? '' : 's'})`);
  const bid = bids[0];
  const ask = asks[0];
  const spread = bid !== undefined && ask !== undefined ? `  spread ${(Number(ask[0]) - Number(bid[0])).toFixed(instrument.pricePrecision)}` : '';
  return `${isoTime(book.time)} ${pair}  bid ${bid === undefined ? '-' : `${bid[1]} @ ${bid[0]}${queue(orders?.bids)}`} | ask ${ask === undefined ? '-' : `${ask[0]} x ${ask[1]}${queue(orders?.asks)}`}${spread}`;
}

export function tradeLine(trade: Trade, instrument: Instrument): string {
  return `${isoTime(trade.time)} ${trade.instrumentId}  trade ${trade.side ?? '?'} ${trade.quantity.toFixed(instrument.quantityPrecision)} @ ${trade.price.toFixed(instrument.pricePrecision)}`;
}

export function candleLine(bar: Bar, instrument: Instrument): string {
  const price = (value: number) => value.toFixed(instrument.pricePrecision);
  return `${isoTime(bar.openTime)} ${bar.instrumentId}  ${formatInterval(bar.interval)} candle  O ${price(bar.open)} H ${price(bar.high)} L ${price(bar.low)} C ${price(bar.close)} V ${bar.volume.toFixed(instrument.quantityPrecision)}`;
}

export function resyncLine(pair: string, health: BookHealth, time: number): string {
  const why =
    health.reason === 'checksum' ? `checksum mismatch (Kraken ${health.expectedChecksum}, computed ${health.computedChecksum})`
    : health.reason === 'disconnected' ? 'connection lost'
    : (health.reason ?? 'unknown reason');
  return `${isoTime(time)} ${pair}  RESYNC: ${why}; book dropped, waiting for a fresh snapshot (resync ${health.resyncs})`;
}

/** The screen a terminal shows: the book side by side, then the latest trades, candles and resyncs. */
export function bookScreen(pair: string, book: BookView | undefined, rows: number, instrument: Instrument, recent: readonly string[], resyncs: number): string {
  const lines = [`${pair} at ${book === undefined ? 'waiting for the book' : isoTime(book.time)}  checksum verified on every update, resyncs ${resyncs}  (Ctrl-C to stop)`];
  if (book !== undefined) {
    const { bids, asks } = bookLevels(book, rows, instrument);
    const orders = bookOrders(book, rows, instrument);
    // With --orders, each level's queue length beside its size.
    const bidQueues = orders === undefined ? undefined : queueLengths(orders.bids);
    const askQueues = orders === undefined ? undefined : queueLengths(orders.asks);
    // No rule between rows: a terminal has room for twice the levels.
    const table = new Table({
      head: [...(bidQueues === undefined ? [] : ['orders']), 'bid size', 'bid', 'ask', 'ask size', ...(askQueues === undefined ? [] : ['orders'])],
      style: { head: [], border: [] },
      colAligns: bidQueues === undefined ? ['right', 'right', 'right', 'right'] : ['right', 'right', 'right', 'right', 'right', 'right'],
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (let index = 0; index < Math.max(bids.length, asks.length); index++) {
      const bid = bids[index];
      const ask = asks[index];
      const row = [bid?.[1] ?? '', bid?.[0] ?? '', ask?.[0] ?? '', ask?.[1] ?? ''];
      table.push(bidQueues === undefined || askQueues === undefined ? row : [String(bidQueues[index] ?? ''), ...row, String(askQueues[index] ?? '')]);
    }
    lines.push(table.toString());
  }
  lines.push(...recent);
  return lines.join('\n');
}
