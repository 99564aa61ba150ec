import { DataError } from '../errors/errors.js';
import { DEFAULT_CHUNK_SIZE } from './byte-chunk-reader.js';
import { CsvFields } from './csv-fields.js';
import { LineReader } from './line-reader.js';

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * The row loop of kbot's per-row CSV readers (trades, spreads): blank lines skipped, an optional
 * header (a first line that does not start with a digit) read by the subclass, otherwise the
 * layout assumed from the column count, then every row checked for that column count before the
 * subclass reads its fields into public number fields (no object per row). Errors name file:line.
 */
export abstract class CsvRowReader {
  readonly file: string;
  lineNumber = 0;
  protected readonly lines: LineReader;
  protected readonly fields: CsvFields;
  /** Columns every row must have; 0 until the header or the first row decides it. */
  protected columnCount = 0;

  constructor(file: string, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.file = file;
    this.lines = new LineReader(file, { chunkSize });
    this.fields = new CsvFields(file);
  }

  /** Reads the next row into the subclass's public fields; false at the end of the file. */
  read(): boolean {
    const lines = this.lines;
    const fields = this.fields;
    while (lines.nextLine()) {
      if (lines.isBlank()) continue;
      const count = fields.split(lines.bytes, lines.lineStart, lines.lineEnd, lines.lineNumber);
      this.lineNumber = lines.lineNumber;
      if (this.columnCount === 0) {
        const first = lines.bytes[lines.lineStart]!;
        if (!(first >= DIGIT_0 && first <= DIGIT_9)) {
          this.readHeader(lines.text());
          continue;
        }
        this.assumeLayout(count);
      }
      if (count !== this.columnCount) this.fail(`received ${count} columns, expected ${this.columnCount} (${fields.names.join(',')})`);
      this.readFields();
      return true;
    }
    return false;
  }

  close(): void {
    this.lines.close();
  }

  /** Reads the header line: sets the columns, `fields.names` and `columnCount`. */
  protected abstract readHeader(line: string): void;
  /** No header: decides the columns from the first row's column count (sets `columnCount`). */
  protected abstract assumeLayout(count: number): void;
  /** Reads the current row's fields (split in `fields`), failing with the column at fault. */
  protected abstract readFields(): void;

  protected fail(problem: string): never {
    throw new DataError(this.file, this.lineNumber, problem);
  }
}
