import { DataError, InvariantError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';

/**
 * An iteration over bars from `from` on that also kept the last bars it skipped before `from`:
 * the history a backtest starting at `from` warms its strategies up on (`Engine.warmUp`), as a
 * paper or live session warms up on the venue's history.
 */
export interface WarmUpBarsReader {
  /**
   * The bars kept before `from`, oldest first: at most the number asked for, fewer when the data
   * holds fewer. Complete once the first bar at or after `from` has been read (or the data ended).
   */
  warmUpBars(): readonly Bar[];
}

/** An iterator of bars from `from` on that kept the bars before it (see WarmUpBarsReader). */
export type WarmUpIterator = Iterator<Bar, undefined> & WarmUpBarsReader;

/**
 * The last `capacity` bars pushed: memory stays bounded however long the skipped stretch is. A
 * row that could not be read is kept as its error, thrown only if it is still among the last
 * `capacity` when the bars are read: a broken row far before `from`, which the run never uses,
 * does not stop it (as without warm-up, where rows before `from` are not built at all).
 */
export class BarRing {
  readonly capacity: number;
  private readonly slots: (Bar | DataError)[] = [];
  /** Index of the oldest entry once the ring is full. */
  private oldest = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new InvariantError(`BarRing: capacity ${capacity}, expected a whole number of bars, 0 or more`);
    this.capacity = capacity;
  }

  push(entry: Bar | DataError): void {
    if (this.slots.length < this.capacity) {
      this.slots.push(entry);
    } else if (this.capacity > 0) {
      this.slots[this.oldest] = entry;
      this.oldest = this.oldest + 1 === this.capacity ? 0 : this.oldest + 1;
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** The bars kept, oldest first; throws the error of the oldest unreadable row kept, if any. */
  bars(): Bar[] {
    const ordered = [...this.slots.slice(this.oldest), ...this.slots.slice(0, this.oldest)];
    const error = ordered.find((entry): entry is DataError => entry instanceof DataError);
    if (error !== undefined) throw error;
    return ordered as Bar[];
  }
}

/**
 * Bars of `source` with `openTime` in [from, to), keeping the last `ring.capacity` bars before
 * `from`: the range a backtest replays of a generated market, which has no `from` of its own.
 */
export class RangeWithWarmUpIterator implements WarmUpIterator {
  private readonly source: Iterator<Bar, undefined>;
  private readonly from: number;
  private readonly to: number;
  private readonly ring: BarRing;
  private kept: readonly Bar[] | undefined;

  constructor(source: Iterator<Bar, undefined>, range: { readonly from: number; readonly to: number }, ring: BarRing) {
    this.source = source;
    this.from = range.from;
    this.to = range.to;
    this.ring = ring;
  }

  next(): IteratorResult<Bar, undefined> {
    for (;;) {
      const result = this.source.next();
      if (result.done === true) {
        this.kept ??= this.ring.bars();
        return result;
      }
      const bar = result.value;
      if (bar.openTime < this.from) {
        this.ring.push(bar);
        continue;
      }
      this.kept ??= this.ring.bars();
      if (bar.openTime >= this.to) {
        this.source.return?.();
        return { done: true, value: undefined };
      }
      return result;
    }
  }

  return(): IteratorResult<Bar, undefined> {
    this.source.return?.();
    return { done: true, value: undefined };
  }

  warmUpBars(): readonly Bar[] {
    if (this.kept === undefined) throw new InvariantError('warmUpBars() read before the first bar: the bars before `from` are known once it is read');
    return this.kept;
  }
}

/**
 * A bar stream whose first pass can be started early: `warmUpBars()` reads up to the first bar
 * at or after `from` (which skips, and keeps the last of, the bars before it), and the first
 * iteration then resumes that pass, so the file is read once. A backtest reads the warm-up
 * after the engine starts and before it iterates the data. Later iterations start afresh.
 */
export class WarmUpStream implements Iterable<Bar> {
  /** Bars asked for. */
  readonly wanted: number;
  private readonly open: () => WarmUpIterator;
  private started: { readonly iterator: WarmUpIterator; readonly first: IteratorResult<Bar, undefined> } | undefined;
  private kept: readonly Bar[] | undefined;

  constructor(wanted: number, open: () => WarmUpIterator) {
    this.wanted = wanted;
    this.open = open;
  }

  /** Bars received, once `warmUpBars()` has been read. */
  get received(): number | undefined {
    return this.kept?.length;
  }

  warmUpBars(): readonly Bar[] {
    if (this.kept === undefined) {
      const iterator = this.open();
      try {
        const first = iterator.next();
        this.kept = iterator.warmUpBars();
        this.started = { iterator, first };
      } catch (error) {
        iterator.return?.();
        throw error;
      }
    }
    return this.kept;
  }

  [Symbol.iterator](): Iterator<Bar, undefined> {
    const started = this.started;
    if (started === undefined) return this.open();
    this.started = undefined;
    return new ResumedIterator(started.iterator, started.first);
  }
}

/** An iterator whose first result was read already: hands it out, then goes on. */
class ResumedIterator implements Iterator<Bar, undefined> {
  private readonly inner: Iterator<Bar, undefined>;
  private first: IteratorResult<Bar, undefined> | undefined;

  constructor(inner: Iterator<Bar, undefined>, first: IteratorResult<Bar, undefined>) {
    this.inner = inner;
    this.first = first;
  }

  next(): IteratorResult<Bar, undefined> {
    const first = this.first;
    if (first === undefined) return this.inner.next();
    this.first = undefined;
    return first;
  }

  return(): IteratorResult<Bar, undefined> {
    this.first = undefined;
    return this.inner.return?.() ?? { done: true, value: undefined };
  }
}
