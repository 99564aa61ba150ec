import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isKbotError } from '../errors/errors.js';
import { Decimal as DecimalJs } from 'decimal.js';
import { Decimal } from '../model/decimal.js';
import type { JournaledEvent, OrderSubmitted } from '../model/events.js';
import { sampleJournal } from '../testing/journal-builder.js';
import { runStoreContract } from '../testing/store-contract.js';
import { engineEvents } from './engine-events.fixture.js';
import { everyJournaledEvent } from './every-event.fixture.js';
import { encodeJournalPayload } from './journal-payload.js';
import { closeOpenWritersOnExit, type JournalWriterThread } from './journal-writer-thread.js';
import { SqliteStore, storeFilePath } from './sqlite-store.js';
import type { StoreError } from './store-error.js';

// journalWriter 'thread': the same store, with the journal's inserts on a worker thread.

const root = mkdtempSync(join(tmpdir(), 'kbot-sqlite-writer-thread-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshFile(): string {
  return storeFilePath(join(root, `data-${++counter}`));
}

function threaded(file = freshFile()): SqliteStore {
  return new SqliteStore(file, { journalWriter: 'thread', durability: 'normal' });
}

function writerOf(store: SqliteStore): JournalWriterThread {
  return (store as unknown as { writer: JournalWriterThread }).writer;
}

/**
 * A store whose first batches go to the worker: until the worker has started, batches are
 * written on the engine's thread, which would leave the worker's path untested.
 */
function threadedReady(file = freshFile()): SqliteStore {
  const store = threaded(file);
  writerOf(store).waitUntilReady();
  return store;
}

/** Both ways a batch is written: on this thread while the worker starts, and by the worker. */
const WRITERS = [
  { path: 'by the worker', open: threadedReady, expectWrittenHere: false },
  { path: 'on this thread while the worker starts', open: threaded, expectWrittenHere: true },
] as const;

function sequences(events: readonly JournaledEvent[]): number[] {
  return events.map((event) => event.sequence);
}

/** Sequences another connection sees committed in the file. */
function committedSequences(file: string): number[] {
  const reader = new BetterSqlite3(file, { readonly: true });
  try {
    return reader.prepare('SELECT sequence FROM journal ORDER BY sequence').pluck().all() as number[];
  } finally {
    reader.close();
  }
}

runStoreContract('SqliteStore (journalWriter thread)', () => threaded(), { reopen: (store) => store.reopen() });
runStoreContract('SqliteStore (journalWriter thread, worker started)', () => threadedReady(), { reopen: (store) => store.reopen() });

describe.each(WRITERS)('SqliteStore with the journal writer thread, batches written $path', ({ open: threaded, expectWrittenHere }) => {
  /** The store wrote its first batch the way this block is about. */
  function expectPath(store: SqliteStore): void {
    expect(writerOf(store).batchesWrittenHere > 0).toBe(expectWrittenHere);
  }

  it('writes every event type so that a store opened afterwards reads back exactly what was appended', () => {
    const file = freshFile();
    const events = everyJournaledEvent();
    const store = threaded(file);
    store.batch(() => {
      for (const event of events) store.append([event]);
      store.snapshot({ sequence: events.length, time: 5, state: { cash: new Decimal('12.5') } });
    });
    expectPath(store);
    store.close();
    const reader = new SqliteStore(file);
    try {
      const loaded = reader.load();
      expect(loaded.snapshot).toEqual({ sequence: events.length, time: 5, state: { cash: new Decimal('12.5') } });
      expect([...reader.journal(0)]).toStrictEqual(events);
    } finally {
      reader.close();
    }
  });

  it('writes each payload byte for byte as this thread would (encodeJournalPayload), Decimals of any configuration included', async () => {
    const engine = await engineEvents();
    const submitted = engine.find((event): event is OrderSubmitted => event.type === 'order-submitted' && event.order.features !== undefined)!;
    const order = submitted.order;
    // Texts the Decimal configuration decides: an exponent past kbot's toExpNeg (-30), a Decimal
    // of decimal.js's own configuration (its toExpNeg is -7), negative zero, an empty record.
    const edges = [
      { ...order, filledQuantity: new Decimal('1e-35') },
      { ...order, filledQuantity: new DecimalJs('0.00000001') as Decimal, fees: Object.freeze({ USD: new DecimalJs('-0.000000012') as Decimal }) },
      { ...order, filledQuantity: new Decimal('-0'), features: Object.freeze({}) },
    ].map((variant, index) => Object.freeze({ ...submitted, sequence: engine.length + 1 + index, order: Object.freeze(variant) }) as JournaledEvent);
    const events = [...engine, ...edges];
    const file = freshFile();
    const store = threaded(file);
    for (let from = 0; from < events.length; from += 100) store.batch(() => store.append(events.slice(from, from + 100)));
    expectPath(store);
    store.close();
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      const rows = reader.prepare('SELECT sequence, payload FROM journal ORDER BY sequence').all() as { sequence: number; payload: string }[];
      expect(rows).toHaveLength(events.length);
      for (let index = 0; index < events.length; index++) expect(rows[index]!.payload, `sequence ${rows[index]!.sequence}`).toBe(encodeJournalPayload(events[index]!));
      expect(rows.at(-3)!.payload).toContain('\u001f1e-35\u001f');
      expect(rows.at(-2)!.payload).toContain('\u001f1e-8\u001f');
    } finally {
      reader.close();
    }
  });

  it('hands a batch over when it commits: flush waits until another connection sees it', () => {
    const file = freshFile();
    const journal = sampleJournal(4);
    const store = threaded(file);
    try {
      store.batch(() => {
        store.append(journal.slice(0, 3));
        // nothing has left this thread while the batch is open
        expect(committedSequences(file)).toEqual([]);
      });
      store.flush();
      expect(committedSequences(file)).toEqual([1, 2, 3]);
      // outside a batch an append is committed when it returns, as with the inline writer
      store.append([journal[3]!]);
      expect(committedSequences(file)).toEqual([1, 2, 3, 4]);
      expectPath(store);
    } finally {
      store.close();
    }
  });

  it('a batch that throws hands nothing over; a nested one drops only its own rows', () => {
    const file = freshFile();
    const journal = sampleJournal(5);
    const store = threaded(file);
    try {
      expect(() =>
        store.batch(() => {
          store.append(journal.slice(0, 2));
          store.snapshot({ sequence: 2, time: 0, state: {} });
          throw new Error('strategy blew up');
        }),
      ).toThrow('strategy blew up');
      expect(store.lastSequence).toBe(0);
      store.batch(() => {
        store.append([journal[0]!]);
        expect(() =>
          store.batch(() => {
            store.append([journal[1]!]);
            throw new Error('inner');
          }),
        ).toThrow('inner');
        store.append([journal[1]!, journal[2]!]);
      });
      const loaded = store.load();
      expect(sequences(loaded.events)).toEqual([1, 2, 3]);
      expect(loaded.snapshot).toBeUndefined();
      expect(committedSequences(file)).toEqual([1, 2, 3]);
    } finally {
      store.close();
    }
  });

  it('refuses to read the journal inside a batch whose rows are not written yet', () => {
    const store = threaded();
    try {
      store.batch(() => {
        store.append(sampleJournal(1));
        expect(() => store.load()).toThrow(/inside a batch whose rows the writer thread has not written yet/);
      });
      expect(sequences(store.load().events)).toEqual([1]);
    } finally {
      store.close();
    }
  });

  it('key-value writes on this thread wait for the writer, so neither holds the lock the other waits for', () => {
    const store = threaded();
    try {
      store.batch(() => {
        store.append(sampleJournal(2));
      });
      store.batch(() => {
        store.writeValue('learner:filter', { weights: [1, 2] });
        store.append(sampleJournal(1, { firstSequence: 3 }));
        store.writeValue('learner:filter', { weights: [3] });
      });
      expect(store.readValue('learner:filter')).toEqual({ weights: [3] });
      expect(sequences(store.load().events)).toEqual([1, 2, 3]);
    } finally {
      store.close();
    }
  });

});

