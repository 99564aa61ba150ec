import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/schema.js';
import { ConfigError, DataError } from '../errors/errors.js';
import { Decimal } from '../model/decimal.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { FlightRecorder } from './flight-recorder.js';
import { RECORDING_MANIFEST_FILE } from './recording-manifest.js';
import { recordingEntries, recordingFiles } from './recording-reader.js';
import { parseSizeText, pruneRecordings, type PruneOutcome } from './recording-retention.js';
import { recordingFileName } from './recording-writer.js';
import { runParity } from './replay-recording.js';

/** A session folder with recording files of the given sizes (bytes) and a manifest. */
function session(root: string, name: string, sizes: readonly number[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  sizes.forEach((size, index) => writeFileSync(join(dir, recordingFileName(index + 1)), Buffer.alloc(size)));
  writeFileSync(join(dir, RECORDING_MANIFEST_FILE), '{}');
  return dir;
}

const recordingBytes = (root: string) =>
  readdirSync(root).flatMap((name) => recordingFiles(join(root, name))).reduce((total, file) => total + statSync(file).size, 0);

describe('parseSizeText', () => {
  it('reads B, K, M and G sizes in bytes and names the setting when the text is not one', () => {
    expect([parseSizeText('100B', 'x'), parseSizeText('64K', 'x'), parseSizeText('500M', 'x'), parseSizeText('2G', 'x')]).toEqual([100, 65_536, 524_288_000, 2_147_483_648]);
    expect(() => parseSizeText('2GB', 'recording.maxTotalSize')).toThrow(ConfigError);
    expect(() => parseSizeText('0M', 'recording.maxTotalSize')).toThrow(/recording\.maxTotalSize: received "0M", expected a size such as "2G"/);
  });
});

describe('pruneRecordings', () => {
  it('deletes earlier sessions whole, oldest first, until the recordings fit with room for the next file', () => {
    const root = mkdtempSync(join(tmpdir(), 'kbot-retention-'));
    const oldest = session(root, '20260101-000000', [300, 300]);
    const older = session(root, '20260102-000000', [400]);
    const newer = session(root, '20260103-000000', [200]);
    const current = session(root, '20260104-000000', [100]);
    // 1,300 bytes now; at most 700 with 200 reserved for the file about to be opened: 500.
    const outcome = pruneRecordings({ root, maxTotalBytes: 700 }, current, 200);
    expect(outcome).toEqual({ sessions: [oldest, older], files: [], bytesFreed: 1_000, bytesLeft: 300 });
    expect([existsSync(oldest), existsSync(older), existsSync(newer), existsSync(current)]).toEqual([false, false, true, true]);
    expect(recordingBytes(root)).toBe(300);
  });

  it('deletes nothing while the recordings fit, and leaves files it does not know and their folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'kbot-retention-'));
    const old = session(root, '20260101-000000', [500]);
    writeFileSync(join(old, 'notes.txt'), 'mine');
    const current = session(root, '20260102-000000', [100]);
    expect(pruneRecordings({ root, maxTotalBytes: 600 }, current)).toEqual({ sessions: [], files: [], bytesFreed: 0, bytesLeft: 600 });
    pruneRecordings({ root, maxTotalBytes: 599 }, current);
    expect(readdirSync(old)).toEqual(['notes.txt']);
  });

  it('deletes the current session\'s oldest files when it alone is too big, all of them if need be', () => {
    const root = mkdtempSync(join(tmpdir(), 'kbot-retention-'));
    const current = session(root, '20260101-000000', [100, 100, 100, 100]);
    const outcome = pruneRecordings({ root, maxTotalBytes: 250 }, current);
    expect(outcome.files.map((file) => file.slice(current.length + 1))).toEqual([recordingFileName(1), recordingFileName(2)]);
    expect(outcome.bytesLeft).toBe(200);
    expect(pruneRecordings({ root, maxTotalBytes: 150 }, current).bytesLeft).toBe(100);
    expect(recordingFiles(current).map((file) => file.slice(current.length + 1))).toEqual([recordingFileName(4)]);
    expect(pruneRecordings({ root, maxTotalBytes: 150 }, current, 100).bytesLeft).toBe(0);
    expect(recordingFiles(current)).toEqual([]);
  });
});

