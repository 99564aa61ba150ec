import { InvariantError } from '../errors/errors.js';
import type { EpochMs } from '../model/time.js';
import type { EquityPoint } from './result.js';

/** Crypto trades every day of the year, so a year is 365 days of bars, not 252 sessions. */
export const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

export const DEFAULT_MAX_CURVE_POINTS = 2000;
/** Below this the curve cannot hold first, last and one full bucket pair. */
const MIN_CURVE_POINTS = 8;
/** Each bucket keeps up to three points: lowest equity, highest equity, deepest drawdown. */
const POINTS_PER_BUCKET = 3;

export interface EquityTrackerOptions {
  /** Most points `curve()` returns (default 2000, at least 8). */
  readonly maxPoints?: number;
  /**
   * Bar interval in milliseconds, for annualization. When absent it is inferred as the smallest
   * gap between consecutive samples (gaps in the data only make gaps larger, never smaller).
   */
  readonly intervalMs?: number;
}

/**
 * Everything the tracker knows, computed once at the end of a run.
 *
 * Formulas (r_i = equity_i / equity_{i-1} − 1, one per consecutive pair of samples, n of them):
 * - mean = Σr / n (Welford's running mean)
 * - returnStdDev = √(Σ(r − mean)² / (n − 1)), the sample standard deviation
 * - downsideDeviation = √(Σ min(r, 0)² / n), target return 0, over all n periods
 * - periodsPerYear = 365 × 24 × 3600 × 1000 / intervalMs
 * - sharpe = mean / returnStdDev × √periodsPerYear (risk-free rate 0); null when n < 2 or the
 *   standard deviation is 0
 * - sortino = mean / downsideDeviation × √periodsPerYear; null when n < 2 or no return was negative
 * - drawdown_i = (peak_i − equity_i) / peak_i with peak_i the highest equity up to i (0 while the
 *   peak is not positive); maxDrawdown is the largest, maxDrawdownQuote is peak − equity of that
 *   same fall (the first one, on ties)
 * - exposure = samples with an open position / samples
 */
export interface EquityStatistics {
  readonly samples: number;
  readonly exposedSamples: number;
  readonly exposure: number;
  readonly firstTime: EpochMs | undefined;
  readonly firstEquity: number | undefined;
  readonly lastTime: EpochMs | undefined;
  readonly lastEquity: number | undefined;
  readonly peakEquity: number | undefined;
  readonly maxDrawdown: number;
  readonly maxDrawdownQuote: number;
  /** When the deepest drawdown was reached. */
  readonly maxDrawdownTime: EpochMs | undefined;
  readonly intervalMs: number | undefined;
  readonly periodsPerYear: number | undefined;
  readonly returnCount: number;
  readonly meanReturn: number | null;
  readonly returnStdDev: number | null;
  readonly downsideDeviation: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
}

/** Running aggregates over committed samples (what `statistics()` is computed from). */
interface RunningState {
  samples: number;
  exposedSamples: number;
  firstTime: number;
  firstEquity: number;
  lastTime: number;
  lastEquity: number;
  peak: number;
  maxDrawdown: number;
  maxDrawdownQuote: number;
  maxDrawdownTime: number;
  minTimeStep: number;
  returnCount: number;
  returnMean: number;
  /** Welford's sum of squared deviations from the running mean. */
  returnM2: number;
  downsideSquares: number;
}

/*
 * The tracker's numbers live in typed arrays, one slot each, not in object fields. It is fed once
 * per bar, and an object whose number fields change is at the JIT's mercy: a field first set to 0
 * changes representation when a fraction arrives, the shapes are rebuilt after a full GC, and
 * numbers passed between functions that are not inlined are boxed. A Float64Array slot is always
 * a plain double, so the per-sample path allocates nothing however it was compiled.
 */
