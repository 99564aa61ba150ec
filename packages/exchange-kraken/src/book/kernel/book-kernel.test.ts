import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { crc32OfText } from '../crc32.js';
import { L2Book } from '../l2-book.js';

/** Deterministic numbers in [0, 1). */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** A decimal string of `digits` random digits (no leading zero) at `precision` decimals. */
function decimalText(random: () => number, digits: number, precision: number): { text: string; scaled: bigint } {
  let integer = String(1 + Math.floor(random() * 9));
  for (let digit = 1; digit < digits; digit++) integer += String(Math.floor(random() * 10));
  const scaled = BigInt(integer);
  const padded = integer.padStart(precision + 1, '0');
  return { text: `${padded.slice(0, padded.length - precision)}.${padded.slice(padded.length - precision)}`, scaled };
}

describe('book kernel', () => {
  it('is what assembly/book-kernel.ts compiles to (run build:kernel after changing it)', () => {
    const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const output = execFileSync(process.execPath, ['scripts/build-book-kernel.mjs', '--check'], { cwd: packageRoot, encoding: 'utf8' });
    expect(output).toMatch(/^book kernel up to date \(\d+ bytes\)/);
  }, 120_000);

  it('keeps the checksum of a model book over levels of 1 to 44 digits, keys beyond 2^53 that round alike, and other books made and dropped alongside', () => {
    const precision = 10;
    const depth = 30;
    const random = randomSource(2026);
    const book = new L2Book({ instrumentId: instrumentId('BIG/USD'), pricePrecision: precision, quantityPrecision: precision, depth });
    const model = { bid: new Map<bigint, bigint>(), ask: new Map<bigint, bigint>() };
    // Prices from a pool per side, so sets land on existing levels too: up to 22 digits, and
    // pairs one unit apart far beyond 2^53 (equal as one double, told apart by their two parts).
    const pools = { bid: [] as { text: string; scaled: bigint }[], ask: [] as { text: string; scaled: bigint }[] };
    for (const side of ['bid', 'ask'] as const) {
      for (let index = 0; index < 40; index++) pools[side].push(decimalText(random, 1 + Math.floor(random() * 22), precision));
      for (const base of [123456789012345678901n, 987654321098765432109n]) {
        for (const offset of [0n, 1n, 2n]) {
          const scaled = base + offset;
          const digits = scaled.toString();
          pools[side].push({ text: `${digits.slice(0, digits.length - precision)}.${digits.slice(digits.length - precision)}`, scaled });
        }
      }
    }
    const sorted = (side: 'bid' | 'ask'): [bigint, bigint][] =>
      [...model[side].entries()].sort((a, b) => (side === 'ask' ? (a[0] < b[0] ? -1 : 1) : a[0] > b[0] ? -1 : 1));
    const expected = (): number =>
      crc32OfText(
        [...sorted('ask').slice(0, 10), ...sorted('bid').slice(0, 10)].map(([price, quantity]) => `${price}${quantity === 0n ? '' : quantity}`).join(''),
      );
    let others: L2Book[] = [];
    let bidDigitsSeen = 0;
    for (let step = 0; step < 6_000; step++) {
      const side = random() < 0.5 ? 'bid' : 'ask';
      const price = pools[side][Math.floor(random() * pools[side].length)]!;
      const deleting = random() < 0.25;
      const quantity = deleting ? { text: '0', scaled: 0n } : decimalText(random, 1 + Math.floor(random() * 22), precision);
      expect(book.setLevel(side, price.text, quantity.text)).toBe(true);
      if (deleting) model[side].delete(price.scaled);
      else model[side].set(price.scaled, quantity.scaled);
      book.truncate();
      for (const each of ['bid', 'ask'] as const) model[each] = new Map(sorted(each).slice(0, depth));
      expect(book.checksum(), `step ${step}`).toBe(expected());
      bidDigitsSeen = Math.max(bidDigitsSeen, sorted('bid').slice(0, 10).reduce((sum, [p, q]) => sum + `${p}${q}`.length, 0));
      // Other books share the kernel's memory: made, filled and dropped while this one lives.
      if (random() < 0.05) {
        const other = new L2Book({ instrumentId: instrumentId('OTHER/USD'), pricePrecision: 2, quantityPrecision: 4, depth: 100 });
        for (let level = 0; level < 200; level++) other.setLevel(level % 2 === 0 ? 'bid' : 'ask', (100 + level).toFixed(2), '1.5');
        others.push(other);
        if (others.length > 4) others = others.slice(1);
      }
    }
    // The joins covered advances of several multiples of 64 digits.
    expect(bidDigitsSeen).toBeGreaterThan(256);
    for (const side of ['bid', 'ask'] as const) {
      const levels = sorted(side).filter(([price, quantity]) => price < 2n ** 53n && quantity < 2n ** 53n);
      for (const [price, quantity] of levels.slice(0, 5)) {
        const index = sorted(side).findIndex(([each]) => each === price);
        expect(book.scaledLevel(side, index)).toEqual({ price: Number(price), quantity: Number(quantity) });
      }
    }
  });

  it('keeps each book apart: thousands of books made and filled in turn, the first unchanged', () => {
    const first = new L2Book({ instrumentId: instrumentId('BTC/USD'), pricePrecision: 1, quantityPrecision: 8, depth: 10 });
    first.setLevel('ask', '30000.1', '1.25');
    first.setLevel('bid', '29999.9', '0.5');
    const checksum = first.checksum();
    for (let index = 0; index < 2_000; index++) {
      const book = new L2Book({ instrumentId: instrumentId('ETH/USD'), pricePrecision: 2, quantityPrecision: 8, depth: 1000 });
      for (let level = 0; level < 50; level++) book.setLevel('ask', (2000 + level).toFixed(2), '0.1');
      expect(book.askCount).toBe(50);
    }
    expect(first.checksum()).toBe(checksum);
    expect(first.bestAsk()).toEqual({ price: 30000.1, quantity: 1.25 });
    expect(first.bestBid()).toEqual({ price: 29999.9, quantity: 0.5 });
  });
});
