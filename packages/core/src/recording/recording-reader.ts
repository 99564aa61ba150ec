import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { DataError } from '../errors/errors.js';
import { parseRecordedLine, type RecordedEntry } from './recording-lines.js';
import { RECORDING_FILE_PATTERN } from './recording-writer.js';

/** The recording files of a folder, in the order they were written. */
export function recordingFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new DataError(dir, undefined, 'no such recording folder');
  return readdirSync(dir)
    .filter((name) => RECORDING_FILE_PATTERN.test(name))
    .sort((a, b) => Number(RECORDING_FILE_PATTERN.exec(a)![1]) - Number(RECORDING_FILE_PATTERN.exec(b)![1]))
    .map((name) => join(dir, name));
}

/**
 * The complete lines of one recording file. A file cut short (the process was killed during a
 * write) is decompressed as far as it goes (`Z_SYNC_FLUSH` instead of insisting on the end) and
 * its last, incomplete line dropped: `truncated` says so.
 */
export function readRecordingFile(file: string): { readonly lines: string[]; readonly truncated: boolean } {
  const bytes = readFileSync(file);
  let text: string;
  try {
    text = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  } catch (error) {
    throw new DataError(file, undefined, `not a readable gzip file: ${(error as Error).message}`, { cause: error });
  }
  const lines = text.split('\n');
  // A whole file ends with a newline: the last piece is then empty; otherwise it is a cut line.
  const last = lines.pop()!;
  return { lines: lines.filter((line) => line !== ''), truncated: last !== '' };
}

/** What reading a recording found besides its entries. */
export interface RecordingReadSummary {
  files: number;
  lines: number;
  /** A cut line was dropped at the end of a file (a killed process). */
  truncated: boolean;
}

/**
 * Every entry of a recording folder, in the order it was written, read one file at a time. A bad
 * line is a DataError naming the file and line. Each iteration reads the files afresh; `summary`
 * is filled in as it goes.
 */
export function recordingEntries(dir: string, summary: RecordingReadSummary = { files: 0, lines: 0, truncated: false }): Iterable<RecordedEntry> {
  return {
    *[Symbol.iterator]() {
      summary.files = 0;
      summary.lines = 0;
      summary.truncated = false;
      for (const file of recordingFiles(dir)) {
        const { lines, truncated } = readRecordingFile(file);
        summary.files++;
        if (truncated) summary.truncated = true;
        for (let index = 0; index < lines.length; index++) {
          let entry: RecordedEntry;
          try {
            entry = parseRecordedLine(lines[index]!);
          } catch (error) {
            throw new DataError(file, index + 1, `not a flight recording line: ${(error as Error).message}`, { cause: error });
          }
          summary.lines++;
          yield entry;
        }
      }
    },
  };
}
