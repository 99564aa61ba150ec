import type { DataSourceSummary } from '../backtest/result.js';
import { ConfigError, type ConfigIssue } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar } from '../model/market-data.js';
import { DAY_MS, HOUR_MS, formatInterval, type EpochMs } from '../model/time.js';
import type { BarSource } from './bar-source.js';
import { SeededRandom } from './seeded-random.js';
import { instrumentOption, intervalOption } from './source-options.js';

export interface GenerateBarsOptions {
  /** BASE/QUOTE, e.g. `BTC/USD`. */
  readonly instrumentId: string;
  /** Milliseconds or text such as `15m`. */
  readonly interval: number | string;
  /** Number of bars. */
  readonly count: number;
  /** Open time of the first bar, epoch ms, aligned to the interval; default 2024-01-01T00:00Z. */
  readonly start?: EpochMs;
  /** Same seed, same bars; default 1. */
  readonly seed?: number;
  /** Open of the first bar; default 100. */
  readonly startPrice?: number;
  /** Annualised volatility of the normal regime (0.6 = 60%); default 0.6. */
  readonly volatility?: number;
  /** Mean base-currency volume per hour; default 10. */
  readonly volumePerHour?: number;
}

const YEAR_MS = 365 * DAY_MS;
const DEFAULT_START = Date.UTC(2024, 0, 1);
/** A regime lasts this long on average, whatever the bar interval. */
const MEAN_REGIME_MS = 3 * DAY_MS;
/** Chance per bar of a jump (a news candle) of about four standard deviations. */
const JUMP_PROBABILITY = 0.002;

/**
 * Market regimes: volatility multiplier and drift per bar in units of that bar's standard
 * deviation. Switching between them gives the calm stretches, trends and turbulent bursts that
 * strategies meet on real markets, which a plain random walk lacks.
 */
const REGIMES: readonly { readonly name: string; readonly volatility: number; readonly drift: number }[] = [
  { name: 'calm', volatility: 0.5, drift: 0 },
  { name: 'normal', volatility: 1, drift: 0 },
  { name: 'bull', volatility: 0.9, drift: 0.08 },
  { name: 'bear', volatility: 1.2, drift: -0.1 },
  { name: 'turbulent', volatility: 2.5, drift: 0 },
];

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

interface GeneratorSettings {
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  readonly count: number;
  readonly start: number;
  readonly seed: number;
  readonly startPrice: number;
  readonly volatility: number;
  readonly volumePerHour: number;
}

/** A deterministic synthetic market (see generateBars). */
export class GeneratedBarSource implements BarSource {
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  readonly format = 'generated';
  readonly seed: number;
  private readonly settings: GeneratorSettings;

  constructor(settings: GeneratorSettings) {
    this.settings = settings;
    this.instrumentId = settings.instrumentId;
    this.interval = settings.interval;
    this.seed = settings.seed;
  }

  [Symbol.iterator](): GeneratedBarIterator {
    return new GeneratedBarIterator(this.settings);
  }

  /** Known without a pass: a generated market has no gaps. */
  summary(): DataSourceSummary {
    const { count, start, interval } = this.settings;
    return {
      file: `generated (seed ${this.seed})`,
      format: this.format,
      instrumentId: this.instrumentId,
      interval,
      bars: count,
      first: count > 0 ? start : undefined,
      last: count > 0 ? start + (count - 1) * interval : undefined,
      gaps: 0,
      largestGapMs: 0,
      generated: true,
    };
  }
}

/** One pass over a generated market; the iterator result object is reused between calls. */
export class GeneratedBarIterator implements IterableIterator<Bar> {
  private readonly settings: GeneratorSettings;
  private readonly random: SeededRandom;
  /** Standard deviation of one bar's log return in the normal regime. */
  private readonly barSigma: number;
  private readonly regimeSwitchProbability: number;
  private readonly meanVolume: number;
  private index = 0;
  private price: number;
  private regime = 1;
  private readonly result: IteratorYieldResult<Bar> = { done: false, value: undefined as unknown as Bar };

