import { instrumentId as toInstrumentId, silentLogger, type BookHealth as CoreBookHealth, type InstrumentId, type Logger } from '@kbot/core';
import type { BookEntryScan, BookMessageScan } from '../ws/parse-book.js';
import { COMPACT_UPDATE_DECLINED, COMPACT_UPDATE_MISMATCH, L2Book, SCANNED_ENTRY_MISMATCH, SCANNED_ENTRY_UNREADABLE } from './l2-book.js';

/** Why a book was dropped. */
/** Why a book was dropped; `disconnected`: the connection closed, and the reconnection subscribes again. */
export type BookResyncReason = 'checksum' | 'unreadable-level' | 'precision-changed' | 'disconnected';

/**
 * A book's health, reported on every resync and every (re)synchronising snapshot: core's
 * BookHealth (what the engine hands its risk policies), with Kraken's symbol and checksums.
 */
export interface BookHealth extends CoreBookHealth {
  /** Kraken's symbol (`BTC/USD`). */
  readonly symbol: string;
  readonly reason?: BookResyncReason;
  /** With reason `checksum`: Kraken's value and ours. */
  readonly expectedChecksum?: number;
  readonly computedChecksum?: number;
}

export interface BookPrecision {
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
}

export interface TrackBookOptions extends BookPrecision {
  /** The subscribed depth (spec §8.7: 10, 25, 100, 500 or 1000). */
  readonly depth: number;
  /** kbot's id for the symbol; defaults to the symbol itself (v2 symbols are already `BASE/QUOTE`). */
  readonly instrumentId?: InstrumentId;
}

export interface BookKeeperOptions {
  /** A verified book after each message that changed it; the book is live, copy what you keep. */
  readonly onBook?: (book: L2Book) => void;
  readonly onBookHealth?: (health: BookHealth) => void;
  /** Asks for a fresh snapshot (unsubscribe + subscribe, or reconnect). Updates are ignored until it arrives. */
  readonly requestResync?: (symbol: string, depth: number) => void;
  readonly logger?: Logger;
  /** Wall clock, epoch ms. */
  readonly now?: () => number;
}

interface TrackedBook {
  readonly symbol: string;
  book: L2Book;
  awaitingSnapshot: boolean;
  snapshotAt: number;
  mismatches: number;
  resyncs: number;
}

/**
 * Keeps one checksum-verified L2 book per symbol from scanned `book` messages (spec §9.1):
 * a snapshot replaces the book, an update sets or deletes levels, each side is truncated to the
 * subscribed depth, and the checksum is compared on every message. A mismatch never stops the
 * feed: it is reported, the book is dropped, a fresh snapshot is requested and updates are
 * ignored until it arrives.
 */
export class BookKeeper {
  readonly #books = new Map<string, TrackedBook>();
  readonly #options: BookKeeperOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #warnedSymbols = new Set<string>();
  // The last symbol looked up and its book: messages nearly always repeat the symbol (the
  // scanner even keeps the same string), and a Map lookup per message is measurable.
  #lastSymbol: string | undefined;
  #lastTracked: TrackedBook | undefined;

