import type { DataSourceSummary } from '../backtest/result.js';
import type { Bar } from '../model/market-data.js';
import { FileBarIterator, type BarReadSettings } from './file-bar-iterator.js';
import { TradeRowReader } from './trade-file.js';

/**
 * Builds bars of the requested interval from a trade file as it streams: a bar is the trades
 * whose time falls in `[openTime, openTime + interval)`, open = first price, close = last, volume
 * = summed quantity, trades = count. As on Kraken, an interval without trades has no bar. The
 * last bar covers only the trades the file holds, so it may be a partial interval.
 */
export class TradeBarIterator extends FileBarIterator {
  private readonly rows: TradeRowReader;
  /** A trade has been read that belongs to the next bar. */
  private pending = false;
  private exhausted = false;
  private barOpen = 0;
  private barHigh = 0;
  private barLow = 0;
  private barClose = 0;
  private barVolume = 0;
  private barTrades = 0;

  constructor(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void) {
    super(settings, onComplete);
    this.rows = new TradeRowReader(settings.file, settings.chunkSize);
  }

  protected readRow(): boolean {
    const rows = this.rows;
    if (this.exhausted) return false;
    if (!this.pending && !rows.read()) {
      this.exhausted = true;
      return false;
    }
    const interval = this.settings.interval;
    const bucket = Math.floor(rows.time / interval) * interval;
    this.rowTime = bucket;
    this.rowLine = rows.lineNumber;
    let high = rows.price;
    let low = rows.price;
    let volume = rows.quantity;
    let count = 1;
    this.barOpen = rows.price;
    this.barClose = rows.price;
    this.pending = false;
    while (rows.read()) {
      if (Math.floor(rows.time / interval) * interval !== bucket) {
        this.pending = true;
        break;
      }
      const price = rows.price;
      if (price > high) high = price;
      if (price < low) low = price;
      this.barClose = price;
      volume += rows.quantity;
      count++;
    }
    if (!this.pending) this.exhausted = true;
    this.barHigh = high;
    this.barLow = low;
    this.barVolume = volume;
    this.barTrades = count;
    return true;
  }

  protected buildBar(): Bar {
    return this.makeBar(this.barOpen, this.barHigh, this.barLow, this.barClose, this.barVolume, this.barTrades);
  }

  protected release(): void {
    this.rows.close();
  }
}
