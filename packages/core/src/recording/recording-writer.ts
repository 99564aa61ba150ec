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
  /**
   * Told once when a write fails (a full disk, a folder that cannot be written): the writer then
   * stops, and later lines are dropped. Nothing is thrown, flushes on the timer included: a
   * recording must never take the bot down with it. Default: nothing is told (see `error`).
   */
  readonly onError?: (error: Error) => void;
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
 * power cut (no fsync, to keep the market-data path cheap). A write that fails (a full disk) stops
 * the writer instead of throwing: see `onError`.
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
  private readonly onError: ((error: Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(options: RecordingWriterOptions) {
    this.dir = options.dir;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.flushChars = options.flushChars ?? 64 * 1024;
    this.beforeNewFile = options.beforeNewFile;
    this.onError = options.onError;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      this.fail(error);
      return;
    }
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

  /** The write failure that stopped the writer, if one did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Buffers one line (without its newline). Cheap: an array push; the work happens at flush. */
  write(line: string): void {
    if (this.closed || this.failure !== undefined) return;
    this.pending.push(line);
    this.lineCount++;
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= this.flushChars) this.flush();
  }

  /** Compresses the buffered lines into one gzip member and appends it, rotating first if needed. */
  flush(): void {
    if (this.pending.length === 0 || this.failure !== undefined) return;
    const member = gzipSync(`${this.pending.join('\n')}\n`);
    this.pending = [];
    this.pendingChars = 0;
    try {
      if (this.fd === undefined || (this.fileBytes > 0 && this.fileBytes + member.length > this.maxFileBytes)) this.rotate();
      let offset = 0;
      while (offset < member.length) offset += writeSync(this.fd!, member, offset);
      this.fileBytes += member.length;
    } catch (error) {
      // A member cut by the failure is read like one cut by a kill: up to its last whole line.
      this.fail(error);
    }
  }

  /** Flushes and closes; later writes are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.release();
  }

  /** Stops for good after a failed write: tells once, drops what is buffered, keeps what was written. */
  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.pending = [];
    this.pendingChars = 0;
    this.release();
    this.onError?.(this.failure);
  }

  private release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (fd !== undefined) closeSync(fd);
    } catch {
      // Closing after a failed write can fail the same way; the descriptor is gone either way.
    }
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.fileIndex++;
    const path = join(this.dir, recordingFileName(this.fileIndex));
    this.beforeNewFile?.(path);
    this.fd = openSync(path, 'a');
    this.fileBytes = 0;
  }
}