  constructor(options: BookKeeperOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Starts keeping the book of `symbol`. Tracking again with another precision or depth replaces
   * the book, and a book already fed is resynchronised (its levels were read at the old precision).
   */
  track(symbol: string, options: TrackBookOptions): L2Book {
    this.#lastSymbol = undefined;
    const existing = this.#books.get(symbol);
    if (
      existing !== undefined &&
      existing.book.depth === options.depth &&
      existing.book.pricePrecision === options.pricePrecision &&
      existing.book.quantityPrecision === options.quantityPrecision
    ) {
      return existing.book;
    }
    const book = new L2Book({
      instrumentId: options.instrumentId ?? existing?.book.instrumentId ?? toInstrumentId(symbol),
      pricePrecision: options.pricePrecision,
      quantityPrecision: options.quantityPrecision,
      depth: options.depth,
    });
    book.setWireSymbol(symbol);
    if (existing === undefined) {
      this.#books.set(symbol, { symbol, book, awaitingSnapshot: true, snapshotAt: this.#now(), mismatches: 0, resyncs: 0 });
      return book;
    }
    const fed = !existing.awaitingSnapshot;
    existing.book = book;
    existing.awaitingSnapshot = true;
    if (fed) this.#resync(existing, 'precision-changed');
    return book;
  }

  untrack(symbol: string): void {
    this.#lastSymbol = undefined;
    this.#books.delete(symbol);
  }

  book(symbol: string): L2Book | undefined {
    return this.#books.get(symbol)?.book;
  }

  symbols(): string[] {
    return [...this.#books.keys()];
  }

  /**
   * Drops every book's levels until its next snapshot, e.g. when the connection is lost. With
   * `report`, each book that was verified is reported as a resync (`disconnected`): until the
   * reconnection's snapshot there is no verified book of it. The resubscription is the caller's.
   */
  resetAll(report = false): void {
    for (const tracked of this.#books.values()) {
      const wasVerified = !tracked.awaitingSnapshot;
      tracked.book.clear();
      tracked.awaitingSnapshot = true;
      if (report && wasVerified) {
        tracked.resyncs++;
        this.#options.onBookHealth?.(this.#health(tracked, 'resync', 'disconnected'));
      }
    }
  }

  /** Counters for one symbol. */
  health(symbol: string): BookHealth | undefined {
    const tracked = this.#books.get(symbol);
    return tracked === undefined ? undefined : this.#health(tracked, tracked.awaitingSnapshot ? 'resync' : 'synced');
  }

  /**
   * Applies a scanned `book` message: `message` is the one just scanned into `scan`, as text or
   * as bytes (see scanBookMessage).
   */
  apply(message: string | Uint8Array, scan: BookMessageScan): void {
    // Whether the scanner also read the level numbers (its fast path did): they need not be read
    // again, and the text is asked for only if a number has to be read from it.
    const scanned = scan.valuesSource === message;
    for (let index = 0; index < scan.entryCount; index++) this.#applyEntry(message, scan, scanned, scan.type, scan.entry(index));
  }

  /**
   * The busiest message's path: an update for the book of the last symbol applied, in Kraken's
   * compact layout, read and applied by the book kernel in one call (L2Book.applyCompactUpdate),
   * with the same outcome apply() would have: verified, or a mismatch that drops the book and
   * asks for a resync. False, with nothing changed, for any other message: the caller scans it
   * (scanBookMessage) and calls apply().
   */
  applyBytes(bytes: Uint8Array): boolean {
    const tracked = this.#lastTracked;
    if (tracked === undefined || tracked.awaitingSnapshot || tracked.symbol !== this.#lastSymbol) return false;
    const book = tracked.book;
    const outcome = book.applyCompactUpdate(bytes);
    if (outcome === COMPACT_UPDATE_DECLINED) return false;
    if (outcome === COMPACT_UPDATE_MISMATCH) {
      this.#mismatch(tracked, book.lastUpdateChecksum());
      return true;
    }
    const time = book.lastUpdateTime();
    book.time = Number.isNaN(time) ? this.#now() : time;
    this.#options.onBook?.(book);
    return true;
  }

  #applyEntry(message: string | Uint8Array, scan: BookMessageScan, scanned: boolean, type: 'snapshot' | 'update', entry: BookEntryScan): void {
    let tracked = this.#lastTracked;
    if (entry.symbol !== this.#lastSymbol) {
      tracked = this.#books.get(entry.symbol);
      this.#lastSymbol = entry.symbol;
      this.#lastTracked = tracked;
    }
    if (tracked === undefined) {
      if (!this.#warnedSymbols.has(entry.symbol)) {
        this.#warnedSymbols.add(entry.symbol);
        this.#logger.warn('Kraken book message for a symbol without a tracked book; ignored', { symbol: entry.symbol });
      }
      return;
    }
    const book = tracked.book;
    if (type === 'snapshot') {
      book.clear();
      tracked.awaitingSnapshot = false;
      tracked.snapshotAt = this.#now();
    } else if (tracked.awaitingSnapshot) {
      return;
    }
    if (scanned) {
      const outcome = book.applyScannedEntry(scan, entry);
      if (outcome === SCANNED_ENTRY_UNREADABLE) return this.#unreadable(tracked);
      if (outcome === SCANNED_ENTRY_MISMATCH) return this.#mismatch(tracked, entry.checksum);
    } else {
      // The offsets index the text the general scanner read: the message, or the bytes' text.
      const text = typeof message === 'string' ? message : scan.text();
      const bids = entry.bids;
      const asks = entry.asks;
      let readable = true;
      for (let level = 0; level < entry.bidCount; level++) {
        const at = level * 4;
        readable = book.setLevelText('bid', text, bids[at]!, bids[at + 1]!, bids[at + 2]!, bids[at + 3]!) && readable;
      }
      for (let level = 0; level < entry.askCount; level++) {
        const at = level * 4;
        readable = book.setLevelText('ask', text, asks[at]!, asks[at + 1]!, asks[at + 2]!, asks[at + 3]!) && readable;
      }
      book.truncate();
      if (!readable) return this.#unreadable(tracked);
      // `| 0`: Kraken's unsigned value as the signed one, so no heap number is made to pass it.
      if (entry.checksum >= 0 && !book.checksumMatches(entry.checksum | 0)) return this.#mismatch(tracked, entry.checksum);
    }
    book.time = Number.isNaN(entry.timestamp) ? this.#now() : entry.timestamp;
    if (type === 'snapshot') this.#options.onBookHealth?.(this.#health(tracked, 'synced'));
    this.#options.onBook?.(book);
  }

  #unreadable(tracked: TrackedBook): void {
    const book = tracked.book;
    this.#logger.warn('Kraken book level not readable at the instrument precision; resynchronising', {
      symbol: tracked.symbol,
      pricePrecision: book.pricePrecision,
      quantityPrecision: book.quantityPrecision,
    });
    this.#resync(tracked, 'unreadable-level');
  }

  #mismatch(tracked: TrackedBook, expectedChecksum: number): void {
    tracked.mismatches++;
    this.#resync(tracked, 'checksum', expectedChecksum, tracked.book.checksum());
  }

  #resync(tracked: TrackedBook, reason: BookResyncReason, expectedChecksum?: number, computedChecksum?: number): void {
    tracked.resyncs++;
    const health = this.#health(tracked, 'resync', reason, expectedChecksum, computedChecksum);
    tracked.book.clear();
    tracked.awaitingSnapshot = true;
    this.#logger.warn('Kraken book dropped; requesting a fresh snapshot', { ...health });
    this.#options.onBookHealth?.(health);
    this.#options.requestResync?.(tracked.symbol, tracked.book.depth);
  }

  #health(tracked: TrackedBook, status: 'synced' | 'resync', reason?: BookResyncReason, expectedChecksum?: number, computedChecksum?: number): BookHealth {
    return bookHealthReport({ symbol: tracked.symbol, instrumentId: tracked.book.instrumentId, book: 'l2', counters: tracked, status, now: this.#now(), reason, expectedChecksum, computedChecksum });
  }
}

