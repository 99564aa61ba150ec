import { ExchangeError } from '../errors/errors.js';
import { warmUpSeriesWanted, type WarmUpSeriesWanted } from '../backtest/warm-up-wanted.js';
import type { MarketDataClient } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import type { Bar, Subscription } from '../model/market-data.js';
import { formatInterval } from '../model/time.js';

/** What a session's warm-up asked one venue series for, and what it got. */
export interface WarmUpSeries {
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  /** The most any strategy asked for (`Subscription.warmUpBars`). */
  readonly wanted: number;
  readonly received: number;
  /** Open time of the first and last bar received. */
  readonly first: number | undefined;
  readonly last: number | undefined;
  /** Why nothing came, when the venue could not answer. */
  readonly error: string | undefined;
}

export interface WarmUpHistory {
  /** Every series' bars, to hand to `Engine.warmUp`. */
  readonly bars: readonly Bar[];
  readonly series: readonly WarmUpSeries[];
  /** False when the venue keeps no history (`MarketDataClient.recentBars` absent). */
  readonly available: boolean;
}

/**
 * Fetches the history the strategies asked for, one series (instrument and interval) at a time,
 * each once with the largest count any strategy wants. A series the venue cannot give is
 * reported, not thrown: its strategies warm up on live bars instead, as they would have without
 * this step, and the session says so.
 */
export async function fetchWarmUpHistory(data: MarketDataClient, subscriptions: readonly Subscription[], retryDelay: (ms: number) => Promise<void> = sleep): Promise<WarmUpHistory> {
  const wanted = warmUpSeriesWanted(subscriptions);
  if (wanted.size === 0) return { bars: [], series: [], available: true };
  const recentBars = data.recentBars?.bind(data);
  if (recentBars === undefined) {
    const series = [...wanted.values()].map((entry) => seriesOutcome(entry, [], undefined));
    return { bars: [], series, available: false };
  }
  const bars: Bar[] = [];
  const series: WarmUpSeries[] = [];
  // One request after another: a venue paces its public calls, and start-up is not in a hurry.
  for (const entry of wanted.values()) {
    try {
      const received = checkedHistory(await withOneRetry(() => recentBars(entry.instrumentId, entry.interval, entry.count), retryDelay), entry);
      bars.push(...received);
      series.push(seriesOutcome(entry, received, undefined));
    } catch (error) {
      series.push(seriesOutcome(entry, [], error instanceof Error ? error.message : String(error)));
    }
  }
  return { bars, series, available: true };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long to wait before the one retry of a retryable failure the venue gave no delay for. */
const RETRY_AFTER_MS = 2_000;

/**
 * `fetch`, tried again once when the venue says its failure may pass (`ExchangeError.retryable`:
 * Kraken's `EService:Unavailable`, a network error), after the delay it asks for: a blip at
 * start should not cost a strategy its history.
 */
async function withOneRetry<T>(fetch: () => Promise<T>, delay: (ms: number) => Promise<void>): Promise<T> {
  try {
    return await fetch();
  } catch (error) {
    if (!(error instanceof ExchangeError) || !error.retryable) throw error;
    await delay(error.retryAfterMs ?? RETRY_AFTER_MS);
    return fetch();
  }
}

function seriesOutcome(entry: WarmUpSeriesWanted, bars: readonly Bar[], error: string | undefined): WarmUpSeries {
  return { instrumentId: entry.instrumentId, interval: entry.interval, wanted: entry.count, received: bars.length, first: bars[0]?.openTime, last: bars.at(-1)?.openTime, error };
}

/**
 * The venue's answer, held to the contract: bars of the series asked for, oldest first, no more
 * than asked. (That none is still forming is the venue's to know: its clock may not be this
 * machine's, as a simulator's running faster than real time is not.) A venue that breaks it would feed indicators wrong history,
 * so the series is refused (and warms up on live bars) rather than trusted.
 */
export function checkedHistory(bars: readonly Bar[], entry: WarmUpSeriesWanted): readonly Bar[] {
  const what = `${entry.instrumentId} ${formatInterval(entry.interval)} history`;
  let previous = Number.NEGATIVE_INFINITY;
  bars.forEach((bar, index) => {
    if (bar.instrumentId !== entry.instrumentId || bar.interval !== entry.interval) {
      throw new Error(`${what}: bar ${index} is of ${bar.instrumentId} ${formatInterval(bar.interval)}, expected ${entry.instrumentId} ${formatInterval(entry.interval)}`);
    }
    if (!(bar.openTime > previous)) throw new Error(`${what}: bar ${index} opens at ${new Date(bar.openTime).toISOString()}, expected after the bar before it`);
    previous = bar.openTime;
  });
  return bars.length > entry.count ? bars.slice(-entry.count) : bars;
}

/** One line per series for people: what the strategies warmed up on. */
export function describeWarmUpSeries(series: WarmUpSeries): string {
  const name = `${series.instrumentId} ${formatInterval(series.interval)}`;
  if (series.error !== undefined) return `${name}: no history (${series.error}); its strategies warm up on live bars`;
  if (series.received === 0) return `${name}: the venue gave no history; its strategies warm up on live bars`;
  const span = `${new Date(series.first!).toISOString()} to ${new Date(series.last!).toISOString()}`;
  if (series.received < series.wanted) return `${name}: ${series.received} of the ${series.wanted} bars wanted (${span}); indicators finish warming up on live bars`;
  return `${name}: ${series.received} bars (${span})`;
}
