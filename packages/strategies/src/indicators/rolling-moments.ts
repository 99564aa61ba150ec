/** Relative rounding error of one float64 operation. */
const EPSILON = Number.EPSILON / 2;
/**
 * Recompute exactly once the estimated rounding error of M2 reaches this fraction of M2, which
 * keeps the variance's relative error below about 1e-10.
 */
const MAX_RELATIVE_ERROR = 1e-10;

/**
 * Mean and population variance of the last `capacity` numbers, O(1) per push, with one level of
 * undo.
 *
 * The variance is kept as M2 (sum of squared deviations) and slid with Welford's update, not as
 * `E[x²] − mean²`, which near a price of 20 000 with a deviation of 10 cancels away eight digits.
 * Two more guards keep it accurate over any run length:
 * - values are stored shifted by a nearby value (`shift`), so the sums stay small and their rounding
 *   error scales with the spread of the window, not with the price level; a flat window at the
 *   shift value gives exactly 0;
 * - the rounding error of each sliding update is estimated; when it becomes significant relative to
 *   M2 (typically a quiet window right after a volatile one), and in any case each time the ring
 *   wraps, both sums are recomputed in two passes. The extra cost is amortised O(1) on market data.
 */
export class RollingMoments {
  readonly capacity: number;
  /** Values held: min(pushes, capacity). */
  count = 0;
  private shift = 0;
  /** Sum of (value − shift). */
  private sum = 0;
  private m2 = 0;
  private errorBound = 0;
  private readonly buffer: Float64Array;
  private next = 0;
  private undoShift = 0;
  private undoSum = 0;
  private undoM2 = 0;
  private undoErrorBound = 0;
  private undoEvicted = 0;
  private undoCount = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buffer = new Float64Array(capacity);
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  get mean(): number {
    return this.shift + this.sum / this.count;
  }

  /** Population variance (divides by the count). Never negative. */
  get variance(): number {
    return this.m2 > 0 ? this.m2 / this.count : 0;
  }

  /** `value − mean`, computed in shifted coordinates to keep its digits. */
  deviation(value: number): number {
    return value - this.shift - this.sum / this.count;
  }

  push(value: number): void {
    const next = this.next;
    const evicted = this.buffer[next]!;
    this.undoShift = this.shift;
    this.undoSum = this.sum;
    this.undoM2 = this.m2;
    this.undoErrorBound = this.errorBound;
    this.undoEvicted = evicted;
    this.undoCount = this.count;
    this.buffer[next] = value;
    if (this.count === 0) this.shift = value;
    const shifted = value - this.shift;
    if (this.count === this.capacity) {
      const shiftedEvicted = evicted - this.shift;
      const oldMean = this.sum / this.capacity;
      this.sum += shifted - shiftedEvicted;
      const newMean = this.sum / this.capacity;
      const change = shifted - shiftedEvicted;
      const term = change * (shifted - newMean + shiftedEvicted - oldMean);
      this.m2 += term;
      this.errorBound +=
        4 * EPSILON * (Math.abs(change) * (Math.abs(shifted) + Math.abs(shiftedEvicted) + Math.abs(oldMean) + Math.abs(newMean)) + Math.abs(this.m2));
    } else {
      const oldMean = this.count === 0 ? 0 : this.sum / this.count;
      this.count++;
      this.sum += shifted;
      const newMean = this.sum / this.count;
      this.m2 += (shifted - oldMean) * (shifted - newMean);
      this.errorBound += 4 * EPSILON * (Math.abs(shifted - oldMean) * (Math.abs(shifted) + Math.abs(oldMean) + Math.abs(newMean)) + Math.abs(this.m2));
    }
    if (next + 1 === this.capacity) {
      this.next = 0;
      this.recompute(value);
    } else {
      this.next = next + 1;
      if (this.errorBound > 0 && this.m2 <= this.errorBound / MAX_RELATIVE_ERROR) this.recompute(value);
    }
  }

  /** Reverts the last push. Valid once per push. */
  undo(): void {
    const last = this.next === 0 ? this.capacity - 1 : this.next - 1;
    this.buffer[last] = this.undoEvicted;
    this.next = last;
    this.shift = this.undoShift;
    this.sum = this.undoSum;
    this.m2 = this.undoM2;
    this.errorBound = this.undoErrorBound;
    this.count = this.undoCount;
  }

  /** Two-pass sums over the held values, shifted by `shift` (the newest value, so it is near the window). */
  private recompute(shift: number): void {
    const buffer = this.buffer;
    // While filling, the held values are slots 0..count−1; once full, all slots.
    const count = this.count;
    let sum = 0;
    for (let index = 0; index < count; index++) sum += buffer[index]! - shift;
    const mean = sum / count;
    let m2 = 0;
    for (let index = 0; index < count; index++) {
      const deviation = buffer[index]! - shift - mean;
      m2 += deviation * deviation;
    }
    this.shift = shift;
    this.sum = sum;
    this.m2 = m2;
    this.errorBound = 0;
  }
}
