import { describe, expect, it } from 'vitest';
import { BookSide } from './book-side.js';
import { CRC32_INITIAL, crc32Advance, crc32Scaled } from './crc32.js';
import { SCALE_CHUNK } from './scaled-decimal.js';

/** Deterministic numbers in [0, 1). */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function setLevel(side: BookSide, price: number, quantity: number): void {
  const priceHigh = Math.floor(price / SCALE_CHUNK);
  const quantityHigh = Math.floor(quantity / SCALE_CHUNK);
  side.set(priceHigh, price - priceHigh * SCALE_CHUNK, quantityHigh, quantity - quantityHigh * SCALE_CHUNK);
}

function levelsOf(side: BookSide): [number, number][] {
  return Array.from({ length: side.length }, (_, index) => [side.priceAt(index), side.quantityAt(index)] as [number, number]);
}

/**
 * The run over the side's levels 0 … count - 1 as the checksum feeds them, from the contribution
 * and digit count the side keeps for each level: `states[i]` is the register before level i.
 */
function feedLevels(side: BookSide, count: number): { states: number[]; lengths: number[] } {
  const states = [CRC32_INITIAL];
  const lengths = [0];
  for (let index = 0; index < count; index++) {
    const digits = side.levelDigitCount(index);
    states.push(crc32Advance(states[index]!, digits) ^ side.levelContribution(index));
    lengths.push(lengths[index]! + digits);
  }
  return { states, lengths };
}

