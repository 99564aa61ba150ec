import { readFileSync } from 'node:fs';
import { instrumentId as toInstrumentId, type InstrumentId } from '@kbot/core';
import { parseV1BookMessage, v1InstrumentId as v1Id } from '../book/v1-book.js';

/*
 * A recorded Kraken WebSocket book stream as a simulator market: the book Kraken sent, message by
 * message, at the times it arrived. Two layouts of ../shared/data are read:
 *
 * - WebSocket v2 (`{ "init": <book snapshot message>, "updates": [<book update message>, ...] }`,
 *   python-kraken-sdk's recording): prices and quantities as JSON numbers, times from each
 *   update's `timestamp` (the snapshot has none: it is placed 1 ms before the first update).
 * - WebSocket v1 as cryptofeed records it (`<receive time>: <message>` lines, `wss://…` lines
 *   being the client's side): `book-N` messages of one pair (`pair` option, else the first pair
 *   with a book), times from the receive stamps.
 */

/** One book message: the levels it sets (quantity 0 deletes), or the whole book for a snapshot. */
export interface RecordedBookEvent {
  /** Epoch ms. */
  readonly time: number;
  readonly snapshot: boolean;
  readonly bids: readonly (readonly [price: number, quantity: number])[];
  readonly asks: readonly (readonly [price: number, quantity: number])[];
}

export interface RecordedBookStream {
  readonly file: string;
  readonly format: 'kraken-ws-v2-book' | 'kraken-ws-v1-cryptofeed';
  readonly instrumentId: InstrumentId;
  /**
   * Levels per side of the first snapshot: the depth the recording subscribed to. Kraken sends no
   * delete for a level that leaves that depth, so a book kept from the stream is truncated to it.
   */
  readonly depth: number;
  /** In time order, a snapshot first. */
  readonly events: readonly RecordedBookEvent[];
}

