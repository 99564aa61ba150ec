import type { Level3Message, Level3OrderMessage } from '../book/l3-book.js';
import { wsArray, wsRecord } from './ws-fields.js';

/** A price or quantity as the text Kraken wrote: a JsonNumber (lossless parser) keeps its digits, a number gives its shortest text. */
function exactText(value: unknown): unknown {
  return value === undefined || value === null ? value : String(value);
}

function readOrders(entry: Readonly<Record<string, unknown>>, side: 'bids' | 'asks'): Level3OrderMessage[] {
  return wsArray(entry[side], `level3.${side}`).map((order) => {
    const fields = wsRecord(order, `level3.${side}[]`);
    return {
      event: fields.event,
      order_id: fields.order_id,
      limit_price: exactText(fields.limit_price),
      order_qty: exactText(fields.order_qty),
      ...(typeof fields.timestamp === 'string' ? { timestamp: fields.timestamp } : {}),
    } as Level3OrderMessage;
  });
}

/**
 * One `level3` data entry (spec §8.11), as parseLosslessJson or JSON.parse gives it, in the form
 * L3Book.apply takes. Each order's fields are passed on for the book to check (it names the field
 * and value it cannot read); sides that are not arrays and orders that are not objects are an
 * ExchangeError here. `symbol` is the entry's, already looked up by the caller.
 */
export function parseLevel3Entry(type: 'snapshot' | 'update', symbol: string, entry: Readonly<Record<string, unknown>>): Level3Message {
  return { type, symbol, checksum: Number(String(entry.checksum)), bids: readOrders(entry, 'bids'), asks: readOrders(entry, 'asks') };
}
