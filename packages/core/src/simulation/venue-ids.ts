import { InvariantError } from '../errors/errors.js';

const BODY_LENGTH = 16;
const PREFIX_PATTERN = /^[A-Z0-9]{0,8}$/;

/**
 * Formats a counter the way Kraken shapes its ids (`OQCLML-BW3P3-BUCMWZ`: a letter and 5, then 5,
 * then 6 characters): the letter, then `prefix` and the counter in base 36, zero-padded.
 * `formatVenueId('O', 'SIM', 1)` is `OSIM00-00000-000001`. Ids sort in creation order.
 */
export function formatVenueId(letter: 'O' | 'T', prefix: string, counter: number): string {
  const digits = counter.toString(36).toUpperCase();
  const body = prefix + digits.padStart(BODY_LENGTH - prefix.length, '0');
  if (body.length > BODY_LENGTH) throw new InvariantError(`venue id counter ${counter} does not fit after prefix "${prefix}"`);
  return `${letter}${body.slice(0, 5)}-${body.slice(5, 10)}-${body.slice(10)}`;
}

/** Deterministic order (`O…`) and trade (`T…`) ids from two counters. */
export class VenueIdGenerator {
  private orders = 0;
  private trades = 0;

  constructor(readonly prefix = '') {
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new TypeError(`idPrefix: received ${JSON.stringify(prefix)}, expected up to 8 characters A-Z or 0-9`);
    }
  }

  nextOrderId(): string {
    this.orders += 1;
    return formatVenueId('O', this.prefix, this.orders);
  }

  nextTradeId(): string {
    this.trades += 1;
    return formatVenueId('T', this.prefix, this.trades);
  }
}
