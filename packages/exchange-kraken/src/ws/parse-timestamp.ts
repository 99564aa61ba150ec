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
  return cachedSecondText.length !== 0 && text.startsWith(cachedSecondText, start);
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

// The byte reader's own cache of the whole-second part: its 19 bytes as little-endian words
// (the last one holds 3), compared four at a time (see parseRfc3339Bytes).
const cachedSecondWords = new Int32Array(5);
let cachedSecondWordsMs = Number.NaN;

/**
 * The same reading from the message's ASCII bytes (`bytes[i]` is `text.charCodeAt(i)`; `view`
 * reads the same bytes four at a time), for the book channel's byte scanner: Kraken's own form
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` is read from the bytes, reusing the whole second while it
 * repeats; any other form is read from `text`.
 */
export function parseRfc3339Bytes(bytes: Uint8Array, view: DataView, text: string, start: number, end: number): number {
  if (end - start < 20 || start + 20 > view.byteLength) return parseRfc3339Range(text, start, end);
  let secondMs = cachedSecondWordsMs;
  const cached = cachedSecondWords;
  if (
    view.getInt32(start, true) !== cached[0] ||
    view.getInt32(start + 4, true) !== cached[1] ||
    view.getInt32(start + 8, true) !== cached[2] ||
    view.getInt32(start + 12, true) !== cached[3] ||
    (view.getInt32(start + 16, true) & 0xffffff) !== cached[4] ||
    Number.isNaN(secondMs)
  ) {
    secondMs = wholeSecond(text, start);
    if (Number.isNaN(secondMs)) return Number.NaN;
    for (let word = 0; word < 4; word++) cached[word] = view.getInt32(start + 4 * word, true);
    cached[4] = view.getInt32(start + 16, true) & 0xffffff;
    cachedSecondWordsMs = secondMs;
  }
  let index = start + 19;
  let millis = 0;
  if (bytes[index] === 46 /* . */) {
    index++;
    const fractionStart = index;
    // Milliseconds are the first three digits (padded with zeros); later ones are truncated.
    while (index < end) {
      const digit = bytes[index]! - 48;
      if (digit < 0 || digit > 9) break;
      if (index - fractionStart < 3) millis = millis * 10 + digit;
      index++;
    }
    const digits = index - fractionStart;
    // Beyond nine digits the text reader decides (it sums the digits as fractions).
    if (digits === 0 || digits > 9) return parseRfc3339Range(text, start, end);
    if (digits < 3) millis *= digits === 1 ? 100 : 10;
  }
  const zone = bytes[index];
  if ((zone === 90 || zone === 122) && index + 1 === end) return secondMs + millis;
  // An offset such as +02:00, or something that is not a time: the text reader decides.
  return parseRfc3339Range(text, start, end);
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
