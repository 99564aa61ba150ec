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

/** Running aggregates over committed samples; a plain object of numbers so the hot path stays cheap. */
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

function emptyState(): RunningState {
  return {
    samples: 0,
    exposedSamples: 0,
    firstTime: NaN,
    firstEquity: NaN,
    lastTime: NaN,
    lastEquity: NaN,
    peak: -Infinity,
    maxDrawdown: 0,
    maxDrawdownQuote: 0,
    maxDrawdownTime: NaN,
    minTimeStep: Infinity,
    returnCount: 0,
    returnMean: 0,
    returnM2: 0,
    downsideSquares: 0,
  };
}

/** Folds one sample into the aggregates and returns its drawdown fraction. */
function foldSample(state: RunningState, time: number, equity: number, exposed: boolean): number {
  if (state.samples === 0) {
    state.firstTime = time;
    state.firstEquity = equity;
  } else {
    const step = time - state.lastTime;
    if (step < state.minTimeStep) state.minTimeStep = step;
    // A return from a non-positive equity has no meaning; such periods are left out.
    if (state.lastEquity > 0) {
      const r = equity / state.lastEquity - 1;
      state.returnCount += 1;
      const delta = r - state.returnMean;
      state.returnMean += delta / state.returnCount;
      state.returnM2 += delta * (r - state.returnMean);
      if (r < 0) state.downsideSquares += r * r;
    }
  }
  if (equity > state.peak) state.peak = equity;
  const drawdown = state.peak > 0 ? (state.peak - equity) / state.peak : 0;
  if (drawdown > state.maxDrawdown) {
    state.maxDrawdown = drawdown;
    state.maxDrawdownQuote = state.peak - equity;
    state.maxDrawdownTime = time;
  }
  state.samples += 1;
  if (exposed) state.exposedSamples += 1;
  state.lastTime = time;
  state.lastEquity = equity;
  return drawdown;
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
  private readonly maxPoints: number;
  private readonly fixedIntervalMs: number | undefined;
  private readonly state: RunningState = emptyState();

  private hasPending = false;
  private pendingTime = NaN;
  private pendingEquity = NaN;
  private pendingExposed = false;

  // Struct of arrays: no allocation per sample. Per bucket: lowest equity, highest equity, deepest drawdown.
  private readonly bucketCapacity: number;
  private readonly lowTime: Float64Array;
  private readonly lowEquity: Float64Array;
  private readonly lowDrawdown: Float64Array;
  private readonly highTime: Float64Array;
  private readonly highEquity: Float64Array;
  private readonly highDrawdown: Float64Array;
  private readonly deepTime: Float64Array;
  private readonly deepEquity: Float64Array;
  private readonly deepDrawdown: Float64Array;
  private bucketCount = 0;
  private bucketSize = 1;
  private samplesInLastBucket = 0;
  private firstPointDrawdown = 0;

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
    // An even capacity lets every bucket pair merge, so all buckets keep the same width.
    const capacity = Math.floor((maxPoints - 2) / POINTS_PER_BUCKET);
    this.bucketCapacity = capacity - (capacity % 2);
    const make = (): Float64Array => new Float64Array(this.bucketCapacity);
    this.lowTime = make();
    this.lowEquity = make();
    this.lowDrawdown = make();
    this.highTime = make();
    this.highEquity = make();
    this.highDrawdown = make();
    this.deepTime = make();
    this.deepEquity = make();
    this.deepDrawdown = make();
  }

  /** Time steps recorded so far (samples at the same time count once). */
  get sampleCount(): number {
    return this.state.samples + (this.hasPending ? 1 : 0);
  }

  /** Records the equity (in quote currency) at `time`; `exposed` is true while any position is open. */
  record(time: EpochMs, equity: number, exposed: boolean): void {
    if (!Number.isFinite(equity)) throw new InvariantError(`EquityTracker.record equity: received ${equity} at time ${time}, expected a finite number`);
    if (!Number.isFinite(time)) throw new InvariantError(`EquityTracker.record time: received ${time}, expected epoch milliseconds`);
    if (this.hasPending) {
      if (time < this.pendingTime) {
        throw new InvariantError(`EquityTracker.record time: received ${time}, expected no earlier than the previous sample ${this.pendingTime}`);
      }
      if (time > this.pendingTime) this.commit(this.pendingTime, this.pendingEquity, this.pendingExposed);
    }
    this.hasPending = true;
    this.pendingTime = time;
    this.pendingEquity = equity;
    this.pendingExposed = exposed;
  }

  statistics(): EquityStatistics {
    const s = { ...this.state };
    if (this.hasPending) foldSample(s, this.pendingTime, this.pendingEquity, this.pendingExposed);
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
    const s = this.state;
    if (s.samples > 0) points.push({ time: s.firstTime, equity: s.firstEquity, drawdown: this.firstPointDrawdown });
    const candidates: EquityPoint[] = [];
    for (let b = 0; b < this.bucketCount; b++) {
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
    if (this.hasPending) {
      const peak = Math.max(s.peak, this.pendingEquity);
      const drawdown = peak > 0 ? (peak - this.pendingEquity) / peak : 0;
      points.push({ time: this.pendingTime, equity: this.pendingEquity, drawdown });
    }
    if (points.length > this.maxPoints) {
      throw new InvariantError(`EquityTracker.curve: built ${points.length} points, expected at most ${this.maxPoints}`);
    }
    return points;
  }

  private commit(time: number, equity: number, exposed: boolean): void {
    const drawdown = foldSample(this.state, time, equity, exposed);
    if (this.state.samples === 1) this.firstPointDrawdown = drawdown;
    if (this.bucketCount > 0 && this.samplesInLastBucket < this.bucketSize) {
      const b = this.bucketCount - 1;
      // Strict comparisons keep the earliest sample on ties, so the global deepest drawdown survives merges.
      if (equity < this.lowEquity[b]!) this.setLow(b, time, equity, drawdown);
      if (equity > this.highEquity[b]!) this.setHigh(b, time, equity, drawdown);
      if (drawdown > this.deepDrawdown[b]!) this.setDeep(b, time, equity, drawdown);
      this.samplesInLastBucket += 1;
      return;
    }
    if (this.bucketCount === this.bucketCapacity) this.mergeBucketPairs();
    const b = this.bucketCount++;
    this.setLow(b, time, equity, drawdown);
    this.setHigh(b, time, equity, drawdown);
    this.setDeep(b, time, equity, drawdown);
    this.samplesInLastBucket = 1;
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
    this.bucketCount = half;
    this.bucketSize *= 2;
    this.samplesInLastBucket = this.bucketSize;
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
