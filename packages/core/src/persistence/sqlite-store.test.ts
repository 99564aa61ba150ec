import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { InvariantError, isKbotError } from '../errors/errors.js';
import { silentLogger } from '../log/logger.js';
import { Decimal } from '../model/decimal.js';
import type { JournaledEvent, OrderFilled } from '../model/events.js';
import { sampleJournal } from '../testing/journal-builder.js';
import { runStoreContract } from '../testing/store-contract.js';
import { everyJournaledEvent } from './every-event.fixture.js';
import { KBOT_APPLICATION_ID, MIGRATIONS, type Migration } from './migrations.js';
import { SqliteStore, STORE_FILE_NAME, storeFilePath } from './sqlite-store.js';
import type { StoreError } from './store-error.js';

const root = mkdtempSync(join(tmpdir(), 'kbot-sqlite-store-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh data directory; the store file inside it does not exist yet. */
function freshDirectory(): string {
  return join(root, `data-${++counter}`);
}

function freshFile(): string {
  return storeFilePath(freshDirectory());
}

function storeError(run: () => unknown): StoreError {
  try {
    run();
  } catch (error) {
    if (isKbotError(error)) return error as StoreError;
    throw error;
  }
  throw new Error('expected a StoreError, but nothing was thrown');
}

function sequences(events: readonly JournaledEvent[]): number[] {
  return events.map((event) => event.sequence);
}

/** Every file in the directory with its bytes, to prove a refused file was not touched. */
function directoryImage(directory: string): Map<string, Buffer> {
  return new Map(readdirSync(directory).map((name) => [name, readFileSync(join(directory, name))]));
}

runStoreContract('SqliteStore', () => new SqliteStore(freshFile()), { reopen: (store) => store.reopen() });
runStoreContract('SqliteStore (durability normal)', () => new SqliteStore(freshFile(), { durability: 'normal' }), { reopen: (store) => store.reopen() });


/** A store of three events whose schema version is then set to `version` (another kbot, or none). */
function storeWithSchemaVersion(version: number): { directory: string; file: string } {
  const directory = freshDirectory();
  const file = storeFilePath(directory);
  const store = new SqliteStore(file);
  store.append(sampleJournal(3));
  store.close();
  const raw = new BetterSqlite3(file);
  raw.pragma(`user_version = ${version}`);
  raw.close();
  return { directory, file };
}

describe('SqliteStore', () => {
  it('creates the data directory and a kbot store file in it', () => {
    const directory = freshDirectory();
    const store = new SqliteStore(storeFilePath(directory));
    store.close();
    expect(existsSync(join(directory, STORE_FILE_NAME))).toBe(true);
    const header = readFileSync(join(directory, STORE_FILE_NAME)).subarray(0, 100);
    expect(header.readUInt32BE(68)).toBe(KBOT_APPLICATION_ID);
  });

  it('keeps every event type exactly, Decimals included, across a reopen', () => {
    const events = everyJournaledEvent();
    let store = new SqliteStore(freshFile());
    store.append(events);
    store = store.reopen();
    try {
      const loaded = store.load().events;
      expect(loaded).toStrictEqual(events);
      const filled = loaded.find((event): event is OrderFilled => event.type === 'order-filled')!;
      expect(filled.fill.fee.constructor).toBe(Decimal);
      expect(filled.fill.fee.equals('1e-35')).toBe(true);
      expect(filled.order.price!.toFixed()).toBe('42123.123456789012345678901234567890123456');
      expect(Object.isFrozen(filled.order)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('journal() reads a long journal page by page and lets the store write between pages', () => {
    const journal = sampleJournal(2_345);
    const store = new SqliteStore(freshFile());
    try {
      store.append(journal.slice(0, 2_300));
      store.snapshot({ sequence: 2_000, time: 0, state: {} });
      const reader = store.journal(1_200)[Symbol.iterator]();
      const first = reader.next();
      expect(first.value).toStrictEqual(journal[1_200]);
      // A page is read whole: the connection is free for the engine's next append.
      store.append(journal.slice(2_300));
      const rest = [first.value!];
      for (let next = reader.next(); next.done !== true; next = reader.next()) rest.push(next.value);
      expect(rest).toStrictEqual(journal.slice(1_200));
      expect([...store.journal(0)]).toHaveLength(2_345);
    } finally {
      store.close();
    }
  });

  describe('crash safety', () => {
    it('1000 events appended one by one are all there after close and reopen, without a snapshot', () => {
      const journal = sampleJournal(1000);
      let store = new SqliteStore(freshFile());
      for (const event of journal) store.append([event]);
      store = store.reopen();
      try {
        const loaded = store.load();
        expect(loaded.snapshot).toBeUndefined();
        expect(loaded.events).toStrictEqual(journal);
        expect(store.lastSequence).toBe(1000);
      } finally {
        store.close();
      }
    });

    it('a process killed mid-run leaves every committed event and none of an unfinished batch', () => {
      // The files as they are while the writer is still open (never closed, WAL not checkpointed)
      // are what SIGKILL leaves on disk: the OS keeps every write() SQLite made at each commit.
      const directory = freshDirectory();
      const crashed = freshDirectory();
      const journal = sampleJournal(1010);
      const store = new SqliteStore(storeFilePath(directory));
      try {
        for (let index = 0; index < 600; index++) store.append([journal[index]!]);
        store.batch(() => store.append(journal.slice(600, 1000)));
        store.batch(() => {
          store.append(journal.slice(1000));
          const image = directoryImage(directory);
          mkdirSync(crashed);
          expect([...image.keys()].sort()).toEqual([STORE_FILE_NAME, `${STORE_FILE_NAME}-shm`, `${STORE_FILE_NAME}-wal`]);
          for (const [name, bytes] of image) writeFileSync(join(crashed, name), bytes, { flag: 'w' });
        });
      } catch (error) {
        store.close();
        throw error;
      }
      const recovered = new SqliteStore(storeFilePath(crashed));
      try {
        expect(recovered.load().events).toStrictEqual(journal.slice(0, 1000));
        expect(recovered.lastSequence).toBe(1000);
        recovered.append([journal[1000]!]);
        expect(recovered.lastSequence).toBe(1001);
      } finally {
        recovered.close();
        store.close();
      }
    });
  });

  it('with automatic checkpoints off, the database file gets the journal on checkpoint()', () => {
    const directory = freshDirectory();
    const file = storeFilePath(directory);
    const mainFileOnly = () => {
      const copy = freshDirectory();
      mkdirSync(copy);
      writeFileSync(storeFilePath(copy), readFileSync(file));
      const store = new SqliteStore(storeFilePath(copy));
      try {
        return store.lastSequence;
      } finally {
        store.close();
      }
    };
    const store = new SqliteStore(file, { durability: 'normal', autoCheckpointPages: 0 });
    try {
      store.batch(() => store.append(sampleJournal(2000)));
      expect(mainFileOnly()).toBe(0);
      expect(() => store.batch(() => store.checkpoint())).toThrow(/checkpoint inside a batch/);
      store.checkpoint();
      expect(mainFileOnly()).toBe(2000);
    } finally {
      store.close();
    }
    expect(() => new SqliteStore(freshFile(), { autoCheckpointPages: -1 })).toThrow(/autoCheckpointPages: received -1/);
  });

  describe('sequence rules', () => {
    it('refuses a duplicate, a gap and an unjournaled sequence, writing nothing of that append', () => {
      const journal = sampleJournal(6);
      const store = new SqliteStore(freshFile());
      try {
        store.append(journal.slice(0, 3));
        expect(() => store.append([journal[2]!])).toThrow(InvariantError);
        expect(() => store.append([journal[2]!])).toThrow(/sequence 3: it is already in the journal \(a duplicate\); expected sequence 4/);
        expect(() => store.append([journal[4]!])).toThrow(/sequence 5: it would leave a gap after 3; expected sequence 4/);
        expect(() => store.append([{ ...journal[3]!, sequence: 0 }])).toThrow(InvariantError);
        // 4 is fine but 6 is not: the whole append is refused
        expect(() => store.append([journal[3]!, journal[5]!])).toThrow(/gap/);
        expect(sequences(store.load().events)).toEqual([1, 2, 3]);
        expect(store.lastSequence).toBe(3);
        store.append(journal.slice(3));
        expect(sequences(store.load().events)).toEqual([1, 2, 3, 4, 5, 6]);
      } finally {
        store.close();
      }
    });

    it('a journal that does not start at 1 is refused', () => {
      const store = new SqliteStore(freshFile());
      try {
        expect(() => store.append(sampleJournal(2, { firstSequence: 5 }))).toThrow(/expected sequence 1/);
      } finally {
        store.close();
      }
    });

    it('a gap found in the file on load is reported as damage', () => {
      const file = freshFile();
      const store = new SqliteStore(file);
      store.append(sampleJournal(4));
      store.close();
      const raw = new BetterSqlite3(file);
      raw.prepare('DELETE FROM journal WHERE sequence = 2').run();
      raw.close();
      const reopened = new SqliteStore(file);
      try {
        const error = storeError(() => reopened.load());
        expect(error.code).toBe('store-corrupt');
        expect(error.message).toContain(file);
        expect(error.message).toContain('jumps from sequence 1 to 3');
      } finally {
        reopened.close();
      }
    });
  });

  describe('batches', () => {
    it('commits every append of a batch in one transaction when the batch returns', () => {
      const file = freshFile();
      const journal = sampleJournal(5);
      const store = new SqliteStore(file);
      const reader = new BetterSqlite3(file, { readonly: true });
      const committedCount = () => (reader.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
      try {
        store.append([journal[0]!]);
        const result = store.batch(() => {
          store.append([journal[1]!]);
          store.append([journal[2]!, journal[3]!]);
          expect(store.batching).toBe(true);
          // the store sees its own writes; another connection sees nothing until the commit
          expect(sequences(store.load().events)).toEqual([1, 2, 3, 4]);
          expect(committedCount()).toBe(1);
          return 'done';
        });
        expect(result).toBe('done');
        // the allocation-free form: a function and its argument
        expect(store.batch((event: JournaledEvent) => (store.append([event]), store.lastSequence), journal[4]!)).toBe(5);
        expect(store.batching).toBe(false);
        expect(committedCount()).toBe(5);
      } finally {
        reader.close();
        store.close();
      }
    });

    it('a batch that throws writes nothing, and the journal continues where it was', () => {
      const journal = sampleJournal(6);
      const store = new SqliteStore(freshFile());
      try {
        store.append(journal.slice(0, 2));
        expect(() =>
          store.batch(() => {
            store.append(journal.slice(2, 4));
            store.snapshot({ sequence: 4, time: 0, state: { cash: new Decimal('1.5') } });
            store.writeValue('learner:filter', { weights: [1, 2] });
            throw new Error('strategy blew up');
          }),
        ).toThrow('strategy blew up');
        const loaded = store.load();
        expect(sequences(loaded.events)).toEqual([1, 2]);
        expect(loaded.snapshot).toBeUndefined();
        expect(store.readValue('learner:filter')).toBeUndefined();
        expect(store.lastSequence).toBe(2);
        store.append(journal.slice(2));
        expect(sequences(store.load().events)).toEqual([1, 2, 3, 4, 5, 6]);
      } finally {
        store.close();
      }
    });

    it('a nested batch that throws rolls back only its own writes', () => {
      const journal = sampleJournal(4);
      const store = new SqliteStore(freshFile());
      try {
        store.batch(() => {
          store.append([journal[0]!]);
          expect(() =>
            store.batch(() => {
              store.append([journal[1]!]);
              throw new Error('inner');
            }),
          ).toThrow('inner');
          expect(store.lastSequence).toBe(1);
          // three deep: the middle batch writes nothing itself, its child does, then it throws
          expect(() =>
            store.batch(() => {
              store.batch(() => store.append([journal[1]!]));
              expect(store.lastSequence).toBe(2);
              throw new Error('middle');
            }),
          ).toThrow('middle');
          expect(store.lastSequence).toBe(1);
          store.batch(() => undefined);
          store.append([journal[1]!]);
          store.batch(() => store.batch(() => store.append([journal[2]!])));
        });
        expect(sequences(store.load().events)).toEqual([1, 2, 3]);
      } finally {
        store.close();
      }
    });

    it('flush commits what the batch wrote so far; a later throw rolls back only the rest', () => {
      const file = freshFile();
      const journal = sampleJournal(4);
      const store = new SqliteStore(file);
      const reader = new BetterSqlite3(file, { readonly: true });
      const committed = () => (reader.prepare('SELECT sequence FROM journal ORDER BY sequence').pluck().all() as number[]);
      try {
        expect(() =>
          store.batch(() => {
            store.append(journal.slice(0, 2));
            store.flush();
            expect(committed()).toEqual([1, 2]);
            store.append([journal[2]!]);
            throw new Error('after the order was sent');
          }),
        ).toThrow('after the order was sent');
        expect(committed()).toEqual([1, 2]);
        expect(store.lastSequence).toBe(2);
        expect(() => store.batch(() => store.batch(() => store.flush()))).toThrow(/nested batch/);
      } finally {
        reader.close();
        store.close();
      }
    });

    it('refuses asynchronous batch work and writes nothing of it', async () => {
      const store = new SqliteStore(freshFile());
      try {
        expect(() =>
          store.batch(async () => {
            store.append(sampleJournal(1));
          }),
        ).toThrow(/must be synchronous/);
        expect(store.load().events).toEqual([]);
      } finally {
        store.close();
      }
    });
  });

  describe('snapshots', () => {
    it('refuses a snapshot past the journal or behind the latest one', () => {
      const store = new SqliteStore(freshFile());
      try {
        store.append(sampleJournal(3));
        expect(() => store.snapshot({ sequence: 4, time: 0, state: {} })).toThrow(/expected a whole number from 0 to the last journaled sequence 3/);
        store.snapshot({ sequence: 2, time: 0, state: {} });
        expect(() => store.snapshot({ sequence: 1, time: 0, state: {} })).toThrow(/expected at least 2/);
      } finally {
        store.close();
      }
    });

    it('keeps the last few snapshots and decodes Decimals in their state', () => {
      const file = freshFile();
      const store = new SqliteStore(file, { keepSnapshots: 2 });
      try {
        store.append(sampleJournal(5));
        for (let sequence = 1; sequence <= 5; sequence++) store.snapshot({ sequence, time: sequence, state: { cash: new Decimal(`100.${sequence}`) } });
        const loaded = store.load();
        expect(loaded.snapshot).toStrictEqual({ sequence: 5, time: 5, state: { cash: new Decimal('100.5') } });
      } finally {
        store.close();
      }
      const raw = new BetterSqlite3(file, { readonly: true });
      expect(raw.prepare('SELECT sequence FROM snapshots ORDER BY id').pluck().all()).toEqual([4, 5]);
      raw.close();
    });
  });

  describe('key-value state and session log', () => {
    it('keeps learner state and a nonce high-water mark that never goes down, across a reopen', () => {
      let store = new SqliteStore(freshFile());
      try {
        store.writeValue('learner:signal-filter', { weights: [0.25, -1.5], bias: new Decimal('0.1') });
        expect(store.raiseHighWaterMark('nonce:kraken', 1_704_067_200_000_123n)).toBe(1_704_067_200_000_123n);
        expect(store.raiseHighWaterMark('nonce:kraken', 5)).toBe(1_704_067_200_000_123n);
        store = store.reopen();
        expect(store.readValue('learner:signal-filter')).toStrictEqual({ weights: [0.25, -1.5], bias: new Decimal('0.1') });
        expect(store.highWaterMark('nonce:kraken')).toBe(1_704_067_200_000_123n);
        expect(store.raiseHighWaterMark('nonce:kraken', 1_704_067_200_000_124n)).toBe(1_704_067_200_000_124n);
        expect(store.deleteValue('learner:signal-filter')).toBe(true);
        expect(store.deleteValue('learner:signal-filter')).toBe(false);
        expect(store.readValue('learner:signal-filter')).toBeUndefined();
        expect(store.highWaterMark('missing')).toBeUndefined();
      } finally {
        store.close();
      }
    });

    it('returns the latest session log lines, oldest first', () => {
      const store = new SqliteStore(freshFile());
      try {
        store.appendSessionLog({ time: 1, kind: 'session-started', message: 'live on kraken', details: { version: '0.1.0' } });
        store.appendSessionLog({ time: 2, kind: 'recovered', message: 'replayed 12 events after snapshot 40' });
        store.appendSessionLog({ time: 3, kind: 'session-stopped', message: 'SIGTERM' });
        expect(store.readSessionLog()).toStrictEqual([
          { time: 1, kind: 'session-started', message: 'live on kraken', details: { version: '0.1.0' } },
          { time: 2, kind: 'recovered', message: 'replayed 12 events after snapshot 40' },
          { time: 3, kind: 'session-stopped', message: 'SIGTERM' },
        ]);
        expect(store.readSessionLog({ limit: 2 }).map((entry) => entry.time)).toEqual([2, 3]);
      } finally {
        store.close();
      }
    });
  });

  describe('files it must not use', () => {
    it('refuses a file of random bytes and leaves it byte-identical, with no side files', () => {
      const directory = freshDirectory();
      const file = storeFilePath(directory);
      new SqliteStore(file).close();
      rmSync(file);
      writeFileSync(file, Buffer.from(Array.from({ length: 8192 }, (_, index) => (index * 7919 + 13) % 251)));
      const before = directoryImage(directory);
      const error = storeError(() => new SqliteStore(file));
      expect(error.code).toBe('store-corrupt');
      expect(error.file).toBe(file);
      expect(error.message).toContain(file);
      expect(error.message).toContain('is not a SQLite database');
      expect(directoryImage(directory)).toEqual(before);
    });

    it('refuses a kbot store with damaged pages and leaves the main file byte-identical', () => {
      const file = freshFile();
      const store = new SqliteStore(file);
      store.append(sampleJournal(400));
      store.close();
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(4096 * 30);
      for (let index = 4096 * 10; index < 4096 * 20; index++) bytes[index] = (index * 31) % 256;
      writeFileSync(file, bytes);
      const error = storeError(() => new SqliteStore(file));
      expect(error.code).toBe('store-corrupt');
      expect(error.message).toContain(file);
      expect(error.message).toMatch(/integrity check failed|damage/);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    });

    it("refuses another application's SQLite database and leaves it byte-identical", () => {
      for (const wal of [false, true]) {
        const directory = freshDirectory();
        const file = storeFilePath(directory);
        new SqliteStore(file).close();
        rmSync(file);
        const foreign = new BetterSqlite3(file);
        if (wal) foreign.pragma('journal_mode = WAL');
        foreign.exec("CREATE TABLE journal (sequence INTEGER PRIMARY KEY, payload TEXT); INSERT INTO journal VALUES (1, 'theirs')");
        foreign.close();
        const before = directoryImage(directory);
        const error = storeError(() => new SqliteStore(file));
        expect(error.code).toBe('store-foreign');
        expect(error.message).toContain(file);
        expect(error.message).toContain('application_id 0x00000000, expected 0x6b626f74');
        expect(directoryImage(directory)).toEqual(before);
      }
    });

    it('refuses a store written by a newer kbot and leaves it byte-identical', () => {
      const { directory, file } = storeWithSchemaVersion(99);
      const before = directoryImage(directory);
      expect([...before.keys()]).toEqual([STORE_FILE_NAME]);
      const error = storeError(() => new SqliteStore(file));
      expect(error.code).toBe('store-too-new');
      expect(error.message).toContain(`${file}: has schema version 99, but this @kbot/core reads versions up to ${MIGRATIONS.length}`);
      // No -wal or -shm left beside it either: the read-only look at it must leave no trace.
      expect(directoryImage(directory)).toEqual(before);
    });

    it('a refused file leaves no side files, so moving it away (as the message says) lets the next start begin afresh', () => {
      for (const damage of ['too new', 'damaged pages'] as const) {
        const directory = freshDirectory();
        const file = storeFilePath(directory);
        const store = new SqliteStore(file);
        store.append(sampleJournal(400));
        store.close();
        if (damage === 'too new') {
          const raw = new BetterSqlite3(file);
          raw.pragma('user_version = 99');
          raw.close();
        } else {
          const bytes = readFileSync(file);
          for (let index = 4096 * 10; index < 4096 * 20; index++) bytes[index] = (index * 31) % 256;
          writeFileSync(file, bytes);
        }
        expect(storeError(() => new SqliteStore(file)).code).toMatch(/^store-(too-new|corrupt)$/);
        expect(readdirSync(directory)).toEqual([STORE_FILE_NAME]);
        renameSync(file, join(root, `moved-away-${counter}.sqlite`));
        const fresh = new SqliteStore(file);
        expect(fresh.load().events).toEqual([]);
        fresh.close();
      }
    });

    it('an empty write-ahead log beside a missing database is nothing to recover: removed, with a log line', () => {
      for (const main of ['missing', 'empty'] as const) {
        const directory = freshDirectory();
        const file = storeFilePath(directory);
        mkdirSync(directory, { recursive: true });
        if (main === 'empty') writeFileSync(file, '');
        writeFileSync(`${file}-wal`, '');
        writeFileSync(`${file}-shm`, Buffer.alloc(32_768));
        const lines: string[] = [];
        const logger = { ...silentLogger, info: (message: string) => lines.push(message) };
        const store = new SqliteStore(file, { logger });
        try {
          expect(store.load().events).toEqual([]);
          expect(lines).toEqual([`${file}-wal: removed an empty write-ahead log left beside a ${main} database: nothing to recover`]);
          expect(store.readSessionLog().map((entry) => [entry.kind, entry.message])).toEqual([['store-notice', lines[0]]]);
        } finally {
          store.close();
        }
      }
    });

    it('refuses to start over a write-ahead log whose database is gone', () => {
      const directory = freshDirectory();
      const file = storeFilePath(directory);
      new SqliteStore(file).close();
      rmSync(file);
      writeFileSync(`${file}-wal`, 'left behind');
      const error = storeError(() => new SqliteStore(file));
      expect(error.code).toBe('store-corrupt');
      expect(existsSync(file)).toBe(false);
    });

    it("refuses a file with kbot's tables but no schema version as damaged, and leaves it untouched", () => {
      const { directory, file } = storeWithSchemaVersion(0);
      const before = directoryImage(directory);
      const error = storeError(() => new SqliteStore(file));
      expect(error.code).toBe('store-corrupt');
      expect(error.message).toContain(`${file}: has kbot's tables (journal, kv, meta, session_log, snapshots) but no schema version (user_version 0)`);
      expect(error.message).toContain('left untouched');
      expect(directoryImage(directory)).toEqual(before);
    });

    it('refuses a second open of the same file in one process until the first is closed', () => {
      const file = freshFile();
      const first = new SqliteStore(file);
      expect(storeError(() => new SqliteStore(file)).code).toBe('store-in-use');
      first.close();
      new SqliteStore(file).close();
    });
  });

  describe('schema migrations', () => {
    // One step past this build's schema, as the next kbot would add.
    const next = MIGRATIONS.length + 1;
    const addNotes: Migration = {
      version: next,
      description: 'notes on journal rows',
      up: (database) => database.exec('ALTER TABLE journal ADD COLUMN note TEXT'),
    };

    it('copies an older schema to a backup, then migrates it in place, keeping the data', () => {
      const file = freshFile();
      const journal = sampleJournal(10);
      const old = new SqliteStore(file, { migrations: MIGRATIONS.slice(0, 1) });
      old.append(journal);
      old.snapshot({ sequence: 4, time: 4, state: { cash: '10' } });
      old.writeValue('learner:x', 1);
      old.close();

      const upgraded = new SqliteStore(file, { migrations: [...MIGRATIONS, addNotes] });
      try {
        expect(upgraded.schemaVersion).toBe(next);
        expect(upgraded.backupFile).toBe(`${file}.v1.backup`);
        expect(upgraded.load().events).toStrictEqual(journal.slice(4));
        expect(upgraded.readValue('learner:x')).toBe(1);
      } finally {
        upgraded.close();
      }
      const backup = new BetterSqlite3(`${file}.v1.backup`, { readonly: true });
      expect(backup.pragma('user_version', { simple: true })).toBe(1);
      expect(backup.pragma('application_id', { simple: true })).toBe(KBOT_APPLICATION_ID);
      expect(backup.prepare('SELECT COUNT(*) FROM journal').pluck().get()).toBe(10);
      backup.close();
      const raw = new BetterSqlite3(file, { readonly: true });
      expect(raw.prepare('SELECT note FROM journal WHERE sequence = 1').pluck().get()).toBeNull();
      raw.close();
      // the older build now meets a newer file
      expect(storeError(() => new SqliteStore(file, { migrations: MIGRATIONS.slice(0, 1) })).code).toBe('store-too-new');
    });

    it('schema 3 drops the journal index by type, which nothing reads, and keeps every row', () => {
      const file = freshFile();
      const journal = sampleJournal(6);
      const indexes = (): string[] => {
        const raw = new BetterSqlite3(file, { readonly: true });
        try {
          return raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal' AND sql IS NOT NULL").pluck().all() as string[];
        } finally {
          raw.close();
        }
      };
      const old = new SqliteStore(file, { migrations: MIGRATIONS.slice(0, 2) });
      old.append(journal);
      old.close();
      expect(indexes()).toEqual(['journal_type']);

      const upgraded = new SqliteStore(file);
      try {
        expect(upgraded.schemaVersion).toBe(3);
        expect(upgraded.backupFile).toBe(`${file}.v2.backup`);
        expect(upgraded.load().events).toStrictEqual(journal);
      } finally {
        upgraded.close();
      }
      expect(indexes()).toEqual([]);
    });

    it('a failing migration changes nothing and says where the backup is', () => {
      const file = freshFile();
      const old = new SqliteStore(file);
      old.append(sampleJournal(3));
      old.close();
      const broken: Migration = {
        version: next,
        description: 'fails half way',
        up: (database) => {
          database.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('disk on fire');
        },
      };
      const error = storeError(() => new SqliteStore(file, { migrations: [...MIGRATIONS, broken] }));
      expect(error.code).toBe('store-migration-failed');
      expect(error.message).toContain(`${file}: upgrading schema ${MIGRATIONS.length} to ${next} failed (disk on fire)`);
      expect(error.message).toContain(`${file}.v${MIGRATIONS.length}.backup`);
      const store = new SqliteStore(file);
      try {
        expect(store.schemaVersion).toBe(MIGRATIONS.length);
        expect(sequences(store.load().events)).toEqual([1, 2, 3]);
      } finally {
        store.close();
      }
      const raw = new BetterSqlite3(file, { readonly: true });
      expect(raw.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
      raw.close();
    });

    it('refuses a migration list with a gap', () => {
      expect(() => new SqliteStore(freshFile(), { migrations: [...MIGRATIONS, { ...addNotes, version: next + 1 }] })).toThrow(
        new RegExp(`migration ${next} \\("notes on journal rows"\\): version: received ${next + 1}, expected ${next}`),
      );
    });
  });

  it('refuses use after close, and close twice is harmless', () => {
    const store = new SqliteStore(freshFile());
    store.close();
    store.close();
    expect(() => store.append(sampleJournal(1))).toThrow(/the store is closed/);
    expect(() => store.load()).toThrow(/the store is closed/);
  });
});
