/*
 * Test support for the indicator tests: inputs (synthetic and real Kraken bars) and the golden
 * comparison. Not exported from the package.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';

export interface TestBar {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A deterministic random walk of hourly bars (prices near 20 000, as in the real BTC data). Every
 * 13th bar closes where the previous one did and every 29th has no volume, so the "unchanged" and
 * "no volume" branches get exercised.
 */
export function createSyntheticBars(count: number, seed = 1): TestBar[] {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: tiny, seedable, good enough for a test walk.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const bars: TestBar[] = [];
  let close = 20_000;
  for (let index = 0; index < count; index++) {
    const open = close;
    close = index % 13 === 12 ? open : Math.round((open + (random() - 0.5) * 200) * 100) / 100;
    const high = Math.max(open, close) + Math.round(random() * 5000) / 100;
    const low = Math.min(open, close) - Math.round(random() * 5000) / 100;
    const volume = index % 29 === 28 ? 0 : Math.round(random() * 100_000) / 1000;
    bars.push({ openTime: Date.UTC(2023, 0, 1) + index * 3_600_000, open, high, low, close, volume });
  }
  return bars;
}

/** The shared market-data folder, or '' when it is absent (tests that need it skip). */
export const sharedData = process.env.KBOT_SHARED_DATA ?? '';

/**
 * Reads a Kraken OHLCVT CSV (`time,open,high,low,close,volume,trades`, no header, time in epoch
 * seconds) from the shared data folder. Deliberately tiny and local: the indicator tests must not
 * depend on core's data readers.
 */
export function readKrakenBars(relativePath: string): TestBar[] {
  const file = join(sharedData, relativePath);
  const lines = readFileSync(file, 'utf8').split('\n');
  const bars: TestBar[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const fields = line.split(',').map(Number);
    if (fields.length !== 7 || fields.some((field) => !Number.isFinite(field))) {
      throw new Error(`${file}:${index + 1}: received ${JSON.stringify(line)}, expected 7 numeric columns`);
    }
    const [time, open, high, low, close, volume] = fields as [number, number, number, number, number, number];
    bars.push({ openTime: time * 1000, open, high, low, close, volume });
  });
  return bars;
}

/**
 * Asserts two series agree to `tolerance` relative to the larger magnitude of each pair (or to
 * `scale`, when given, for series that are differences of large numbers and cross zero).
 * Returns the worst relative difference so a test can report it.
 */
export function maxRelativeDifference(actual: readonly number[], expected: readonly number[], scale = 0): { worst: number; index: number } {
  if (actual.length !== expected.length) {
    throw new Error(`series lengths differ: received ${actual.length}, expected ${expected.length}`);
  }
  let worst = 0;
  let worstIndex = -1;
  for (let index = 0; index < actual.length; index++) {
    const a = actual[index]!;
    const b = expected[index]!;
    const magnitude = Math.max(Math.abs(a), Math.abs(b), scale);
    const difference = a === b ? 0 : Math.abs(a - b) / magnitude;
    if (Number.isNaN(difference)) return { worst: Number.NaN, index };
    if (difference > worst) {
      worst = difference;
      worstIndex = index;
    }
  }
  return { worst, index: worstIndex };
}

/**
 * Real bars the golden tests run on: one recent quarter (prices near 20 000) and seven years of
 * hourly history whose thin early market (2013–2014) has flat and gapped stretches.
 */
export const GOLDEN_FILES = [
  'ohlcv/kraken/q1-2023/XBTUSD_60.csv',
  'ohlcv/kraken/full-history-60m-to-2020-09/XBTUSD_60.csv',
] as const;

/** The agreement the golden tests require. */
export const GOLDEN_TOLERANCE = 1e-9;

/**
 * Asserts two per-input series (undefined/null before warm-up) agree: both start at the same
 * input, and every later pair is within `tolerance` relative (see `maxRelativeDifference`).
 * `skip` excludes inputs where a documented definition difference applies; the caller asserts
 * its own value there.
 */
export function expectSeriesAgree(
  label: string,
  actual: readonly (number | undefined)[],
  expected: readonly (number | null | undefined)[],
  options: { tolerance?: number; scale?: number; skip?: (index: number) => boolean } = {},
): void {
  expect(actual.length, `${label}: series lengths`).toBe(expected.length);
  const firstActual = actual.findIndex((value) => value !== undefined);
  const firstExpected = expected.findIndex((value) => value !== undefined && value !== null);
  expect(firstActual, `${label}: first input with a value (warm-up)`).toBe(firstExpected);
  const mine: number[] = [];
  const theirs: number[] = [];
  const indexes: number[] = [];
  for (let index = firstActual; index < actual.length; index++) {
    if (options.skip?.(index)) continue;
    mine.push(actual[index]!);
    theirs.push(expected[index]!);
    indexes.push(index);
  }
  expect(mine.length, `${label}: compared values`).toBeGreaterThan(0);
  const { worst, index } = maxRelativeDifference(mine, theirs, options.scale);
  const at = index >= 0 ? ` at input #${indexes[index]! + 1} (${mine[index]} vs ${theirs[index]})` : '';
  expect(worst, `${label}: worst relative difference${at}`).toBeLessThanOrEqual(options.tolerance ?? GOLDEN_TOLERANCE);
}

/** Right-aligns a reference's output array (which omits warm-up) with the inputs. */
export function alignToInputs<T>(values: readonly T[], inputCount: number): (T | undefined)[] {
  return [...new Array<undefined>(inputCount - values.length).fill(undefined), ...values];
}

const barCache = new Map<string, TestBar[]>();

/** `readKrakenBars`, read once per test file. */
export function goldenBars(relativePath: string): TestBar[] {
  let bars = barCache.get(relativePath);
  if (!bars) {
    bars = readKrakenBars(relativePath);
    barCache.set(relativePath, bars);
  }
  return bars;
}
