import {
  ConfigError,
  KRAKEN_SPOT_FEE_TIERS,
  generateBars,
  isDecimal,
  krakenSpotInstruments,
  openBarFile,
  toDecimal,
  type BarFileOptions,
  type BarSource,
  type ConfigIssue,
  type Decimal,
  type DecimalLike,
  type FeeTier,
  type FillModelOptions,
  type GenerateBarsOptions,
  type Instrument,
  type LimitFillRule,
} from '@kbot/core';
import { closeSync, openSync, readSync } from 'node:fs';
import { parseAsset } from '../parse/asset.js';
import type { KrakenTier } from '../rest/rate-limiter.js';
import { looksLikeRecordedBookStream, readRecordedBookStream, type RecordedBookStream } from './recorded-book-stream.js';

/** One API key of the simulated exchange. */
export interface SimulatorAccountOptions {
  readonly key: string;
  /** The private key as Kraken shows it: base64 text. */
  readonly secret: string;
  /** Starting totals by asset, kbot (`USD`, `BTC`) or Kraken (`ZUSD`, `XXBT`) names; default none. */
  readonly balances?: Readonly<Record<string, DecimalLike>>;
  /** Rate-limit tier (spec §7); default `starter`. */
  readonly tier?: KrakenTier;
}

/** Where a pair's bars come from: an open BarSource, a data file, or a generated market. */
export type MarketSourceOption =
  | BarSource
  | ({ readonly file: string } & BarFileOptions)
  | { readonly generate: GenerateBarsOptions }
  /** A recorded Kraken WebSocket book stream (recorded-book-stream.ts); `pair` picks one of a multi-pair v1 recording. A `{ file }` in one of its layouts is read as one too. */
  | { readonly bookStream: string; readonly pair?: string };

export interface SimulatorMarketOptions {
  /** One source per pair. */
  readonly sources: readonly MarketSourceOption[];
  /** Order rules of the pairs (looked up by the sources' instrument ids); default core's `krakenSpotInstruments()`. */
  readonly instruments?: readonly Instrument[];
  /** Bars replayed before the server starts, so prices, candles and the book exist at once; default 1. */
  readonly historyBars?: number;
  /** Trades printed per bar, at least 4 (open, two extremes, close); default 4. */
  readonly tradesPerBar?: number;
  /** Best ask − best bid in ticks; default 1. */
  readonly spreadTicks?: number;
  /** Levels per side of the synthetic book; default 100. */
  readonly bookLevels?: number;
  /** Ticks between neighbouring levels; default 1. */
  readonly levelSpacingTicks?: number;
  /** Levels among each side's top 10 whose size is redrawn on every move; default 2. */
  readonly churnLevels?: number;
  /** Seed of the book sizes; default 1. */
  readonly seed?: number;
  /**
   * `data` (default): market time is the data's time. `now`: bar times are shifted (by whole
   * intervals) so the replay starts at the current wall-clock time, as a live feed would.
   */
  readonly timeOrigin?: 'data' | 'now';
}

export interface KrakenSimulatorOptions {
  readonly market: SimulatorMarketOptions;
  readonly accounts?: readonly SimulatorAccountOptions[];
  /**
   * Market time per wall-clock time: 1 (default) is real time, 60 replays a 1-minute bar per
   * second, 0 stops the clock (only `step()` / `advance()` move it: deterministic tests).
   */
  readonly speed?: number;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Fee schedule in AssetPairs and for the venues; default Kraken's (core `KRAKEN_SPOT_FEE_TIERS`). */
  readonly feeTiers?: readonly FeeTier[];
  /** Passed to each account's `SimulatedVenue`. */
  readonly fillModel?: FillModelOptions;
  readonly limitFillOn?: LimitFillRule;
  /** Rejection text for a post-only order that would take liquidity (Kraken's is undocumented). */
  readonly postOnlyRejectReason?: string;
  /** Consecutive bad signatures / nonces that lock a key (0: never), and for how long; default 10 and 15 minutes. */
  readonly lockout?: { readonly failures?: number; readonly durationMs?: number };
  /** Idle time after which a subscribed connection gets a heartbeat; default 1000 ms. */
  readonly heartbeatMs?: number;
  /** How often the clock is moved when `speed` > 0; default 50 ms. */
  readonly tickMs?: number;
}

