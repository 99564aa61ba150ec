/**
 * A binary min-heap of small integer indexes (the inputs of a streaming merge), ordered by a
 * comparison the merge supplies. The merges keep one head item per input and ask which input
 * goes next; the heap holds only the indexes, so it never allocates after construction.
 */
export class IndexHeap {
  private readonly heap: Int32Array;
  size = 0;

  /** `before(a, b)`: whether input `a` goes before input `b`. */
  constructor(capacity: number, private readonly before: (a: number, b: number) => boolean) {
    this.heap = new Int32Array(capacity);
  }

  /** The index that goes next; only valid while `size > 0`. */
  get top(): number {
    return this.heap[0]!;
  }

  push(index: number): void {
    const heap = this.heap;
    let position = this.size++;
    heap[position] = index;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (!this.before(heap[position]!, heap[parent]!)) break;
      const swap = heap[parent]!;
      heap[parent] = heap[position]!;
      heap[position] = swap;
      position = parent;
    }
  }

  removeTop(): void {
    this.size--;
    if (this.size > 0) {
      this.heap[0] = this.heap[this.size]!;
      this.siftDown(0);
    }
  }

  /** Restores the order after the top input's head changed in place. */
  siftDown(start = 0): void {
    const heap = this.heap;
    const size = this.size;
    let position = start;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, heap[position]!)) break;
      const swap = heap[child]!;
      heap[child] = heap[position]!;
      heap[position] = swap;
      position = child;
    }
  }
}
