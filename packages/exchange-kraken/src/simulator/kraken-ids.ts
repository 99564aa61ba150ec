import { randomBytes } from 'node:crypto';

const BODY_LENGTH = 16;

/**
 * Ids in Kraken's shape (`LQCLML-BW3P3-BUCMWZ`: a letter and 5, then 5, then 6 characters) from
 * a counter, so they are deterministic and sort in creation order: the letter, a prefix, then
 * the counter in base 36.
 */
export class KrakenIdSequence {
  #counter = 0;

  constructor(
    private readonly letter: string,
    private readonly prefix = '',
  ) {}

  next(): string {
    this.#counter += 1;
    const digits = this.#counter.toString(36).toUpperCase();
    const body = (this.prefix + digits.padStart(BODY_LENGTH - this.prefix.length, '0')).slice(-BODY_LENGTH);
    return `${this.letter}${body.slice(0, 5)}-${body.slice(5, 10)}-${body.slice(10)}`;
  }
}

/** A WebSocket token: opaque base64 text like Kraken's. */
export function newWebSocketToken(): string {
  return randomBytes(30).toString('base64');
}

/** A uint64 connection id as decimal digits (it exceeds 2^53, so it is never a JS number). */
export function newConnectionId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
}
