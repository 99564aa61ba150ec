import { KbotError } from '../errors/errors.js';

/**
 * Why a store file cannot be used. Stable codes, for scripts and the CLI:
 * - `store-corrupt`: not a SQLite file, or SQLite reports damage; the file is left as it is.
 * - `store-foreign`: a SQLite database of another application; the file is left as it is.
 * - `store-too-new`: written by a newer @kbot/core (a higher schema version); upgrade kbot.
 * - `store-unavailable`: the file or its directory cannot be read or created.
 * - `store-in-use`: this process already has the file open.
 * - `store-migration-failed`: upgrading an older schema failed; nothing was changed, a backup exists.
 * - `store-write-failed`: SQLite could not commit (disk full, I/O error, locked by another process).
 */
export type StoreErrorCode =
  | 'store-corrupt'
  | 'store-foreign'
  | 'store-too-new'
  | 'store-unavailable'
  | 'store-in-use'
  | 'store-migration-failed'
  | 'store-write-failed';

/** A store file that cannot be opened or written; names the file. */
export class StoreError extends KbotError {
  declare readonly code: StoreErrorCode;
  readonly file: string;

  constructor(code: StoreErrorCode, file: string, problem: string, options?: { cause?: unknown }) {
    super(code, `${file}: ${problem}`, options);
    this.file = file;
  }
}
