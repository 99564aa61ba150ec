import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { InvariantError, isKbotError } from '../errors/errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { JournaledEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import type { EpochMs } from '../model/time.js';
import { decodeValue, encodeEvent, encodeValue } from './event-codec.js';
import { decodeJournalPayload, encodeJournalPayload } from './journal-payload.js';
import { COMPACT_PAYLOADS_VERSION, KBOT_APPLICATION_ID, applyMigrations, checkMigrations, latestSchemaVersion, MIGRATIONS, type Migration } from './migrations.js';
import { createOperationsWriter, JournalWriterThread } from './journal-writer-thread.js';
import { StoreError } from './store-error.js';
import type { EngineSnapshot, Recovered, SessionLogEntry, Store } from './store.js';

/** The store's file name inside the data directory (`trading_data/` by default). */
export const STORE_FILE_NAME = 'kbot.sqlite';

/** `<directory>/kbot.sqlite`. */
export function storeFilePath(directory: string): string {
  return join(directory, STORE_FILE_NAME);
}

/**
 * - `full`: every commit is synced to the disk before it returns; survives power loss (live).
 * - `normal`: survives a crash of the process, but the last commits may be lost if the machine
 *   loses power (SQLite WAL with `synchronous=NORMAL`); several times faster (backtest, paper).
 */
export type StoreDurability = 'full' | 'normal';

export interface SqliteStoreOptions {
  /** Default `full`. */
  readonly durability?: StoreDurability;
  /** Run SQLite's `quick_check` on an existing file before using it (reads the whole file). Default true. */
  readonly checkOnOpen?: boolean;
  /** Snapshots kept; older ones are deleted when a new one is written (the journal is never trimmed). Default 3. */
  readonly keepSnapshots?: number;
  /**
   * After how many write-ahead-log pages a commit also copies the log into the database file
   * (SQLite's `wal_autocheckpoint`; a page is 4 KiB). Checkpoints are most of the cost of heavy
   * writing, because they sync the database file, so a backtest that journals hundreds of
   * thousands of events should pass 0: no checkpoint until `checkpoint()` or `close()`.
   * Default 1000 (SQLite's), right for live and paper.
   */
  readonly autoCheckpointPages?: number;
  /** How long to wait for another process's write lock, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Who inserts the journal's rows and snapshots:
   * - `inline` (default): this thread, inside the batch's transaction; a batch that returns is
   *   committed. Right for paper and live, where an event must be on disk before it is acted on.
   * - `thread`: a worker thread with its own connection to the file. This thread only checks
   *   each event and flattens its fields (journal-field-formatter.ts), and hands a batch's
   *   fields over when the batch commits; the worker writes the payload texts and inserts them
   *   in one transaction (and runs the write-ahead log's checkpoints) meanwhile. A worker takes
   *   40–60 ms to start; until it has, batches are written here, through this connection, so
   *   the first commit does not wait for it.
   *   `flush()`, `close()` and every read wait for the worker to commit what it was given, so
   *   nothing is read stale. Made for backtests that journal every event: the engine's thread
   *   no longer pays for SQLite's inserts. A crash loses the batches handed over and not yet
   *   committed, so a bot that acts on the world must not use it.
   */
  readonly journalWriter?: 'inline' | 'thread';
  /**
   * The schema steps. Default: this build's `MIGRATIONS`. Only tests (simulating older or newer
   * builds of kbot) and forks should pass it.
   */
  readonly migrations?: readonly Migration[];
  /** Told what opening tidied up (an empty write-ahead log left without its database). Default: silent. */
  readonly logger?: Logger;
}

export type { SessionLogEntry } from './store.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
const APPLICATION_ID_OFFSET = 68;

/** Files open in this process: two stores writing one journal would break its sequence. */
const openFiles = new Set<string>();
/** Rows `journal()` reads per query. */
const JOURNAL_PAGE_ROWS = 1000;

/** Where the journal and snapshots stand, kept in memory to check sequences without a query. */
interface JournalPosition {
  lastSequence: number;
  snapshotSequence: number;
}

interface JournalRow {
  readonly sequence: number;
  readonly type: string;
  readonly payload: string;
}

interface SnapshotRow {
  readonly sequence: number;
  readonly time: number;
  readonly state: string;
}

