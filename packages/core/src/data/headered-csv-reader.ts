import type { DataSourceSummary } from '../backtest/result.js';
import type { Bar } from '../model/market-data.js';
import { CsvFields } from './csv-fields.js';
import { FileBarIterator, type BarReadSettings } from './file-bar-iterator.js';
import { LineReader } from './line-reader.js';
import { csvHeader } from './csv-header.js';

const TIME_COLUMNS = ['unix', 'open_time', 'time', 'timestamp', 'date'];
const TRADE_COLUMNS = ['tradecount', 'trades', 'number_of_trades', 'count'];
/** Epoch values at or above this are milliseconds (1e11 s would be the year 5138). */
const MILLISECONDS_THRESHOLD = 1e11;

/** How the time column is written; decided by the first row. */
const TimeKind = { Unknown: 0, Seconds: 1, Milliseconds: 2, Text: 3 } as const;
type TimeKind = (typeof TimeKind)[keyof typeof TimeKind];

/**
 * CSV files whose header names the columns: Kraken REST OHLC saved as CSV
 * (`unix,open,high,low,close,vwap,volume,tradecount,date,volume_from`) and Binance klines
 * (`open_time,open,high,low,close,volume`, time as `2023-03-01 00:00:00+00:00` or epoch ms).
 * Columns are found by name, so extra ones are ignored. `volume` is the base-currency volume.
 */
export class HeaderedCsvIterator extends FileBarIterator {
  private readonly lines: LineReader;
  private readonly fields: CsvFields;
  private columnCount = 0;
  private timeColumn = -1;
  private openColumn = -1;
  private highColumn = -1;
  private lowColumn = -1;
  private closeColumn = -1;
  private volumeColumn = -1;
  private tradesColumn = -1;
  private timeKind: TimeKind = TimeKind.Unknown;

  constructor(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void) {
    super(settings, onComplete);
    this.lines = new LineReader(settings.file, { chunkSize: settings.chunkSize });
    this.fields = new CsvFields(settings.file);
  }

  protected readRow(): boolean {
    const lines = this.lines;
    const fields = this.fields;
    while (lines.nextLine()) {
      if (lines.isBlank()) continue;
      const count = fields.split(lines.bytes, lines.lineStart, lines.lineEnd, lines.lineNumber);
      this.rowLine = lines.lineNumber;
      if (this.columnCount === 0) {
        this.readHeader(lines.text());
        continue;
      }
      if (count !== this.columnCount) this.fail(`received ${count} columns, expected ${this.columnCount} as in the header (${this.fields.names.join(',')})`);
      this.rowTime = this.readTime();
      return true;
    }
    return false;
  }

  protected buildBar(): Bar {
    const fields = this.fields;
    const trades = this.tradesColumn >= 0 ? fields.number(this.tradesColumn) : undefined;
    return this.makeBar(
      fields.number(this.openColumn),
      fields.number(this.highColumn),
      fields.number(this.lowColumn),
      fields.number(this.closeColumn),
      fields.number(this.volumeColumn),
      trades,
    );
  }

  protected release(): void {
    this.lines.close();
  }

  private readHeader(line: string): void {
    const { names, find, require } = csvHeader(line, (problem) => this.fail(problem));
    this.timeColumn = require(TIME_COLUMNS);
    this.openColumn = require(['open']);
    this.highColumn = require(['high']);
    this.lowColumn = require(['low']);
    this.closeColumn = require(['close']);
    this.volumeColumn = require(['volume']);
    this.tradesColumn = find(TRADE_COLUMNS);
    this.fields.names = names;
    this.columnCount = names.length;
  }

  private readTime(): number {
    const fields = this.fields;
    const column = this.timeColumn;
    if (this.timeKind === TimeKind.Unknown) {
      const text = fields.text(column);
      // The first row decides the unit for the whole file, so one file cannot mix units.
      if (/^\d+(\.\d+)?$/.test(text)) this.timeKind = Number(text) >= MILLISECONDS_THRESHOLD ? TimeKind.Milliseconds : TimeKind.Seconds;
      else this.timeKind = TimeKind.Text;
    }
    if (this.timeKind === TimeKind.Text) {
      const time = fields.date(column);
      if (time !== time) fields.fail(column, 'a UTC date and time such as 2023-03-01 00:00:00+00:00');
      return time;
    }
    const value = fields.number(column);
    if (!Number.isSafeInteger(value) || value < 0) fields.fail(column, this.timeKind === TimeKind.Seconds ? 'whole epoch seconds' : 'whole epoch milliseconds');
    return this.timeKind === TimeKind.Seconds ? value * 1000 : value;
  }
}
