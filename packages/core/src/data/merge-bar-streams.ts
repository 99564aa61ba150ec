import { InvariantError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { isoTime } from '../model/time.js';
import { StreamMergeIterator } from './stream-merge.js';

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

class MergedBarIterator extends StreamMergeIterator<Bar> {
  /** Close time of each source's head, and of the bar it last handed out (for the order check). */
  private readonly keys: Float64Array;
  private readonly lastKeys: Float64Array;

  constructor(sources: Iterator<Bar>[]) {
    super(sources);
    this.keys = new Float64Array(sources.length);
    this.lastKeys = new Float64Array(sources.length).fill(-Infinity);
  }

  protected pull(index: number): boolean {
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

  protected before(a: number, b: number): boolean {
    const keyA = this.keys[a]!;
    const keyB = this.keys[b]!;
    return keyA < keyB || (keyA === keyB && a < b);
  }
}