interface SessionLogRow {
  readonly time: number;
  readonly kind: string;
  readonly message: string;
  readonly details: string | null;
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

function isDamage(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The SQLite store: the event journal, engine snapshots, key-value state (learners, and
 * high-water marks for whoever keeps one here) and the session log, in one file (WAL mode).
 * Kraken's nonce high-water mark is not here: several processes share one API key (a running
 * bot and the operator's commands), so it lives in its own locked file beside this one
 * (`kraken-nonce-<hash of the key>` in `storage.dir`).
 *
 * Outside a batch, an `append` that returns has been committed. Inside `batch(fn)`, writes join
 * one transaction that commits when `fn` returns (or is rolled back if it throws), which is how
 * the engine keeps the journal cheap: one commit per step instead of one per event. `flush()` commits early, for
 * the moments when something is about to leave the process (an order sent to the venue).
 *
 * Opening never changes a file that is not a healthy kbot store: a foreign database, random
 * bytes, a damaged file or a newer schema is refused with a StoreError naming the file. An
 * older schema is copied to a backup file next to it, then migrated in one transaction.
 */
export class SqliteStore implements Store {
  readonly file: string;
  readonly options: SqliteStoreOptions;
  /** Where the pre-migration copy went, when opening migrated an older schema. */
  readonly backupFile: string | undefined;

  private readonly database: Database;
  private readonly keepSnapshots: number;
  private readonly statements: {
    readonly insertEvent: Statement<[number, string, number, string]>;
    readonly eventsAfter: Statement<[number], JournalRow>;
    readonly eventsPage: Statement<[number, number], JournalRow>;
    readonly fillsPage: Statement<[number, number, number], JournalRow>;
    readonly lastSequence: Statement<[], { sequence: number | null }>;
    readonly insertSnapshot: Statement<[number, number, string]>;
    readonly latestSnapshot: Statement<[], SnapshotRow>;
    readonly pruneSnapshots: Statement<[number]>;
    readonly readValue: Statement<[string], { value: string }>;
    readonly writeValue: Statement<[string, string, number]>;
    readonly deleteValue: Statement<[string]>;
    readonly insertSessionLog: Statement<[number, string, string, string | null]>;
    readonly sessionLog: Statement<[number], SessionLogRow>;
  };
  private readonly transactional: BetterSqlite3.Transaction<(work: () => void) => void>;
  /** Whether journal rows are written in the compact form (journal-payload.ts) or as JSON. */
  private readonly compactPayloads: boolean;
  /** The writer thread, when `journalWriter` is `thread`. */
  private readonly writer: JournalWriterThread | undefined;
  private closed = false;
  /** Nesting depth of `batch` calls; 0 outside any batch. */
  private depth = 0;
  /**
   * Savepoints open: savepoint n belongs to the batch at depth n + 1. They are made only when a
   * nested batch first writes, so the engine's empty steps inside a larger batch cost nothing.
   */
  private savepoints = 0;
  private readonly position: JournalPosition;
  /** The position as of the last commit, restored when a batch rolls back. */
  private readonly committed: JournalPosition;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = resolve(file);
    this.options = options;
    this.keepSnapshots = options.keepSnapshots ?? 3;
    if (!Number.isInteger(this.keepSnapshots) || this.keepSnapshots < 1) {
      throw new InvariantError(`SqliteStore keepSnapshots: received ${options.keepSnapshots}, expected a whole number of 1 or more`);
    }
    const pages = options.autoCheckpointPages;
    if (pages !== undefined && (!Number.isSafeInteger(pages) || pages < 0)) {
      throw new InvariantError(`SqliteStore autoCheckpointPages: received ${pages}, expected a whole number of 0 or more`);
    }
    const migrations = options.migrations ?? MIGRATIONS;
    checkMigrations(migrations);
    if (openFiles.has(this.file)) {
      throw new StoreError('store-in-use', this.file, 'is already open in this process; close the other SqliteStore first (two writers would break the journal sequence)');
    }
    const opened = openDatabase(this.file, options, migrations);
    this.database = opened.database;
    this.backupFile = opened.backupFile;
    this.transactional = this.database.transaction((work: () => void) => work());
    try {
      this.statements = this.prepare();
      // A file of an older schema keeps the payload form its version reads (tests open such files).
      this.compactPayloads = this.schemaVersion >= COMPACT_PAYLOADS_VERSION;
      const last = this.statements.lastSequence.get()?.sequence ?? 0;
      const snapshot = this.statements.latestSnapshot.get();
      this.position = { lastSequence: last, snapshotSequence: snapshot?.sequence ?? 0 };
      this.committed = { ...this.position };
    } catch (error) {
      this.database.close();
      throw new StoreError('store-corrupt', this.file, `the kbot schema is damaged (${(error as Error).message}); kbot will not change the file`, { cause: error });
    }
    const writer = options.journalWriter ?? 'inline';
    if (writer !== 'inline' && writer !== 'thread') {
      this.database.close();
      throw new InvariantError(`SqliteStore journalWriter: received ${JSON.stringify(writer)}, expected 'inline' or 'thread'`);
    }
    this.writer = writer === 'thread'
      ? new JournalWriterThread({
          file: this.file,
          durability: options.durability ?? 'full',
          autoCheckpointPages: pages ?? 1000,
          busyTimeoutMs: options.busyTimeoutMs ?? 5000,
          keepSnapshots: this.keepSnapshots,
          writeHere: this.database.transaction(createOperationsWriter(this.statements, this.keepSnapshots)),
        })
      : undefined;
    openFiles.add(this.file);
    for (const notice of opened.notices) {
      (options.logger ?? silentLogger).info(notice);
      // Kept in the store too, so it is on record whether or not a logger was given.
      this.appendSessionLog({ time: Date.now(), kind: 'store-notice', message: notice });
    }
  }

  /** Sequence of the last journaled event (0 when the journal is empty), including an open batch. */
  get lastSequence(): number {
    return this.position.lastSequence;
  }

  /** The schema version of the open file. */
  get schemaVersion(): number {
    this.ensureOpen();
    return this.database.pragma('user_version', { simple: true }) as number;
  }

  /** True inside `batch`. */
  get batching(): boolean {
    return this.depth > 0;
  }

  /**
   * Appends events whose sequences continue the journal (last + 1, + 2, ...); a duplicate, a
   * gap or an unjournaled sequence (0) throws an InvariantError and writes nothing. Outside a
   * batch the events are committed (together) before this returns.
   */
  append(events: readonly JournaledEvent[]): void {
    this.ensureOpen();
    if (events.length === 0) return;
    const first = this.position.lastSequence + 1;
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      // The errors are made in functions of their own: written inline, the JIT may format their
      // numbers ahead of the checks, on every call (bench/README.md, "Bars").
      if (event.sequence !== first + index) throw this.sequenceError(event, first + index);
      if (typeof event.time !== 'number' || !Number.isFinite(event.time)) throw this.timeError(event);
    }
    const writer = this.writer;
    if (writer !== undefined) {
      const mark = writer.mark;
      try {
        for (let index = 0; index < events.length; index++) writer.event(events[index]!, this.compactPayloads);
      } catch (error) {
        // An event that cannot be encoded: none of this call's events is journaled.
        writer.truncate(mark);
        throw error;
      }
      this.position.lastSequence = first + events.length - 1;
      this.afterThreadWrite();
      return;
    }
    const payloads: string[] = new Array<string>(events.length);
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      payloads[index] = this.compactPayloads ? encodeJournalPayload(event) : encodeEvent(event);
    }
    try {
      if (this.depth > 0) {
        // the engine's path: no closure, no transaction of its own
        this.prepareBatchWrite();
        this.insertEvents(events, payloads);
      } else {
        this.transactional.immediate(() => this.insertEvents(events, payloads));
      }
    } catch (error) {
      throw this.writeFailure('journal', error);
    }
    this.position.lastSequence = first + events.length - 1;
    this.afterWrite();
  }

  /**
   * Saves a snapshot. Its sequence must be in the journal already (a snapshot past the journal
   * would hide events that were never written) and not behind the latest snapshot.
   */
  snapshot(state: EngineSnapshot): void {
    this.ensureOpen();
    const { sequence, time } = state;
    if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > this.position.lastSequence) {
      throw new InvariantError(`${this.file}: snapshot sequence: received ${sequence}, expected a whole number from 0 to the last journaled sequence ${this.position.lastSequence}`);
    }
    if (sequence < this.position.snapshotSequence) {
      throw new InvariantError(`${this.file}: snapshot sequence: received ${sequence}, expected at least ${this.position.snapshotSequence} (the latest snapshot's)`);
    }
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new InvariantError(`${this.file}: snapshot time: received ${String(time)}, expected epoch milliseconds`);
    const encoded = encodeValue(state.state);
    if (this.writer !== undefined) {
      this.writer.snapshot(sequence, time, encoded);
      this.position.snapshotSequence = sequence;
      this.afterThreadWrite();
      return;
    }
    this.write('snapshot', () => {
      this.statements.insertSnapshot.run(sequence, time, encoded);
      this.statements.pruneSnapshots.run(this.keepSnapshots);
    });
    this.position.snapshotSequence = sequence;
    this.afterWrite();
  }

  /**
   * Journaled events after `sequence` (default: the whole journal), decoded and frozen, in order:
   * for audits and tools that read more than recovery needs. Another process may be writing the
   * store meanwhile (WAL readers do not block the writer); the result is then a consistent prefix.
   */
  eventsAfter(sequence = 0): JournaledEvent[] {
    return [...this.journal(sequence)];
  }

  /**
   * The journal after `afterSequence`, decoded and frozen, read a page of rows at a time as the
   * caller iterates: a months-long journal never sits in memory at once, and between pages the
   * connection is free (better-sqlite3 refuses writes while a statement is still iterating).
   */
  journal(afterSequence: number): Iterable<JournaledEvent> {
    return this.pagedEvents(afterSequence, (after) => this.statements.eventsPage.all(after, JOURNAL_PAGE_ROWS));
  }

  *fillsSince(time: EpochMs): Iterable<Fill> {
    for (const event of this.pagedEvents(0, (after) => this.statements.fillsPage.all(time, after, JOURNAL_PAGE_ROWS))) {
      if (event.type === 'order-filled') yield event.fill;
    }
  }

  /** Journal rows page by page (`page(after)` reads the rows after a sequence), decoded as the caller iterates. */
  private *pagedEvents(afterSequence: number, page: (after: number) => JournalRow[]): Iterable<JournaledEvent> {
    let after = afterSequence;
    for (;;) {
      this.ensureOpen();
      this.settleForRead('the journal');
      let rows: JournalRow[];
      try {
        rows = page(after);
      } catch (error) {
        throw this.readFailure(error);
      }
      for (const row of rows) yield decodeStoredEvent(this.file, row.payload, `${this.file} journal sequence ${row.sequence}`);
      if (rows.length < JOURNAL_PAGE_ROWS) return;
      after = rows[rows.length - 1]!.sequence;
    }
  }

  /** The latest snapshot and every event after it, decoded (Decimals are Decimals) and frozen. */
  load(): Recovered {
    this.ensureOpen();
    this.settleForRead('the journal');
    try {
      const row = this.statements.latestSnapshot.get();
      const snapshot: EngineSnapshot | undefined = row
        ? Object.freeze({ sequence: row.sequence, time: row.time, state: this.decodeStored(row.state, `snapshot at sequence ${row.sequence}`) })
        : undefined;
      const after = snapshot?.sequence ?? 0;
      const events: JournaledEvent[] = [];
      let expected = after + 1;
      for (const journalRow of this.statements.eventsAfter.iterate(after)) {
        const where = `${this.file} journal sequence ${journalRow.sequence}`;
        if (journalRow.sequence !== expected) throw new StoreError('store-corrupt', this.file, `the journal jumps from sequence ${expected - 1} to ${journalRow.sequence}: events are missing`);
        const event = decodeStoredEvent(this.file, journalRow.payload, where);
        if (event.sequence !== journalRow.sequence || event.type !== journalRow.type) {
          throw new StoreError('store-corrupt', this.file, `journal sequence ${journalRow.sequence}: the stored event says ${event.type} ${event.sequence}, the row says ${journalRow.type} ${journalRow.sequence}`);
        }
        events.push(event);
        expected++;
      }
      return Object.freeze({ snapshot, events: Object.freeze(events) });
    } catch (error) {
      throw this.readFailure(error);
    }
  }

  /**
   * Runs `fn` with every write it makes in one transaction, committed when `fn` returns; if `fn`
   * throws, everything it wrote since the batch began (or since the last `flush`) is rolled back
   * and the error propagates. Nested batches roll back only their own writes. `fn` must be
   * synchronous. `argument` is passed to `fn`, so a hot caller can pass a bound function and
   * its input instead of allocating a closure per call.
   */
  batch<T>(fn: () => T): T;
  batch<A, T>(fn: (argument: A) => T, argument: A): T;
  batch<A, T>(fn: (argument?: A) => T, argument?: A): T {
    this.ensureOpen();
    const outermost = this.depth === 0;
    // Two numbers, not a copy of the position: a live bot opens a batch for every tick it sees.
    const beforeLast = this.position.lastSequence;
    const beforeSnapshot = this.position.snapshotSequence;
    const writerMark = this.writer?.mark ?? 0;
    const level = ++this.depth;
    let result: T;
    try {
      result = fn(argument);
      if (typeof (result as { then?: unknown } | null)?.then === 'function') {
        throw new InvariantError(`${this.file}: batch work returned a promise; it must be synchronous (the transaction cannot stay open across awaits)`);
      }
    } catch (error) {
      this.depth--;
      this.writer?.truncate(writerMark);
      if (!this.closed) {
        if (outermost) this.rollback();
        else this.endSavepoint(level, 'rollback');
      }
      if (outermost) this.restoreCommitted();
      else {
        this.position.lastSequence = beforeLast;
        this.position.snapshotSequence = beforeSnapshot;
      }
      throw error;
    }
    this.depth--;
    if (this.closed) throw new InvariantError(`${this.file}: the store was closed inside a batch; its writes were rolled back`);
    if (outermost) this.commit();
    else this.endSavepoint(level, 'release');
    return result;
  }

  /**
   * Inside a batch: commits what the batch has written so far (later writes start a new
   * transaction). Call it before anything leaves the process, such as an order sent to the
   * venue. Outside a batch it does nothing (every write is committed already), except wait for
   * the writer thread to commit what it was given (journalWriter `thread`).
   */
  flush(): void {
    this.ensureOpen();
    if (this.depth === 0) {
      this.writer?.settle();
      return;
    }
    if (this.depth > 1) throw new InvariantError(`${this.file}: flush inside a nested batch; only the outermost batch can commit`);
    this.commit();
    this.writer?.settle();
  }

  /** A value saved with `writeValue` (learner state, counters), decoded; undefined when absent. */
  readValue(key: string): unknown {
    this.ensureOpen();
    this.writer?.settle();
    try {
      const row = this.statements.readValue.get(key);
      return row === undefined ? undefined : this.decodeStored(row.value, `value ${JSON.stringify(key)}`);
    } catch (error) {
      throw this.readFailure(error);
    }
  }

  /** Saves plain data (Decimals, bigints and undefined included) under `key`, replacing what was there. */
  writeValue(key: string, value: unknown): void {
    this.ensureOpen();
    const encoded = encodeValue(value);
    this.write('value', () => this.statements.writeValue.run(key, encoded, Date.now()));
    this.afterWrite();
  }

  /** Removes `key`; true when it existed. */
  deleteValue(key: string): boolean {
    this.ensureOpen();
    let changes = 0;
    this.write('value', () => {
      changes = this.statements.deleteValue.run(key).changes;
    });
    this.afterWrite();
    return changes > 0;
  }

  /** The high-water mark under `key` (e.g. `nonce:kraken`), or undefined if none was saved. */
  highWaterMark(key: string): bigint | undefined {
    const value = this.readValue(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'bigint') throw new StoreError('store-corrupt', this.file, `value ${JSON.stringify(key)}: received ${typeof value}, expected a high-water mark (bigint)`);
    return value;
  }

  /**
   * Raises the mark under `key` to `candidate` if that is higher, and returns the mark. It never
   * goes down, so a nonce service that saves a mark ahead of the nonces it uses never reuses one
   * after a restart.
   */
  raiseHighWaterMark(key: string, candidate: bigint | number): bigint {
    if (typeof candidate === 'number' && !Number.isSafeInteger(candidate)) {
      throw new InvariantError(`${this.file}: high-water mark ${JSON.stringify(key)}: received ${candidate}, expected a whole number`);
    }
    const next = BigInt(candidate);
    const current = this.highWaterMark(key);
    if (current !== undefined && current >= next) return current;
    this.writeValue(key, next);
    return next;
  }

  /** Adds a line to the session log. */
  appendSessionLog(entry: SessionLogEntry): void {
    this.ensureOpen();
    const details = entry.details === undefined ? null : encodeValue(entry.details);
    this.write('session log', () => this.statements.insertSessionLog.run(entry.time, entry.kind, entry.message, details));
    this.afterWrite();
  }

  /** The last `limit` session log lines (default 100), oldest first. */
  readSessionLog(options: { readonly limit?: number } = {}): SessionLogEntry[] {
    this.ensureOpen();
    const limit = options.limit ?? 100;
    this.writer?.settle();
    try {
      return this.statements.sessionLog
        .all(limit)
        .reverse()
        .map((row) => {
          const base = { time: row.time, kind: row.kind, message: row.message };
          if (row.details === null) return Object.freeze(base);
          return Object.freeze({ ...base, details: this.decodeStored(row.details, 'session log details') as Readonly<Record<string, unknown>> });
        });
    } catch (error) {
      throw this.readFailure(error);
    }
  }

  /**
   * Copies the write-ahead log into the database file now, without waiting for readers
   * (SQLite's passive checkpoint). For long runs with `autoCheckpointPages: 0`, between steps.
   */
  checkpoint(): void {
    this.ensureOpen();
    if (this.depth > 0) throw new InvariantError(`${this.file}: checkpoint inside a batch; call it between batches`);
    this.writer?.settle();
    try {
      this.database.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      throw this.writeFailure('checkpoint', error);
    }
  }

  /** Closes this store and opens the same file again with the same options (tests; recovery drills). */
  reopen(): SqliteStore {
    this.close();
    return new SqliteStore(this.file, this.options);
  }

  /** Rolls back an unfinished batch, then closes. Calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    openFiles.delete(this.file);
    if (this.database.inTransaction) this.database.exec('ROLLBACK');
    // This connection closes first, so the writer's is the last one and runs SQLite's closing
    // checkpoint on its thread. An unfinished batch's rows are dropped, as its transaction is.
    this.database.close();
    if (this.writer !== undefined) {
      if (this.depth > 0) this.writer.truncate(0);
      this.writer.close();
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private prepare(): SqliteStore['statements'] {
    const database = this.database;
    return {
      insertEvent: database.prepare('INSERT INTO journal (sequence, type, time, payload) VALUES (?, ?, ?, ?)'),
      eventsAfter: database.prepare('SELECT sequence, type, payload FROM journal WHERE sequence > ? ORDER BY sequence'),
      eventsPage: database.prepare('SELECT sequence, type, payload FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?'),
      fillsPage: database.prepare("SELECT sequence, type, payload FROM journal WHERE type = 'order-filled' AND time >= ? AND sequence > ? ORDER BY sequence LIMIT ?"),
      lastSequence: database.prepare('SELECT MAX(sequence) AS sequence FROM journal'),
      insertSnapshot: database.prepare('INSERT INTO snapshots (sequence, time, state) VALUES (?, ?, ?)'),
      latestSnapshot: database.prepare('SELECT sequence, time, state FROM snapshots ORDER BY id DESC LIMIT 1'),
      // deletes from the (keep + 1)-th newest down
      pruneSnapshots: database.prepare('DELETE FROM snapshots WHERE id <= (SELECT id FROM snapshots ORDER BY id DESC LIMIT 1 OFFSET ?)'),
      readValue: database.prepare('SELECT value FROM kv WHERE key = ?'),
      writeValue: database.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'),
      deleteValue: database.prepare('DELETE FROM kv WHERE key = ?'),
      insertSessionLog: database.prepare('INSERT INTO session_log (time, kind, message, details) VALUES (?, ?, ?, ?)'),
      sessionLog: database.prepare('SELECT time, kind, message, details FROM session_log ORDER BY id DESC LIMIT ?'),
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw new InvariantError(`${this.file}: the store is closed`);
  }

  /** Runs `work` inside the open batch transaction, or in a transaction of its own. */
  private write(what: string, work: () => void): void {
    try {
      if (this.depth > 0) {
        this.prepareBatchWrite();
        work();
      } else {
        this.writer?.settle();
        this.transactional.immediate(work);
      }
    } catch (error) {
      throw this.writeFailure(what, error);
    }
  }

  /** Inside a batch: opens the transaction, and the savepoints of nested batches, on their first write. */
  private prepareBatchWrite(): void {
    if (!this.database.inTransaction) {
      // The writer thread must not be waiting for the lock this connection is about to hold
      // until the batch ends: everything handed to it is committed first.
      this.writer?.settle();
      this.database.exec('BEGIN IMMEDIATE');
    }
    while (this.savepoints < this.depth - 1) this.database.exec(`SAVEPOINT kbot_batch_${++this.savepoints}`);
  }

  private insertEvents(events: readonly JournaledEvent[], payloads: readonly string[]): void {
    const insert = this.statements.insertEvent;
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      insert.run(event.sequence, event.type, event.time, payloads[index]!);
    }
  }

  private afterWrite(): void {
    if (this.depth === 0) this.markCommitted();
  }

  private sequenceError(event: JournaledEvent, expected: number): InvariantError {
    const problem = event.sequence <= this.position.lastSequence ? 'is already in the journal (a duplicate)' : `would leave a gap after ${expected - 1}`;
    return new InvariantError(`${this.file}: cannot journal ${event.type} with sequence ${event.sequence}: it ${problem}; expected sequence ${expected}`);
  }

  private timeError(event: JournaledEvent): InvariantError {
    return new InvariantError(`${this.file}: cannot journal ${event.type} ${event.sequence}: time: received ${String(event.time)}, expected epoch milliseconds`);
  }

  /** Outside a batch, a write to the writer thread is committed before the call returns. */
  private afterThreadWrite(): void {
    if (this.depth > 0) return;
    this.writer!.post();
    this.writer!.settle();
    this.markCommitted();
  }

  /** Before reading: the writer thread has committed all it was given, and nothing waits unposted. */
  private settleForRead(what: string): void {
    const writer = this.writer;
    if (writer === undefined) return;
    if (writer.mark > 0) {
      throw new InvariantError(`${this.file}: reading ${what} inside a batch whose rows the writer thread has not written yet; read after the batch commits (journalWriter 'thread')`);
    }
    writer.settle();
  }

  private commit(): void {
    if (this.database.inTransaction) {
      try {
        this.database.exec('COMMIT');
      } catch (error) {
        this.rollback();
        this.writer?.truncate(0);
        this.restoreCommitted();
        throw this.writeFailure('batch', error);
      }
    }
    // This connection's part is committed; the writer thread's rows follow in their own
    // transaction (journalWriter 'thread').
    this.writer?.post();
    this.markCommitted();
  }

  private markCommitted(): void {
    this.committed.lastSequence = this.position.lastSequence;
    this.committed.snapshotSequence = this.position.snapshotSequence;
  }

  private restoreCommitted(): void {
    this.position.lastSequence = this.committed.lastSequence;
    this.position.snapshotSequence = this.committed.snapshotSequence;
  }

  private rollback(): void {
    this.savepoints = 0;
    if (this.database.inTransaction) this.database.exec('ROLLBACK');
  }

  /** Ends the savepoint of the nested batch at depth `level`, if it wrote anything. */
  private endSavepoint(level: number, how: 'release' | 'rollback'): void {
    const index = level - 1;
    if (this.savepoints < index) return;
    const name = `kbot_batch_${index}`;
    this.database.exec(how === 'release' ? `RELEASE ${name}` : `ROLLBACK TO ${name}; RELEASE ${name}`);
    this.savepoints = index - 1;
  }

  private decodeStored(text: string, what: string): unknown {
    try {
      return decodeValue(text);
    } catch (error) {
      throw new StoreError('store-corrupt', this.file, `${what} cannot be decoded: ${(error as Error).message}`, { cause: error });
    }
  }

  private writeFailure(what: string, error: unknown): Error {
    if (isKbotError(error)) return error;
    if (sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT')) {
      return new InvariantError(`${this.file}: ${what} write broke a constraint (${(error as Error).message}); is another process writing this store?`, { cause: error });
    }
    if (isDamage(error)) return new StoreError('store-corrupt', this.file, `SQLite reports damage while writing the ${what}: ${(error as Error).message}`, { cause: error });
    return new StoreError('store-write-failed', this.file, `could not write the ${what}: ${(error as Error).message}`, { cause: error });
  }

  private readFailure(error: unknown): Error {
    if (isKbotError(error)) return error;
    if (isDamage(error)) return new StoreError('store-corrupt', this.file, `SQLite reports damage: ${(error as Error).message}`, { cause: error });
    return error as Error;
  }
}

