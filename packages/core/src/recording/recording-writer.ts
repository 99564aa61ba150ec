import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface RecordingWriterOptions {
  /** Folder the numbered files go to (created if missing). */
  readonly dir: string;
  /** A file is closed and the next one started before it would grow past this many compressed bytes; default 8 MiB. */
  readonly maxFileBytes?: number;
  /** Buffered text (characters) that triggers a flush; default 64 KiB. */
  readonly flushChars?: number;
  /** Buffered lines are flushed at least this often (ms); default 1000. 0: only by size and on close. */
  readonly flushIntervalMs?: number;
  /** Called before each new file is opened, with its path (the flight recorder prunes old recordings there). */
  readonly beforeNewFile?: (path: string) => void;
}

/** `recording-000001.jsonl.gz`, `recording-000002.jsonl.gz`, ...: sorting by name is sorting by order. */
export function recordingFileName(index: number): string {
  return `recording-${String(index).padStart(6, '0')}.jsonl.gz`;
}

/** A recording file's size limit unless told otherwise: 8 MiB compressed. */
export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

export const RECORDING_FILE_PATTERN = /^recording-(\d{6,})\.jsonl\.gz$/;

/**
 * Appends JSON lines to gzip files, rotated by size. Lines are buffered and each flush appends
 * one complete gzip member (a gzip file may hold several, read back as one stream), so a process
 * that is killed loses at most the lines of the last buffer (one flush interval), and every member
 * written before is whole. A member cut by the kill itself is read up to its last complete line
 * (`readRecordingFile`). Writes are synchronous `write(2)` calls: they survive the process, not a
 * power cut (no fsync, to keep the market-data path cheap).
 */
export class RecordingWriter {
  private readonly dir: string;
  private readonly maxFileBytes: number;
  private readonly flushChars: number;
  private readonly beforeNewFile: ((path: string) => void) | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  private fd: number | undefined;
  private fileIndex = 0;
  private fileBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lineCount = 0;

  constructor(options: RecordingWriterOptions) {
    this.dir = options.dir;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.flushChars = options.flushChars ?? 64 * 1024;
    this.beforeNewFile = options.beforeNewFile;
    mkdirSync(this.dir, { recursive: true });
    const interval = options.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => this.flush(), interval);
      // The recorder never keeps a process alive on its own.
      this.timer.unref();
    }
  }

  /** Lines written so far (flushed or not). */
  get lines(): number {
    return this.lineCount;
  }

  /** Files started so far. */
  get files(): number {
    return this.fileIndex;
  }

  /** Buffers one line (without its newline). Cheap: an array push; the work happens at flush. */
  write(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    this.lineCount++;
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= this.flushChars) this.flush();
  }

  /** Compresses the buffered lines into one gzip member and appends it, rotating first if needed. */
  flush(): void {
    if (this.pending.length === 0) return;
    const member = gzipSync(`${this.pending.join('\n')}\n`);
    this.pending = [];
    this.pendingChars = 0;
    if (this.fd === undefined || (this.fileBytes > 0 && this.fileBytes + member.length > this.maxFileBytes)) this.rotate();
    let offset = 0;
    while (offset < member.length) offset += writeSync(this.fd!, member, offset);
    this.fileBytes += member.length;
  }

  /** Flushes and closes; later writes are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fileIndex++;
    const path = join(this.dir, recordingFileName(this.fileIndex));
    this.beforeNewFile?.(path);
    this.fd = openSync(path, 'a');
    this.fileBytes = 0;
  }
}
