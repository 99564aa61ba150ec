import { describe, expect, it } from 'vitest';
import type { JournaledEvent } from '../model/events.js';
import { InMemoryStore, type EngineSnapshot, type Recovered, type Store } from '../persistence/store.js';
import { ContractCheckSkipped, runContractCheck } from './contract-check.js';
import { runStoreContract, storeContractChecks } from './store-contract.js';

runStoreContract('InMemoryStore', () => new InMemoryStore());

/** Stores with one deliberate bug each: the contract must catch every one. */
class NewestFirstStore extends InMemoryStore {
  override load(): Recovered {
    const loaded = super.load();
    return { snapshot: loaded.snapshot, events: [...loaded.events].reverse() };
  }
}

class SnapshotIgnoringStore extends InMemoryStore {
  override load(): Recovered {
    return { snapshot: super.load().snapshot, events: this.events() };
  }
}

class BufferingStore implements Store {
  private readonly inner = new InMemoryStore();
  private pending: JournaledEvent[] = [];
  append(events: readonly JournaledEvent[]): void {
    this.pending.push(...events);
    if (this.pending.length >= 4) this.commitBuffered();
  }
  snapshot(state: EngineSnapshot): void {
    this.inner.snapshot(state);
  }
  load(): Recovered {
    return this.inner.load();
  }
  close(): void {
    this.commitBuffered();
  }
  private commitBuffered(): void {
    this.inner.append(this.pending);
    this.pending = [];
  }
}

class LiveViewStore extends InMemoryStore {
  override load(): Recovered {
    return { snapshot: undefined, events: this.events() };
  }
}

class JournalFromSnapshotStore extends InMemoryStore {
  override *journal(afterSequence: number): Iterable<JournaledEvent> {
    const loaded = this.load();
    for (const event of loaded.events) if (event.sequence > afterSequence) yield event;
  }
}

class CloseOnceStore extends InMemoryStore {
  private closed = false;
  override close(): void {
    if (this.closed) throw new Error('already closed');
    this.closed = true;
  }
}

describe('the Store contract catches broken stores', () => {
  it('events loaded newest first', async () => {
    const checks = storeContractChecks(() => new NewestFirstStore());
    await expect(runContractCheck(checks, 'append then load returns every event, equal and in sequence order')).rejects.toThrow();
  });

  it('a snapshot that does not trim the events before it', async () => {
    const checks = storeContractChecks(() => new SnapshotIgnoringStore());
    await expect(runContractCheck(checks, 'after a snapshot, load returns the snapshot and only the events after its sequence')).rejects.toThrow();
  });

  it('an append that is only committed later', async () => {
    const checks = storeContractChecks(() => new BufferingStore());
    await expect(runContractCheck(checks, 'an append is visible to load as soon as it returns')).rejects.toThrow();
  });

  it('a load that returns a live view of the journal', async () => {
    const checks = storeContractChecks(() => new LiveViewStore());
    await expect(runContractCheck(checks, 'a loaded result does not change when more is appended later')).rejects.toThrow();
  });

  it('a journal that starts at the snapshot, and a store without one (skipped, not passed)', async () => {
    const name = 'journal(after) yields every event after `after` in sequence order, a snapshot notwithstanding, and reads appends made before it is called';
    await expect(runContractCheck(storeContractChecks(() => new JournalFromSnapshotStore()), name)).rejects.toThrow();
    await expect(runContractCheck(storeContractChecks(() => new BufferingStore()), name)).rejects.toThrow(ContractCheckSkipped);
  });

  it('a close that throws the second time', async () => {
    const checks = storeContractChecks(() => new CloseOnceStore());
    await expect(runContractCheck(checks, 'close can be called twice without throwing')).rejects.toThrow();
  });

  it('a reopen that loses the data', async () => {
    const checks = storeContractChecks(() => new InMemoryStore(), { reopen: () => new InMemoryStore() });
    await expect(runContractCheck(checks, 'a reopened store loads the snapshot and events written before it was closed')).rejects.toThrow();
    // and a reopen that keeps the data passes
    const keeping = storeContractChecks(() => new InMemoryStore(), { reopen: (store) => store });
    await expect(runContractCheck(keeping, 'a reopened store loads the snapshot and events written before it was closed')).resolves.toBeUndefined();
  });
});
