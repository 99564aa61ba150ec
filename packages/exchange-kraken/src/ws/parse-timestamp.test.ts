import { describe, expect, it } from 'vitest';
import { parseRfc3339, parseRfc3339Bytes, parseRfc3339Range } from './parse-timestamp.js';

describe('parseRfc3339', () => {
  it('agrees with Date.parse to the millisecond, truncating finer digits', () => {
    expect(parseRfc3339('2023-10-06T17:35:55.440295Z')).toBe(Date.parse('2023-10-06T17:35:55.440Z'));
    expect(parseRfc3339('2023-10-06T17:35:55.440999999Z')).toBe(Date.parse('2023-10-06T17:35:55.440Z'));
    expect(parseRfc3339('2026-06-06T10:00:00Z')).toBe(Date.parse('2026-06-06T10:00:00Z'));
    expect(parseRfc3339('2024-02-29T23:59:59.5+02:00')).toBe(Date.parse('2024-02-29T21:59:59.500Z'));
    expect(parseRfc3339('1969-12-31T23:59:59.999z')).toBe(-1);
  });

  it('matches Date.parse over a spread of dates', () => {
    for (let day = 0; day < 40_000; day += 97) {
      const iso = new Date(day * 86_400_000 + 12_345_678).toISOString();
      expect(parseRfc3339(iso)).toBe(Date.parse(iso));
    }
  });

  it('reads a time inside a larger text', () => {
    const text = '"timestamp":"2023-07-30T15:30:49.008834Z"';
    expect(parseRfc3339Range(text, 13, text.length - 1)).toBe(Date.parse('2023-07-30T15:30:49.008Z'));
  });

  it('returns NaN for anything that is not an RFC3339 time', () => {
    for (const text of ['', '2023-10-06', '2023-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2023-10-06T24:00:00Z', '2023-10-06T17:35:55', '2023-10-06T17:35:55.Z', '2023-10-06T17:35:55Zx', 'abcd-ef-ghTij:kl:mnZ']) {
      expect(parseRfc3339(text), text).toBeNaN();
    }
  });
});

describe('parseRfc3339Bytes', () => {
  it('reads what parseRfc3339Range reads, from the same text as bytes', () => {
    const texts = [
      '2023-10-06T17:35:55.440295Z',
      '2023-10-06T17:35:55.440295Z',
      '2023-10-06T17:35:56.4Z',
      '2023-10-06T17:35:56.45Z',
      '2023-10-06T17:35:56Z',
      '2023-10-06T17:35:56.123456789Z',
      '2023-10-06T17:35:56.999999999999999999999Z',
      '2024-02-29T23:59:59.5+02:00',
      '2023-10-06t17:35:55.440z',
      '2023-10-06T17:35:55.Z',
      '2023-13-01T00:00:00Z',
      '2023-10-06T17:35:55.440295Zx',
      '2023-10-06T17:35:55',
    ];
    for (const time of texts) {
      const text = `"timestamp":"${time}"`;
      const bytes = new Uint8Array(text.length + 8);
      for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
      const expected = parseRfc3339Range(text, 13, text.length - 1);
      expect(parseRfc3339Bytes(bytes, new DataView(bytes.buffer), text, 13, text.length - 1), time).toBe(expected);
    }
  });
});

