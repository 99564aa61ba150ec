import type { BookHealth } from '@kbot/core';

/** A book as the operator names it: the pair, and `level3` for an order-by-order one. */
export function bookName(health: Pick<BookHealth, 'instrumentId' | 'book'>): string {
  return health.book === 'l3' ? `${health.instrumentId} level3` : health.instrumentId;
}

/** One book in `kbot status --json` (`details.books`): the latest report on it, as plain JSON. */
export interface BookStatusEntry {
  readonly instrumentId: string;
  readonly book: 'l2' | 'l3';
  readonly status: 'synced' | 'resync';
  readonly resyncs: number;
  readonly mismatches: number;
  readonly reason?: string;
  /** When the report came (ISO time). */
  readonly at: string;
}

export function bookStatusEntry(health: BookHealth): BookStatusEntry {
  return {
    instrumentId: health.instrumentId,
    book: health.book ?? 'l2',
    status: health.status,
    resyncs: health.resyncs,
    mismatches: health.mismatches,
    ...(health.reason === undefined ? {} : { reason: health.reason }),
    at: new Date(health.time).toISOString(),
  };
}

function isBookStatusEntry(value: unknown): value is BookStatusEntry {
  const entry = value as Partial<BookStatusEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.instrumentId === 'string' && (entry.status === 'synced' || entry.status === 'resync') && typeof entry.resyncs === 'number' && typeof entry.mismatches === 'number';
}

/**
 * `BTC/USD verified (2 resyncs, 2 checksum mismatches), BTC/USD level3 resyncing`: the books of a
 * status for people; undefined when `value` is not a list of books (a bot of another version).
 */
export function bookStatusText(value: unknown): string | undefined {
  if (!Array.isArray(value) || !value.every(isBookStatusEntry)) return undefined;
  return value
    .map((entry) => {
      const counts = entry.resyncs === 0 ? '' : ` (${entry.resyncs} resync${entry.resyncs === 1 ? '' : 's'}, ${entry.mismatches} checksum mismatch${entry.mismatches === 1 ? '' : 'es'})`;
      return `${bookName({ instrumentId: entry.instrumentId as BookHealth['instrumentId'], book: entry.book })} ${entry.status === 'synced' ? 'verified' : 'resyncing'}${counts}`;
    })
    .join(', ');
}
