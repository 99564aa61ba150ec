import type { DataSourceSummary } from '../backtest/result.js';
import { DataError, InvariantError } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { DAY_MS, formatInterval, isoTime } from '../model/time.js';
import { BarSummaryTracker } from './bar-summary.js';
import type { DataFormat } from './data-format.js';
import { BarRing, type WarmUpIterator } from './warm-up-bars.js';

/** Everything a file reader needs to know, resolved once before the first row. */
export interface BarReadSettings {
  readonly file: string;
  readonly format: DataFormat;
  readonly instrumentId: InstrumentId;
  /** Milliseconds; 0 while the interval is being inferred (no alignment or gap checks then). */
  readonly interval: number;
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Exclusive, epoch ms. */
  readonly to: number;
  readonly chunkSize: number;
  /**
   * Bars to keep of the rows skipped before `from`, for the strategies' warm-up (read with
   * `warmUpBars()`); 0 or absent keeps none, and those rows are then not even built.
   */
  readonly warmUpBars?: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The shared half of every file reader: ordering and alignment checks, from/to filtering, gap
 * statistics and file closing. A subclass only reads rows (`readRow` sets `rowTime`/`rowLine`)
 * and turns the current row into a Bar (`buildBar`), which is skipped for rows outside from/to
 * (except the last `warmUpBars` rows before `from`, kept for the strategies' warm-up).
 *
 * The iterator result object is reused between calls: consumers (for...of, spreading, merging)
 * read `value` before calling `next()` again, and it saves an allocation per bar.
 */
export abstract class FileBarIterator implements IterableIterator<Bar>, WarmUpIterator {
  protected readonly settings: BarReadSettings;
  /** Open time (epoch ms) of the row `readRow` just read. */
  protected rowTime = 0;
  /** 1-based line of that row, for messages. */
  protected rowLine = 0;
  readonly tracker: BarSummaryTracker;
  private previousTime = -Infinity;
  private previousLine = 0;
  private alignmentOrigin: number | undefined;
  private finished = false;
  private readonly result: IteratorYieldResult<Bar> = { done: false, value: undefined as unknown as Bar };
  private readonly onComplete: ((summary: DataSourceSummary) => void) | undefined;
  /** The last rows before `from`, while they are being skipped; undefined when none are kept, or once `from` is reached. */
  private warmUpRing: BarRing | undefined;
  /** What the ring held when `from` (or the end of the data) was reached. */
  private warmUpKept: readonly Bar[] | undefined;

  constructor(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void) {
    this.settings = settings;
    this.onComplete = onComplete;
    const warmUp = settings.warmUpBars ?? 0;
    if (warmUp > 0 && settings.from > -Infinity) this.warmUpRing = new BarRing(warmUp);
    else this.warmUpKept = [];
    this.tracker = new BarSummaryTracker({
      file: settings.file,
      format: settings.format,
      instrumentId: settings.instrumentId,
      interval: settings.interval,
      generated: false,
    });
  }

  /** Reads the next row into `rowTime`/`rowLine`; false at the end of the data. */
  protected abstract readRow(): boolean;
  /** The current row as a Bar, with its numbers checked. */
  protected abstract buildBar(): Bar;
  /** Releases the file. */
  protected abstract release(): void;

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Bar, undefined> {
    if (this.finished) return DONE;
    try {
      for (;;) {
        if (!this.readRow()) {
          if (this.warmUpRing !== undefined) this.sealWarmUp();
          this.finish(true);
          return DONE;
        }
        const time = this.rowTime;
        if (time <= this.previousTime) this.failOrder(time);
        if (this.settings.interval > 0) this.checkAlignment(time);
        this.previousTime = time;
        this.previousLine = this.rowLine;
        if (time < this.settings.from) {
          if (this.warmUpRing !== undefined) this.keepForWarmUp(this.warmUpRing);
          continue;
        }
        if (this.warmUpRing !== undefined) this.sealWarmUp();
        // Times only increase, so nothing later can fall inside the range: stop reading.
        if (time >= this.settings.to) {
          this.finish(true);
          return DONE;
        }
        const bar = this.buildBar();
        this.tracker.add(time);
        this.result.value = bar;
        return this.result;
      }
    } catch (error) {
      this.finish(false);
      throw error;
    }
  }

  /**
   * The last bars before `from` (at most `warmUpBars` of them, oldest first), once the first bar
   * at or after `from` has been read or the data ended; none when no warm-up was asked for.
   */
  warmUpBars(): readonly Bar[] {
    if (this.warmUpKept === undefined) throw new InvariantError(`${this.settings.file}: warmUpBars() read before the first bar: the bars before \`from\` are known once it is read`);
    return this.warmUpKept;
  }

  /** Called by for...of on `break` or an exception: closes the file. */
  return(): IteratorResult<Bar, undefined> {
    this.finish(false);
    return DONE;
  }

  /**
   * Builds the current row (before `from`) into the warm-up ring. A row that fails its checks is
   * kept as its error: thrown only if the row is still among the last ones when `from` is reached.
   */
  private keepForWarmUp(ring: BarRing): void {
    let bar: Bar;
    try {
      bar = this.buildBar();
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      ring.push(error);
      return;
    }
    ring.push(bar);
  }

  /** `from` (or the end of the data) is reached: what the ring holds is the warm-up. */
  private sealWarmUp(): void {
    const ring = this.warmUpRing!;
    this.warmUpRing = undefined;
    this.warmUpKept = ring.bars();
  }

  /** Validates prices and volume and builds the bar; `trades` is undefined when the source has none. */
  protected makeBar(open: number, high: number, low: number, close: number, volume: number, trades: number | undefined): Bar {
    if (!(low > 0)) this.fail(`low ${low} is not a positive price`);
    if (high < low) this.fail(`high ${high} is below low ${low}`);
    if (open < low || open > high) this.fail(`open ${open} is outside [low ${low}, high ${high}]`);
    if (close < low || close > high) this.fail(`close ${close} is outside [low ${low}, high ${high}]`);
    if (volume < 0) this.fail(`volume ${volume} is negative`);
    if (trades !== undefined && (trades < 0 || !Number.isInteger(trades))) this.fail(`trade count ${trades} is not a whole number >= 0`);
    // Every bar gets the same property order (trades included) so engine code stays monomorphic.
    return {
      instrumentId: this.settings.instrumentId,
      interval: this.settings.interval,
      openTime: this.rowTime,
      open,
      high,
      low,
      close,
      volume,
      trades,
    };
  }

  protected fail(problem: string): never {
    throw new DataError(this.settings.file, this.rowLine, problem);
  }

  private failOrder(time: number): never {
    const kind = time === this.previousTime ? 'duplicate time' : 'time goes backwards';
    this.fail(`${kind}: ${isoTime(time)} is not after ${isoTime(this.previousTime)} on line ${this.previousLine}; expected strictly increasing times`);
  }

  private checkAlignment(time: number): void {
    const interval = this.settings.interval;
    // Intervals that divide a day are aligned to the Unix epoch (as Kraken and Binance stamp
    // them); longer ones (weeks) are checked against the first bar, whose weekday varies by venue.
    if (this.alignmentOrigin === undefined) this.alignmentOrigin = DAY_MS % interval === 0 ? 0 : time;
    if ((time - this.alignmentOrigin) % interval !== 0) {
      const since = this.alignmentOrigin === 0 ? 'the Unix epoch' : `the first bar (${isoTime(this.alignmentOrigin)})`;
      this.fail(`time ${isoTime(time)} is not aligned to the ${formatInterval(interval)} interval (expected a whole number of intervals since ${since}); is the interval right?`);
    }
  }

  private finish(complete: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    if (complete && this.onComplete !== undefined) this.onComplete(this.tracker.summary());
  }
}
