/**
 * Exponential backoff with full jitter: a uniformly random wait in [0, min(max, base × 2^(n−1))).
 * Randomising the whole wait spreads a crowd of clients that lost the same server, which matters
 * with Kraken's per-IP limit on connection attempts (spec §7.3).
 */
export function fullJitterDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(Math.min(0.999999, Math.max(0, random())) * ceiling);
}
