import type { RiskEngineState } from '../risk/risk-engine.js';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors/errors.js';

export const RECORDING_MANIFEST_FILE = 'manifest.json';
export const RECORDING_FORMAT = 'kbot-flight-recording';
/**
 * The version written. 2 added `operator` lines, 3 `book-health` lines (recording-lines.ts); an
 * older recording has none of them and reads the same.
 */
export const RECORDING_FORMAT_VERSION = 3;
/** The versions this kbot reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

/** An instrument's order rules as the session's venue gave them, money as decimal strings. */
export interface RecordedInstrument {
  readonly id: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly priceIncrement: string;
  readonly quantityIncrement: string;
  readonly minQuantity: string;
  readonly minCost: string;
  readonly makerFee: string;
  readonly takerFee: string;
}

/** How a paper session's simulated venue matched orders: what a parity replay must use too. */
export interface RecordedVenueSettings {
  readonly fees: 'kraken';
  readonly slippageBps: number;
  readonly maxVolumeParticipation: number;
  readonly limitFillOn: 'through' | 'touch';
}

/** `manifest.json` beside the recording files: what was recorded, and how to replay it. */
export interface RecordingManifest {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: 1 | 2 | typeof RECORDING_FORMAT_VERSION;
  readonly bot: string;
  readonly mode: 'paper' | 'live';
  readonly exchange: string;
  /** Absolute path of the config file the session ran with, and its SHA-256 then. */
  readonly configFile: string;
  readonly configSha256: string;
  readonly kbotVersion: string;
  readonly startedAt: number;
  readonly startedAtIso: string;
  /** Set when the session ends. */
  readonly stoppedAt: number | null;
  /** The session's report folder, once written; null while running or when the process died. */
  readonly reportDir: string | null;
  /** True when the session resumed from its journal: a replay from nothing cannot rebuild that state. null until start-up is done. */
  readonly resumed: boolean | null;
  readonly quoteAsset: string | null;
  /** Balances when the engine was built (decimal strings); null until then. */
  readonly startBalances: Readonly<Record<string, string>> | null;
  readonly instruments: readonly RecordedInstrument[];
  /** Paper: the simulated venue's settings. Live: null (the venue was the exchange). */
  readonly venue: RecordedVenueSettings | null;
  /** What a book subscription leaves in the recording. */
  readonly books: 'top-of-book';
  /**
   * Why the recording files stopped before the session did (the first failed write: a full disk,
   * ...); null when they did not. Absent in manifests written before kbot recorded it.
   */
  readonly recordingError?: string | null;
  /**
   * The risk engine's state when the engine was built (`RiskEngine.snapshot()`: each policy's
   * state, the breakers' requests, the operator's state), carried from the journal when the
   * session resumed; null until then. Absent in manifests written before kbot recorded it.
   */
  readonly startRisk?: RiskEngineState | null;
}

/** Writes the manifest under a temporary name and renames it: a reader never sees half a file. */
export function writeRecordingManifest(dir: string, manifest: RecordingManifest): void {
  const file = join(dir, RECORDING_MANIFEST_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function readRecordingManifest(dir: string): RecordingManifest {
  const file = join(dir, RECORDING_MANIFEST_FILE);
  if (!existsSync(file)) throw new DataError(file, undefined, 'no flight recording manifest here (expected a folder written by the flight recorder of kbot run)');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError(file, undefined, `not JSON: ${(error as Error).message}`, { cause: error });
  }
  const manifest = value as Partial<RecordingManifest>;
  if (manifest.format !== RECORDING_FORMAT) throw new DataError(file, undefined, `format is ${JSON.stringify(manifest.format)}, expected "${RECORDING_FORMAT}"`);
  if (typeof manifest.version !== 'number' || !READABLE_VERSIONS.includes(manifest.version)) {
    throw new DataError(file, undefined, `version is ${JSON.stringify(manifest.version)}, expected one of ${READABLE_VERSIONS.join(', ')} (written by another kbot version)`);
  }
  return manifest as RecordingManifest;
}
