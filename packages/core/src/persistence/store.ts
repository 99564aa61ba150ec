import type { JournaledEvent } from '../model/events.js';

/** Everything needed to rebuild the engine's state without replaying the whole journal. */
export interface EngineSnapshot {
  /** Sequence of the last journaled event the snapshot includes. */
  readonly sequence: number;
  readonly time: number;
  /** Serialized state (orders, positions, balances, learners): plain JSON, money as strings. */
  readonly state: unknown;
}

export interface Recovered {
  readonly snapshot: EngineSnapshot | undefined;
  /** Journaled events after the snapshot, in sequence order. */
  readonly events: readonly JournaledEvent[];
}

/**
 * The journal and snapshots. Calls are synchronous: the engine journals every state-changing
 * event before publishing it, and an append that returns has been committed.
 */
export interface Store {
  append(events: readonly JournaledEvent[]): void;
  snapshot(state: EngineSnapshot): void;
  load(): Recovered;
  close(): void;
  /** Runs fn with all its writes in one transaction: committed when it returns, rolled back if it throws. */
  batch?<T>(fn: () => T): T;
  /** Inside a batch: commit what was written so far (before a live order leaves the process). */
  flush?(): void;
}

/** Keeps the journal in memory: backtests, tests, and the default when nothing must survive. */
export class InMemoryStore implements Store {
  private readonly journal: JournaledEvent[] = [];
  private latest: EngineSnapshot | undefined;

  append(events: readonly JournaledEvent[]): void {
    for (const event of events) this.journal.push(event);
  }

  snapshot(state: EngineSnapshot): void {
    this.latest = state;
  }

  load(): Recovered {
    const after = this.latest?.sequence ?? 0;
    return { snapshot: this.latest, events: this.journal.filter((event) => event.sequence > after) };
  }

  /** The whole journal, for reports and tests. */
  events(): readonly JournaledEvent[] {
    return this.journal;
  }

  close(): void {}
}
