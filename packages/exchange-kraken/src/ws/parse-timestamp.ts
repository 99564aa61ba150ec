/*
 * WebSocket v2 stamps every message with RFC3339 text (`2023-10-06T17:35:55.440295Z`, up to
 * nanoseconds). Book messages need it on the hot path, so this reads the digits in place instead
 * of slicing a string for Date.parse. Sub-millisecond digits are truncated: kbot time is epoch ms.
 */

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Book messages arrive many times a second: the whole-second part of the last time read is kept
// and reused while the next time starts with the same 19 characters (`2023-10-06T17:35:55`).
let cachedSecondText = '';
let cachedSecondMs = 0;

function sameSecond(text: string, start: number): boolean {
  if (cachedSecondText.length === 0) return false;
  for (let index = 0; index < 19; index++) if (text.charCodeAt(start + index) !== cachedSecondText.charCodeAt(index)) return false;
  return true;
}

/**
 * `text[start, end)` as RFC3339 (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `t`/space for `T`,
 * `z` for `Z`) → epoch milliseconds; NaN when it is not such a time.
 */
export function parseRfc3339Range(text: string, start: number, end: number): number {
  if (end - start < 20) return Number.NaN;
  let secondMs: number;
  if (sameSecond(text, start)) {
    secondMs = cachedSecondMs;
  } else {
    secondMs = wholeSecond(text, start);
    if (Number.isNaN(secondMs)) return Number.NaN;
    cachedSecondText = text.slice(start, start + 19);
    cachedSecondMs = secondMs;
  }
  let index = start + 19;
  let millis = 0;
  if (text.charCodeAt(index) === 46 /* . */) {
    index++;
    let scale = 100;
    const fractionStart = index;
    while (index < end) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      millis += digit * scale;
      scale /= 10;
      index++;
    }
    if (index === fractionStart) return Number.NaN;
    millis = Math.floor(millis);
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(index);
  if (zone === 90 || zone === 122) {
    index++;
  } else if (zone === 43 || zone === 45) {
    const offsetHours = digitsAt(text, index + 1, 2);
    const offsetMins = digitsAt(text, index + 4, 2);
    if (offsetHours < 0 || offsetMins < 0 || text.charCodeAt(index + 3) !== 58) return Number.NaN;
    offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
    index += 6;
  } else {
    return Number.NaN;
  }
  if (index !== end) return Number.NaN;
  return secondMs - offsetMinutes * 60_000 + millis;
}

/** `YYYY-MM-DDTHH:MM:SS` at `start` → epoch ms of that second read as UTC; NaN when it is not one. */
function wholeSecond(text: string, start: number): number {
  const year = digitsAt(text, start, 4);
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  const hour = digitsAt(text, start + 11, 2);
  const minute = digitsAt(text, start + 14, 2);
  const second = digitsAt(text, start + 17, 2);
  const separator = text.charCodeAt(start + 10);
  if (
    text.charCodeAt(start + 4) !== 45 ||
    text.charCodeAt(start + 7) !== 45 ||
    (separator !== 84 && separator !== 116 && separator !== 32) ||
    text.charCodeAt(start + 13) !== 58 ||
    text.charCodeAt(start + 16) !== 58 ||
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > DAYS_IN_MONTH[month - 1]! ||
    (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60
  ) {
    return Number.NaN;
  }
  return (daysFromCivil(year, month, day) * 24 + hour) * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000;
}

/** A whole RFC3339 string → epoch milliseconds; NaN when it is not one. */
export function parseRfc3339(text: string): number {
  return parseRfc3339Range(text, 0, text.length);
}
