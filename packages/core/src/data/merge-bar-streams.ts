import { InvariantError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { isoTime } from '../model/time.js';
import { IndexHeap } from './index-heap.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Merges sorted bar streams (one per instrument or interval) into one stream ordered by close
 * time (`openTime + interval`), the moment each bar becomes known, so that a 1h bar never comes
 * before the 15m bars that close inside it. Equal close times keep the order of `streams`, and
 * each stream's own order is kept: the merge is stable. It streams: one bar per input is held,
 * in a binary heap, and an input is only read again after its bar has been handed out.
 *
 * Each iteration of the result iterates the inputs afresh; stopping early (`break`) closes them.
 */
export function mergeBarStreams(streams: readonly Iterable<Bar>[]): Iterable<Bar> {
  const inputs = [...streams];
  return {
    [Symbol.iterator]: () => new MergedBarIterator(inputs.map((stream) => stream[Symbol.iterator]())),
  };
}

class MergedBarIterator implements IterableIterator<Bar> {
  private readonly sources: Iterator<Bar>[];
  /** Source indexes in merge order (see `before`). */
  private readonly heap: IndexHeap;
  private readonly heads: (Bar | undefined)[];
  /** Close time of each source's head, and of the bar it last handed out (for the order check). */
  private readonly keys: Float64Array;
  private readonly lastKeys: Float64Array;
  /** The source whose bar was handed out last and must be read before the next comparison. */
  private pending = -1;
  private started = false;
  private finished = false;
  private readonly result: IteratorYieldResult<Bar> = { done: false, value: undefined as unknown as Bar };

  constructor(sources: Iterator<Bar>[]) {
    this.sources = sources;
    this.heads = new Array<Bar | undefined>(sources.length).fill(undefined);
    this.keys = new Float64Array(sources.length);
    this.lastKeys = new Float64Array(sources.length).fill(-Infinity);
    this.heap = new IndexHeap(sources.length, (a, b) => this.before(a, b));
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Bar, undefined> {
    if (this.finished) return DONE;
    try {
      if (!this.started) {
        this.started = true;
        for (let index = 0; index < this.sources.length; index++) {
          if (this.pull(index)) this.heap.push(index);
        }
      } else if (this.pending >= 0) {
        const index = this.pending;
        this.pending = -1;
        // The top of the heap is still `index`: refill it in place, or drop it when exhausted.
        if (this.pull(index)) this.heap.siftDown();
        else this.heap.removeTop();
      }
      if (this.heap.size === 0) {
        this.finished = true;
        return DONE;
      }
      const index = this.heap.top;
      this.pending = index;
      this.result.value = this.heads[index]!;
      return this.result;
    } catch (error) {
      this.return();
      throw error;
    }
  }

  return(): IteratorResult<Bar, undefined> {
    if (!this.finished) {
      this.finished = true;
      for (const source of this.sources) source.return?.();
    }
    return DONE;
  }

  /** Reads the next bar of a source into its head; false when the source is exhausted. */
  private pull(index: number): boolean {
    const result = this.sources[index]!.next();
    if (result.done) {
      this.heads[index] = undefined;
      return false;
    }
    const bar = result.value;
    const key = bar.openTime + bar.interval;
    if (key < this.lastKeys[index]!) {
      throw new InvariantError(
        `mergeBarStreams: stream ${index + 1} (${bar.instrumentId}) went back in time: a bar closing at ${isoTime(key)} came after one closing at ${isoTime(this.lastKeys[index]!)}; every input must be sorted`,
      );
    }
    this.lastKeys[index] = key;
    this.keys[index] = key;
    this.heads[index] = bar;
    return true;
  }

  private before(a: number, b: number): boolean {
    const keyA = this.keys[a]!;
    const keyB = this.keys[b]!;
    return keyA < keyB || (keyA === keyB && a < b);
  }
}