describe('flight recorder retention', () => {
  const BTC = 'BTC/USD' as InstrumentId;
  const bar = (index: number): Bar => ({ instrumentId: BTC, interval: 60_000, openTime: 1_700_000_000_000 + index * 60_000, open: 1 + index, high: 2 + index, low: 0.5, close: 1.5 + index, volume: index / 7 });

  it('keeps the bot\'s recordings under the limit as it writes, deleting an earlier session and then its own oldest files', () => {
    const root = mkdtempSync(join(tmpdir(), 'kbot-retention-'));
    const earlier = session(root, '20260101-000000', [3_000]);
    const dir = join(root, '20260102-000000');
    const pruned: PruneOutcome[] = [];
    const recorder = new FlightRecorder({
      dir, bot: 'b', mode: 'paper', exchange: 'kraken', configFile: join(root, 'missing.mjs'), kbotVersion: '0.0.0',
      // A member per line and a new file past 300 bytes; all recordings within 2,000 bytes.
      flushChars: 1, maxFileBytes: 300, flushIntervalMs: 0,
      retention: { root, maxTotalBytes: 2_000 }, onPrune: (outcome) => pruned.push(outcome),
    });
    const sink = recorder.sink({ onBar() {}, onTrade() {}, onQuote() {}, onBook() {} });
    for (let index = 0; index < 400; index++) {
      sink.onBar(bar(index));
      expect(recordingBytes(root)).toBeLessThanOrEqual(2_000);
    }
    recorder.close();
    expect(existsSync(earlier)).toBe(false);
    expect(pruned[0]!.sessions).toEqual([earlier]);
    expect(pruned.some((outcome) => outcome.files.length > 0)).toBe(true);
    // What is left reads back: the newest bars, in order, ending with the last one written.
    const bars = [...recordingEntries(dir)].map((entry) => (entry.kind === 'bar' ? entry.bar.close : Number.NaN));
    expect(bars.at(-1)).toBe(1.5 + 399);
    expect(bars.every((close, index) => index === 0 || close === bars[index - 1]! + 1)).toBe(true);
    expect(recordingFiles(dir)[0]).not.toContain(recordingFileName(1));
  });
});

describe('parity on a pruned recording', () => {
  it('refuses, naming the first file left and the setting, rather than replaying from the middle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-retention-'));
    const recorder = new FlightRecorder({ dir, bot: 'b', mode: 'paper', exchange: 'kraken', configFile: join(dir, 'missing.mjs'), kbotVersion: '0.0.0', flushIntervalMs: 0 });
    recorder.recordStart({ quoteAsset: 'USD', balances: [{ asset: 'USD', total: new Decimal('1000'), available: new Decimal('1000') }], instruments: [] });
    recorder.sink({ onBar() {}, onTrade() {}, onQuote() {}, onBook() {} }).onBar({ instrumentId: 'BTC/USD' as InstrumentId, interval: 60_000, openTime: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 });
    recorder.close();
    // What retention leaves after deleting a session's first file.
    renameSync(join(dir, recordingFileName(1)), join(dir, recordingFileName(2)));
    const config = validateConfig({ strategies: [{ use: 'x', params: {} }] });
    const parity = runParity({ dir, config, createBot: () => { throw new Error('not reached'); }, kbotVersion: '0.0.0' });
    await expect(parity).rejects.toThrow(DataError);
    await expect(parity).rejects.toThrow(`the recording starts at ${recordingFileName(2)}: its first files were deleted to keep recordings under recording.maxTotalSize`);
  });
});
