import type { BookHealth } from '@kbot/core';

/** A book as the operator names it: the pair, and `level3` for an order-by-order one. */
export function bookName(health: BookHealth): string {
  return health.book === 'l3' ? `${health.instrumentId} level3` : health.instrumentId;
}

/** `BTC/USD verified (2 resyncs, 2 checksum mismatches)`, one book after another: for `kbot status`. */
export function bookHealthSummary(reports: Iterable<BookHealth>): string {
  return [...reports]
    .map((health) => {
      const counts = health.resyncs === 0 ? '' : ` (${health.resyncs} resync${health.resyncs === 1 ? '' : 's'}, ${health.mismatches} checksum mismatch${health.mismatches === 1 ? '' : 'es'})`;
      return `${bookName(health)} ${health.status === 'synced' ? 'verified' : 'resyncing'}${counts}`;
    })
    .join(', ');
}