/** What a checked book counts between its reports: the L2 keeper's and the level3 client's alike. */
export interface BookHealthCounters {
  readonly mismatches: number;
  readonly resyncs: number;
  /** When its last snapshot arrived (epoch ms). */
  readonly snapshotAt: number;
}

/** One book-health report from a book's counters, at `now`. */
export function bookHealthReport(report: {
  readonly symbol: string;
  readonly instrumentId: InstrumentId;
  readonly book: 'l2' | 'l3';
  readonly counters: BookHealthCounters;
  readonly status: 'synced' | 'resync';
  readonly now: number;
  readonly reason?: BookResyncReason | undefined;
  readonly expectedChecksum?: number | undefined;
  readonly computedChecksum?: number | undefined;
}): BookHealth {
  const { counters, reason, expectedChecksum, computedChecksum } = report;
  return {
    instrumentId: report.instrumentId,
    symbol: report.symbol,
    time: report.now,
    book: report.book,
    status: report.status,
    mismatches: counters.mismatches,
    resyncs: counters.resyncs,
    ageMs: Math.max(0, report.now - counters.snapshotAt),
    ...(reason === undefined ? {} : { reason }),
    ...(expectedChecksum === undefined ? {} : { expectedChecksum }),
    ...(computedChecksum === undefined ? {} : { computedChecksum }),
  };
}