/** Whether `text` (a file's start) is one of the recorded stream layouts, not a bar file. */
export function looksLikeRecordedBookStream(text: string): boolean {
  const start = text.trimStart();
  return /^\{\s*"init"\s*:/.test(start) || start.startsWith('wss://') || /^\d+(\.\d+)?: [[{]/.test(start);
}

/** Reads a recorded book stream; throws an Error naming the file, the line or message, and what was expected. */
export function readRecordedBookStream(file: string, options: { readonly pair?: string } = {}): RecordedBookStream {
  const text = readFileSync(file, 'utf8');
  const stream = text.trimStart().startsWith('{') ? readV2(file, text) : readV1(file, text, options.pair);
  if (options.pair !== undefined && stream.instrumentId !== toInstrumentId(options.pair)) {
    throw new Error(`${file}: the recording is of ${stream.instrumentId}, not ${options.pair}`);
  }
  return stream;
}

function readV2(file: string, text: string): RecordedBookStream {
  let recording: { init?: unknown; updates?: unknown };
  try {
    recording = JSON.parse(text) as { init?: unknown; updates?: unknown };
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(recording.updates)) throw new Error(`${file}: "updates" is ${describe(recording.updates)}, expected an array of book update messages`);
  const messages = [recording.init, ...recording.updates];
  const entries = messages.map((message, index) => v2Entry(file, message, index === 0 ? 'init' : `updates[${index - 1}]`));
  const symbol = entries[0]!.symbol;
  const firstUpdate = entries.find((entry, index) => index > 0 && entry.time !== undefined)?.time;
  if (firstUpdate === undefined) throw new Error(`${file}: no update has a timestamp, expected Kraken's RFC 3339 "timestamp" on the updates`);
  const events: RecordedBookEvent[] = [];
  entries.forEach((entry, index) => {
    const where = index === 0 ? 'init' : `updates[${index - 1}]`;
    if (entry.symbol !== symbol) throw new Error(`${file}: ${where} is of ${entry.symbol}, expected ${symbol} (one pair per recording)`);
    if ((index === 0) !== entry.snapshot) throw new Error(`${file}: ${where} is ${entry.snapshot ? 'a snapshot' : 'an update'}, expected ${index === 0 ? 'the snapshot' : 'an update'}`);
    const time = entry.time ?? (index === 0 ? firstUpdate - 1 : events[events.length - 1]!.time);
    events.push({ time: Math.max(time, events[events.length - 1]?.time ?? time), snapshot: entry.snapshot, bids: entry.bids, asks: entry.asks });
  });
  return { file, format: 'kraken-ws-v2-book', instrumentId: toInstrumentId(symbol), depth: snapshotDepth(events), events };
}

function v2Entry(file: string, message: unknown, where: string): { symbol: string; snapshot: boolean; time: number | undefined; bids: [number, number][]; asks: [number, number][] } {
  const fields = message as { channel?: unknown; type?: unknown; data?: unknown } | null;
  const entry = Array.isArray(fields?.data) ? (fields.data[0] as Record<string, unknown> | undefined) : undefined;
  if (fields?.channel !== 'book' || (fields.type !== 'snapshot' && fields.type !== 'update') || entry === undefined || typeof entry.symbol !== 'string') {
    throw new Error(`${file}: ${where} is ${describe(message)}, expected a Kraken v2 book message ({ channel: "book", type, data: [{ symbol, bids, asks }] })`);
  }
  const levels = (side: 'bids' | 'asks'): [number, number][] => {
    const list = entry[side];
    if (!Array.isArray(list)) throw new Error(`${file}: ${where}.data[0].${side} is ${describe(list)}, expected an array of { price, qty }`);
    return list.map((level: { price?: unknown; qty?: unknown }, index) => {
      if (typeof level?.price !== 'number' || typeof level.qty !== 'number' || !(level.price > 0) || !(level.qty >= 0)) {
        throw new Error(`${file}: ${where}.data[0].${side}[${index}] is ${describe(level)}, expected { price > 0, qty >= 0 } as numbers`);
      }
      return [level.price, level.qty];
    });
  };
  let time: number | undefined;
  if (entry.timestamp !== undefined) {
    time = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : Number.NaN;
    if (!Number.isFinite(time)) throw new Error(`${file}: ${where}.data[0].timestamp is ${describe(entry.timestamp)}, expected an RFC 3339 time`);
  }
  return { symbol: entry.symbol, snapshot: fields.type === 'snapshot', time, bids: levels('bids'), asks: levels('asks') };
}

function readV1(file: string, text: string, pair: string | undefined): RecordedBookStream {
  const wanted = pair === undefined ? undefined : toInstrumentId(pair);
  let chosen: string | undefined;
  const events: RecordedBookEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('wss://')) return;
    const colon = line.indexOf(': ');
    const stamp = Number(line.slice(0, colon));
    if (colon < 0 || !Number.isFinite(stamp)) throw new Error(`${file}:${index + 1}: expected "<receive time in seconds>: <message>", received ${describe(line.slice(0, 60))}`);
    let message: unknown;
    try {
      message = JSON.parse(line.slice(colon + 2));
    } catch (error) {
      throw new Error(`${file}:${index + 1}: the message is not JSON (${(error as Error).message})`, { cause: error });
    }
    const book = parseV1BookMessage(message);
    if (book === undefined) return;
    const id = v1InstrumentId(book.pair);
    if (chosen === undefined) {
      if (wanted !== undefined && id !== wanted) return;
      if (!book.snapshot) return;
      chosen = book.pair;
    }
    if (book.pair !== chosen) return;
    const levels = (list: typeof book.bids) => list.map(([price, volume]) => [Number(price), Number(volume)] as const);
    events.push({ time: Math.round(stamp * 1000), snapshot: book.snapshot, bids: levels(book.bids), asks: levels(book.asks) });
  });
  if (chosen === undefined) throw new Error(`${file}: no book snapshot${pair === undefined ? '' : ` of ${pair}`}, expected a cryptofeed recording of Kraken v1 book-N messages`);
  return { file, format: 'kraken-ws-v1-cryptofeed', instrumentId: v1InstrumentId(chosen), depth: snapshotDepth(events), events };
}

function snapshotDepth(events: readonly RecordedBookEvent[]): number {
  const snapshot = events[0]!;
  return Math.max(1, snapshot.bids.length, snapshot.asks.length);
}

function v1InstrumentId(pair: string): InstrumentId {
  return toInstrumentId(v1Id(pair));
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
