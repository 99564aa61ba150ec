import { createHash } from 'node:crypto';
import type { FileLock } from './file-lock.js';
import { keyFileWithLock, readFileIfExists, replaceFileAtomically } from './key-file.js';
import type { RestCounterLimits, RestCounterStore } from './rate-limiter.js';

export interface SharedRestCounterFileOptions {
  readonly apiKey: string;
  /** The folder of the key's nonce file (storage.dir): one counter file per key hash. */
  readonly directory: string;
  /** How long to wait for another process's lock before giving up. */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is abandoned even if its process still exists. */
  readonly staleLockMs?: number;
}

/** File name of a key's REST counter: a hash of the key, never the key itself. */
export function restCounterFileName(apiKey: string): string {
  return `kraken-rest-counter-${createHash('sha256').update(`kbot:kraken-rest-counter:${apiKey}`).digest('hex').slice(0, 32)}`;
}

/**
 * Kraken's REST call counter for one API key (spec §7.1), kept in a file so that every process
 * using the key spends from the same counter, as Kraken does: a bot restarted after a crash
 * starts where the counter is instead of at zero (its start-up reconciliation alone costs about
 * ten points), and `kbot balance` or `kbot orders` run next to a bot do not push the key past its
 * maximum behind the bot's back. The file holds `{"level":…,"at":…}` (epoch ms); every change
 * is made under a lock file, decaying the stored level to the moment of the change.
 *
 * A file that cannot be read as a counter is taken as a full counter, which can only make the
 * next call wait (at most the maximum's decay time), never send one too many; it is rewritten at
 * the next change.
 */
export class SharedRestCounterFile implements RestCounterStore {
  readonly file: string;
  readonly #lock: FileLock;

  constructor(options: SharedRestCounterFileOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) {
      throw new TypeError('SharedRestCounterFile apiKey: received an empty value, expected the Kraken API key the counter belongs to');
    }
    const { file, lock } = keyFileWithLock(options.directory, restCounterFileName(options.apiKey), 'REST counter', 'rest-counter', options);
    this.file = file;
    this.#lock = lock;
  }

  update(now: number, limits: RestCounterLimits, change: (level: number) => number): number {
    return this.#lock.withLock(() => {
      const level = change(this.#storedLevel(now, limits));
      replaceFileAtomically(this.file, `${JSON.stringify({ level, at: now })}\n`);
      return level;
    });
  }

  /** The stored level decayed to `now`; 0 without a file, the maximum for one that is not a counter. */
  #storedLevel(now: number, limits: RestCounterLimits): number {
    const text = readFileIfExists(this.file);
    if (text === undefined) return 0;
    let stored: { level?: unknown; at?: unknown };
    try {
      stored = JSON.parse(text) as { level?: unknown; at?: unknown };
    } catch {
      return limits.max;
    }
    const { level, at } = stored ?? {};
    if (typeof level !== 'number' || typeof at !== 'number' || !Number.isFinite(level) || !Number.isFinite(at) || level < 0) return limits.max;
    // A stamp ahead of this clock (another machine's, or the clock stepped back) is not decayed
    // backwards: the level stands until this clock passes it.
    const elapsedSeconds = Math.max(0, now - at) / 1000;
    return Math.max(0, Math.min(level, limits.max) - elapsedSeconds * limits.decayPerSecond);
  }
}
