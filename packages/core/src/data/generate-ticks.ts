import { ConfigError, type ConfigIssue } from '../errors/errors.js';
import type { InstrumentId } from '../model/ids.js';
import type { Quote, Trade } from '../model/market-data.js';
import { DAY_MS, MINUTE_MS, type EpochMs } from '../model/time.js';
import type { ReplayItem } from './replay-item.js';
import { SeededRandom } from './seeded-random.js';
import { instrumentOption, intervalOption, rangeOption } from './source-options.js';
import { TrackedTickSource } from './tick-source.js';
import { TradeBarBuilder } from './trade-bar-builder.js';

export interface GenerateTicksOptions {
  /** BASE/QUOTE, e.g. `BTC/USD`. */
  readonly instrumentId: string;
  /** Length of the market in milliseconds. */
  readonly durationMs: number;
  /** Time of the first quote, epoch ms, a whole second; default 2024-01-01T00:00Z. */
  readonly start?: EpochMs;
  /** Same seed, same market; default 1. */
  readonly seed?: number;
  /** Mid price at the start; default 40,000. */
  readonly startPrice?: number;
  /** Annualised volatility of the mid (0.6 = 60%); default 0.6. */
  readonly volatility?: number;
  /** Spread in basis points of the start price, as a whole number of ticks (at least one), kept for the whole run; default 1. */
  readonly spreadBps?: number;
  /** Tick size; default 10^(floor(log10(startPrice)) − 5): 0.1 at 40,000, 0.01 at 2,000. */
  readonly priceIncrement?: number;
  /** Mean number of public trades per minute; default 12. */
  readonly tradesPerMinute?: number;
  /** Mean value of one trade in the quote asset; default 3,000. */
  readonly meanTradeNotional?: number;
  /** Bars built from the generated trades, as milliseconds or text (`1m`); `false` for none; default 1m. */
  readonly bars?: number | string | false;
  /** Only replay ticks at or after this time, and bars opening at or after it (the walk still starts at `start`). */
  readonly from?: EpochMs;
  /** Only replay ticks before this time, and bars opening before it. */
  readonly to?: EpochMs;
}

const DEFAULT_START = Date.UTC(2024, 0, 1);
const YEAR_MS = 365 * DAY_MS;
/** One quote per second of market time. */
export const GENERATED_QUOTE_STEP_MS = 1000;
const QUANTITY_DECIMALS = 8;

interface TickSettings {
  readonly instrumentId: InstrumentId;
  readonly start: number;
  readonly steps: number;
  readonly seed: number;
  readonly startPrice: number;
  readonly volatility: number;
  readonly spreadBps: number;
  readonly tick: number;
  readonly tickDecimals: number;
  readonly tradesPerMinute: number;
  readonly meanTradeNotional: number;
  readonly barInterval: number | undefined;
  readonly from: number;
  readonly to: number;
}

/**
 * A deterministic synthetic tick market (see generateTicks). It is labelled `generated` in every
 * summary and report, because it is not a market: it has no informed traders, no queue and no
 * order book beyond the top.
 */
export class GeneratedTickSource extends TrackedTickSource {
  readonly settings: TickSettings;

  constructor(settings: TickSettings) {
    super(
      {
        file: `generated ticks (seed ${settings.seed})`,
        format: 'generated-ticks',
        instrumentId: settings.instrumentId,
        generated: true,
        offers: { instrumentId: settings.instrumentId, trades: true, quotes: true, ...(settings.barInterval === undefined ? {} : { bars: settings.barInterval }) },
      },
      { [Symbol.iterator]: () => ticksBetween(settings) },
    );
    this.settings = settings;
  }
}

/** The generated items with times in [from, to), made afresh on every pass. */
function* ticksBetween(settings: TickSettings): Generator<ReplayItem, undefined> {
  const { from, to } = settings;
  for (const item of generateTickItems(settings)) {
    const time = item.kind === 'bar' ? item.bar.openTime : item.time;
    if (time < from) continue;
    if (time >= to) {
      // Bars are handed over at their close, after the ticks inside them: only stop at a tick.
      if (item.kind === 'bar') continue;
      break;
    }
    yield item;
  }
  return undefined;
}

