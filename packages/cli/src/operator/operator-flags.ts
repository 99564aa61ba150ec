import { Decimal, instrumentId, splitInstrumentId, type InstrumentId } from '@kbot/core';
import type { OpenedExchange } from '../open-exchange.js';
import { UsageError } from '../exit-codes.js';

/** A pair argument or flag as kbot's id (`btc/usd` → `BTC/USD`), or a usage error naming it. */
export function parsePairArgument(value: string | undefined, name: string): InstrumentId {
  try {
    if (value === undefined) throw new TypeError('missing');
    return instrumentId(value);
  } catch {
    throw new UsageError(`${name}: received ${JSON.stringify(value ?? '')}, expected a pair written BASE/QUOTE, such as BTC/USD`);
  }
}

/** An asset flag (`--quote usd` → `USD`). */
export function parseAssetFlag(value: string, name: string): string {
  const trimmed = value.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,12}$/.test(trimmed)) throw new UsageError(`${name}: received ${JSON.stringify(value)}, expected an asset name such as USD or EUR`);
  return trimmed;
}

/** A positive decimal amount flag, kept exact (`--amount 0.015`). */
export function parseAmountFlag(value: string, name: string): Decimal {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed) || new Decimal(trimmed).isZero()) {
    throw new UsageError(`${name}: received ${JSON.stringify(value)}, expected an amount greater than 0, such as 0.5`);
  }
  return new Decimal(trimmed);
}

/** A whole number flag of at least `min`. */
export function parseCountFlag(value: string, name: string, min = 1): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new UsageError(`${name}: received ${JSON.stringify(value)}, expected a whole number ≥ ${min}`);
  }
  return parsed;
}

/**
 * The quote asset the config trades in: the most common quote of the pairs its strategies
 * subscribe to (`USD` for BTC/USD and ETH/USD), or USD when the config names no pair.
 */
export function configQuote(opened: OpenedExchange): string {
  const counts = new Map<string, number>();
  for (const pair of configPairs(opened)) {
    const { quote } = splitInstrumentId(pair);
    counts.set(quote, (counts.get(quote) ?? 0) + 1);
  }
  let best = 'USD';
  let most = 0;
  for (const [quote, count] of counts) {
    if (count > most) {
      best = quote;
      most = count;
    }
  }
  return best;
}

/** The pairs the config's strategies subscribe to, in order, without repeats. */
export function configPairs(opened: OpenedExchange): InstrumentId[] {
  const pairs: InstrumentId[] = [];
  for (const entry of opened.bot.strategies) {
    try {
      for (const subscription of entry.strategy.subscriptions(entry.params)) if (!pairs.includes(subscription.instrumentId)) pairs.push(subscription.instrumentId);
    } catch {
      // reported by `kbot config check`; the operator commands only need the pairs that are known
    }
  }
  return pairs;
}