// Slots of `RunningState` in the numbers array, then the pending sample and the first point's drawdown.
const SAMPLES = 0;
const EXPOSED_SAMPLES = 1;
const FIRST_TIME = 2;
const FIRST_EQUITY = 3;
const LAST_TIME = 4;
const LAST_EQUITY = 5;
const PEAK = 6;
const MAX_DRAWDOWN = 7;
const MAX_DRAWDOWN_QUOTE = 8;
const MAX_DRAWDOWN_TIME = 9;
const MIN_TIME_STEP = 10;
const RETURN_COUNT = 11;
const RETURN_MEAN = 12;
const RETURN_M2 = 13;
const DOWNSIDE_SQUARES = 14;
const PENDING_TIME = 15;
const PENDING_EQUITY = 16;
const FIRST_POINT_DRAWDOWN = 17;
const NUMBER_SLOTS = 18;
// Slots of the integer array: flags (0 or 1) and the curve's bucket counters.
const HAS_PENDING = 0;
const PENDING_EXPOSED = 1;
const BUCKET_COUNT = 2;
const BUCKET_SIZE = 3;
const SAMPLES_IN_LAST_BUCKET = 4;
const INTEGER_SLOTS = 5;

function emptyNumbers(): Float64Array {
  const numbers = new Float64Array(NUMBER_SLOTS);
  numbers[FIRST_TIME] = NaN;
  numbers[FIRST_EQUITY] = NaN;
  numbers[LAST_TIME] = NaN;
  numbers[LAST_EQUITY] = NaN;
  numbers[PEAK] = -Infinity;
  numbers[MAX_DRAWDOWN_TIME] = NaN;
  numbers[MIN_TIME_STEP] = Infinity;
  numbers[PENDING_TIME] = NaN;
  numbers[PENDING_EQUITY] = NaN;
  return numbers;
}

function runningState(numbers: Float64Array): RunningState {
  return {
    samples: numbers[SAMPLES]!,
    exposedSamples: numbers[EXPOSED_SAMPLES]!,
    firstTime: numbers[FIRST_TIME]!,
    firstEquity: numbers[FIRST_EQUITY]!,
    lastTime: numbers[LAST_TIME]!,
    lastEquity: numbers[LAST_EQUITY]!,
    peak: numbers[PEAK]!,
    maxDrawdown: numbers[MAX_DRAWDOWN]!,
    maxDrawdownQuote: numbers[MAX_DRAWDOWN_QUOTE]!,
    maxDrawdownTime: numbers[MAX_DRAWDOWN_TIME]!,
    minTimeStep: numbers[MIN_TIME_STEP]!,
    returnCount: numbers[RETURN_COUNT]!,
    returnMean: numbers[RETURN_MEAN]!,
    returnM2: numbers[RETURN_M2]!,
    downsideSquares: numbers[DOWNSIDE_SQUARES]!,
  };
}

/** Folds one sample into the aggregates (the `RunningState` slots of `s`) and returns its drawdown fraction. */
function foldSample(s: Float64Array, time: number, equity: number, exposed: boolean): number {
  if (s[SAMPLES] === 0) {
    s[FIRST_TIME] = time;
    s[FIRST_EQUITY] = equity;
  } else {
    const step = time - s[LAST_TIME]!;
    if (step < s[MIN_TIME_STEP]!) s[MIN_TIME_STEP] = step;
    // A return from a non-positive equity has no meaning; such periods are left out.
    const lastEquity = s[LAST_EQUITY]!;
    if (lastEquity > 0) {
      const r = equity / lastEquity - 1;
      const count = s[RETURN_COUNT]! + 1;
      s[RETURN_COUNT] = count;
      const mean = s[RETURN_MEAN]!;
      const delta = r - mean;
      const nextMean = mean + delta / count;
      s[RETURN_MEAN] = nextMean;
      s[RETURN_M2] = s[RETURN_M2]! + delta * (r - nextMean);
      if (r < 0) s[DOWNSIDE_SQUARES] = s[DOWNSIDE_SQUARES]! + r * r;
    }
  }
  let peak = s[PEAK]!;
  if (equity > peak) {
    peak = equity;
    s[PEAK] = peak;
  }
  const drawdown = peak > 0 ? (peak - equity) / peak : 0;
  if (drawdown > s[MAX_DRAWDOWN]!) {
    s[MAX_DRAWDOWN] = drawdown;
    s[MAX_DRAWDOWN_QUOTE] = peak - equity;
    s[MAX_DRAWDOWN_TIME] = time;
  }
  s[SAMPLES] = s[SAMPLES]! + 1;
  if (exposed) s[EXPOSED_SAMPLES] = s[EXPOSED_SAMPLES]! + 1;
  s[LAST_TIME] = time;
  s[LAST_EQUITY] = equity;
  return drawdown;
}