export interface ResolvedAccount {
  readonly key: string;
  readonly secret: string;
  readonly tier: KrakenTier;
  readonly balances: Readonly<Record<string, Decimal>>;
}

/** A pair's market: bars (replayed as trades, with a synthetic book) or a recorded book stream. */
export type ResolvedSource =
  | { readonly source: BarSource; readonly stream?: undefined; readonly instrument: Instrument }
  | { readonly source?: undefined; readonly stream: RecordedBookStream; readonly instrument: Instrument };

export interface ResolvedOptions {
  readonly sources: readonly ResolvedSource[];
  readonly accounts: readonly ResolvedAccount[];
  readonly historyBars: number;
  readonly tradesPerBar: number;
  readonly spreadTicks: number;
  readonly bookLevels: number;
  readonly levelSpacingTicks: number;
  readonly churnLevels: number;
  readonly seed: number;
  readonly timeOrigin: 'data' | 'now';
  readonly speed: number;
  readonly port: number;
  readonly host: string;
  readonly feeTiers: readonly FeeTier[];
  readonly lockoutFailures: number;
  readonly lockoutMs: number;
  readonly heartbeatMs: number;
  readonly tickMs: number;
}

const TIERS = new Set<KrakenTier>(['starter', 'intermediate', 'pro']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function openSource(option: MarketSourceOption): BarSource | RecordedBookStream {
  if ('generate' in option) return generateBars(option.generate);
  if ('bookStream' in option) return readRecordedBookStream(option.bookStream, option.pair === undefined ? {} : { pair: option.pair });
  if ('file' in option && typeof option.file === 'string') {
    const { file, ...rest } = option;
    if (looksLikeRecordedBookStream(fileStart(file))) return readRecordedBookStream(file, rest.instrumentId === undefined ? {} : { pair: rest.instrumentId });
    return openBarFile(file, rest);
  }
  return option as BarSource;
}

/** The first kilobyte of a file, to tell a recorded stream from a bar file; empty when unreadable (openBarFile then says why). */
function fileStart(file: string): string {
  let handle: number | undefined;
  try {
    handle = openSync(file, 'r');
    const buffer = Buffer.alloc(1024);
    return buffer.subarray(0, readSync(handle, buffer, 0, buffer.length, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/** Checks every option and opens the market sources; all problems come back in one ConfigError. */
export function resolveSimulatorOptions(options: KrakenSimulatorOptions): ResolvedOptions {
  const issues: ConfigIssue[] = [];
  const integer = (value: number | undefined, path: string, fallback: number, min: number, max: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isSafeInteger(chosen) || chosen < min || chosen > max) {
      issues.push({ path, received: JSON.stringify(chosen), expected: `a whole number from ${min} to ${max}` });
      return fallback;
    }
    return chosen;
  };
  const market = options.market;
  if (typeof market !== 'object' || market === null || !Array.isArray(market.sources) || market.sources.length === 0) {
    throw new ConfigError([{ path: 'market.sources', received: JSON.stringify(market?.sources), expected: 'at least one market source ({ file }, { generate } or a BarSource)' }], 'Kraken simulator');
  }
  const instruments = market.instruments ?? krakenSpotInstruments();
  const sources: ResolvedSource[] = [];
  market.sources.forEach((option, index) => {
    let source: BarSource | RecordedBookStream;
    try {
      source = openSource(option);
    } catch (error) {
      issues.push({ path: `market.sources[${index}]`, received: JSON.stringify(option), expected: `a readable market source (${(error as Error).message})` });
      return;
    }
    const instrument = instruments.find((candidate) => candidate.id === source.instrumentId);
    if (instrument === undefined) {
      issues.push({ path: `market.sources[${index}]`, received: source.instrumentId, expected: `a pair with order rules in market.instruments (${instruments.map((known) => known.id).join(', ')})` });
      return;
    }
    if (sources.some((other) => other.instrument.id === instrument.id)) {
      issues.push({ path: `market.sources[${index}]`, received: source.instrumentId, expected: 'one source per pair' });
      return;
    }
    sources.push('events' in source ? { stream: source, instrument } : { source, instrument });
  });

  const accounts: ResolvedAccount[] = [];
  (options.accounts ?? []).forEach((account, index) => {
    const path = `accounts[${index}]`;
    if (typeof account.key !== 'string' || account.key.trim() === '') issues.push({ path: `${path}.key`, received: JSON.stringify(account.key), expected: 'a non-empty API key' });
    else if (accounts.some((other) => other.key === account.key)) issues.push({ path: `${path}.key`, received: '(a key already used)', expected: 'a key no other account has' });
    const secret = typeof account.secret === 'string' ? account.secret.trim() : '';
    if (secret.length === 0 || secret.length % 4 !== 0 || !BASE64.test(secret)) {
      // The secret itself is never printed.
      issues.push({ path: `${path}.secret`, received: `a value of ${secret.length} characters`, expected: 'base64 text, as Kraken shows private keys' });
    }
    const tier = account.tier ?? 'starter';
    if (!TIERS.has(tier)) issues.push({ path: `${path}.tier`, received: JSON.stringify(tier), expected: 'starter, intermediate or pro' });
    const balances: Record<string, Decimal> = {};
    for (const [name, value] of Object.entries(account.balances ?? {})) {
      try {
        const amount = isDecimal(value) ? value : toDecimal(value, `${path}.balances.${name}`);
        if (amount.isNegative()) throw new Error('negative');
        balances[parseAsset(name)] = amount;
      } catch {
        issues.push({ path: `${path}.balances.${name}`, received: JSON.stringify(isDecimal(value) ? value.toFixed() : value), expected: 'an amount of 0 or more, such as "1000.50"' });
      }
    }
    accounts.push({ key: account.key, secret, tier, balances });
  });

  const speed = options.speed ?? 1;
  if (!Number.isFinite(speed) || speed < 0) issues.push({ path: 'speed', received: String(speed), expected: 'a number of 0 or more (1 = real time, 60 = a minute per second, 0 = manual)' });
  const timeOrigin = market.timeOrigin ?? 'data';
  if (timeOrigin !== 'data' && timeOrigin !== 'now') issues.push({ path: 'market.timeOrigin', received: JSON.stringify(timeOrigin), expected: '"data" or "now"' });
  const resolved: ResolvedOptions = {
    sources,
    accounts,
    historyBars: integer(market.historyBars, 'market.historyBars', 1, 1, 1_000_000),
    tradesPerBar: integer(market.tradesPerBar, 'market.tradesPerBar', 4, 4, 1000),
    spreadTicks: integer(market.spreadTicks, 'market.spreadTicks', 1, 1, 1_000_000),
    bookLevels: integer(market.bookLevels, 'market.bookLevels', 100, 1, 1000),
    levelSpacingTicks: integer(market.levelSpacingTicks, 'market.levelSpacingTicks', 1, 1, 1_000_000),
    churnLevels: integer(market.churnLevels, 'market.churnLevels', 2, 0, 10),
    seed: integer(market.seed, 'market.seed', 1, 0, 2 ** 32 - 1),
    timeOrigin,
    speed,
    port: integer(options.port, 'port', 0, 0, 65_535),
    host: options.host ?? '127.0.0.1',
    feeTiers: options.feeTiers ?? KRAKEN_SPOT_FEE_TIERS,
    lockoutFailures: integer(options.lockout?.failures, 'lockout.failures', 10, 0, 1_000_000),
    lockoutMs: integer(options.lockout?.durationMs, 'lockout.durationMs', 15 * 60_000, 0, 86_400_000),
    heartbeatMs: integer(options.heartbeatMs, 'heartbeatMs', 1000, 10, 3_600_000),
    tickMs: integer(options.tickMs, 'tickMs', 50, 1, 60_000),
  };
  if (issues.length > 0) throw new ConfigError(issues, 'Kraken simulator');
  return resolved;
}
