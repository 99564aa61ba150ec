import { describe, expect, it } from 'vitest';
import { Decimal } from '@kbot/core';
import { bookChecksum, checksumPiece, crc32, type ChecksumLevel } from './book-checksum.js';

// Spec §9.2 test vectors, formatted with the pair's fixed precision.
const fixed = (rows: readonly (readonly [number, number])[], priceDecimals: number, qtyDecimals: number): ChecksumLevel[] =>
  rows.map(([price, qty]) => ({ price: new Decimal(price).toFixed(priceDecimals), qty: new Decimal(qty).toFixed(qtyDecimals) }));

const A_BIDS = [
  [45283.5, 0.1], [45283.4, 1.54582015], [45282.1, 0.1], [45281.0, 0.1], [45280.3, 1.54592586],
  [45279.0, 0.0799], [45277.6, 0.03310103], [45277.5, 0.3], [45277.3, 1.54602737], [45276.6, 0.15445238],
] as const;
const A_ASKS = [
  [45285.2, 0.001], [45286.4, 1.54571953], [45286.6, 1.54571109], [45289.6, 1.54560911], [45290.2, 0.1589066],
  [45291.8, 1.54553491], [45294.7, 0.04454749], [45296.1, 0.3538], [45297.5, 0.09945542], [45299.5, 0.18772827],
] as const;
const B_BIDS = [
  [0.5666, 4831.75496356], [0.5665, 6658.22734739], [0.5664, 18724.91513344], [0.5663, 11563.92544914], [0.5662, 14006.65365711],
  [0.5661, 17454.85679807], [0.566, 18097.1547], [0.5659, 33644.89175666], [0.5658, 148.3464], [0.5657, 606.70854372],
] as const;
const B_ASKS = [
  [0.5668, 4410.79769741], [0.5669, 4655.40412487], [0.567, 49844.89424998], [0.5671, 24306.41678], [0.5672, 29783.25223475],
  [0.5673, 57234.71239278], [0.5674, 45065.04744], [0.5675, 5912.76380354], [0.5676, 42514.92434778], [0.5677, 36304.0847022],
] as const;

describe('bookChecksum', () => {
  it('matches the official checksum-guide vector A (3310070434), and not with the sides swapped', () => {
    const asks = fixed(A_ASKS, 1, 8);
    const bids = fixed(A_BIDS, 1, 8);
    expect(bookChecksum(asks, bids)).toBe(3310070434);
    expect(bookChecksum(bids, asks)).toBe(2704419326);
  });

  it('matches the book-channel vector B snapshot (2439117997) and its documented update (2114181697)', () => {
    const asks = fixed(B_ASKS, 4, 8);
    const bids = fixed(B_BIDS, 4, 8);
    expect(bookChecksum(asks, bids)).toBe(2439117997);
    const updated = bids.map((level) => (level.price === '0.5657' ? { price: '0.5657', qty: new Decimal('1098.3947558').toFixed(8) } : level));
    expect(bookChecksum(asks, updated)).toBe(2114181697);
  });

  it('gives the wrong answer for trimmed texts, which is why it takes fixed-precision text', () => {
    const trimmed = (rows: readonly (readonly [number, number])[]) => rows.map(([price, qty]) => ({ price: String(price), qty: String(qty) }));
    expect(bookChecksum(trimmed(B_ASKS), trimmed(B_BIDS))).toBe(3830085102);
  });

  it('strips the dot and leading zeros of each value', () => {
    expect(checksumPiece('0.00100000')).toBe('100000');
    expect(checksumPiece('45285.2')).toBe('452852');
    expect(checksumPiece('0.05000') + checksumPiece('0.00000304')).toBe('5000304');
  });

  it('computes the standard CRC-32 (same as zlib)', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });
});
