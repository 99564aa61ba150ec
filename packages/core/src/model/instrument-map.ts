import type { InstrumentId } from './ids.js';

/**
 * Values per instrument, where the instrument asked for last is answered with one comparison:
 * market data of one instrument arrives in runs (a backtest of one pair never changes it), so
 * the engine's and the venue's per-bar lookups mostly skip the Map. Entries are never removed.
 */
export class InstrumentMap<V> {
  private readonly entries = new Map<InstrumentId, V>();
  private lastId: InstrumentId | undefined = undefined;
  private last: V | undefined = undefined;

  get(id: InstrumentId): V | undefined {
    if (id === this.lastId && this.last !== undefined) return this.last;
    const value = this.entries.get(id);
    if (value !== undefined) {
      this.lastId = id;
      this.last = value;
    }
    return value;
  }

  /** Whether any value satisfies `test` (not for hot paths: it walks every entry). */
  some(test: (value: V) => boolean): boolean {
    for (const value of this.entries.values()) if (test(value)) return true;
    return false;
  }

  set(id: InstrumentId, value: V): void {
    this.entries.set(id, value);
    this.lastId = id;
    this.last = value;
  }
}
