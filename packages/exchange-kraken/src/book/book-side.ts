import { bookKernel, type BookKernel } from './kernel/book-kernel.js';

/** Frees a side's levels in the kernel once its BookSide is garbage collected. */
const sides = new FinalizationRegistry<number>((handle) => bookKernel().freeSide(handle));

/**
 * One side of an L2 book: price levels as two-part scaled integers (`high × 10^8 + low`, see
 * scaled-decimal.ts; both parts are exact in a double), kept with the run of Kraken's checksum
 * over its top ten levels. The levels live in the book kernel's memory (WebAssembly,
 * assembly/book-kernel.ts); this class is its handle.
 *
 * The data structure, as the kernel keeps it: five numbers a level (the sort key as one number,
 * the key exactly in two parts, the quantity in two parts) and the level's checksum
 * contribution (what its digits feed into a zero CRC register) with its digit count. Bids are
 * stored negated so both sides sort ascending (best first) and share one search; a search
 * compares the key as one number (exact below 2^53, rounded but in order above) and only on a
 * tie beyond 2^53 compares the two parts. Kraken's updates land near the top of the book, so
 * the levels are stored best *last*, in the middle of a buffer with room on both ends: an insert
 * or delete near the top moves only the few levels above it, a level added at the bottom takes
 * the free slot below the worst, and dropping levels beyond the subscribed depth just moves the
 * start. When one end runs out of room the block is moved back to the middle (or the buffer
 * doubles).
 *
 * The checksum run: the register and digit count before each of the top ten levels are kept, so
 * a change at level i feeds again from i only; each level is fed as one table advance over its
 * digit count and its contribution. Contributions of the top ten are worked out when a level is
 * set or scrolls in, deeper ones when first fed.
 */
export class BookSide {
  readonly #kernel: BookKernel;
  /** The side's address in the kernel's memory. */
  readonly handle: number;

  /**
   * `runStart` is the register the run over the top ten levels starts from (see updateTopRun):
   * the CRC's initial register for the side whose digits come first, 0 for one joined after it.
   */
  constructor(
    readonly side: 'bid' | 'ask',
    initialCapacity = 16,
    runStart = 0,
  ) {
    this.#kernel = bookKernel();
    this.handle = this.#kernel.createSide(side === 'bid' ? -1 : 1, initialCapacity, runStart);
    sides.register(this, this.handle);
  }

  get length(): number {
    return this.#kernel.length(this.handle);
  }

  clear(): void {
    this.#kernel.clear(this.handle);
  }

  /** Scaled price at `index` (0 = best) as one number; exact below 2^53. */
  priceAt(index: number): number {
    return this.#kernel.priceAt(this.handle, index);
  }

  /** Scaled quantity at `index` (0 = best) as one number; exact below 2^53. */
  quantityAt(index: number): number {
    return this.#kernel.quantityAt(this.handle, index);
  }

  /**
   * Sets a level to a new aggregate quantity (Kraken sends totals, not deltas); quantity 0 deletes
   * the level. Deleting a price that is not in the book is a no-op: Kraken may delete a level that
   * already scrolled out of the subscribed depth.
   */
  set(priceHigh: number, priceLow: number, quantityHigh: number, quantityLow: number): void {
    this.#kernel.set(this.handle, priceHigh, priceLow, quantityHigh, quantityLow);
  }

  /** Drops the worst levels beyond `depth`: Kraken never sends deletes for levels that scroll out of range. */
  truncate(depth: number): void {
    this.#kernel.truncate(this.handle, depth);
  }

  /**
   * Brings the run over the top ten levels (the ones Kraken's checksum covers) up to date: fed
   * again from the first level changed since the last run, then marked clean. Its register and
   * digit count are then in topRegister and topDigits.
   */
  updateTopRun(): void {
    this.#kernel.updateTopRun(this.handle);
  }

  /** The register after the top ten levels (or all, when fewer), as of the last updateTopRun(). */
  get topRegister(): number {
    return this.#kernel.topRegister(this.handle);
  }

  /** How many digits the top ten levels feed, as of the last updateTopRun(). */
  get topDigits(): number {
    return this.#kernel.topDigits(this.handle);
  }

  /** What a level's digits (0 = best) feed into a zero CRC register, worked out now if not yet. */
  levelContribution(index: number): number {
    return this.#kernel.levelContribution(this.handle, index);
  }

  /** How many digits a level (0 = best) feeds the checksum, worked out now if not yet. */
  levelDigitCount(index: number): number {
    return this.#kernel.levelDigitCount(this.handle, index);
  }
}
