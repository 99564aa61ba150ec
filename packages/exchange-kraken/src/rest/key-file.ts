import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '@kbot/core';
import { errorCode, FileLock } from './file-lock.js';

/*
 * Files that keep one API key's state in the storage folder (the nonce's high-water mark, the REST
 * counter): where they go, how they are read and replaced, and the lock that guards each.
 */

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