function* generateTickItems(settings: TickSettings): Generator<ReplayItem, undefined> {
  const random = new SeededRandom(settings.seed);
  const { instrumentId, tick, tickDecimals } = settings;
  const sigma = settings.volatility * Math.sqrt(GENERATED_QUOTE_STEP_MS / YEAR_MS);
  const tradesPerStep = (settings.tradesPerMinute * GENERATED_QUOTE_STEP_MS) / MINUTE_MS;
  const poissonFloor = Math.exp(-tradesPerStep);
  const bars = settings.barInterval === undefined ? undefined : new TradeBarBuilder(instrumentId, settings.barInterval, 'generated ticks');
  const price = (ticks: number): number => Number((ticks * tick).toFixed(tickDecimals));
  // A constant spread: a spread that jumped about at random would make the best prices swing
  // back and forth around the mid, which a quoting strategy would harvest as a free edge.
  const spreadTicks = Math.max(1, Math.round((settings.startPrice * settings.spreadBps) / 10_000 / tick));
  let mid = settings.startPrice;
  for (let step = 0; step < settings.steps; step++) {
    const time = settings.start + step * GENERATED_QUOTE_STEP_MS;
    // A bar is handed over at its close, before anything stamped at or after it.
    const pending = bars?.pendingOpenTime;
    if (bars !== undefined && pending !== undefined && pending + bars.interval <= time) {
      const bar = bars.flush()!;
      yield { kind: 'bar', time: bar.openTime + bar.interval, bar };
    }
    if (step > 0) mid *= Math.exp(-0.5 * sigma * sigma + sigma * random.normal());
    const bidTicks = Math.floor((mid - (spreadTicks * tick) / 2) / tick);
    const bid = price(bidTicks);
    const ask = price(bidTicks + spreadTicks);
    const quote: Quote = { instrumentId, time, bid, bidSize: 0, ask, askSize: 0 };
    yield { kind: 'quote', time, quote };
    // Trades in this second: Poisson count, each at the quote's bid (a seller took it) or ask (a
    // buyer did), at times after the quote. Nothing here knows where the mid goes next.
    let count = 0;
    for (let product = random.uniform(); product > poissonFloor; product *= random.uniform()) count++;
    if (count === 0) continue;
    const offsets: number[] = [];
    for (let index = 0; index < count; index++) offsets.push(1 + Math.floor(random.uniform() * (GENERATED_QUOTE_STEP_MS - 1)));
    offsets.sort((a, b) => a - b);
    for (const offset of offsets) {
      const buy = random.uniform() < 0.5;
      const tradePrice = buy ? ask : bid;
      const notional = -Math.log(random.uniform()) * settings.meanTradeNotional;
      const quantity = Math.max(10 ** -QUANTITY_DECIMALS, Number((notional / tradePrice).toFixed(QUANTITY_DECIMALS)));
      const trade: Trade = { instrumentId, time: time + offset, price: tradePrice, quantity, side: buy ? 'buy' : 'sell' };
      yield { kind: 'trade', time: trade.time, trade };
      // Never finishes a bar: bars close on whole seconds and were handed over at the step's start.
      bars?.add(trade.time, tradePrice, quantity);
    }
  }
  const last = bars?.flush();
  if (last !== undefined) yield { kind: 'bar', time: last.openTime + last.interval, bar: last };
  return undefined;
}

/**
 * A deterministic synthetic tick market for runs longer than the real tick files: one top-of-book
 * quote per second around a mid that follows a seeded geometric random walk (no drift, no
 * regimes), a constant spread of `spreadBps` of the start price in whole ticks, Poisson public
 * trades at the bid or the ask with exponential sizes, and bars built from those trades (Kraken's
 * convention: an interval without trades has no bar). Quote sizes are 0, as in Kraken's Spread
 * files: fills come from the trades. Same seed, same market.
 *
 * What it lacks, so results on it are mechanics, not evidence: trades carry no information about
 * the next move (on real markets the trades that fill a resting quote tend to be followed by moves
 * against it), there is no queue and no depth, the spread never changes, and volatility does not
 * cluster. The mid is a martingale: nothing in the generator pays a strategy for quoting.
 */
