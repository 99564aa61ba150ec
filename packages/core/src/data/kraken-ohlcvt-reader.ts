import type { DataSourceSummary } from '../backtest/result.js';
import type { Bar } from '../model/market-data.js';
import { CsvFields } from './csv-fields.js';
import { FileBarIterator, type BarReadSettings } from './file-bar-iterator.js';
import { LineReader } from './line-reader.js';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume', 'trades'] as const;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
/**
 * Epoch seconds from 3000-01-01 on are refused: such a time is a mistake, most often milliseconds
 * (2023-01-01 in milliseconds read as seconds is the year 54970).
 */
const MAX_EPOCH_SECONDS = Date.UTC(3000, 0, 1) / 1000;
/** A time in seconds at or above this is a millisecond time of 1973 or later. */
const MILLISECONDS_THRESHOLD = 1e11;

/**
 * Kraken's downloadable OHLCVT CSV: `time(epoch s),open,high,low,close,volume,trades`. Some copies
 * carry a header line (`time,open,...` or `Time,Open,...`); only the first non-blank line may be one.
 */
export class KrakenOhlcvtIterator extends FileBarIterator {
  private readonly lines: LineReader;
  private readonly fields: CsvFields;
  private sawFirstLine = false;

  constructor(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void) {
    super(settings, onComplete);
    this.lines = new LineReader(settings.file, { chunkSize: settings.chunkSize });
    this.fields = new CsvFields(settings.file);
    this.fields.names = COLUMNS;
  }

  protected readRow(): boolean {
    const lines = this.lines;
    const fields = this.fields;
    while (lines.nextLine()) {
      const first = lines.lineEnd > lines.lineStart ? lines.bytes[lines.lineStart]! : -1;
      if (first <= 32 && lines.isBlank()) continue;
      this.rowLine = lines.lineNumber;
      if (!this.sawFirstLine) {
        this.sawFirstLine = true;
        if (!(first >= DIGIT_0 && first <= DIGIT_9)) {
          this.checkHeader(lines.text());
          continue;
        }
      }
      // Fields are parsed in order as the line is scanned; the time now, the rest in buildBar
      // (skipped for rows before `from`).
      fields.begin(lines.bytes, lines.lineStart, lines.lineEnd, lines.lineNumber, COLUMNS.length);
      const seconds = fields.nextNumber();
      if (!Number.isSafeInteger(seconds) || seconds < 0) fields.fail(0, 'whole epoch seconds');
      if (seconds >= MAX_EPOCH_SECONDS) {
        fields.fail(0, `epoch seconds before the year 3000${seconds >= MILLISECONDS_THRESHOLD ? ' (this looks like milliseconds)' : ''}`);
      }
      this.rowTime = seconds * 1000;
      return true;
    }
    return false;
  }

  protected buildBar(): Bar {
    const fields = this.fields;
    const open = fields.nextNumber();
    const high = fields.nextNumber();
    const low = fields.nextNumber();
    const close = fields.nextNumber();
    const volume = fields.nextNumber();
    const trades = fields.nextNumber();
    fields.finish();
    return this.makeBar(open, high, low, close, volume, trades);
  }

  protected release(): void {
    this.lines.close();
  }

  private checkHeader(line: string): void {
    const names = line.split(',');
    if (names.length !== COLUMNS.length || names[0]!.trim().toLowerCase() !== 'time') {
      this.fail(`header ${JSON.stringify(line.slice(0, 120))} is not a Kraken OHLCVT header: expected ${COLUMNS.join(',')}`);
    }
  }
}
