import { barCloseTime, type Bar, type EpochMs, type InstrumentId, type Quote } from '@kbot/core';
import { ATR } from '../../indicators/atr.js';
import { settledAfter } from '../../indicators/settled-after.js';
import { EMA } from '../../indicators/ema.js';
import { RollingSum } from '../../indicators/rolling-sum.js';
import { requirePeriod } from '../../indicators/validation.js';

export interface PairMetricsOptions {
  /** Bars summed for the quote volume; also the ATR period. */
  readonly window: number;
  /** EMA period of the trend. */
  readonly trendPeriod: number;
  /** Bars over which the EMA's change is measured. */
  readonly trendLookback: number;
}

/** What the scanner knows of one pair now; undefined fields are still warming up (or, for the spread, unknown). */
export interface PairMetricsSnapshot {
  readonly instrumentId: InstrumentId;
  /** Σ volume × close over the last `window` bars, in the quote asset. */
  readonly quoteVolume: number | undefined;
  /** ATR(window) / close, in percent. */
  readonly volatilityPercent: number | undefined;
  /** Change of EMA(trendPeriod) over the last `trendLookback` bars, in percent. */
  readonly trendPercent: number | undefined;
  /** (ask − bid) / mid of the last quote, in percent; undefined without quotes. */
  readonly spreadPercent: number | undefined;
  readonly close: number | undefined;
  readonly ema: number | undefined;
  /** Close time of the last bar. */
  readonly updatedAt: EpochMs | undefined;
}

/**
 * Bars after which every figure of `PairMetrics` reads what a long-running scanner reads: the
 * quote volume sums `window` bars, the ATR(window) and the trend's EMA have settled
 * (`settledAfter`), and the trend compares the EMA with its value `trendLookback` bars before.
 */
export function pairMetricsWarmUp(options: PairMetricsOptions): number {
  return Math.max(options.window, settledAfter(new ATR(options.window)), settledAfter(new EMA(options.trendPeriod)) + options.trendLookback);
}

/**
 * Streaming per-pair figures for the opportunity scanner, on plain numbers (one update per bar):
 * quote volume, volatility (ATR %), trend (EMA slope %) from bars, and the spread from quotes
 * when there are any. O(1) per bar.
 */
export class PairMetrics {
  readonly instrumentId: InstrumentId;
  private readonly volume: RollingSum;
  private readonly atr: ATR;
  private readonly ema: EMA;
  /** The last `trendLookback + 1` EMA values, oldest first once full. */
  private readonly emaHistory: Float64Array;
  private emaCount = 0;
  private close: number | undefined;
  private updatedAt: EpochMs | undefined;
  private spreadPercent: number | undefined;

  constructor(instrumentId: InstrumentId, options: PairMetricsOptions) {
    this.instrumentId = instrumentId;
    this.volume = new RollingSum(requirePeriod('PairMetrics', 'window', options.window, 2));
    this.atr = new ATR(options.window);
    this.ema = new EMA(requirePeriod('PairMetrics', 'trendPeriod', options.trendPeriod));
    this.emaHistory = new Float64Array(requirePeriod('PairMetrics', 'trendLookback', options.trendLookback) + 1);
  }

  onBar(bar: Bar): void {
    this.volume.push(bar.volume * bar.close);
    this.atr.add(bar);
    const ema = this.ema.add(bar.close);
    if (ema !== undefined) {
      this.emaHistory[this.emaCount % this.emaHistory.length] = ema;
      this.emaCount++;
    }
    this.close = bar.close;
    this.updatedAt = barCloseTime(bar);
  }

  onQuote(quote: Quote): void {
    const mid = (quote.bid + quote.ask) / 2;
    this.spreadPercent = mid > 0 ? ((quote.ask - quote.bid) / mid) * 100 : undefined;
  }

  snapshot(): PairMetricsSnapshot {
    const close = this.close;
    const atr = this.atr.value;
    const length = this.emaHistory.length;
    let trendPercent: number | undefined;
    if (this.emaCount >= length) {
      const latest = this.emaHistory[(this.emaCount - 1) % length]!;
      const oldest = this.emaHistory[this.emaCount % length]!;
      trendPercent = (latest / oldest - 1) * 100;
    }
    return {
      instrumentId: this.instrumentId,
      quoteVolume: this.volume.isFull ? this.volume.sum : undefined,
      volatilityPercent: atr === undefined || close === undefined ? undefined : (atr / close) * 100,
      trendPercent,
      spreadPercent: this.spreadPercent,
      close,
      ema: this.ema.value,
      updatedAt: this.updatedAt,
    };
  }
}