function decodeStoredEvent(file: string, payload: string, where: string): JournaledEvent {
  try {
    return decodeJournalPayload(payload, where);
  } catch (error) {
    throw new StoreError('store-corrupt', file, (error as Error).message, { cause: error });
  }
}

/** What the first bytes of an existing file say it is. */
function readHeader(file: string): Buffer | 'missing' | 'empty' {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new StoreError('store-unavailable', file, 'is a directory, expected a kbot store file (or no file)');
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    if (isKbotError(error)) throw error;
    throw new StoreError('store-unavailable', file, `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (size === 0) return 'empty';
  const header = Buffer.alloc(HEADER_BYTES);
  let read = 0;
  try {
    const descriptor = openSync(file, 'r');
    try {
      read = readSync(descriptor, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    throw new StoreError('store-unavailable', file, `cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return header.subarray(0, read);
}

/**
 * Checks an existing file without writing to it: the SQLite magic and kbot's application id
 * from the raw header, then (read-only) SQLite's own check and the schema version.
 */
function inspectExisting(file: string, header: Buffer, options: SqliteStoreOptions, latest: number): number {
  if (header.length < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new StoreError('store-corrupt', file, `is not a SQLite database (its header is not "SQLite format 3"): it is damaged or another kind of file. kbot will not open or change it; move it away or point storage.dir at another directory`);
  }
  const applicationId = header.readUInt32BE(APPLICATION_ID_OFFSET);
  if (applicationId !== KBOT_APPLICATION_ID) {
    throw new StoreError('store-foreign', file, `is a SQLite database of another application (application_id ${hex(applicationId)}, expected ${hex(KBOT_APPLICATION_ID)} "kbot"). kbot will not open or change it; point storage.dir at another directory`);
  }
  let reader: Database | undefined;
  const sideFiles = sideFilesBefore(file);
  try {
    reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
    if (options.checkOnOpen ?? true) {
      const problems = reader.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
      const report = problems.map((row) => row.quick_check);
      if (!(report.length === 1 && report[0] === 'ok')) {
        throw new StoreError('store-corrupt', file, `SQLite's integrity check failed: ${report.join('; ')}. kbot will not change the file; restore a backup or move it away`);
      }
    }
    const version = reader.pragma('user_version', { simple: true }) as number;
    if (version > latest) {
      throw new StoreError('store-too-new', file, `has schema version ${version}, but this @kbot/core reads versions up to ${latest}: it was written by a newer kbot. Upgrade @kbot/core; the file was not changed`);
    }
    if (version === 0) {
      // Version 0 is a store whose first start stopped before its schema (one transaction with
      // the version) was written: it has no tables yet. Tables without a version are not kbot's
      // doing, and the first migration would fail on them or mix its tables with theirs.
      const tables = reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
      if (tables.length > 0) {
        throw new StoreError('store-corrupt', file, `has kbot's tables (${tables.join(', ')}) but no schema version (user_version 0), expected both or neither: it is damaged or was changed by another program. The file was left untouched; restore a backup or move it away`);
      }
    }
    return version;
  } catch (error) {
    if (isKbotError(error)) throw error;
    if (isDamage(error)) throw new StoreError('store-corrupt', file, `SQLite reports damage (${(error as Error).message}). kbot will not change the file; restore a backup or move it away`, { cause: error });
    throw new StoreError('store-unavailable', file, `cannot be opened: ${(error as Error).message}`, { cause: error });
  } finally {
    reader?.close();
    removeSideFilesCreated(file, sideFiles);
  }
}

/** Which of the file's `-wal` and `-shm` exist now. */
function sideFilesBefore(file: string): { readonly wal: boolean; readonly shm: boolean } {
  return { wal: existsSync(`${file}-wal`), shm: existsSync(`${file}-shm`) };
}

/**
 * A read-only connection to a WAL database creates an empty `-wal` and a `-shm` (its index)
 * when they are missing, and does not remove them when it closes. Left beside a refused file,
 * they would outlive it: moved away, it would leave a `-wal` without its database. So what the
 * look created is removed again: the `-wal` only if it is still empty (nothing was written to it),
 * the `-shm` only when no `-wal` is left for it to index. Files that were there before stay.
 */
function removeSideFilesCreated(file: string, before: { readonly wal: boolean; readonly shm: boolean }): void {
  const wal = `${file}-wal`;
  try {
    if (!before.wal && existsSync(wal) && statSync(wal).size === 0) rmSync(wal);
    if (!before.shm && !existsSync(wal)) rmSync(`${file}-shm`, { force: true });
  } catch {
    // Tidying only: a side file that cannot be removed is harmless while its database is there.
  }
}

/** A free name for the pre-migration copy: `kbot.sqlite.v1.backup`, then `...v1.backup-2`, ... */
function backupName(file: string, version: number): string {
  const base = `${file}.v${version}.backup`;
  if (!existsSync(base)) return base;
  for (let attempt = 2; ; attempt++) {
    const candidate = `${base}-${attempt}`;
    if (!existsSync(candidate)) return candidate;
  }
}

function openDatabase(file: string, options: SqliteStoreOptions, migrations: readonly Migration[]): { database: Database; backupFile: string | undefined; notices: string[] } {
  const latest = latestSchemaVersion(migrations);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new StoreError('store-unavailable', file, `its directory cannot be created: ${(error as Error).message}`, { cause: error });
  }
  const header = readHeader(file);
  const isNew = header === 'missing' || header === 'empty';
  const notices: string[] = [];
  const wal = `${file}-wal`;
  if (isNew && existsSync(wal)) {
    // An empty log holds no transaction, so there is nothing to lose (a look at a refused file
    // by an older kbot left such a one behind). A log with frames may hold the journal's tail.
    if (statSync(wal).size > 0) {
      throw new StoreError('store-corrupt', file, `is missing or empty but ${wal} exists: the database was deleted without its write-ahead log. kbot will not start a new store over it; move both away`);
    }
    try {
      rmSync(wal);
      rmSync(`${file}-shm`, { force: true });
    } catch (error) {
      throw new StoreError('store-unavailable', file, `cannot remove the empty write-ahead log ${wal} left beside it: ${(error as Error).message}`, { cause: error });
    }
    notices.push(`${wal}: removed an empty write-ahead log left beside a ${header} database: nothing to recover`);
  }
  const version = isNew ? 0 : inspectExisting(file, header, options, latest);

  let backupFile: string | undefined;
  if (!isNew && version >= 1 && version < latest) {
    backupFile = backupName(file, version);
    let reader: Database | undefined;
    try {
      reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      reader.prepare('VACUUM INTO ?').run(backupFile);
    } catch (error) {
      throw new StoreError('store-migration-failed', file, `cannot copy it to ${backupFile} before upgrading schema ${version} to ${latest}: ${(error as Error).message}. Nothing was changed`, { cause: error });
    } finally {
      reader?.close();
    }
  }

  let database: Database;
  try {
    database = new BetterSqlite3(file, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw new StoreError('store-unavailable', file, `cannot be opened: ${(error as Error).message}`, { cause: error });
  }
  try {
    // The application id goes into the header before WAL mode, so it is in the main file
    // itself from the start: the foreign-file check reads it from there.
    if (isNew) database.pragma(`application_id = ${KBOT_APPLICATION_ID}`);
    const mode = database.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StoreError('store-unavailable', file, `SQLite refused WAL mode (journal_mode is ${String(mode)}); is the file on a network drive?`);
    database.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    database.pragma(`wal_autocheckpoint = ${options.autoCheckpointPages ?? 1000}`);
    const current = database.pragma('user_version', { simple: true }) as number;
    if (current > latest) throw new StoreError('store-too-new', file, `has schema version ${current}, but this @kbot/core reads versions up to ${latest}. Upgrade @kbot/core; the file was not changed`);
    if (current < latest) {
      try {
        applyMigrations(database, current, migrations);
      } catch (error) {
        if (isKbotError(error)) throw error;
        throw new StoreError(
          'store-migration-failed',
          file,
          `upgrading schema ${current} to ${latest} failed (${(error as Error).message}); the transaction was rolled back${backupFile ? ` and a copy is in ${backupFile}` : ''}`,
          { cause: error },
        );
      }
    }
    return { database, backupFile, notices };
  } catch (error) {
    database.close();
    if (isKbotError(error)) throw error;
    if (isDamage(error)) throw new StoreError('store-corrupt', file, `SQLite reports damage (${(error as Error).message}). kbot will not change the file`, { cause: error });
    throw new StoreError('store-unavailable', file, `cannot be prepared: ${(error as Error).message}`, { cause: error });
  }
}
