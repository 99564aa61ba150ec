import { existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../bus/event-bus.js';
import { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import type { ClientOrderId, InstrumentId, StrategyId, TradeId } from '../model/ids.js';
import type { Bar, BookView, Quote, Trade } from '../model/market-data.js';
import type { MarketDataSink } from '../exchange/exchange.js';
import { FlightRecorder } from './flight-recorder.js';
import { compareFills } from './fill-parity.js';
import { readRecordingManifest } from './recording-manifest.js';
import { readRecordingFile, recordingEntries, recordingFiles, type RecordingReadSummary } from './recording-reader.js';
import { RecordingWriter } from './recording-writer.js';

const BTC = 'BTC/USD' as InstrumentId;

function bar(index: number): Bar {
  // Awkward doubles on purpose: they must come back bit for bit.
  return { instrumentId: BTC, interval: 60_000, openTime: 1_700_000_000_000 + index * 60_000, open: 40_000.1 + index / 3, high: 40_010.7, low: 39_990 + 0.1 + 0.2, close: 40_001.3 + index, volume: 1e-7 * (index + 1), ...(index % 2 === 0 ? { trades: index } : {}) };
}

function nullSink(seen: unknown[]): MarketDataSink {
  return { onBar: (b) => seen.push(b), onTrade: (t) => seen.push(t), onQuote: (q) => seen.push(q), onBook: (b) => seen.push(b) };
}

function fill(overrides: Partial<Fill> = {}): Fill {
  return {
    tradeId: 'T1' as TradeId, clientOrderId: 'c-1' as ClientOrderId, venueOrderId: undefined, strategyId: 's' as StrategyId, instrumentId: BTC,
    side: 'buy', quantity: new Decimal('0.1'), price: new Decimal('40000.5'), fee: new Decimal('10.0001'), feeAsset: 'USD', liquidity: 'taker', time: 1000,
    ...overrides,
  };
}

describe('flight recorder', () => {
  it('records market data and order events and reads them back exactly, across rotated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-rec-'));
    let clock = 5_000;
    const recorder = new FlightRecorder({
      dir, bot: 'b', mode: 'paper', exchange: 'kraken', configFile: join(dir, 'missing.mjs'), kbotVersion: '0.0.0',
      // Tiny limits: a flush every 2 lines, a new file after every member.
      flushChars: 1, maxFileBytes: 1, flushIntervalMs: 0, now: () => clock++,
    });
    const bus = new EventBus();
    const detach = recorder.attach(bus);
    const seen: unknown[] = [];
    const sink = recorder.sink(nullSink(seen));
    const trade: Trade = { instrumentId: BTC, time: 1_700_000_000_123, price: 40_000.25, quantity: 0.000123, side: undefined, tradeId: 'x"1' };
    const quote: Quote = { instrumentId: BTC, time: 1_700_000_000_124, bid: 39_999.9, bidSize: 1.5, ask: 40_000.1, askSize: 0.25 };
    const book: BookView = { instrumentId: BTC, time: 7, bids: () => [{ price: 1, quantity: 2 }], asks: () => [], bestBid: () => ({ price: 1, quantity: 2 }), bestAsk: () => undefined };
    for (let index = 0; index < 5; index++) sink.onBar(bar(index));
    sink.onTrade(trade);
    sink.onQuote(quote);
    sink.onBook(book);
    bus.publish({ type: 'order-filled', time: 9, sequence: 3, clientOrderId: 'c-1' as ClientOrderId, fill: fill() } as never);
    bus.publish({ type: 'engine-started', time: 9, sequence: 0, mode: 'paper' } as never);
    detach();
    recorder.close({ reportDir: '/tmp/report' });

    expect(seen).toHaveLength(8);
    expect(recordingFiles(dir).length).toBe(9);
    const summary: RecordingReadSummary = { files: 0, lines: 0, truncated: false };
    const entries = [...recordingEntries(dir, summary)];
    expect(summary).toEqual({ files: 9, lines: 9, truncated: false });
    expect(entries.slice(0, 5).map((entry) => entry.kind === 'bar' && entry.bar)).toEqual([0, 1, 2, 3, 4].map(bar));
    expect(entries[0]!.at).toBe(5_001);
    expect(entries[5]).toEqual({ kind: 'trade', at: 5_006, trade });
    expect(entries[6]).toEqual({ kind: 'quote', at: 5_007, quote });
    expect(entries[7]).toEqual({ kind: 'book', at: 5_008, instrumentId: BTC, time: 7, bid: [1, 2], ask: null });
    const event = entries[8]!;
    expect(event.kind === 'event' && event.event.type).toBe('order-filled');
    const recordedFill = event.kind === 'event' && event.event.type === 'order-filled' ? event.event.fill : undefined;
    expect(recordedFill!.fee.equals(new Decimal('10.0001'))).toBe(true);
    expect(compareFills([fill()], [recordedFill!]).empty).toBe(true);

    const manifest = readRecordingManifest(dir);
    expect(manifest).toMatchObject({ bot: 'b', mode: 'paper', reportDir: '/tmp/report', startedAt: 5_000, venue: { slippageBps: 5 } });
    expect(manifest.stoppedAt).toBeGreaterThan(5_000);
  });

  it('reads a file cut by a kill up to its last complete line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-rec-'));
    const writer = new RecordingWriter({ dir, flushIntervalMs: 0, flushChars: 1 << 20 });
    const lines = Array.from({ length: 2000 }, (_, index) => JSON.stringify({ k: 'x', n: index, pad: 'abcdefghij'.repeat(index % 7) }));
    for (const line of lines.slice(0, 1000)) writer.write(line);
    writer.flush();
    for (const line of lines.slice(1000)) writer.write(line);
    writer.close();
    const [file] = recordingFiles(dir);
    const whole = readRecordingFile(file!);
    expect(whole).toEqual({ lines, truncated: false });
    // Cut the second gzip member in the middle, as a kill during its write would.
    const size = statSync(file!).size;
    truncateSync(file!, size - Math.floor(size / 5));
    const cut = readRecordingFile(file!);
    expect(cut.truncated).toBe(true);
    expect(cut.lines.length).toBeGreaterThanOrEqual(1000);
    expect(cut.lines.length).toBeLessThan(2000);
    expect(cut.lines).toEqual(lines.slice(0, cut.lines.length));
    expect(readFileSync(file!).length).toBeLessThan(size);
  });
});