describe('SqliteStore with the journal writer thread', () => {
  it('does not wait for the worker to start: the first batches are written here, later ones by the worker, in order', () => {
    const file = freshFile();
    const journal = sampleJournal(6);
    const store = threaded(file);
    try {
      store.append(journal.slice(0, 2));
      store.batch(() => {
        store.append([journal[2]!]);
        store.snapshot({ sequence: 3, time: 3, state: { cash: '1' } });
      });
      expect(writerOf(store).batchesWrittenHere).toBeGreaterThan(0);
      expect(committedSequences(file)).toEqual([1, 2, 3]);
      const writtenHere = writerOf(store).batchesWrittenHere;
      writerOf(store).waitUntilReady();
      store.append(journal.slice(3, 5));
      store.batch(() => store.append([journal[5]!]));
      expect(writerOf(store).batchesWrittenHere).toBe(writtenHere);
      // the worker's batch is handed over, not yet committed: flush waits for its commit
      store.flush();
      expect(committedSequences(file)).toEqual([1, 2, 3, 4, 5, 6]);
      const loaded = store.load();
      expect(loaded.snapshot).toEqual({ sequence: 3, time: 3, state: { cash: '1' } });
      expect(loaded.events).toStrictEqual(journal.slice(3));
    } finally {
      store.close();
    }
  });

  it('a write that fails on this thread while the worker starts fails the call, and every later one, with a StoreError', () => {
    const file = freshFile();
    // the file exists with the kbot schema; another writer takes sequence 1 behind the store's back
    new SqliteStore(file).close();
    const intruder = new BetterSqlite3(file);
    intruder.prepare("INSERT INTO journal (sequence, type, time, payload) VALUES (1, 'x', 0, 'x')").run();
    intruder.close();
    const store = new SqliteStore(file, { journalWriter: 'thread', durability: 'normal' });
    try {
      // the store read sequence 1 as its last: its next event is 2, so start the journal there
      const next = sampleJournal(1, { firstSequence: 2 });
      const intruder2 = new BetterSqlite3(file);
      intruder2.prepare("INSERT INTO journal (sequence, type, time, payload) VALUES (2, 'x', 0, 'x')").run();
      intruder2.close();
      let failure: unknown;
      try {
        store.append(next);
      } catch (error) {
        failure = error;
      }
      expect(isKbotError(failure)).toBe(true);
      expect((failure as StoreError).code).toBe('store-write-failed');
      expect((failure as Error).message).toMatch(/journal rows could not be written while the writer thread started: UNIQUE constraint failed: journal.sequence/);
      expect(() => store.append(sampleJournal(1, { firstSequence: 3 }))).toThrow(/while the writer thread started/);
    } finally {
      expect(() => store.close()).toThrow(/while the writer thread started/);
    }
  });

  it('a write the worker cannot make fails the next call with a StoreError naming the cause', () => {
    const file = freshFile();
    const store = threadedReady(file);
    try {
      store.append(sampleJournal(1));
      // another writer takes sequence 2 behind the store's back: the worker's insert breaks the key
      const intruder = new BetterSqlite3(file);
      intruder.prepare("INSERT INTO journal (sequence, type, time, payload) VALUES (2, 'x', 0, 'x')").run();
      intruder.close();
      let failure: unknown;
      try {
        store.append(sampleJournal(1, { firstSequence: 2 }));
      } catch (error) {
        failure = error;
      }
      expect(isKbotError(failure)).toBe(true);
      expect((failure as Error).message).toMatch(/journal writer thread failed \(journal: UNIQUE constraint failed: journal.sequence, SQLITE_CONSTRAINT_PRIMARYKEY\)/);
      expect((failure as StoreError).code).toBe('store-write-failed');
      // the store stays failed: nothing after it is taken as written
      expect(() => store.append(sampleJournal(1, { firstSequence: 3 }))).toThrow(/journal writer thread failed/);
    } finally {
      expect(() => store.close()).toThrow(/journal writer thread failed/);
    }
  });

  it('on exit, commits the batches handed over and drops an unfinished one, as the inline writer would', () => {
    const file = freshFile();
    const journal = sampleJournal(5);
    const store = threadedReady(file);
    try {
      store.batch(() => store.append(journal.slice(0, 3)));
      expect(() =>
        store.batch(() => {
          store.append(journal.slice(3));
          // what the process's 'exit' handler runs when the store was never closed
          closeOpenWritersOnExit();
          throw new Error('exited');
        }),
      ).toThrow('exited');
      expect(committedSequences(file)).toEqual([1, 2, 3]);
    } finally {
      store.close();
    }
  });

  it('names a journalWriter it does not know', () => {
    expect(() => new SqliteStore(freshFile(), { journalWriter: 'fast' as 'thread' })).toThrow(`SqliteStore journalWriter: received "fast", expected 'inline' or 'thread'`);
  });
});
