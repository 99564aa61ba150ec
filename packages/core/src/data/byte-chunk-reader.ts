import { closeSync, openSync, readSync } from 'node:fs';
import { DataError } from '../errors/errors.js';

/** 1 MiB: large enough that the per-read cost vanishes, small enough to keep memory flat. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * A window of a file's bytes, refilled with `readSync` so that a synchronous backtest loop can
 * pull data without awaiting. Readers parse the bytes in place: no string is decoded for the
 * numbers that make up almost all market data, which is what makes replay fast.
 */
export class ByteChunkReader {
  readonly file: string;
  /** The window; valid data is `bytes[0, end)`. Replaced when it has to grow. */
  bytes: Buffer;
  end = 0;
  /** True once the file has been read to its end (and closed). */
  exhausted = false;
  private fd: number | undefined;
  private readonly maxSize: number;

  constructor(file: string, chunkSize = DEFAULT_CHUNK_SIZE, maxSize = Math.max(chunkSize, 64 << 20)) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 16) {
      throw new DataError(file, undefined, `chunk size: received ${chunkSize}, expected a whole number of bytes >= 16`);
    }
    this.file = file;
    this.maxSize = maxSize;
    try {
      this.fd = openSync(file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new DataError(file, undefined, `cannot open the file (${code})`, { cause: error });
    }
    this.bytes = Buffer.allocUnsafe(chunkSize);
  }

  /**
   * Keeps `bytes[keep, end)` (moved to the front of the window) and reads more after it.
   * Returns the number of bytes read, 0 at the end of the file. The window doubles, up to the
   * maximum size, when the kept bytes fill it (a line or token longer than a chunk).
   */
  refill(keep: number): number {
    const kept = this.end - keep;
    if (kept > 0 && keep > 0) this.bytes.copy(this.bytes, 0, keep, this.end);
    this.end = kept;
    if (this.exhausted || this.fd === undefined) return 0;
    if (kept === this.bytes.length) {
      if (this.bytes.length >= this.maxSize) {
        this.close();
        throw new DataError(this.file, undefined, `a line or value is longer than ${this.maxSize} bytes: is this really a market data file of the given format?`);
      }
      const grown = Buffer.allocUnsafe(Math.min(this.bytes.length * 2, this.maxSize));
      this.bytes.copy(grown, 0, 0, kept);
      this.bytes = grown;
    }
    let count: number;
    try {
      count = readSync(this.fd, this.bytes, kept, this.bytes.length - kept, null);
    } catch (error) {
      this.close();
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      // A folder opens but does not read: say so, and what was expected, rather than the code alone.
      const why = code === 'EISDIR' ? 'it is a folder, expected a market data file (CSV, JSON or JSON lines; `kbot data list` shows the ones downloaded)' : `cannot read the file (${code})`;
      throw new DataError(this.file, undefined, why, { cause: error });
    }
    if (count === 0) {
      this.exhausted = true;
      this.close();
    }
    this.end = kept + count;
    return count;
  }

  /** Releases the file descriptor; safe to call more than once. */
  close(): void {
    this.exhausted = true;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
  }
}
