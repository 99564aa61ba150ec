import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BotControl, PanicReport, ResumeReport } from '../control/control-protocol.js';
import { instrumentId } from '../model/ids.js';
import type { Bar, BookHealth } from '../model/market-data.js';
import { FlightRecorder } from './flight-recorder.js';
import { bookHealthLine, operatorLine, parseRecordedLine, type RecordedOperatorAction } from './recording-lines.js';
import { RECORDING_MANIFEST_FILE, readRecordingManifest } from './recording-manifest.js';
import { recordingEntries } from './recording-reader.js';
import { recordedSession } from './replay-recording.js';

const root = mkdtempSync(join(tmpdir(), 'kbot-recording-lines-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('operator lines', () => {
  it('read back the command as written, texts from outside included', () => {
    const actions: RecordedOperatorAction[] = [
      { command: 'panic', actor: 'operator:ann', flatten: true },
      { command: 'panic', actor: 'operator:"quoted" \\ name', flatten: false },
      { command: 'resume', actor: 'operator:ann' },
      { command: 'resume', actor: 'operator:ann', reason: 'breaker checked,\nall clear' },
    ];
    for (const action of actions) expect(parseRecordedLine(operatorLine(1_700_000_000_000, action))).toEqual({ kind: 'operator', at: 1_700_000_000_000, action });
  });

  it('refuse a line that is not a command, naming the field', () => {
    expect(() => parseRecordedLine('{"k":"operator","at":1,"c":"sell","by":"operator:ann"}')).toThrow('field "c" is "sell", expected "panic" or "resume"');
    expect(() => parseRecordedLine('{"k":"operator","at":1,"c":"panic","by":"operator:ann"}')).toThrow('field "f" is undefined, expected true or false');
    expect(() => parseRecordedLine('{"k":"operator","at":1,"c":"resume","by":7}')).toThrow('field "by" is 7, expected the operator\'s name as a string');
    expect(() => parseRecordedLine('{"k":"operator","at":"soon","c":"resume","by":"operator:ann"}')).toThrow('field "at" is "soon", expected a finite number');
  });
});

describe('book-health lines', () => {
  const resync: BookHealth = { instrumentId: instrumentId('BTC/USD'), time: 1_700_000_000_500, status: 'resync', mismatches: 2, resyncs: 3, ageMs: 41_000, reason: 'checksum', book: 'l3' };
  const synced: BookHealth = { instrumentId: instrumentId('ETH/USD'), time: 1_700_000_001_000, status: 'synced', mismatches: 0, resyncs: 0, ageMs: 0 };

  it('read back the report as written', () => {
    for (const health of [resync, synced]) expect(parseRecordedLine(bookHealthLine(1_700_000_000_000, health))).toEqual({ kind: 'book-health', at: 1_700_000_000_000, health });
  });

  it('refuse a line that is not a report, naming the field', () => {
    const line = (fields: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(bookHealthLine(1, resync)), ...fields });
    expect(() => parseRecordedLine(line({ s: 'broken' }))).toThrow('field "s" is "broken", expected "resync" or "synced"');
    expect(() => parseRecordedLine(line({ r: '3' }))).toThrow('field "r" is "3", expected a finite number');
    expect(() => parseRecordedLine(line({ i: '' }))).toThrow('field "i" is "", expected an instrument id');
    expect(() => parseRecordedLine(line({ b: 'l4' }))).toThrow('field "b" is "l4", expected "l2" or "l3"');
  });

  it('are written by the recorder\'s sink, passed on, and placed for the replay between the data', () => {
    const dir = join(root, 'book-health');
    const recorder = new FlightRecorder({ dir, bot: 'b', mode: 'paper', exchange: 'sim', configFile: join(root, 'none.mjs'), kbotVersion: 'test', now: () => 5_000, flushIntervalMs: 0 });
    const passed: BookHealth[] = [];
    const sink = recorder.sink({ onBar: () => {}, onTrade: () => {}, onQuote: () => {}, onBook: () => {}, onBookHealth: (health) => passed.push(health) });
    // A sink without the hook ignores reports: the recorder must not call what is not there.
    const bare = recorder.sink({ onBar: () => {}, onTrade: () => {}, onQuote: () => {}, onBook: () => {} });
    const bar: Bar = { instrumentId: instrumentId('BTC/USD'), interval: 60_000, openTime: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    sink.onBar(bar);
    sink.onBookHealth!(resync);
    bare.onBookHealth!(synced);
    sink.onBar({ ...bar, openTime: 60_000 });
    recorder.close();

    expect(passed).toEqual([resync]);
    expect(recordedSession(dir).operatorActions).toEqual([
      { beforeItem: 1, at: 5_000, action: { command: 'book-health', health: resync } },
      { beforeItem: 1, at: 5_000, action: { command: 'book-health', health: synced } },
    ]);
  });
});

