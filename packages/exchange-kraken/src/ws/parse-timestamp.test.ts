import { describe, expect, it } from 'vitest';
import { parseRfc3339, parseRfc3339Range } from './parse-timestamp.js';

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