function invalidSample(time: number, equity: number): InvariantError {
  if (!Number.isFinite(equity)) return new InvariantError(`EquityTracker.record equity: received ${equity} at time ${time}, expected a finite number`);
  return new InvariantError(`EquityTracker.record time: received ${time}, expected epoch milliseconds`);
}

function sampleBeforePending(time: number, pendingTime: number): InvariantError {
  return new InvariantError(`EquityTracker.record time: received ${time}, expected no earlier than the previous sample ${pendingTime}`);
}

/**
 * Streams the equity of a run, one sample per bar, into drawdown, return statistics, exposure and
 * a bounded chart curve. Memory is constant: the curve is kept in at most
 * `(maxPoints − 2) / 3` buckets; when they fill up, neighbouring buckets merge and each bucket
 * covers twice as many samples. A bucket keeps its lowest-equity, highest-equity and
 * deepest-drawdown samples, so spikes and the worst drawdown stay visible at any zoom.
 *
 * Samples with the same time as the previous one replace it (several instruments closing a bar at
 * the same instant form one time step); the last sample is therefore held back until a later
 * time arrives, and `statistics()` / `curve()` include it.
 */
export class EquityTracker {
  // `declare`: every field is set once, in the constructor, with its final value (see EMA in
  // @kbot/strategies); a field defined as undefined first and then set is a changed field to V8.
  private declare readonly maxPoints: number;
  private declare readonly fixedIntervalMs: number | undefined;
  /** The `RunningState` slots, the pending sample and the first point's drawdown (see the slot constants). */
  private declare readonly numbers: Float64Array;
  /** Whether a sample is pending and exposed, and the bucket counters. */
  private declare readonly integers: Int32Array;

  // Struct of arrays: no allocation per sample. Per bucket: lowest equity, highest equity, deepest drawdown.
  private declare readonly bucketCapacity: number;
  private declare readonly lowTime: Float64Array;
  private declare readonly lowEquity: Float64Array;
  private declare readonly lowDrawdown: Float64Array;
  private declare readonly highTime: Float64Array;
  private declare readonly highEquity: Float64Array;
  private declare readonly highDrawdown: Float64Array;
  private declare readonly deepTime: Float64Array;
  private declare readonly deepEquity: Float64Array;
  private declare readonly deepDrawdown: Float64Array;