describe('a recorder given the running bot\'s control', () => {
  it('records panic and resume before they run, where they come between the messages, and counts the data before each', () => {
    const dir = join(root, 'control');
    let now = 1_000;
    const recorder = new FlightRecorder({ dir, bot: 'b', mode: 'paper', exchange: 'sim', configFile: join(root, 'none.mjs'), kbotVersion: 'test', now: () => now, flushIntervalMs: 0 });
    const calls: string[] = [];
    const inner: BotControl = {
      status: () => { throw new Error('not asked'); },
      panic: async (request) => {
        calls.push(`panic ${request.flatten}`);
        return { tradingState: 'halted', canceled: [], flattenOrders: [], notFlattened: [] } satisfies PanicReport;
      },
      resume: (request) => {
        calls.push(`resume ${request.reason ?? ''}`);
        return { from: 'halted', tradingState: 'active' } satisfies ResumeReport;
      },
    };
    const control = recorder.recordedControl(inner);
    const sink = recorder.sink({ onBar: () => {}, onTrade: () => {}, onQuote: () => {}, onBook: () => {} });
    const bar = (openTime: number): Bar => ({ instrumentId: instrumentId('BTC/USD'), interval: 60_000, openTime, open: 1, high: 1, low: 1, close: 1, volume: 1 });
    sink.onBar(bar(0));
    sink.onBar(bar(60_000));
    now = 2_000;
    void control.panic({ actor: 'operator:ann', flatten: false });
    sink.onBar(bar(120_000));
    now = 3_000;
    control.resume({ actor: 'operator:ann', reason: 'checked' });
    recorder.close();

    expect(calls).toEqual(['panic false', 'resume checked']);
    expect([...recordingEntries(dir)].map((entry) => entry.kind)).toEqual(['bar', 'bar', 'operator', 'bar', 'operator']);
    expect(recordedSession(dir).operatorActions).toEqual([
      { beforeItem: 2, at: 2_000, action: { command: 'panic', actor: 'operator:ann', flatten: false } },
      { beforeItem: 3, at: 3_000, action: { command: 'resume', actor: 'operator:ann', reason: 'checked' } },
    ]);
    expect(readRecordingManifest(dir).version).toBe(3);
  });
});

describe('recording manifest versions', () => {
  it('reads a version 1 recording (no operator lines then) and refuses a later one it does not know', () => {
    const dir = join(root, 'versions');
    new FlightRecorder({ dir, bot: 'b', mode: 'paper', exchange: 'sim', configFile: join(root, 'none.mjs'), kbotVersion: 'test', flushIntervalMs: 0 }).close();
    const file = join(dir, RECORDING_MANIFEST_FILE);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...manifest, version: 1 }));
    expect(readRecordingManifest(dir).version).toBe(1);
    writeFileSync(file, JSON.stringify({ ...manifest, version: 2 }));
    expect(readRecordingManifest(dir).version).toBe(2);
    writeFileSync(file, JSON.stringify({ ...manifest, version: 4 }));
    expect(() => readRecordingManifest(dir)).toThrow('version is 4, expected one of 1, 2, 3 (written by another kbot version)');
  });
});
