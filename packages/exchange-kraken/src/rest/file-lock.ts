import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KbotError, StoreError } from '@kbot/core';

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

function errorCode(error: unknown): string | undefined {
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

/** `file`'s text, or undefined when there is no such file (any other error is thrown). */
export function readFileIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `file`'s content atomically (write a temporary file, then rename), readable by this user only. */
export function replaceFileAtomically(file: string, content: string): void {
  // Write-then-rename, so a crash leaves either the old content or the new, never half of it.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}

export interface KeyFileLockOptions {
  /** How long to wait for another process's lock before giving up. */
  readonly lockTimeoutMs?: number;
  /** A lock older than this is abandoned even if its process still exists. */
  readonly staleLockMs?: number;
}

/**
 * A file of one API key's state in `directory` (created if missing, checked writable: a
 * read-only or misplaced storage folder is one line for the operator, not a stack trace) and the
 * lock that guards it. `what` names it in errors (`nonce`), `code` prefixes the lock's timeout
 * error code (`nonce` → `nonce-lock-timeout`).
 */
export function keyFileWithLock(directory: string, name: string, what: string, code: string, options: KeyFileLockOptions): { readonly file: string; readonly lock: FileLock } {
  try {
    mkdirSync(directory, { recursive: true });
    accessSync(directory, constants.W_OK);
  } catch (error) {
    throw new StoreError('store-unavailable', directory, `cannot keep the Kraken ${what} file there (${(error as Error).message.replace(/\s+/g, ' ')}); expected a folder this user can write to. Give this user write permission there or point storage.dir (or kraken({ nonceDirectory })) at another folder`, { cause: error });
  }
  const file = join(directory, name);
  const lock = new FileLock(`${file}.lock`, {
    what: `${what} lock`,
    timeoutCode: `${code}-lock-timeout`,
    ...(options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs }),
    ...(options.staleLockMs === undefined ? {} : { staleMs: options.staleLockMs }),
  });
  return { file, lock };
}
