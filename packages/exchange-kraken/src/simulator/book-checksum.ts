import { crc32OfText } from '../book/crc32.js';

/**
 * Kraken's order book checksum (spec §9.2): CRC-32 (IEEE, as zlib) over the top 10 asks
 * ascending then the top 10 bids descending, each level written as price then quantity with
 * the `.` removed and leading zeros stripped. The texts must carry the pair's full fixed
 * precision (`0.10000000`, not `0.1`), which is why this takes text, not numbers.
 */

/** Standard CRC-32 of ASCII text, unsigned (the book's implementation: one CRC table in the package). */
export const crc32 = crc32OfText;

/** One value's contribution: `0.00100000` → `100000`. */
export function checksumPiece(text: string): string {
  return text.replace('.', '').replace(/^0+/, '');
}

export interface ChecksumLevel {
  /** Price with exactly the pair's price precision. */
  readonly price: string;
  /** Quantity with exactly the pair's quantity precision. */
  readonly qty: string;
}

/** Asks best (lowest) first and bids best (highest) first; only the first 10 of each count. */
export function bookChecksum(asks: readonly ChecksumLevel[], bids: readonly ChecksumLevel[]): number {
  let text = '';
  for (const level of asks.slice(0, 10)) text += checksumPiece(level.price) + checksumPiece(level.qty);
  for (const level of bids.slice(0, 10)) text += checksumPiece(level.price) + checksumPiece(level.qty);
  return crc32(text);
}
