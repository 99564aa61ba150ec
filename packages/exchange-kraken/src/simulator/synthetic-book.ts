import type { SeededRandom } from './seeded-random.js';

/** One price level in integer units of the pair's price and quantity precision. */
export interface BookLevelUnits {
  readonly price: number;
  readonly qty: number;
}

export interface SyntheticBookOptions {
  /** Levels per side. */
  readonly levels: number;
  /** Best ask − best bid, in ticks. */
  readonly spreadTicks: number;
  /** Distance between neighbouring levels, in ticks. */
  readonly levelSpacingTicks: number;
  /** Levels among the top 10 of each side whose quantity is redrawn on every move, so updates are never empty. */
  readonly churnLevels: number;
  readonly tickUnits: number;
  readonly lotUnits: number;
}

/**
 * An order book around the last trade price: the best bid is the price rounded down to the
 * tick, the best ask `spreadTicks` above it, then evenly spaced levels. A level that stays at the
 * same price across a move keeps its quantity, so an update carries only what really changed
 * (the levels that appeared or vanished, plus a few redrawn ones), the way a live feed looks.
 * Sizes are remembered per price, so a level that comes back has the size it had.
 * Arrays are replaced, never mutated, so readers can keep the previous ones to diff against.
 */
export class SyntheticBook {
  #bids: readonly BookLevelUnits[] = [];
  #asks: readonly BookLevelUnits[] = [];
  /** Sizes by price, kept across moves so a level that stays put keeps its size. */
  readonly #bidSizes = new Map<number, number>();
  readonly #askSizes = new Map<number, number>();

  constructor(
    private readonly options: SyntheticBookOptions,
    private readonly random: SeededRandom,
  ) {}

  /** Best first (highest). */
  get bids(): readonly BookLevelUnits[] {
    return this.#bids;
  }

  /** Best first (lowest). */
  get asks(): readonly BookLevelUnits[] {
    return this.#asks;
  }

  /**
   * Rebuilds the book around `priceUnits`. `typicalQtyUnits` sets the size of new levels
   * (each draws 0.2×–2× of it, rounded to the lot, at least `minQtyUnits`).
   */
  moveTo(priceUnits: number, typicalQtyUnits: number, minQtyUnits: number): void {
    const { levels, spreadTicks, levelSpacingTicks, churnLevels, tickUnits, lotUnits } = this.options;
    const draw = (): number => {
      const size = typicalQtyUnits * (0.2 + 1.8 * this.random.next());
      return Math.max(minQtyUnits, Math.round(size / lotUnits) * lotUnits);
    };
    const bestBid = Math.max(tickUnits, Math.floor(priceUnits / tickUnits) * tickUnits);
    const bestAsk = bestBid + spreadTicks * tickUnits;
    const step = levelSpacingTicks * tickUnits;
    // A price that just crossed to the other side starts afresh there.
    for (const price of this.#bidSizes.keys()) if (price >= bestAsk) this.#bidSizes.delete(price);
    for (const price of this.#askSizes.keys()) if (price <= bestBid) this.#askSizes.delete(price);

    const build = (sizes: Map<number, number>, first: number, direction: 1 | -1): BookLevelUnits[] => {
      const side: BookLevelUnits[] = [];
      for (let i = 0; i < levels; i++) {
        const price = first + direction * i * step;
        if (price <= 0) break;
        let qty = sizes.get(price);
        if (qty === undefined) {
          qty = draw();
          sizes.set(price, qty);
        }
        side.push({ price, qty });
      }
      const top = Math.min(10, side.length);
      for (let n = 0; n < churnLevels && top > 0; n++) {
        const index = this.random.below(top);
        const qty = draw();
        side[index] = { price: side[index]!.price, qty };
        sizes.set(side[index]!.price, qty);
      }
      // Forget sizes far outside the book now and then, so memory stays bounded.
      if (sizes.size > 4 * levels) {
        const keep = new Set(side.map((level) => level.price));
        for (const price of sizes.keys()) if (!keep.has(price)) sizes.delete(price);
      }
      return side;
    };
    this.#bids = Object.freeze(build(this.#bidSizes, bestBid, -1));
    this.#asks = Object.freeze(build(this.#askSizes, bestAsk, 1));
  }
}

/**
 * The levels a subscriber at `depth` must receive to get from `before` to `after` (one side,
 * best first): new or changed levels within the depth with their quantity, and levels that left
 * the book with qty 0. Like Kraken, a level that only scrolled below the depth (a better level
 * arrived) is not deleted: the client must truncate to its depth after applying (spec §9.1), and
 * a client that does not will fail the checksum here as it would on Kraken.
 */
export function diffSide(before: readonly BookLevelUnits[], after: readonly BookLevelUnits[], depth: number): BookLevelUnits[] {
  const old = new Map(before.slice(0, depth).map((level) => [level.price, level.qty]));
  const stillInBook = new Set(after.map((level) => level.price));
  const changes: BookLevelUnits[] = [];
  for (const [price] of old) if (!stillInBook.has(price)) changes.push({ price, qty: 0 });
  for (const level of after.slice(0, depth)) if (old.get(level.price) !== level.qty) changes.push(level);
  return changes;
}
