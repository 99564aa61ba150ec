import { ByteChunkReader, DEFAULT_CHUNK_SIZE } from './byte-chunk-reader.js';

export interface LineReaderOptions {
  /** Bytes per read; default 1 MiB. */
  readonly chunkSize?: number;
  /** A line longer than this many bytes is an error rather than unbounded memory; default 64 MiB. */
  readonly maxLineLength?: number;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Pull-style reader of lines with bounded memory. `nextLine()` exposes the current line as bytes
 * (`bytes[lineStart, lineEnd)`, without its `\n` / `\r\n`) so parsers read numbers in place and
 * nothing is allocated per line; `next()` returns the line as a string for code off the hot path.
 * `lineNumber` is 1-based.
 */
export class LineReader {
  readonly file: string;
  /** 1-based number of the current line; 0 before the first. */
  lineNumber = 0;
  /** The window holding the current line; valid until the next call. */
  bytes: Buffer;
  lineStart = 0;
  lineEnd = 0;
  private readonly chunks: ByteChunkReader;
  private position = 0;

  constructor(file: string, options: LineReaderOptions = {}) {
    this.file = file;
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.chunks = new ByteChunkReader(file, chunkSize, Math.max(chunkSize, options.maxLineLength ?? 64 << 20));
    this.bytes = this.chunks.bytes;
  }

  /** Moves to the next line; false at the end of the file (which is then closed). */
  nextLine(): boolean {
    const chunks = this.chunks;
    let scan = this.position;
    for (;;) {
      const bytes = chunks.bytes;
      const end = chunks.end;
      if (scan < end) {
        // Native memchr; the window may hold stale bytes past `end`, so a hit there is a miss.
        scan = bytes.indexOf(NEWLINE, scan);
        if (scan < 0 || scan > end) scan = end;
      }
      if (scan < end || (chunks.exhausted && this.position < end)) {
        let lineEnd = scan;
        let lineStart = this.position;
        if (lineEnd > lineStart && bytes[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
        this.lineNumber++;
        // A UTF-8 byte order mark before the first line is not part of it.
        if (this.lineNumber === 1 && lineEnd - lineStart >= 3 && bytes[lineStart] === 0xef && bytes[lineStart + 1] === 0xbb && bytes[lineStart + 2] === 0xbf) lineStart += 3;
        this.bytes = bytes;
        this.lineStart = lineStart;
        this.lineEnd = lineEnd;
        this.position = scan < end ? scan + 1 : end;
        return true;
      }
      if (chunks.exhausted) return false;
      const scanned = scan - this.position;
      chunks.refill(this.position);
      this.position = 0;
      scan = scanned;
    }
  }

  /** The next line as a string, or undefined at the end of the file. */
  next(): string | undefined {
    return this.nextLine() ? this.text() : undefined;
  }

  /** The current line as a string. */
  text(): string {
    return this.bytes.toString('utf8', this.lineStart, this.lineEnd);
  }

  /** True when the current line is empty or only spaces and tabs. */
  isBlank(): boolean {
    const bytes = this.bytes;
    for (let index = this.lineStart; index < this.lineEnd; index++) {
      const code = bytes[index]!;
      if (code !== 32 && code !== 9 && code !== 13) return false;
    }
    return true;
  }

  /** Stops reading and closes the file; safe to call more than once. */
  close(): void {
    this.chunks.close();
    this.chunks.end = 0;
    this.position = 0;
  }
}

export interface NumberedLine {
  readonly text: string;
  /** 1-based. */
  readonly lineNumber: number;
}

/**
 * Convenience generator over `LineReader` for code that is not on a hot path. Breaking out of the
 * loop closes the file.
 */
export function* readLines(file: string, options: LineReaderOptions = {}): Generator<NumberedLine, void, undefined> {
  const reader = new LineReader(file, options);
  try {
    while (reader.nextLine()) yield { text: reader.text(), lineNumber: reader.lineNumber };
  } finally {
    reader.close();
  }
}