  constructor(settings: GeneratorSettings) {
    this.settings = settings;
    this.random = new SeededRandom(settings.seed);
    this.barSigma = settings.volatility * Math.sqrt(settings.interval / YEAR_MS);
    this.regimeSwitchProbability = Math.min(0.5, settings.interval / MEAN_REGIME_MS);
    this.meanVolume = settings.volumePerHour * (settings.interval / HOUR_MS);
    this.price = settings.startPrice;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Bar, undefined> {
    const settings = this.settings;
    if (this.index >= settings.count) return DONE;
    const random = this.random;
    if (random.uniform() < this.regimeSwitchProbability) {
      // Move to one of the other regimes, each equally likely.
      this.regime = (this.regime + 1 + Math.floor(random.uniform() * (REGIMES.length - 1))) % REGIMES.length;
    }
    const regime = REGIMES[this.regime]!;
    const sigma = this.barSigma * regime.volatility;
    let shock = random.normal();
    if (random.uniform() < JUMP_PROBABILITY) shock += (random.uniform() < 0.5 ? -4 : 4) + random.normal();
    // Geometric Brownian motion: the -σ²/2 term keeps the median path flat when drift is 0.
    const logReturn = regime.drift * sigma - 0.5 * sigma * sigma + sigma * shock;
    const open = this.price;
    const close = open * Math.exp(logReturn);
    const high = Math.max(open, close) * Math.exp(0.5 * sigma * Math.abs(random.normal()));
    const low = Math.min(open, close) * Math.exp(-0.5 * sigma * Math.abs(random.normal()));
    // Volume rises with the size of the move and the turbulence of the regime, as on real markets.
    const activity = regime.volatility * (1 + 2 * Math.abs(shock)) * Math.exp(0.4 * random.normal());
    const volume = Math.round(this.meanVolume * activity * 1e8) / 1e8;
    const trades = Math.max(1, Math.round(20 * activity * (settings.interval / HOUR_MS) ** 0.5));
    const bar: Bar = {
      instrumentId: settings.instrumentId,
      interval: settings.interval,
      openTime: settings.start + this.index * settings.interval,
      open,
      high,
      low,
      close,
      volume,
      trades,
    };
    this.price = close;
    this.index++;
    this.result.value = bar;
    return this.result;
  }

  return(): IteratorResult<Bar, undefined> {
    this.index = this.settings.count;
    return DONE;
  }
}

/**
 * A deterministic synthetic market for demos and tests: a seeded geometric random walk that
 * switches between calm, normal, bull, bear and turbulent regimes, with occasional jumps and
 * volume that follows the size of the moves. No gaps; same seed, same bars. Streams like a file.
 */
export function generateBars(options: GenerateBarsOptions): GeneratedBarSource {
  const issues: ConfigIssue[] = [];
  const check = (ok: boolean, path: string, received: unknown, expected: string) => {
    if (!ok) issues.push({ path: `generateBars.${path}`, received: JSON.stringify(received) ?? String(received), expected });
  };
  const instrumentId = instrumentOption('generateBars.instrumentId', options.instrumentId);
  const interval = intervalOption('generateBars.interval', options.interval);
  const start = options.start ?? DEFAULT_START;
  const seed = options.seed ?? 1;
  const startPrice = options.startPrice ?? 100;
  const volatility = options.volatility ?? 0.6;
  const volumePerHour = options.volumePerHour ?? 10;
  check(Number.isSafeInteger(options.count) && options.count >= 0, 'count', options.count, 'a whole number of bars >= 0');
  check(Number.isSafeInteger(start), 'start', start, 'epoch milliseconds');
  if (Number.isSafeInteger(start) && DAY_MS % interval === 0) {
    check(start % interval === 0, 'start', start, `a time aligned to the ${formatInterval(interval)} interval (a multiple of ${interval} ms)`);
  }
  check(Number.isSafeInteger(seed), 'seed', seed, 'a whole number');
  check(Number.isFinite(startPrice) && startPrice > 0, 'startPrice', startPrice, 'a positive price');
  check(Number.isFinite(volatility) && volatility >= 0, 'volatility', volatility, 'an annualised volatility >= 0, such as 0.6');
  check(Number.isFinite(volumePerHour) && volumePerHour > 0, 'volumePerHour', volumePerHour, 'a positive volume');
  if (issues.length > 0) throw new ConfigError(issues);
  return new GeneratedBarSource({ instrumentId, interval, count: options.count, start, seed, startPrice, volatility, volumePerHour });
}
