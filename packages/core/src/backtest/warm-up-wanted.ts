import type { EngineStrategy } from '../engine/engine.js';
import type { InstrumentId } from '../model/ids.js';
import type { Subscription } from '../model/market-data.js';

/** A bar series some strategy wants history of, and the most bars any of them asks for. */
export interface WarmUpSeriesWanted {
  readonly instrumentId: InstrumentId;
  readonly interval: number;
  readonly count: number;
}

/**
 * The bar series the subscriptions want history of (`Subscription.warmUpBars`), each once with
 * the largest count asked for, keyed `<instrument> <interval>`. A count that is not a whole
 * number above 0 is left out: the engine refuses it, naming the strategy.
 */
export function warmUpSeriesWanted(subscriptions: Iterable<Subscription>): Map<string, WarmUpSeriesWanted> {
  const wanted = new Map<string, WarmUpSeriesWanted>();
  for (const subscription of subscriptions) {
    const count = subscription.warmUpBars ?? 0;
    if (subscription.kind !== 'bars' || subscription.interval === undefined || !Number.isSafeInteger(count) || count <= 0) continue;
    const key = `${subscription.instrumentId} ${subscription.interval}`;
    const before = wanted.get(key)?.count ?? 0;
    wanted.set(key, { instrumentId: subscription.instrumentId, interval: subscription.interval, count: Math.max(before, count) });
  }
  return wanted;
}

/**
 * How many bars before `from` a backtest should warm the bot's strategies up on, per bar series:
 * the most any strategy subscribed to that instrument and interval asks for, 0 for a series
 * nobody asks history of. For `openBacktestData(entries, { from, warmUpBars: warmUpBarsWanted(bot) })`.
 */
export function warmUpBarsWanted(bot: { readonly strategies: readonly EngineStrategy[] }): (instrumentId: string, interval: number) => number {
  const wanted = warmUpSeriesWanted(bot.strategies.flatMap((entry) => entry.strategy.subscriptions(entry.params)));
  return (instrumentId, interval) => wanted.get(`${instrumentId} ${interval}`)?.count ?? 0;
}
