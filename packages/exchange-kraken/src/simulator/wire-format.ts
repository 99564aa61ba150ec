/**
 * Text forms Kraken puts on the wire: fixed-decimal strings from integer units, RFC3339 and
 * RFC1123 times, epoch seconds. Market data inside the simulator is kept as integer counts of the
 * pair's smallest price / quantity unit, so formatting is exact and never goes through a float's
 * decimal expansion.
 */

/** `452852` units with 1 decimal → `"45285.2"`; `5` with 8 → `"0.00000005"`. */
export function formatUnits(units: number, decimals: number): string {
  const negative = units < 0;
  const digits = BigInt(Math.round(Math.abs(units))).toString();
  let text: string;
  if (decimals === 0) {
    text = digits;
  } else {
    const padded = digits.padStart(decimals + 1, '0');
    text = `${padded.slice(0, padded.length - decimals)}.${padded.slice(padded.length - decimals)}`;
  }
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

/** The JSON number WebSocket v2 sends for a value (shortest form: trailing zeros dropped, exponent for tiny values). */
export function unitsToNumber(units: number, decimals: number): number {
  return Number(formatUnits(units, decimals));
}

/** `10 ** decimals` as an exact number for decimals up to 15. */
export function unitScale(decimals: number): number {
  return 10 ** decimals;
}

/** A market-data number (a float) → integer units of `decimals` places, rounded half away from zero. */
export function toUnits(value: number, decimals: number): number {
  return Math.round(value * unitScale(decimals));
}

/** RFC3339 with microseconds, as Kraken's WebSocket v2 stamps messages: `2023-09-21T14:15:07.197000Z`. */
export function rfc3339(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  return `${iso.slice(0, 23)}000Z`;
}

/** RFC3339 to whole seconds (`2023-09-21T15:49:29Z`), as the dead man's switch reports times. */
export function rfc3339Seconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The `rfc1123` field of `/0/public/Time`, in Kraken's own shape: `Sun, 21 Mar 21 14:23:14 +0000` (two-digit year). */
export function krakenRfc1123(ms: number): string {
  const date = new Date(ms);
  const two = (value: number) => String(value).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCFullYear() % 100)} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** Epoch ms → the epoch seconds Kraken's REST results carry (a JSON number with a fraction). */
export function epochSeconds(ms: number): number {
  return Math.round(ms * 10) / 10_000;
}
