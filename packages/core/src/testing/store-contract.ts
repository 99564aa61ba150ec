import { expect } from 'vitest';
import type { JournaledEvent } from '../model/events.js';
import type { EngineSnapshot, Store } from '../persistence/store.js';
import { registerContract, type ContractCheck } from './contract-check.js';
import { sampleJournal } from './journal-builder.js';

export interface StoreContractOptions<S extends Store = Store> {
  /**
   * For stores that persist: closes `store` and opens it again on the same data. With it, the
   * contract also checks that a reopened store loads what was written before the close.
   */
  readonly reopen?: (store: S) => S | Promise<S>;
}

function snapshotAt(sequence: number): EngineSnapshot {
  return {
    sequence,
    time: 1_704_067_200_000 + sequence * 1000,
    state: { orders: [{ clientOrderId: 'kb-1', status: 'filled', quantity: '0.01' }], balances: { USD: '9995.5', BTC: '0.01' }, learners: {} },
  };
}

function sequences(events: readonly JournaledEvent[]): number[] {
  return events.map((event) => event.sequence);
}

/** The rules every Store keeps; `runStoreContract` registers them as tests. */
export function storeContractChecks<S extends Store>(createStore: () => S | Promise<S>, options: StoreContractOptions<S> = {}): ContractCheck[] {
  const withStore = async (body: (store: S) => void | Promise<void>) => {
    const store = await createStore();
    try {
      await body(store);
    } finally {
      store.close();
    }
  };
  const checks: ContractCheck[] = [
    {
      name: 'an empty store loads no snapshot and no events',
      run: () => withStore((store) => {
        const loaded = store.load();
        expect(loaded.snapshot).toBeUndefined();
        expect(loaded.events).toEqual([]);
      }),
    },
    {
      name: 'append then load returns every event, equal and in sequence order',
      run: () => withStore((store) => {
        const journal = sampleJournal(8);
        store.append(journal.slice(0, 3));
        store.append(journal.slice(3, 4));
        store.append(journal.slice(4));
        const loaded = store.load();
        expect(sequences(loaded.events)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(loaded.events).toEqual(journal);
      }),
    },
    {
      name: 'an append is visible to load as soon as it returns',
      run: () => withStore((store) => {
        const journal = sampleJournal(3);
        store.append([journal[0]!]);
        expect(sequences(store.load().events)).toEqual([1]);
        store.append([journal[1]!, journal[2]!]);
        expect(sequences(store.load().events)).toEqual([1, 2, 3]);
      }),
    },
    {
      name: 'appending nothing changes nothing',
      run: () => withStore((store) => {
        store.append(sampleJournal(2));
        store.append([]);
        expect(sequences(store.load().events)).toEqual([1, 2]);
      }),
    },
    {
      name: "after a snapshot, load returns the snapshot and only the events after its sequence",
      run: () => withStore((store) => {
        const journal = sampleJournal(9);
        store.append(journal.slice(0, 8));
        store.snapshot(snapshotAt(5));
        const loaded = store.load();
        expect(loaded.snapshot).toEqual(snapshotAt(5));
        expect(sequences(loaded.events)).toEqual([6, 7, 8]);
        expect(loaded.events).toEqual(journal.slice(5, 8));
        store.append([journal[8]!]);
        expect(sequences(store.load().events)).toEqual([6, 7, 8, 9]);
      }),
    },
    {
      name: 'the latest snapshot is the one loaded',
      run: () => withStore((store) => {
        store.append(sampleJournal(7));
        store.snapshot(snapshotAt(3));
        store.snapshot(snapshotAt(6));
        const loaded = store.load();
        expect(loaded.snapshot?.sequence).toBe(6);
        expect(loaded.snapshot).toEqual(snapshotAt(6));
        expect(sequences(loaded.events)).toEqual([7]);
      }),
    },
    {
      name: 'a loaded result does not change when more is appended later',
      run: () => withStore((store) => {
        const journal = sampleJournal(4);
        store.append(journal.slice(0, 2));
        const first = store.load();
        store.append(journal.slice(2));
        expect(sequences(first.events)).toEqual([1, 2]);
        expect(sequences(store.load().events)).toEqual([1, 2, 3, 4]);
      }),
    },
    {
      name: 'journal(after) yields every event after `after` in sequence order, a snapshot notwithstanding, and reads appends made before it is called',
      run: (skip) => withStore((store) => {
        if (store.journal === undefined) skip('this store does not read its journal back (Store.journal is optional)');
        const journal = sampleJournal(9);
        store.append(journal.slice(0, 6));
        store.snapshot(snapshotAt(5));
        store.append(journal.slice(6));
        expect([...store.journal!(0)]).toEqual(journal);
        expect(sequences([...store.journal!(6)])).toEqual([7, 8, 9]);
        expect([...store.journal!(9)]).toEqual([]);
      }),
    },
    {
      name: 'fillsSince(time) yields the fill of every order-filled event at or after `time`, in sequence order, a snapshot notwithstanding',
      run: (skip) => withStore((store) => {
        if (store.fillsSince === undefined) skip('this store does not read its fills back (Store.fillsSince is optional)');
        const journal = sampleJournal(14);
        store.append(journal.slice(0, 8));
        store.snapshot(snapshotAt(8));
        store.append(journal.slice(8));
        const fills = journal.flatMap((event) => (event.type === 'order-filled' ? [event] : []));
        expect(fills.length).toBeGreaterThan(2);
        expect([...store.fillsSince!(0)]).toEqual(fills.map((event) => event.fill));
        const from = fills[1]!.time;
        expect([...store.fillsSince!(from)]).toEqual(fills.slice(1).map((event) => event.fill));
        expect([...store.fillsSince!(from + 1)]).toEqual(fills.slice(2).map((event) => event.fill));
        expect([...store.fillsSince!(journal.at(-1)!.time + 1)]).toEqual([]);
      }),
    },
    {
      name: 'close can be called twice without throwing',
      run: async () => {
        const store = await createStore();
        store.append(sampleJournal(1));
        expect(() => store.close()).not.toThrow();
        expect(() => store.close()).not.toThrow();
      },
    },
  ];
  const reopen = options.reopen;
  if (reopen) {
    checks.push({
      name: 'a reopened store loads the snapshot and events written before it was closed',
      run: async () => {
        const journal = sampleJournal(6);
        const store = await createStore();
        store.append(journal.slice(0, 4));
        store.snapshot(snapshotAt(2));
        store.append(journal.slice(4));
        const reopened = await reopen(store);
        try {
          const loaded = reopened.load();
          expect(loaded.snapshot).toEqual(snapshotAt(2));
          expect(loaded.events).toEqual(journal.slice(2));
        } finally {
          reopened.close();
        }
      },
    });
  }
  return checks;
}

/**
 * The Store contract: append/load order, snapshots, durability on return, idempotent close.
 * `createStore` must return a new, empty store each time.
 *
 * @example runStoreContract('SqliteStore', () => new SqliteStore(tempFile()), { reopen: (s) => s.reopen() })
 */
export function runStoreContract<S extends Store>(name: string, createStore: () => S | Promise<S>, options: StoreContractOptions<S> = {}): void {
  registerContract(`${name} keeps the Store contract`, storeContractChecks(createStore, options));
}
