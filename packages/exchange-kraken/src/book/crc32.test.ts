import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CRC32_INITIAL, crc32Advance, crc32Byte, crc32Finish, crc32Integer, crc32LevelContribution, crc32OfText, crc32Scaled, levelDigits, scaledDigitCount } from './crc32.js';

const ASKS_A =
  '45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000452975994554245299518772827';
const BIDS_A =
  '452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000045277315460273745276615445238';

describe('crc32', () => {
  it('gives the standard CRC-32 check value of "123456789"', () => {
    expect(crc32OfText('123456789')).toBe(0xcbf43926);
    expect(crc32OfText('')).toBe(0);
  });

  it("reproduces the spec's test vector A string checksum (3310070434) and its wrong-order pitfall", () => {
    expect(crc32OfText(ASKS_A + BIDS_A)).toBe(3310070434);
    expect(crc32OfText(BIDS_A + ASKS_A)).toBe(2704419326);
  });

  it('feeds integers as their digits without leading zeros, matching the text for every size', () => {
    const values = [1, 9, 10, 99, 100000, 99_999_999, 100_000_000, 100_000_001, 123_456_789_012, 4_500_000_000_000_000, 9_007_199_254_740_991];
    for (const value of values) {
      expect(crc32Finish(crc32Integer(CRC32_INITIAL, value))).toBe(crc32OfText(String(value)));
    }
    // digits inside a value that straddle the 10^8 chunk boundary keep their zeros
    expect(crc32Finish(crc32Integer(CRC32_INITIAL, 1_000_000_005))).toBe(crc32OfText('1000000005'));
  });

  it('feeds nothing for zero, as stripping the leading zeros of "0.0" leaves nothing', () => {
    expect(crc32Finish(crc32Integer(CRC32_INITIAL, 0))).toBe(0);
  });

  it('agrees with zlib over random integers', () => {
    let seed = 7;
    for (let round = 0; round < 2000; round++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const value = Math.floor((seed / 2147483648) * 10 ** (1 + (round % 16)));
      const expected = value === 0 ? 0 : zlibCrc32(String(value));
      expect(crc32Finish(crc32Integer(CRC32_INITIAL, value))).toBe(expected);
    }
  });

  it('splits feeding into an advance by the digit count and the digits fed into a zero register', () => {
    let seed = 11;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 2000; round++) {
      const register = Math.floor(next() * 2 ** 32) | 0;
      const high = round % 3 === 0 ? 0 : Math.floor(next() * 10 ** (round % 9));
      const low = Math.floor(next() * 10 ** (1 + (round % 8)));
      const direct = crc32Scaled(register, high, low);
      const split = crc32Advance(register, scaledDigitCount(high, low)) ^ crc32Scaled(0, high, low);
      expect(split, `${high}×10^8+${low} after ${register}`).toBe(direct);
    }
  });

  it("feeds a book level's price then quantity digits as crc32Scaled does, with their count", () => {
    let seed = 13;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 4000; round++) {
      // Every digit count below 10^8 for both, and now and then a high part (values beyond 10^8).
      const priceHigh = round % 50 === 0 ? 1 + Math.floor(next() * 1e6) : 0;
      const priceLow = Math.max(priceHigh === 0 ? 1 : 0, Math.floor(next() * 10 ** (1 + (round % 8))));
      const quantityHigh = round % 37 === 0 ? Math.floor(next() * 1e7) : 0;
      const quantityLow = round % 11 === 0 ? 0 : Math.floor(next() * 10 ** (1 + ((round >> 3) % 8)));
      const expected = crc32Scaled(crc32Scaled(0, priceHigh, priceLow), quantityHigh, quantityLow);
      expect(crc32LevelContribution(priceHigh, priceLow, quantityHigh, quantityLow), `${priceHigh}:${priceLow} ${quantityHigh}:${quantityLow}`).toBe(expected);
      expect(levelDigits.count).toBe(scaledDigitCount(priceHigh, priceLow) + scaledDigitCount(quantityHigh, quantityLow));
    }
    // Beyond the pair tables (a high part of 10^8 or more, so more than 16 digits after the price): fed digit by digit, same result.
    for (const [priceHigh, priceLow, quantityHigh, quantityLow] of [
      [0, 294302, 123_456_789, 5],
      [7, 1, 999_999_999_999, 99_999_999],
      [123_456_789, 0, 0, 1],
      [1, 0, 100_000_000, 0],
    ] as const) {
      expect(crc32LevelContribution(priceHigh, priceLow, quantityHigh, quantityLow), `${priceHigh}:${priceLow} ${quantityHigh}:${quantityLow}`).toBe(
        crc32Scaled(crc32Scaled(0, priceHigh, priceLow), quantityHigh, quantityLow),
      );
      expect(levelDigits.count).toBe(scaledDigitCount(priceHigh, priceLow) + scaledDigitCount(quantityHigh, quantityLow));
    }
    // The digits of 29430.2 and 0.38269968 at precisions 1 and 8, as text.
    expect(crc32Finish(crc32LevelContribution(0, 294302, 0, 38269968) ^ crc32Advance(CRC32_INITIAL, 14))).toBe(crc32OfText('29430238269968'));
  });

  it('advances by two byte-table steps (a multiple of 16, then the rest) up to 255 zero bytes and through nibble tables beyond, the same at every boundary', () => {
    for (const length of [0, 1, 15, 16, 17, 31, 32, 62, 63, 64, 125, 126, 127, 188, 189, 190, 239, 240, 241, 250, 251, 252, 253, 255, 256, 257, 315, 316, 1000]) {
      for (const register of [0, -1, 0x1234abcd, -0x7fffffff]) {
        let slow = register;
        for (let byte = 0; byte < length; byte++) slow = crc32Byte(slow, 0);
        expect(crc32Advance(register, length), `${register} over ${length}`).toBe(slow);
      }
    }
  });

  it('advances over any number of zero bytes, past the lengths with their own table', () => {
    let register = 0x1234abcd;
    for (let length = 0; length < 300; length += length < 70 ? 1 : 7) {
      let slow = register;
      for (let byte = 0; byte < length; byte++) slow = crc32Byte(slow, 0);
      expect(crc32Advance(register, length), `${length}`).toBe(slow);
      register = (Math.imul(register, 2654435761) + length) | 0;
    }
  });
});