// /dev/full fails every write with ENOSPC: a full disk without filling one.
describe.skipIf(!existsSync('/dev/full'))('flight recorder on a full disk', () => {
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('stops recording with one warning when a write fails, on the timer too, and never throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-rec-'));
    symlinkSync('/dev/full', join(dir, 'recording-000001.jsonl.gz'));
    const errors: Error[] = [];
    const recorder = new FlightRecorder({
      dir, bot: 'b', mode: 'paper', exchange: 'kraken', configFile: join(dir, 'missing.mjs'), kbotVersion: '0.0.0',
      flushIntervalMs: 5, onError: (error) => errors.push(error),
    });
    const seen: unknown[] = [];
    const sink = recorder.sink(nullSink(seen));
    sink.onBar(bar(0));
    // The timer's flush meets the full disk: before, its throw ended the process.
    await settle(40);
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(recorder.error?.message).toMatch(/ENOSPC/);
    for (let index = 1; index < 5; index++) sink.onBar(bar(index));
    await settle(20);
    expect(seen).toHaveLength(5);
    expect(() => recorder.close()).not.toThrow();
    expect(errors).toHaveLength(1);
    const manifest = readRecordingManifest(dir);
    expect(manifest.recordingError).toMatch(/ENOSPC/);
    expect(manifest.stoppedAt).not.toBeNull();
  });

  it('a flush forced by a full buffer and a manifest that cannot be written do not throw either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbot-rec-'));
    symlinkSync('/dev/full', join(dir, 'recording-000001.jsonl.gz'));
    const errors: Error[] = [];
    const recorder = new FlightRecorder({
      dir, bot: 'b', mode: 'paper', exchange: 'kraken', configFile: join(dir, 'missing.mjs'), kbotVersion: '0.0.0',
      flushIntervalMs: 0, flushChars: 1, onError: (error) => errors.push(error),
    });
    const sink = recorder.sink(nullSink([]));
    expect(() => sink.onBar(bar(0))).not.toThrow();
    symlinkSync('/dev/full', join(dir, 'manifest.json.tmp'));
    expect(() => recorder.update({ resumed: false })).not.toThrow();
    expect(() => recorder.close()).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('compareFills', () => {
  it('matches by strategy, instrument, side and quantity in order, and reports what differs', () => {
    const live = [fill(), fill({ side: 'sell', price: new Decimal('40100'), time: 2000 }), fill({ quantity: new Decimal('0.3') })];
    const replay = [fill({ side: 'sell', price: new Decimal('40099.5'), time: 2500, fee: new Decimal('10') }), fill({ quantity: new Decimal('0.10') }), fill({ quantity: new Decimal('0.2') })];
    const parity = compareFills(live, replay);
    expect(parity.empty).toBe(false);
    expect(parity.matched.map((pair) => pair.exact)).toEqual([true, false]);
    const sell = parity.matched[1]!;
    expect(sell.priceDifference.toFixed()).toBe('-0.5');
    expect(sell.timeDifferenceMs).toBe(500);
    expect(sell.feeDifference.toFixed()).toBe('-0.0001');
    expect(parity.onlyLive.map((f) => f.quantity.toFixed())).toEqual(['0.3']);
    expect(parity.onlyReplay.map((f) => f.quantity.toFixed())).toEqual(['0.2']);
    expect(parity.totals).toMatchObject({ liveFills: 3, replayFills: 3, matched: 2, exact: 1, onlyLive: 1, onlyReplay: 1, maxTimeDifferenceMs: 500 });
    expect(parity.totals.matchedPriceImpact.toFixed()).toBe('-0.05');
  });
});
