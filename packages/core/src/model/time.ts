/** Time in kbot is epoch milliseconds, UTC. */
export type EpochMs = number;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** A bar interval written as `1m`, `5m`, `15m`, `1h`, `4h`, `1d`, `1w`. */
export type IntervalText = `${number}${'m' | 'h' | 'd' | 'w'}`;

export function parseInterval(text: string): number {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  if (!match) throw new TypeError(`interval: received ${JSON.stringify(text)}, expected a number and unit such as "1m", "15m", "4h", "1d"`);
  const count = Number(match[1]);
  if (count <= 0) throw new TypeError(`interval: received ${JSON.stringify(text)}, expected a positive length`);
  return count * UNIT_MS[match[2]!]!;
}

export function formatInterval(ms: number): string {
  for (const [unit, size] of [['w', 7 * DAY_MS], ['d', DAY_MS], ['h', HOUR_MS], ['m', MINUTE_MS]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function isoTime(ms: EpochMs): string {
  return new Date(ms).toISOString();
}

/**
 * Parses a user-given date: ISO 8601 (`2023-01-31`, `2023-01-31T12:00:00Z`) or epoch seconds/ms.
 * Dates without a zone are UTC, as exchange data is.
 */
export function parseTime(text: string, field = 'time'): EpochMs {
  const trimmed = text.trim();
  if (/^\d{9,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d{12,13}$/.test(trimmed)) return Number(trimmed);
  const isoLike = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (isoLike) {
    const withZone = isoLike[4] || !isoLike[1] ? trimmed : `${trimmed}Z`;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    // Date.parse rolls 2023-02-30 over to March; compare the date back to catch impossible dates.
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === trimmed.slice(0, 10) || (Number.isFinite(ms) && isoLike[4])) return ms;
  }
  throw new TypeError(`${field}: received ${JSON.stringify(text)}, expected a real date such as 2023-01-31 or 2023-01-31T12:00:00Z`);
}
