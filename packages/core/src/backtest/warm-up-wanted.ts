import type { EngineStrategy } from '../engine/engine.js';

/**
 * How many bars before `from` a backtest should warm the bot's strategies up on, per bar series:
 * the most any strategy subscribed to that instrument and interval asks for
 * (`Subscription.warmUpBars`), 0 for a series nobody asks history of. For
 * `openBacktestData(entries, { from, warmUpBars: warmUpBarsWanted(bot) })`.
 */
export function warmUpBarsWanted(bot: { readonly strategies: readonly EngineStrategy[] }): (instrumentId: string, interval: number) => number {
  const wanted = new Map<string, number>();
  for (const entry of bot.strategies) {
    for (const subscription of entry.strategy.subscriptions(entry.params)) {
      const count = subscription.warmUpBars ?? 0;
      // A count that is not a whole number is left to the engine, which refuses it naming the strategy.
      if (subscription.kind !== 'bars' || subscription.interval === undefined || !Number.isSafeInteger(count) || count <= 0) continue;
      const key = `${subscription.instrumentId} ${subscription.interval}`;
      wanted.set(key, Math.max(wanted.get(key) ?? 0, count));
    }
  }
  return (instrumentId, interval) => wanted.get(`${instrumentId} ${interval}`) ?? 0;
}
