import type { Database } from 'better-sqlite3';
import { InvariantError } from '../errors/errors.js';

/**
 * One step of the store's schema. `up` runs inside the transaction that also sets SQLite's
 * `user_version` to `version`, so a step is applied completely or not at all.
 */
export interface Migration {
  /** The schema version after this step: 1, 2, 3, ... with no gaps. */
  readonly version: number;
  readonly description: string;
  up(database: Database): void;
}

/**
 * `PRAGMA application_id` of every kbot store: the bytes of "kbot" (0x6b626f74). It sits in
 * the file header, so a foreign SQLite database is recognized before anything is written.
 */
export const KBOT_APPLICATION_ID = 0x6b626f74;

/**
 * The schema, oldest step first. Never edit a released step: add a new one. The journal keeps
 * the full event as JSON (see event-codec.ts), with type and time beside it for queries. Times
 * are REAL because venue times can carry fractions of a millisecond.
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'journal, snapshots, key-value state, session log',
    up(database: Database) {
      database.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE journal (
          sequence INTEGER PRIMARY KEY,
          type     TEXT    NOT NULL,
          time     REAL    NOT NULL,
          payload  TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX journal_type ON journal (type, sequence);
        CREATE TABLE snapshots (
          id       INTEGER PRIMARY KEY AUTOINCREMENT,
          sequence INTEGER NOT NULL,
          time     REAL    NOT NULL,
          state    TEXT    NOT NULL
        ) STRICT;
        CREATE TABLE kv (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE session_log (
          id      INTEGER PRIMARY KEY AUTOINCREMENT,
          time    REAL    NOT NULL,
          kind    TEXT    NOT NULL,
          message TEXT    NOT NULL,
          details TEXT
        ) STRICT;
        INSERT INTO meta (key, value) VALUES ('format', 'kbot-store');
      `);
    },
  },
  {
    version: 2,
    description: 'journal payloads may be in the compact form (journal-payload.ts)',
    // Nothing to change in the tables: rows written before stay JSON, and both forms are read.
    // The version tells an older kbot, which reads JSON only, that this file is newer than it.
    up() {},
  },
  {
    version: 3,
    description: 'no index on journal (type, sequence)',
    // Nothing reads the journal by type: every read walks it by sequence (the primary key). The
    // index still cost every insert a second B-tree write, about half of SQLite's time per row
    // (measured: 35,000 rows in 244 transactions, 365 against 190 ms).
    up(database: Database) {
      database.exec('DROP INDEX IF EXISTS journal_type');
    },
  },
]);

/** From this schema version on, journal rows may hold compact payloads. */
export const COMPACT_PAYLOADS_VERSION = 2;

/** The schema version this build of @kbot/core writes and reads. */
export function latestSchemaVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/** Throws unless versions run 1, 2, 3, ... (a gap or a reordering would skip or repeat a step). */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new InvariantError(`migration ${index + 1} ("${migration.description}"): version: received ${migration.version}, expected ${index + 1}`);
    }
  });
}

/**
 * Applies every step after `from`, in one transaction: on any error nothing changes and the
 * error propagates. Returns the new version.
 */
export function applyMigrations(database: Database, from: number, migrations: readonly Migration[] = MIGRATIONS): number {
  checkMigrations(migrations);
  const pending = migrations.filter((migration) => migration.version > from);
  if (pending.length === 0) return from;
  database.transaction(() => {
    for (const migration of pending) {
      migration.up(database);
      database.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
  return pending[pending.length - 1]!.version;
}