  constructor(options: EquityTrackerOptions = {}) {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_CURVE_POINTS;
    if (!Number.isInteger(maxPoints) || maxPoints < MIN_CURVE_POINTS) {
      throw new InvariantError(`EquityTracker maxPoints: received ${maxPoints}, expected an integer of at least ${MIN_CURVE_POINTS}`);
    }
    const intervalMs = options.intervalMs;
    if (intervalMs !== undefined && !(Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw new InvariantError(`EquityTracker intervalMs: received ${intervalMs}, expected a positive number of milliseconds`);
    }
    this.maxPoints = maxPoints;
    this.fixedIntervalMs = intervalMs;
    this.numbers = emptyNumbers();
    const integers = new Int32Array(INTEGER_SLOTS);
    integers[BUCKET_SIZE] = 1;
    this.integers = integers;
    // An even capacity lets every bucket pair merge, so all buckets keep the same width.
    const capacity = Math.floor((maxPoints - 2) / POINTS_PER_BUCKET);
    const bucketCapacity = capacity - (capacity % 2);
    this.bucketCapacity = bucketCapacity;
    this.lowTime = new Float64Array(bucketCapacity);
    this.lowEquity = new Float64Array(bucketCapacity);
    this.lowDrawdown = new Float64Array(bucketCapacity);
    this.highTime = new Float64Array(bucketCapacity);
    this.highEquity = new Float64Array(bucketCapacity);
    this.highDrawdown = new Float64Array(bucketCapacity);
    this.deepTime = new Float64Array(bucketCapacity);
    this.deepEquity = new Float64Array(bucketCapacity);
    this.deepDrawdown = new Float64Array(bucketCapacity);
  }

  /** Time steps recorded so far (samples at the same time count once). */
  get sampleCount(): number {
    return this.numbers[SAMPLES]! + this.integers[HAS_PENDING]!;
  }

  /** Records the equity (in quote currency) at `time`; `exposed` is true while any position is open. */
  record(time: EpochMs, equity: number, exposed: boolean): void {
    // The error messages are built in functions of their own. Written inline, the conversions of
    // `time` to text in the three messages are one and the same operation to the JIT, which then
    // computes it once ahead of all three checks: a number formatted on every call (measured: more
    // than half the cost of a backtest's bar in some processes).
    if (!Number.isFinite(equity) || !Number.isFinite(time)) throw invalidSample(time, equity);
    const numbers = this.numbers;
    const integers = this.integers;
    if (integers[HAS_PENDING] !== 0) {
      const pendingTime = numbers[PENDING_TIME]!;
      if (time < pendingTime) throw sampleBeforePending(time, pendingTime);
      if (time > pendingTime) this.commitPending();
    }
    integers[HAS_PENDING] = 1;
    numbers[PENDING_TIME] = time;
    numbers[PENDING_EQUITY] = equity;
    integers[PENDING_EXPOSED] = exposed ? 1 : 0;
  }

  statistics(): EquityStatistics {
    const folded = this.numbers.slice();
    if (this.integers[HAS_PENDING] !== 0) foldSample(folded, folded[PENDING_TIME]!, folded[PENDING_EQUITY]!, this.integers[PENDING_EXPOSED] !== 0);
    const s = runningState(folded);
    const intervalMs = this.fixedIntervalMs ?? (Number.isFinite(s.minTimeStep) && s.minTimeStep > 0 ? s.minTimeStep : undefined);
    const periodsPerYear = intervalMs === undefined ? undefined : MS_PER_YEAR / intervalMs;
    const n = s.returnCount;
    const meanReturn = n > 0 ? s.returnMean : null;
    const returnStdDev = n > 1 ? Math.sqrt(s.returnM2 / (n - 1)) : null;
    const downsideDeviation = n > 0 ? Math.sqrt(s.downsideSquares / n) : null;
    const annualize = periodsPerYear === undefined ? NaN : Math.sqrt(periodsPerYear);
    const ratio = (spread: number | null): number | null =>
      n >= 2 && meanReturn !== null && spread !== null && spread > 0 && Number.isFinite(annualize) ? (meanReturn / spread) * annualize : null;
    const has = s.samples > 0;
    return Object.freeze({
      samples: s.samples,
      exposedSamples: s.exposedSamples,
      exposure: has ? s.exposedSamples / s.samples : 0,
      firstTime: has ? s.firstTime : undefined,
      firstEquity: has ? s.firstEquity : undefined,
      lastTime: has ? s.lastTime : undefined,
      lastEquity: has ? s.lastEquity : undefined,
      peakEquity: has ? s.peak : undefined,
      maxDrawdown: s.maxDrawdown,
      maxDrawdownQuote: s.maxDrawdownQuote,
      maxDrawdownTime: Number.isNaN(s.maxDrawdownTime) ? undefined : s.maxDrawdownTime,
      intervalMs,
      periodsPerYear,
      returnCount: n,
      meanReturn,
      returnStdDev,
      downsideDeviation,
      sharpe: ratio(returnStdDev),
      sortino: ratio(downsideDeviation),
    });
  }

  /** The downsampled curve in time order: first and last samples always included, at most `maxPoints`. */
  curve(): EquityPoint[] {
    const points: EquityPoint[] = [];
    const numbers = this.numbers;
    if (numbers[SAMPLES]! > 0) points.push({ time: numbers[FIRST_TIME]!, equity: numbers[FIRST_EQUITY]!, drawdown: numbers[FIRST_POINT_DRAWDOWN]! });
    const candidates: EquityPoint[] = [];
    const bucketCount = this.integers[BUCKET_COUNT]!;
    for (let b = 0; b < bucketCount; b++) {
      candidates.length = 0;
      candidates.push(
        { time: this.lowTime[b]!, equity: this.lowEquity[b]!, drawdown: this.lowDrawdown[b]! },
        { time: this.highTime[b]!, equity: this.highEquity[b]!, drawdown: this.highDrawdown[b]! },
        { time: this.deepTime[b]!, equity: this.deepEquity[b]!, drawdown: this.deepDrawdown[b]! },
      );
      candidates.sort((a, c) => a.time - c.time);
      for (const point of candidates) {
        // Times are strictly increasing across committed samples, so equal time means the same sample.
        if (points.length === 0 || point.time > points[points.length - 1]!.time) points.push(point);
      }
    }
    if (this.integers[HAS_PENDING] !== 0) {
      const pendingEquity = numbers[PENDING_EQUITY]!;
      const peak = Math.max(numbers[PEAK]!, pendingEquity);
      const drawdown = peak > 0 ? (peak - pendingEquity) / peak : 0;
      points.push({ time: numbers[PENDING_TIME]!, equity: pendingEquity, drawdown });
    }
    if (points.length > this.maxPoints) {
      throw new InvariantError(`EquityTracker.curve: built ${points.length} points, expected at most ${this.maxPoints}`);
    }
    return points;
  }

  /**
   * Folds the pending sample into the aggregates and the curve. It takes no arguments: where the
   * JIT does not inline this call into the per-bar loop, numbers passed to it would be boxed.
   */
  private commitPending(): void {
    const numbers = this.numbers;
    const integers = this.integers;
    const time = numbers[PENDING_TIME]!;
    const equity = numbers[PENDING_EQUITY]!;
    const drawdown = foldSample(numbers, time, equity, integers[PENDING_EXPOSED] !== 0);
    if (numbers[SAMPLES] === 1) numbers[FIRST_POINT_DRAWDOWN] = drawdown;
    const bucketCount = integers[BUCKET_COUNT]!;
    if (bucketCount > 0 && integers[SAMPLES_IN_LAST_BUCKET]! < integers[BUCKET_SIZE]!) {
      const b = bucketCount - 1;
      // Strict comparisons keep the earliest sample on ties, so the global deepest drawdown survives merges.
      if (equity < this.lowEquity[b]!) this.setLow(b, time, equity, drawdown);
      if (equity > this.highEquity[b]!) this.setHigh(b, time, equity, drawdown);
      if (drawdown > this.deepDrawdown[b]!) this.setDeep(b, time, equity, drawdown);
      integers[SAMPLES_IN_LAST_BUCKET] = integers[SAMPLES_IN_LAST_BUCKET]! + 1;
      return;
    }
    if (bucketCount === this.bucketCapacity) this.mergeBucketPairs();
    const b = integers[BUCKET_COUNT]!;
    integers[BUCKET_COUNT] = b + 1;
    this.setLow(b, time, equity, drawdown);
    this.setHigh(b, time, equity, drawdown);
    this.setDeep(b, time, equity, drawdown);
    integers[SAMPLES_IN_LAST_BUCKET] = 1;
  }

  /** Halves the number of buckets; every merged bucket is full, so the next sample opens a new one. */
  private mergeBucketPairs(): void {
    const half = this.bucketCapacity / 2;
    for (let target = 0; target < half; target++) {
      const a = 2 * target;
      const b = a + 1;
      const low = this.lowEquity[b]! < this.lowEquity[a]! ? b : a;
      const high = this.highEquity[b]! > this.highEquity[a]! ? b : a;
      const deep = this.deepDrawdown[b]! > this.deepDrawdown[a]! ? b : a;
      this.setLow(target, this.lowTime[low]!, this.lowEquity[low]!, this.lowDrawdown[low]!);
      this.setHigh(target, this.highTime[high]!, this.highEquity[high]!, this.highDrawdown[high]!);
      this.setDeep(target, this.deepTime[deep]!, this.deepEquity[deep]!, this.deepDrawdown[deep]!);
    }
    const integers = this.integers;
    integers[BUCKET_COUNT] = half;
    integers[BUCKET_SIZE] = integers[BUCKET_SIZE]! * 2;
    integers[SAMPLES_IN_LAST_BUCKET] = integers[BUCKET_SIZE]!;
  }

  private setLow(b: number, time: number, equity: number, drawdown: number): void {
    this.lowTime[b] = time;
    this.lowEquity[b] = equity;
    this.lowDrawdown[b] = drawdown;
  }

  private setHigh(b: number, time: number, equity: number, drawdown: number): void {
    this.highTime[b] = time;
    this.highEquity[b] = equity;
    this.highDrawdown[b] = drawdown;
  }

  private setDeep(b: number, time: number, equity: number, drawdown: number): void {
    this.deepTime[b] = time;
    this.deepEquity[b] = equity;
    this.deepDrawdown[b] = drawdown;
  }
}