describe('BookSide', () => {
  for (const kind of ['bid', 'ask'] as const) {
    it(`keeps a deep ${kind} side in order through updates at the top, in the middle and at the bottom`, () => {
      const random = randomSource(kind === 'bid' ? 3 : 5);
      const depth = 1000;
      // Starts small so the buffer has to grow and the levels move within it many times.
      const side = new BookSide(kind, 8);
      const model = new Map<number, number>();
      const better = (a: number, b: number): number => (kind === 'bid' ? b - a : a - b);
      const sorted = (): [number, number][] => [...model.entries()].sort((a, b) => better(a[0], b[0]));
      for (let step = 0; step < 30_000; step++) {
        const ordered = sorted();
        const where = random();
        let price: number;
        if (ordered.length === 0 || where < 0.05) price = 1 + Math.floor(random() * 1e6);
        else if (where < 0.7) price = ordered[Math.min(ordered.length - 1, Math.floor(-Math.log(1 - random()) * 6))]![0] + (random() < 0.5 ? 0 : Math.floor(random() * 7) - 3);
        else if (where < 0.85) price = ordered[Math.floor(random() * ordered.length)]![0] + Math.floor(random() * 5) - 2;
        else price = ordered.at(-1)![0] + (kind === 'bid' ? -1 : 1) * (1 + Math.floor(random() * 20));
        if (price <= 0) continue;
        // A few prices beyond 2^53 / 10^8 exercise the two-part keys.
        if (step % 997 === 0) price += 3 * SCALE_CHUNK * SCALE_CHUNK;
        const quantity = random() < 0.3 ? 0 : 1 + Math.floor(random() * 1e10);
        setLevel(side, price, quantity);
        if (quantity === 0) model.delete(price);
        else model.set(price, quantity);
        if (random() < 0.8) {
          side.truncate(depth);
          const kept = sorted().slice(0, depth);
          model.clear();
          for (const [keptPrice, keptQuantity] of kept) model.set(keptPrice, keptQuantity);
        }
        if (step % 500 === 0) expect(levelsOf(side)).toEqual(sorted());
      }
      side.truncate(depth);
      expect(levelsOf(side)).toEqual(sorted().slice(0, depth));
      side.clear();
      expect(side.length).toBe(0);
    });
  }

  it('feeds the levels into a CRC-32 as the digits of each price then quantity, remembering the register and digit count after each', () => {
    const random = randomSource(9);
    const side = new BookSide('ask', 4, CRC32_INITIAL);
    for (let index = 0; index < 40; index++) setLevel(side, 1 + Math.floor(random() * 1e12), 1 + Math.floor(random() * 1e12));
    for (let round = 0; round < 3; round++) {
      const { states, lengths } = feedLevels(side, side.length);
      side.updateTopRun();
      let crc = CRC32_INITIAL;
      let digits = 0;
      for (let index = 0; index < side.length; index++) {
        const price = side.priceAt(index);
        const quantity = side.quantityAt(index);
        crc = crc32Scaled(crc32Scaled(crc, Math.floor(price / SCALE_CHUNK), price % SCALE_CHUNK), Math.floor(quantity / SCALE_CHUNK), quantity % SCALE_CHUNK);
        digits += String(price).length + String(quantity).length;
        expect(states[index + 1]).toBe(crc);
        expect(lengths[index + 1]).toBe(digits);
        if (index === 9) {
          // The side's own run over the top ten, fed again from the changed level only.
          expect(side.topRegister).toBe(crc);
          expect(side.topDigits).toBe(digits);
        }
      }
      // A changed quantity is fed with its new digits the next time.
      setLevel(side, side.priceAt(3), 1 + Math.floor(random() * 1e9));
    }
  });

  for (const kind of ['bid', 'ask'] as const) {
    it(`keeps each ${kind} level's checksum digits through inserts, deletes, shifts and growth, worked out at once in the top ten and when first fed below`, () => {
      const random = randomSource(kind === 'bid' ? 17 : 19);
      // Starts small so the levels (and the checksum integers sharing their buffer) move and grow often.
      const side = new BookSide(kind, 4, CRC32_INITIAL);
      const model = new Map<number, number>();
      const better = (a: number, b: number): number => (kind === 'bid' ? b - a : a - b);
      const sorted = (): [number, number][] => [...model.entries()].sort((a, b) => better(a[0], b[0]));
      const expectFed = (count: number): void => {
        const { states, lengths } = feedLevels(side, count);
        let crc = CRC32_INITIAL;
        let digits = 0;
        for (const [index, [price, quantity]] of sorted().slice(0, count).entries()) {
          crc = crc32Scaled(crc32Scaled(crc, Math.floor(price / SCALE_CHUNK), price % SCALE_CHUNK), Math.floor(quantity / SCALE_CHUNK), quantity % SCALE_CHUNK);
          digits += String(price).length + String(quantity).length;
          expect(states[index + 1], `level ${index}`).toBe(crc);
          expect(lengths[index + 1], `level ${index}`).toBe(digits);
        }
        if (count === Math.min(10, side.length)) {
          side.updateTopRun();
          expect(side.topRegister).toBe(crc);
          expect(side.topDigits).toBe(digits);
        }
      };
      for (let step = 0; step < 6_000; step++) {
        const ordered = sorted();
        const where = random();
        let price: number;
        if (ordered.length < 12 || where < 0.1) price = 1_000_000 + Math.floor(random() * 10_000);
        else if (where < 0.8) price = ordered[Math.min(ordered.length - 1, Math.floor(-Math.log(1 - random()) * 5))]![0] + Math.floor(random() * 5) - 2;
        else price = ordered[Math.floor(random() * ordered.length)]![0] + (random() < 0.5 ? 0 : 1);
        // Now and then a quantity beyond 10^8 (a high part), as a 1e11-token book has.
        const quantity = random() < 0.3 ? 0 : 1 + Math.floor(random() * (step % 13 === 0 ? 1e13 : 1e9));
        setLevel(side, price, quantity);
        if (quantity === 0) model.delete(price);
        else model.set(price, quantity);
        if (side.length > 60) {
          side.truncate(40);
          const kept = sorted().slice(0, 40);
          model.clear();
          for (const [keptPrice, keptQuantity] of kept) model.set(keptPrice, keptQuantity);
        }
        expectFed(Math.min(10, side.length));
        // Every level now and then: the deeper ones are worked out on this first feed.
        if (step % 97 === 0) expectFed(side.length);
      }
    });
  }
});
