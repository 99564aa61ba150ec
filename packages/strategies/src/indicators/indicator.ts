/**
 * The contract every streaming indicator in this folder keeps.
 *
 * - `add(input)` feeds the next input (a closed bar, or the first tick of a new bar).
 * - `replace(input)` overwrites the last added input — the still-forming bar — and recomputes
 *   as if that input had been added in the first place. Replacing before anything was added
 *   behaves like `add`.
 * - `value` is `undefined` until `warmUp` inputs have been added; from then on it is always
 *   defined and `isStable` is true.
 *
 * Multi-output indicators return one result object that they overwrite on every update, so a
 * per-bar loop allocates nothing. Treat it as a read-only view: copy it (`{ ...value }`) to keep it.
 */
export interface Indicator<Input, Value> {
  /** Number of inputs needed before `isStable` is true and `value` is defined. */
  readonly warmUp: number;
  readonly isStable: boolean;
  readonly value: Value | undefined;
  add(input: Input): Value | undefined;
  replace(input: Input): Value | undefined;
}

/**
 * The part of a bar that bar-input indicators read. Structural, so core's `Bar` (and any
 * `{ high, low, close }` object) fits without conversion.
 */
export interface PriceBar {
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume?: number;
  /** Start of the bar's interval, epoch milliseconds. */
  readonly openTime?: number;
}

/** A bar whose volume is known (OBV, VWAP). */
export interface VolumeBar extends PriceBar {
  readonly volume: number;
}

/** A bar with volume and open time (session VWAP needs the time to find session boundaries). */
export interface TimedVolumeBar extends VolumeBar {
  readonly openTime: number;
}
