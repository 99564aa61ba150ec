import type { EngineStrategy } from '../engine/engine.js';

/**
 * One line per pair that more than one of the bot's strategies subscribes to. Strategies of one
 * bot never share a pair (an order on a pair another strategy holds is denied `pair-taken`), so
 * on such a pair only the strategy that gets in first trades until it is flat again: almost
 * always a config mistake, said before the bot runs rather than found in its denials.
 */
export function sharedPairWarnings(strategies: readonly EngineStrategy[]): string[] {
  const byPair = new Map<string, string[]>();
  for (const entry of strategies) {
    for (const pair of new Set(entry.strategy.subscriptions(entry.params).map((subscription) => subscription.instrumentId))) {
      const ids = byPair.get(pair) ?? [];
      ids.push(entry.id);
      byPair.set(pair, ids);
    }
  }
  const warnings: string[] = [];
  for (const [pair, ids] of byPair) {
    if (ids.length < 2) continue;
    warnings.push(
      `strategies: ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)} ${ids.length === 2 ? 'both' : 'all'} trade ${pair}, but a pair belongs to one strategy of a bot at a time: while one holds it (a position or open orders), the others' orders on it are denied pair-taken. Give each strategy its own pairs, or run them as separate bots`,
    );
  }
  return warnings;
}
