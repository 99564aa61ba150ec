import { createHash } from 'node:crypto';
import { DataError, ExchangeError } from '@kbot/core';
import type { FileLock } from './file-lock.js';
import { keyFileWithLock, readFileIfExists, replaceFileAtomically } from './key-file.js';

/** What the REST client needs from a nonce scheme. */
export interface NonceSource {
  /** The next nonce: larger than every nonce this source (and any sharing its file) handed out. */
  next(): number;
  /** Makes every later nonce larger than `value` (e.g. the key once used a larger scheme). */
  bumpPast(value: number): void;
  /** The error to raise when Kraken still says `EAPI:Invalid nonce` after a fresh nonce. */
  rejected(nonce: number, venueMessage?: string): ExchangeError;
}

export interface NonceServiceOptions {
  readonly apiKey: string;
  /** Where the high-water mark lives; without it the service is in-memory only. */
  readonly directory?: string;
  /** Wall clock in epoch ms; nonces are this × 1000 (microseconds). */
  readonly now?: () => number;
  /** How long to wait for another process's lock before giving up. */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is abandoned even if its process still exists (pid reuse, a hung process). */
  readonly staleLockMs?: number;
}

function keyDigest(apiKey: string): string {
  return createHash('sha256').update(`kbot:kraken-nonce:${apiKey}`).digest('hex');
}

/** File name of a key's high-water mark: a hash of the key, never the key itself. */
export function nonceFileName(apiKey: string): string {
  return `kraken-nonce-${keyDigest(apiKey).slice(0, 32)}`;
}

/**
 * Kraken nonces for one API key: strictly increasing, `max(now µs, last + 1)`.
 *
 * With a directory, the high-water mark is persisted (one file per key hash) so a restart never
 * goes backwards even if the clock does, and several processes sharing the key take turns under
 * an exclusive lock file (`open(..., 'wx')`). A lock whose process is gone, or that is older than
 * `staleLockMs`, is taken over. Every call is synchronous: the critical section is a few
 * microseconds of file I/O, and sign-and-send must be serialised per key anyway.
 */
export class NonceService implements NonceSource {
  readonly file: string | undefined;
  readonly #lock: FileLock | undefined;
  readonly #fingerprint: string;
  readonly #now: () => number;
  #last = 0;

  constructor(options: NonceServiceOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) {
      throw new TypeError('NonceService apiKey: received an empty value, expected the Kraken API key the nonces belong to');
    }
    this.#fingerprint = keyDigest(options.apiKey).slice(0, 8);
    this.#now = options.now ?? Date.now;
    if (options.directory !== undefined) {
      const { file, lock } = keyFileWithLock(options.directory, nonceFileName(options.apiKey), 'nonce', 'nonce', options);
      this.file = file;
      this.#lock = lock;
    }
  }

  next(): number {
    return this.#withLock(() => {
      const last = Math.max(this.#last, this.#readStored());
      const nonce = Math.max(Math.floor(this.#now() * 1000), last + 1);
      this.#assertSafe(nonce, 'next nonce');
      this.#store(nonce);
      return nonce;
    });
  }

  bumpPast(value: number): void {
    this.#assertSafe(value, 'bumpPast value');
    this.#withLock(() => {
      const last = Math.max(this.#last, this.#readStored());
      if (value > last) this.#store(value);
    });
  }

  /** The largest nonce handed out or bumped past, as this instance last saw it. */
  lastIssued(): number {
    return this.#last;
  }

  rejected(nonce: number, venueMessage = 'EAPI:Invalid nonce'): ExchangeError {
    return new ExchangeError(
      'invalid-nonce',
      `Kraken rejected nonce ${nonce} for API key #${this.#fingerprint} as too low (${venueMessage}), even after a fresh nonce: ` +
        'the key has already accepted a larger one. Another process or library is using this key, or it once used a larger ' +
        'nonce scale (kbot sends microseconds; some SDKs send nanoseconds). Give each bot its own API key, or widen the ' +
        "key's nonce window in Kraken's API settings; if the key saw larger nonces, call bumpPast() with that value or create a new key.",
      { retryable: false, venueMessage },
    );
  }

  #assertSafe(value: number, what: string): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(
        `NonceService ${what}: received ${value}, expected a non-negative integer up to ${Number.MAX_SAFE_INTEGER} ` +
          '(a key that has seen nanosecond nonces needs a new key)',
      );
    }
  }

  #store(value: number): void {
    this.#last = value;
    if (this.file === undefined) return;
    // A crash leaves either the old mark or the new one, never half a number.
    replaceFileAtomically(this.file, `${value}\n`);
  }

  #readStored(): number {
    if (this.file === undefined) return 0;
    const text = readFileIfExists(this.file);
    if (text === undefined) return 0;
    const trimmed = text.trim();
    const value = Number(trimmed);
    if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value)) {
      throw new DataError(this.file, 1, `received ${JSON.stringify(trimmed.slice(0, 40))}, expected the last nonce as a whole number`);
    }
    return value;
  }

  #withLock<T>(work: () => T): T {
    return this.#lock === undefined ? work() : this.#lock.withLock(work);
  }
}
