import { IndexHeap } from './index-heap.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The streaming k-way merge under `mergeBarStreams` and `mergeReplayStreams`: one head item per
 * input held in a binary heap of input indexes, an input read again only after its head was
 * handed out, every input closed when the merge ends early or fails. Subclasses say how a head
 * is read (`pull`, which also checks the input's order) and which head goes first (`before`).
 * The result object is reused between items, so the merge allocates nothing per item.
 */
export abstract class StreamMergeIterator<T> implements IterableIterator<T> {
  protected readonly sources: Iterator<T>[];
  protected readonly heads: (T | undefined)[];
  /** Source indexes in merge order (see `before`). */
  private readonly heap: IndexHeap;
  /** The source whose head was handed out last and must be read before the next comparison. */
  private pending = -1;
  private started = false;
  private finished = false;
  private readonly result: IteratorYieldResult<T> = { done: false, value: undefined as unknown as T };

  constructor(sources: Iterator<T>[]) {
    this.sources = sources;
    this.heads = new Array<T | undefined>(sources.length).fill(undefined);
    this.heap = new IndexHeap(sources.length, (a, b) => this.before(a, b));
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<T, undefined> {
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

  return(): IteratorResult<T, undefined> {
    if (!this.finished) {
      this.finished = true;
      for (const source of this.sources) source.return?.();
    }
    return DONE;
  }

  /** Reads the next item of source `index` into `heads[index]`; false when the source is exhausted. */
  protected abstract pull(index: number): boolean;

  /** Whether source `a`'s head goes before source `b`'s. */
  protected abstract before(a: number, b: number): boolean;
}
