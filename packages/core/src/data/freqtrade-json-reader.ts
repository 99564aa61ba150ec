import type { DataSourceSummary } from '../backtest/result.js';
import { DataError } from '../errors/errors.js';
import type { Bar } from '../model/market-data.js';
import { strictNumber } from './csv-fields.js';
import { FileBarIterator, type BarReadSettings } from './file-bar-iterator.js';
import { ByteChunkReader } from './byte-chunk-reader.js';

const VALUES_PER_CANDLE = 6;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const NEWLINE = 10;
const END = -1;

/** Characters that can make up a JSON number. */
function isNumberCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46 || code === 45 || code === 43 || code === 101 || code === 69;
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

const Position = { BeforeArray: 0, FirstCandle: 1, NextCandle: 2, Done: 3 } as const;
type Position = (typeof Position)[keyof typeof Position];

/**
 * freqtrade candle JSON, `[[open_time_ms, open, high, low, close, volume], ...]`, scanned in
 * chunks: freqtrade writes the whole array on one line, so a line reader would hold it all.
 * Messages give the line and the candle's 1-based position in the array.
 */
export class FreqtradeJsonIterator extends FileBarIterator {
  private readonly chunks: ByteChunkReader;
  /** Index of the next unread byte in the chunk reader's window. */
  private position = 0;
  private line = 1;
  private state: Position = Position.BeforeArray;
  private candle = 0;
  private readonly values = new Float64Array(VALUES_PER_CANDLE);

  constructor(settings: BarReadSettings, onComplete?: (summary: DataSourceSummary) => void) {
    super(settings, onComplete);
    this.chunks = new ByteChunkReader(settings.file, settings.chunkSize);
  }

  protected readRow(): boolean {
    let code = this.skipWhitespace();
    if (this.state === Position.BeforeArray) {
      if (code !== OPEN_BRACKET) this.failSyntax('"[" opening the candle array');
      this.position++;
      this.state = Position.FirstCandle;
      code = this.skipWhitespace();
    } else if (this.state === Position.NextCandle) {
      if (code === COMMA) {
        this.position++;
        code = this.skipWhitespace();
        if (code !== OPEN_BRACKET) this.failSyntax('"[" opening the next candle');
      } else if (code !== CLOSE_BRACKET) {
        this.failSyntax('"," or "]" after a candle');
      }
    } else if (this.state === Position.Done) {
      return false;
    }
    if (code === CLOSE_BRACKET) {
      this.position++;
      this.state = Position.Done;
      if (this.skipWhitespace() !== END) this.failSyntax('nothing after the closing "]" of the candle array');
      return false;
    }
    if (code !== OPEN_BRACKET) this.failSyntax('"[" opening a candle');
    this.readCandle();
    this.state = Position.NextCandle;
    return true;
  }

  protected buildBar(): Bar {
    const values = this.values;
    return this.makeBar(values[1]!, values[2]!, values[3]!, values[4]!, values[5]!, undefined);
  }

  protected release(): void {
    this.chunks.close();
  }

  protected override fail(problem: string): never {
    throw new DataError(this.settings.file, this.rowLine, this.candle > 0 ? `candle ${this.candle}: ${problem}` : problem);
  }

  private readCandle(): void {
    this.position++;
    this.candle++;
    this.rowLine = this.line;
    let count = 0;
    for (;;) {
      this.skipWhitespace();
      const value = this.readNumber(count);
      if (count < VALUES_PER_CANDLE) this.values[count] = value;
      count++;
      const code = this.skipWhitespace();
      if (code === COMMA) {
        this.position++;
        continue;
      }
      if (code === CLOSE_BRACKET) {
        this.position++;
        break;
      }
      this.failSyntax('"," or "]" inside a candle');
    }
    if (count !== VALUES_PER_CANDLE) this.fail(`received ${count} values, expected ${VALUES_PER_CANDLE} (open_time_ms, open, high, low, close, volume)`);
    const time = this.values[0]!;
    if (!Number.isSafeInteger(time) || time < 0) this.fail(`open time ${time} is not whole epoch milliseconds`);
    this.rowTime = time;
  }

  /** Reads the number at the current position, pulling more bytes if a chunk end cuts it. */
  private readNumber(index: number): number {
    const chunks = this.chunks;
    let start = this.position;
    let position = start;
    for (;;) {
      const bytes = chunks.bytes;
      const end = chunks.end;
      while (position < end && isNumberCharacter(bytes[position]!)) position++;
      if (position < end || chunks.exhausted) break;
      chunks.refill(start);
      position -= start;
      start = 0;
    }
    this.position = position;
    const value = strictNumber(chunks.bytes, start, position);
    if (!Number.isFinite(value)) {
      const found = position > start ? this.slice(start, position) : this.slice(position, position + 12);
      const names = ['open_time_ms', 'open', 'high', 'low', 'close', 'volume'];
      this.fail(`value ${index + 1}${names[index] ? ` (${names[index]})` : ''}: received ${JSON.stringify(found)}, expected a finite number`);
    }
    return value;
  }

  /** Moves past whitespace and returns the next byte, or END at the end of the file. */
  private skipWhitespace(): number {
    const chunks = this.chunks;
    for (;;) {
      const bytes = chunks.bytes;
      const end = chunks.end;
      let position = this.position;
      while (position < end) {
        const code = bytes[position]!;
        if (!isWhitespace(code)) {
          this.position = position;
          return code;
        }
        if (code === NEWLINE) this.line++;
        position++;
      }
      this.position = 0;
      if (chunks.refill(end) === 0) return END;
    }
  }

  private slice(start: number, end: number): string {
    return this.chunks.bytes.toString('utf8', start, Math.min(end, this.chunks.end));
  }

  private failSyntax(expected: string): never {
    const found = this.position < this.chunks.end ? JSON.stringify(this.slice(this.position, this.position + 12)) : 'the end of the file';
    throw new DataError(this.settings.file, this.line, `${this.candle > 0 ? `after candle ${this.candle}: ` : ''}expected ${expected}, found ${found}`);
  }
}
