import { existsSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/errors.js';
import { RECORDING_MANIFEST_FILE } from './recording-manifest.js';
import { RECORDING_FILE_PATTERN } from './recording-writer.js';

/*
 * A bot's flight recordings grow with every market-data message (a busy pair's book and trades
 * come to hundreds of megabytes a day, compressed), and a live bot runs for weeks. A full disk
 * would stop the journal's writes too, so recordings are kept under a size: the oldest go first.
 */

/** How much disk a bot's recordings may take. */
export interface RecordingRetention {
  /** The folder holding the bot's session folders (`<storage.dir>/<mode>/<bot>/recordings`). */
  readonly root: string;
  /** Most bytes all recording files under `root` may take together. */
  readonly maxTotalBytes: number;
}

/** What one pruning did. */
export interface PruneOutcome {
  /** Earlier session folders deleted whole. */
  readonly sessions: readonly string[];
  /** Files deleted from the current session (its oldest). */
  readonly files: readonly string[];
  readonly bytesFreed: number;
  /** Bytes of recording files left under the root. */
  readonly bytesLeft: number;
}

const SIZE_TEXT = /^([1-9]\d*)([BKMG])$/;
const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `"2G"`, `"500M"`, `"64K"`, `"100B"` → bytes; `path` names the setting in the error. */
export function parseSizeText(text: string, path: string): number {
  const match = SIZE_TEXT.exec(text);
  if (match === null) throw new ConfigError([{ path, received: JSON.stringify(text), expected: 'a size such as "2G", "500M" or "64K"' }]);
  return Number(match[1]) * SIZE_UNITS[match[2]!]!;
}

interface RecordingFile {
  readonly path: string;
  readonly index: number;
  readonly bytes: number;
}

/** A session folder's recording files, oldest first (by their number). */
function filesOf(dir: string): RecordingFile[] {
  const files: RecordingFile[] = [];
  for (const name of readdirSync(dir)) {
    const match = RECORDING_FILE_PATTERN.exec(name);
    if (match === null) continue;
    const path = join(dir, name);
    files.push({ path, index: Number(match[1]), bytes: statSync(path).size });
  }
  return files.sort((a, b) => a.index - b.index);
}

const sum = (files: readonly RecordingFile[]): number => files.reduce((total, file) => total + file.bytes, 0);

/**
 * Deletes the oldest recordings under `retention.root` until they take at most
 * `retention.maxTotalBytes` with `reserveBytes` more (the file about to be written): earlier
 * session folders first, oldest first (folder names are their start times), each whole (its
 * recording files and manifest; the folder itself once nothing else is in it); then, if the
 * current session alone is too big, its own oldest files. It runs between two files of the
 * current session (none is open), so every file is complete and may go; the file about to be
 * opened carries the session on. Only recording files and manifests are touched.
 */
export function pruneRecordings(retention: RecordingRetention, currentDir: string, reserveBytes = 0): PruneOutcome {
  const sessions: string[] = [];
  const deletedFiles: string[] = [];
  let bytesFreed = 0;
  if (!existsSync(retention.root)) return { sessions, files: deletedFiles, bytesFreed, bytesLeft: 0 };
  const current = resolve(currentDir);
  const earlier = readdirSync(retention.root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && resolve(retention.root, entry.name) !== current)
    .map((entry) => resolve(retention.root, entry.name))
    .sort()
    .map((dir) => ({ dir, files: filesOf(dir) }));
  const currentFiles = existsSync(current) ? filesOf(current) : [];
  let total = earlier.reduce((bytes, session) => bytes + sum(session.files), 0) + sum(currentFiles);
  const limit = retention.maxTotalBytes - reserveBytes;

  for (const session of earlier) {
    if (total <= limit) break;
    for (const file of session.files) unlinkSync(file.path);
    const manifest = join(session.dir, RECORDING_MANIFEST_FILE);
    if (existsSync(manifest)) unlinkSync(manifest);
    if (readdirSync(session.dir).length === 0) rmdirSync(session.dir);
    const bytes = sum(session.files);
    total -= bytes;
    bytesFreed += bytes;
    sessions.push(session.dir);
  }
  // The current session's own oldest files.
  for (let index = 0; index < currentFiles.length && total > limit; index++) {
    const file = currentFiles[index]!;
    unlinkSync(file.path);
    total -= file.bytes;
    bytesFreed += file.bytes;
    deletedFiles.push(file.path);
  }
  return { sessions, files: deletedFiles, bytesFreed, bytesLeft: total };
}
