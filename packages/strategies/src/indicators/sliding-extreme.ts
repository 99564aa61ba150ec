/**
 * Maximum (or minimum) of the last `capacity` numbers, with one level of undo.
 *
 * A monotonic deque whose values strictly decrease from the front. Entries are ring slots of the
 * value buffer: the slot about to be overwritten belongs to the value that leaves the window, so
 * the front entry expires exactly when it equals that slot. The new value's place in the deque is
 * found by binary search rather than by popping from the back, so `push`, and therefore `replace`
 * of a forming bar whose high keeps rising, costs O(log capacity) in the worst case instead of
 * O(capacity). Dropped entries stay behind the tail: undo only restores the one deque slot the
 * push wrote, plus head and length.
 * A minimum is the maximum of the negated values (negation is exact).
 */
export class SlidingExtreme {
  readonly capacity: number;
  private readonly sign: 1 | -1;
  /** Signed values, ring-indexed. */
  private readonly values: Float64Array;
  /** Ring of value slots; the live part is `length` entries from `head`. */
  private readonly deque: Int32Array;
  private head = 0;
  private length = 0;
  /** Value slot the next push writes. */
  private next = 0;
  private undoHead = 0;
  private undoLength = 0;
  private undoDequeSlot = 0;
  private undoDequeEntry = 0;
  private undoValue = 0;

  constructor(capacity: number, kind: 'max' | 'min') {
    this.capacity = capacity;
    this.sign = kind === 'max' ? 1 : -1;
    this.values = new Float64Array(capacity);
    this.deque = new Int32Array(capacity);
  }

  /** The extreme of the window. Only meaningful after at least one push. */
  get value(): number {
    return this.sign * this.values[this.deque[this.head]!]!;
  }

  push(input: number): void {
    const capacity = this.capacity;
    const values = this.values;
    const deque = this.deque;
    const next = this.next;
    const signed = this.sign * input;
    this.undoHead = this.head;
    this.undoLength = this.length;

    let head = this.head;
    let length = this.length;
    if (length > 0 && deque[head] === next) {
      head = head + 1 === capacity ? 0 : head + 1;
      length--;
    }
    // First deque position whose value the new input dominates (ties go to the newer input).
    let low = 0;
    let high = length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      let slot = head + middle;
      if (slot >= capacity) slot -= capacity;
      if (values[deque[slot]!]! <= signed) high = middle;
      else low = middle + 1;
    }
    let slot = head + low;
    if (slot >= capacity) slot -= capacity;
    this.undoDequeSlot = slot;
    this.undoDequeEntry = deque[slot]!;
    deque[slot] = next;
    this.undoValue = values[next]!;
    values[next] = signed;
    this.head = head;
    this.length = low + 1;
    this.next = next + 1 === capacity ? 0 : next + 1;
  }

  /** Reverts the last push. Valid once per push. */
  undo(): void {
    const last = this.next === 0 ? this.capacity - 1 : this.next - 1;
    this.values[last] = this.undoValue;
    this.deque[this.undoDequeSlot] = this.undoDequeEntry;
    this.head = this.undoHead;
    this.length = this.undoLength;
    this.next = last;
  }
}
