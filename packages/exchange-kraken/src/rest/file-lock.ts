import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { KbotError } from '@kbot/core';

export interface FileLockOptions {
  /** How long to wait for another process's lock before giving up. */
  readonly timeoutMs?: number;
  /** A lock older than this is abandoned even if its process still exists (pid reuse, a hung process). */
  readonly staleMs?: number;
  /** What the lock guards, for the timeout error (`nonce lock`). */
  readonly what: string;
  /** The timeout error's code. */
  readonly timeoutCode: string;
}

interface LockRecord {
  readonly pid: number;
  readonly token: string;
  readonly at: number;
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * An exclusive lock between processes: a lock file created with `open(..., 'wx')` holding the
 * owner's pid and a token. A lock whose process is gone, or older than `staleMs`, is taken over.
 * Synchronous: what it guards (a nonce, a rate counter) is a few microseconds of file I/O that
 * must not interleave with another process's.
 */
export class FileLock {
  readonly #timeoutMs: number;
  readonly #staleMs: number;

  constructor(
    readonly file: string,
    private readonly options: FileLockOptions,
  ) {
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#staleMs = options.staleMs ?? 10_000;
  }

  /** Runs `work` holding the lock; throws a KbotError with `timeoutCode` when it cannot be had in time. */
  withLock<T>(work: () => T): T {
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + this.#timeoutMs;
    let pause = 1;
    for (;;) {
      if (this.#tryAcquire(token)) break;
      this.#breakIfStale();
      if (Date.now() >= deadline) {
        throw new KbotError(
          this.options.timeoutCode,
          `${this.options.what} ${this.file}: still held by another process after ${this.#timeoutMs} ms; ` +
            'if no other kbot process uses this API key, delete the lock file',
        );
      }
      sleepSync(pause);
      pause = Math.min(pause * 2, 20);
    }
    try {
      return work();
    } finally {
      this.#release(token);
    }
  }

  #tryAcquire(token: string): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'wx', 0o600);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, token, at: Date.now() } satisfies LockRecord));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  #release(token: string): void {
    // Only remove our own lock: if it was taken over as stale, the file now belongs to someone else.
    if (this.#read(this.file)?.token === token) {
      try {
        unlinkSync(this.file);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }

  #read(file: string): LockRecord | undefined {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockRecord>;
      if (typeof parsed.pid === 'number' && typeof parsed.token === 'string' && typeof parsed.at === 'number') {
        return parsed as LockRecord;
      }
    } catch {
      // Missing, or caught between open and write: the caller decides by the file's age.
    }
    return undefined;
  }

  #isStale(record: LockRecord): boolean {
    return !processIsAlive(record.pid) || Date.now() - record.at >= this.#staleMs;
  }

  #breakIfStale(): void {
    const lockFile = this.file;
    const record = this.#read(lockFile);
    if (record !== undefined) {
      if (!this.#isStale(record)) return;
    } else {
      let ageMs: number;
      try {
        ageMs = Date.now() - statSync(lockFile).mtimeMs;
      } catch {
        return; // gone already
      }
      if (ageMs < this.#staleMs) return;
    }
    // Rename is atomic, so of several processes breaking the same stale lock exactly one wins.
    const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(lockFile, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const moved = this.#read(aside);
    if (moved !== undefined && moved.token !== record?.token && !this.#isStale(moved)) {
      // Between our look and the rename, the stale lock was replaced by a live one: put it back
      // (link never overwrites, so a lock created meanwhile is not clobbered).
      try {
        linkSync(aside, lockFile);
      } catch {
        // Someone holds a newer lock; theirs stands.
      }
    }
    unlinkSync(aside);
  }
}
