/** Re-sum after at least this many pushes: drift stays near 1e-13 relative at a cost of < 0.1 addition per push. */
const RESUM_INTERVAL = 1024;

/**
 * Sum of the last `capacity` numbers: O(1) per push, with one level of undo so an indicator can
 * `replace` the still-forming bar.
 *
 * Sliding sums (`sum += new - old`) pick up rounding error with every update. Re-summing the
 * buffer every `RESUM_INTERVAL` pushes or so (at a wrap of the ring, when slot 0 holds the oldest
 * value) caps that error whatever the length of the run.
 */
export class RollingSum {
  readonly capacity: number;
  /** Values held: min(pushes, capacity). */
  count = 0;
  sum = 0;
  private readonly buffer: Float64Array;
  /** Slot the next push writes; once full, also the slot of the oldest value. */
  private next = 0;
  /** Wraps between re-summations. */
  private readonly resumEvery: number;
  /** Completed wraps of the ring; they decide when to re-sum. */
  private wraps = 0;
  private undoSum = 0;
  private undoEvicted = 0;
  private undoCount = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buffer = new Float64Array(capacity);
    this.resumEvery = Math.ceil(RESUM_INTERVAL / capacity);
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  push(value: number): void {
    const next = this.next;
    const evicted = this.buffer[next]!;
    this.undoSum = this.sum;
    this.undoEvicted = evicted;
    this.undoCount = this.count;
    this.buffer[next] = value;
    if (this.count === this.capacity) {
      // A one-value window (e.g. unsmoothed %K) is its value exactly, not old + (new − old).
      this.sum = this.capacity === 1 ? value : this.sum + (value - evicted);
    } else {
      this.sum += value;
      this.count++;
    }
    if (next + 1 === this.capacity) {
      // The ring is full whenever it wraps, and slot 0 now holds the oldest value.
      this.next = 0;
      if (++this.wraps % this.resumEvery === 0) this.sum = this.resum();
    } else {
      this.next = next + 1;
    }
  }

  /** Reverts the last push. Valid once per push. */
  undo(): void {
    let last = this.next - 1;
    if (last < 0) {
      last = this.capacity - 1;
      this.wraps--;
    }
    this.buffer[last] = this.undoEvicted;
    this.next = last;
    this.sum = this.undoSum;
    this.count = this.undoCount;
  }

  private resum(): number {
    const buffer = this.buffer;
    let sum = 0;
    for (let index = 0; index < buffer.length; index++) sum += buffer[index]!;
    return sum;
  }
}
