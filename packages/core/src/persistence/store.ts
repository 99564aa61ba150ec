import type { JournaledEvent } from '../model/events.js';
import type { Fill } from '../model/fill.js';
import type { EpochMs } from '../model/time.js';

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

/** One line of the session log: what happened to the bot, not to its orders (those are in the journal). */
export interface SessionLogEntry {
  readonly time: EpochMs;
  /** e.g. `session-started`, `recovered`, `reconciled`, `session-stopped`. */
  readonly kind: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
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
  /** Adds a line to the session log (start, recovery, reconciliation, stop), where the store keeps one. */
  appendSessionLog?(entry: SessionLogEntry): void;
  /**
   * Every journaled event after `afterSequence`, in sequence order, read as the caller iterates:
   * snapshots do not shorten it. A long-running session builds its report from here, because its
   * engine lets go of finished orders and closed round trips (`EngineOptions.history`). Do not
   * append while iterating.
   */
  journal?(afterSequence: number): Iterable<JournaledEvent>;
  /**
   * The fills journaled with a time at or after `time`, in sequence order. A resumed paper
   * session hands its new simulated venue the last 30 days of them, so the fee tier does not
   * start again from nothing.
   */
  fillsSince?(time: EpochMs): Iterable<Fill>;
}

/**
 * Keeps nothing: the store of a backtest that was given none. Nothing reads such a run's journal
 * back, and holding every event until the run ends made a backtest's memory grow with its orders
 * (about 1 KB an order event) and its young-generation collections copy all of it: a third of
 * the benchmark's run time (`bench/README.md`, `backtest`).
 */
export class DiscardingStore implements Store {
  append(): void {}

  snapshot(): void {}

  load(): Recovered {
    return { snapshot: undefined, events: [] };
  }

  close(): void {}
}

/** Keeps the journal in memory: tests, the strategy harness, and sessions whose state need not survive. */
export class InMemoryStore implements Store {
  private readonly entries: JournaledEvent[] = [];
  private latest: EngineSnapshot | undefined;
  private readonly log: SessionLogEntry[] = [];

  append(events: readonly JournaledEvent[]): void {
    for (const event of events) this.entries.push(event);
  }

  snapshot(state: EngineSnapshot): void {
    this.latest = state;
  }

  load(): Recovered {
    const after = this.latest?.sequence ?? 0;
    return { snapshot: this.latest, events: this.entries.filter((event) => event.sequence > after) };
  }

  appendSessionLog(entry: SessionLogEntry): void {
    this.log.push(Object.freeze({ ...entry }));
  }

  /** The session log lines, oldest first. */
  readSessionLog(): readonly SessionLogEntry[] {
    return this.log;
  }

  /** The whole journal, for reports and tests. */
  events(): readonly JournaledEvent[] {
    return this.entries;
  }

  *journal(afterSequence: number): Iterable<JournaledEvent> {
    for (const event of this.events()) if (event.sequence > afterSequence) yield event;
  }

  *fillsSince(time: EpochMs): Iterable<Fill> {
    for (const event of this.events()) if (event.type === 'order-filled' && event.time >= time) yield event.fill;
  }

  close(): void {}
}
