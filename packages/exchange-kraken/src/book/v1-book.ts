import { instrumentId } from '@kbot/core';
import { parseAsset } from '../parse/asset.js';
import { L2Book } from './l2-book.js';
import { decimalsInText } from './scaled-decimal.js';

/*
 * Kraken's legacy WebSocket v1 book, kept only to replay recorded v1 sessions (the live adapter
 * speaks v2). v1 sends prices and volumes as fixed-precision strings, so JSON.parse is lossless
 * and the precision is read off the snapshot's strings; the checksum is the v2 one (top ten asks
 * then bids, '.' removed, leading zeros stripped).
 */

/** `[price, volume, timestamp, "r"?]` as v1 sends it. */
export type V1BookLevel = readonly [price: string, volume: string, ...rest: unknown[]];

export interface V1BookMessage {
  readonly channelName: string;
  /** v1 pair name (`XBT/CHF`). */
  readonly pair: string;
  readonly snapshot: boolean;
  readonly asks: readonly V1BookLevel[];
  readonly bids: readonly V1BookLevel[];
  /** Kraken's CRC-32 (updates only); undefined when absent. */
  readonly checksum: number | undefined;
}

function isLevelList(value: unknown): value is V1BookLevel[] {
  return Array.isArray(value) && value.every((level) => Array.isArray(level) && typeof level[0] === 'string' && typeof level[1] === 'string');
}

/**
 * A parsed v1 message (`[channelID, {as,bs} | {a}, {b,c}?, "book-N", pair]`) → its book content;
 * undefined for anything else (events, heartbeats, other channels).
 */
export function parseV1BookMessage(message: unknown): V1BookMessage | undefined {
  if (!Array.isArray(message) || message.length < 4) return undefined;
  const channelName = message[message.length - 2];
  const pair = message[message.length - 1];
  if (typeof channelName !== 'string' || !channelName.startsWith('book') || typeof pair !== 'string') return undefined;
  let snapshot = false;
  const asks: V1BookLevel[] = [];
  const bids: V1BookLevel[] = [];
  let checksum: number | undefined;
  for (const part of message.slice(1, -2)) {
    if (typeof part !== 'object' || part === null) return undefined;
    const fields = part as Record<string, unknown>;
    if (fields.as !== undefined || fields.bs !== undefined) snapshot = true;
    for (const [key, target] of [['as', asks], ['a', asks], ['bs', bids], ['b', bids]] as const) {
      const levels = fields[key];
      if (levels === undefined) continue;
      if (!isLevelList(levels)) return undefined;
      target.push(...levels);
    }
    if (typeof fields.c === 'string' && /^\d+$/.test(fields.c)) checksum = Number(fields.c);
  }
  return { channelName, pair, snapshot, asks, bids, checksum };
}

export type V1BookOutcome = 'snapshot' | 'verified' | 'mismatch' | 'unverified' | 'no-book';

/** A v1 pair name (`XBT/CHF`) as kbot's instrument id (`BTC/CHF`). */
export function v1InstrumentId(pair: string): string {
  const [base, quote] = pair.split('/');
  return base !== undefined && quote !== undefined ? `${parseAsset(base)}/${parseAsset(quote)}` : pair;
}

/** Replays v1 `book` messages into one L2Book per pair, checking each update's checksum. */
export class V1BookReplay {
  readonly #books = new Map<string, L2Book>();

  book(pair: string): L2Book | undefined {
    return this.#books.get(pair);
  }

  /** Applies one parsed v1 book message; a mismatched book is kept as is, for the caller to decide. */
  apply(message: V1BookMessage): V1BookOutcome {
    if (message.snapshot) {
      const depth = Number(/^book-(\d+)$/.exec(message.channelName)?.[1] ?? 1000);
      const all = [...message.asks, ...message.bids];
      const book = new L2Book({
        instrumentId: instrumentId(v1InstrumentId(message.pair)),
        pricePrecision: Math.max(0, ...all.map((level) => decimalsInText(level[0]))),
        quantityPrecision: Math.max(0, ...all.map((level) => decimalsInText(level[1]))),
        depth,
      });
      this.#books.set(message.pair, book);
      if (!this.#setLevels(book, message)) return 'mismatch';
      book.truncate();
      return 'snapshot';
    }
    const book = this.#books.get(message.pair);
    if (book === undefined) return 'no-book';
    const readable = this.#setLevels(book, message);
    book.truncate();
    if (message.checksum === undefined) return readable ? 'unverified' : 'mismatch';
    return readable && book.checksum() === message.checksum ? 'verified' : 'mismatch';
  }

  #setLevels(book: L2Book, message: V1BookMessage): boolean {
    let readable = true;
    for (const level of message.asks) readable = book.setLevel('ask', level[0], level[1]) && readable;
    for (const level of message.bids) readable = book.setLevel('bid', level[0], level[1]) && readable;
    return readable;
  }
}
