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
import { closeOpenWritersOnExit } from './journal-writer-thread.js';
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

describe('SqliteStore with the journal writer thread', () => {
  it('writes every event type so that a store opened afterwards reads back exactly what was appended', () => {
    const file = freshFile();
    const events = everyJournaledEvent();
    const store = threaded(file);
    store.batch(() => {
      for (const event of events) store.append([event]);
      store.snapshot({ sequence: events.length, time: 5, state: { cash: new Decimal('12.5') } });
    });
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

  it('a write the worker cannot make fails the next call with a StoreError naming the cause', () => {
    const file = freshFile();
    const store = threaded(file);
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
    const store = threaded(file);
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