export function generateTicks(options: GenerateTicksOptions): GeneratedTickSource {
  const issues: ConfigIssue[] = [];
  const check = (ok: boolean, path: string, received: unknown, expected: string) => {
    if (!ok) issues.push({ path: `generateTicks.${path}`, received: JSON.stringify(received) ?? String(received), expected });
  };
  const instrumentId = instrumentOption('generateTicks.instrumentId', options.instrumentId);
  const start = options.start ?? DEFAULT_START;
  const seed = options.seed ?? 1;
  const startPrice = options.startPrice ?? 40_000;
  const volatility = options.volatility ?? 0.6;
  const spreadBps = options.spreadBps ?? 1;
  const tradesPerMinute = options.tradesPerMinute ?? 12;
  const meanTradeNotional = options.meanTradeNotional ?? 3000;
  check(Number.isSafeInteger(options.durationMs) && options.durationMs > 0, 'durationMs', options.durationMs, 'a positive whole number of milliseconds');
  check(Number.isSafeInteger(start) && start % GENERATED_QUOTE_STEP_MS === 0, 'start', start, 'epoch milliseconds on a whole second');
  check(Number.isSafeInteger(seed), 'seed', seed, 'a whole number');
  check(Number.isFinite(startPrice) && startPrice > 0, 'startPrice', startPrice, 'a positive price');
  check(Number.isFinite(volatility) && volatility >= 0, 'volatility', volatility, 'an annualised volatility >= 0, such as 0.6');
  check(Number.isFinite(spreadBps) && spreadBps > 0, 'spreadBps', spreadBps, 'a positive spread in basis points, such as 1');
  check(Number.isFinite(tradesPerMinute) && tradesPerMinute >= 0, 'tradesPerMinute', tradesPerMinute, 'a number of trades per minute >= 0');
  check(Number.isFinite(meanTradeNotional) && meanTradeNotional > 0, 'meanTradeNotional', meanTradeNotional, 'a positive amount of the quote asset');
  const defaultTick = Number.isFinite(startPrice) && startPrice > 0 ? 10 ** (Math.floor(Math.log10(startPrice)) - 5) : 1;
  const tick = options.priceIncrement ?? defaultTick;
  check(Number.isFinite(tick) && tick > 0, 'priceIncrement', tick, 'a positive tick size such as 0.1');
  const barInterval = options.bars === false ? undefined : intervalOption('generateTicks.bars', options.bars ?? '1m');
  // Bars close on whole seconds, so each one is handed over before the quote of its closing second.
  if (barInterval !== undefined) check(barInterval % GENERATED_QUOTE_STEP_MS === 0, 'bars', options.bars, 'an interval of whole seconds, such as "1m"');
  const { from, to } = rangeOption(options.from, options.to);
  if (issues.length > 0) throw new ConfigError(issues);
  const tickDecimals = decimalsOf(tick);
  return new GeneratedTickSource({
    instrumentId,
    start,
    steps: Math.ceil(options.durationMs / GENERATED_QUOTE_STEP_MS),
    seed,
    startPrice,
    volatility,
    spreadBps,
    tick: Number(tick.toFixed(tickDecimals)),
    tickDecimals,
    tradesPerMinute,
    meanTradeNotional,
    barInterval,
    from,
    to,
  });
}

/** Decimal places of a tick size such as 0.1, 0.25 or 1e-9. */
function decimalsOf(tick: number): number {
  const [digits, exponent] = tick.toExponential().split('e') as [string, string];
  const fraction = digits.split('.')[1]?.length ?? 0;
  return Math.min(15, Math.max(0, fraction - Number(exponent)));
}
