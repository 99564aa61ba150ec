import { InvariantError } from '../errors/errors.js';
import { isoTime } from '../model/time.js';
import type { ReplayItem, ReplayKind } from './replay-item.js';
import { StreamMergeIterator } from './stream-merge.js';

/**
 * At one millisecond: bars first (a bar known at that instant closed then, so it holds only
 * earlier data), then trades, then quotes (a quote stamped with a trade's millisecond is taken to
 * show the book after that trade).
 */
const KIND_RANK: Readonly<Record<ReplayKind, number>> = { bar: 0, trade: 1, quote: 2 };

/**
 * Merges time-ordered replay streams (bars, trades, quotes; one stream per file or generated
 * market) into one stream ordered by `time`, the moment each item becomes known. Ties are broken
 * the same way on every run:
 * 1. by kind: bars, then trades, then quotes (`KIND_RANK`);
 * 2. then by the order of `streams` (the order of `backtest.data`);
 * 3. within one stream, its own order is kept (several quotes in one second stay in file order).
 *
 * Each input must be in time order (equal times are fine); one that goes back in time throws an
 * InvariantError naming the stream. It streams: one item per input is held in a binary heap.
 * Each iteration of the result iterates the inputs afresh; stopping early closes them.
 */
export function mergeReplayStreams(streams: readonly Iterable<ReplayItem>[]): Iterable<ReplayItem> {
  const inputs = [...streams];
  return {
    [Symbol.iterator]: () => new MergedReplayIterator(inputs.map((stream) => stream[Symbol.iterator]())),
  };
}

class MergedReplayIterator extends StreamMergeIterator<ReplayItem> {
  private readonly times: Float64Array;
  private readonly lastTimes: Float64Array;

  constructor(sources: Iterator<ReplayItem>[]) {
    super(sources);
    this.times = new Float64Array(sources.length);
    this.lastTimes = new Float64Array(sources.length).fill(-Infinity);
  }

  protected pull(index: number): boolean {
    const result = this.sources[index]!.next();
    if (result.done) {
      this.heads[index] = undefined;
      return false;
    }
    const item = result.value;
    const time = item.time;
    if (!Number.isFinite(time)) throw new InvariantError(`mergeReplayStreams: stream ${index + 1} gave a ${item.kind} at time ${time}, expected epoch milliseconds`);
    if (time < this.lastTimes[index]!) {
      throw new InvariantError(
        `mergeReplayStreams: stream ${index + 1} went back in time: a ${item.kind} at ${isoTime(time)} came after an item at ${isoTime(this.lastTimes[index]!)}; every input must be in time order`,
      );
    }
    this.lastTimes[index] = time;
    this.times[index] = time;
    this.heads[index] = item;
    return true;
  }

  protected before(a: number, b: number): boolean {
    const timeA = this.times[a]!;
    const timeB = this.times[b]!;
    if (timeA !== timeB) return timeA < timeB;
    const rankA = KIND_RANK[this.heads[a]!.kind];
    const rankB = KIND_RANK[this.heads[b]!.kind];
    return rankA !== rankB ? rankA < rankB : a < b;
  }
}
