const DIGIT_0 = 48;
const DASH = 45;
const COLON = 58;
const SPACE = 32;
const LETTER_T = 84;
const LETTER_Z = 90;
const DOT = 46;
const PLUS = 43;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The decimal number in `bytes[start, start + length)`, or -1 if any byte is not a digit. */
function digits(bytes: Uint8Array, start: number, length: number, end: number): number {
  if (start + length > end) return -1;
  let value = 0;
  for (let index = start; index < start + length; index++) {
    const digit = bytes[index]! - DIGIT_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses the ASCII bytes `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or the same with `T`, then an
 * optional `Z`, `±HH:MM`, `±HHMM` or `±HH` offset (none means UTC, as exchange data is), into
 * epoch ms; NaN when the bytes are not such a date (29 February of a common year included).
 * Hand-written because Date.parse is slow, lenient and needs a string per row.
 */
export function parseUtcDate(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 10 || bytes[start + 4] !== DASH || bytes[start + 7] !== DASH) return NaN;
  const year = digits(bytes, start, 4, end);
  const month = digits(bytes, start + 5, 2, end);
  const day = digits(bytes, start + 8, 2, end);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return NaN;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return NaN;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let position = start + 10;
  if (position < end && (bytes[position] === SPACE || bytes[position] === LETTER_T)) {
    hour = digits(bytes, position + 1, 2, end);
    if (bytes[position + 3] !== COLON) return NaN;
    minute = digits(bytes, position + 4, 2, end);
    position += 6;
    if (position < end && bytes[position] === COLON) {
      second = digits(bytes, position + 1, 2, end);
      position += 3;
      if (position < end && bytes[position] === DOT) {
        position++;
        const fractionStart = position;
        let scale = 100;
        while (position < end) {
          const digit = bytes[position]! - DIGIT_0;
          if (digit < 0 || digit > 9) break;
          millisecond += digit * scale;
          scale /= 10;
          position++;
        }
        if (position === fractionStart) return NaN;
        millisecond = Math.floor(millisecond);
      }
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  }
  let offsetMinutes = 0;
  if (position < end) {
    const sign = bytes[position];
    if (sign === LETTER_Z && position + 1 === end) {
      position = end;
    } else if (sign === PLUS || sign === DASH) {
      const rest = end - position - 1;
      const offsetHour = digits(bytes, position + 1, 2, end);
      let offsetMinute = 0;
      if (rest === 5 && bytes[position + 3] === COLON) offsetMinute = digits(bytes, position + 4, 2, end);
      else if (rest === 4) offsetMinute = digits(bytes, position + 3, 2, end);
      else if (rest !== 2) return NaN;
      if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return NaN;
      offsetMinutes = (offsetHour * 60 + offsetMinute) * (sign === DASH ? -1 : 1);
      position = end;
    } else {
      return NaN;
    }
  }
  if (position !== end) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
}
