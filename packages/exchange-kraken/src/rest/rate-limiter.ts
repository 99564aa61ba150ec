/**
 * Kraken's two rate counters (spec §7), as pure bookkeeping: every method takes the time (epoch
 * ms) it should reason about, so tests and the simulator drive it with their own clock.
 */

export type KrakenTier = 'starter' | 'intermediate' | 'pro';

export interface RestCounterLimits {
  /** The counter may not go above this. */
  readonly max: number;
  readonly decayPerSecond: number;
}

export interface TradingCounterLimits {
  /** Reaching past this gives `EOrder:Rate limit exceeded` on the pair. */
  readonly threshold: number;
  readonly decayPerSecond: number;
  readonly maxOpenOrdersPerPair: number;
}

/** §7.1: the per-key REST call counter. */
export const REST_COUNTER_LIMITS: Readonly<Record<KrakenTier, RestCounterLimits>> = Object.freeze({
  starter: Object.freeze({ max: 15, decayPerSecond: 0.33 }),
  intermediate: Object.freeze({ max: 20, decayPerSecond: 0.5 }),
  pro: Object.freeze({ max: 20, decayPerSecond: 1 }),
});

/** §7.2: the per-pair matching-engine trading counter. */
export const TRADING_COUNTER_LIMITS: Readonly<Record<KrakenTier, TradingCounterLimits>> = Object.freeze({
  starter: Object.freeze({ threshold: 60, decayPerSecond: 1, maxOpenOrdersPerPair: 60 }),
  intermediate: Object.freeze({ threshold: 125, decayPerSecond: 2.34, maxOpenOrdersPerPair: 80 }),
  pro: Object.freeze({ threshold: 180, decayPerSecond: 3.75, maxOpenOrdersPerPair: 225 }),
});

// Ledger and trade history cost 2 (Kraken's docs); ccxt also counts ClosedOrders as history.
const HISTORY_ENDPOINTS = new Set(['Ledgers', 'TradesHistory', 'ClosedOrders']);
// Order entry goes through the trading counter instead (§7.2).
const ORDER_ENTRY_ENDPOINTS = new Set([
  'AddOrder',
  'AddOrderBatch',
  'AmendOrder',
  'EditOrder',
  'CancelOrder',
  'CancelOrderBatch',
  'CancelAll',
  'CancelAllOrdersAfter',
]);
// Public calls are limited per IP, not by the key's counter.
const PUBLIC_ENDPOINTS = new Set(['Time', 'SystemStatus', 'Assets', 'AssetPairs', 'Ticker', 'OHLC', 'Depth', 'Trades', 'Spread']);

/** What one call adds to the REST counter; accepts `TradesHistory` or `/0/private/TradesHistory`. */
export function restCallCost(endpoint: string): number {
  const name = endpoint.slice(endpoint.lastIndexOf('/') + 1);
  if (endpoint.includes('/public/') || PUBLIC_ENDPOINTS.has(name)) return 0;
  if (ORDER_ENTRY_ENDPOINTS.has(name)) return 0;
  return HISTORY_ENDPOINTS.has(name) ? 2 : 1;
}

// Floating-point decay leaves crumbs like 1e-15; without a tolerance they cost an extra wait.
const EPSILON = 1e-9;

/** Decay kept unused under the REST counter's maximum (see RestRateLimiter.reserve). */
export const RESERVE_MARGIN_MS = 500;

/** A counter that drains linearly over time and never below zero. */
class DecayingCounter {
  #level = 0;
  #at = Number.NEGATIVE_INFINITY;

  constructor(private readonly decayPerSecond: number) {}

  /** Sets the level as it is at `now` (e.g. as another process left it). */
  set(level: number, now: number): void {
    this.#level = level;
    this.#at = now;
  }

  level(now: number): number {
    if (this.#level === 0 || now <= this.#at) return this.#level;
    return Math.max(0, this.#level - ((now - this.#at) / 1000) * this.decayPerSecond);
  }

  add(amount: number, now: number): void {
    const level = this.level(now);
    this.#level = level + amount;
    this.#at = Math.max(now, this.#at);
  }

  waitTimeMs(amount: number, ceiling: number, now: number): number {
    const excess = this.level(now) + amount - ceiling;
    if (excess <= EPSILON) return 0;
    return Math.ceil((excess / this.decayPerSecond) * 1000 - EPSILON);
  }
}

/**
 * Where a key's REST counter lives between processes: Kraken keeps one counter per key, and every
 * process using the key (a bot, then `kbot orders` next to it, or the bot again after a restart)
 * spends from it. See SharedRestCounterFile.
 */
export interface RestCounterStore {
  /**
   * Runs `change` on the stored level, decayed to `now`, while no other process can, and stores
   * what it returns as the level at `now`. Returns that level.
   */
  update(now: number, limits: RestCounterLimits, change: (level: number) => number): number;
}

/** The per-key REST call counter (§7.1). */
export class RestRateLimiter {
  readonly limits: RestCounterLimits;
  /** The counter as this process last saw it: the counter itself without a shared store. */
  readonly #counter: DecayingCounter;
  readonly #store: RestCounterStore;

  /** With a `store`, the counter is the one every process sharing it spends from (see RestCounterStore). */
  constructor(tier: KrakenTier | RestCounterLimits = 'starter', store?: RestCounterStore) {
    this.limits = typeof tier === 'string' ? REST_COUNTER_LIMITS[tier] : tier;
    this.#counter = new DecayingCounter(this.limits.decayPerSecond);
    // Without a shared store the counter is this process's own: `#change` keeps it in #counter.
    this.#store = store ?? { update: (now, _limits, change) => change(this.#counter.level(now)) };
  }

  /**
   * Spends `cost` when it fits under the maximum now and returns 0; otherwise spends nothing and
   * returns how long until it fits. With a shared store, the check and the spend are one step
   * that no other process sharing the counter can come between.
   *
   * It keeps RESERVE_MARGIN_MS of decay unused under the maximum. Kraken counts a call when it
   * arrives, this counter when it leaves: a call that arrives sooner after the previous one than
   * it left (network jitter, or another process's call overtaking it) finds Kraken's count higher
   * than this one by that difference's decay, and a call sent with the counter exactly at its
   * maximum would be refused (measured against the simulator with two processes: three refusals
   * each in 26 calls without the margin).
   */
  reserve(cost: number, now: number): number {
    if (cost <= 0) return 0;
    const ceiling = this.limits.max - (this.limits.decayPerSecond * RESERVE_MARGIN_MS) / 1000;
    let wait = 0;
    this.#change(now, (level) => {
      const excess = level + cost - ceiling;
      if (excess <= EPSILON) return level + cost;
      wait = Math.ceil((excess / this.limits.decayPerSecond) * 1000 - EPSILON);
      return level;
    });
    return wait;
  }

  /** Kraken said the counter is exceeded: it is treated as full, here and for every process sharing the store. */
  markFull(now: number): void {
    const max = this.limits.max;
    this.#change(now, () => max);
  }

  #change(now: number, change: (level: number) => number): void {
    this.#counter.set(this.#store.update(now, this.limits, change), now);
  }

  cost(endpoint: string): number {
    return restCallCost(endpoint);
  }

  canSpend(cost: number, now: number): boolean {
    return this.#counter.level(now) + cost <= this.limits.max + EPSILON;
  }

  /** How long until `cost` fits under the maximum; 0 when it fits now. */
  waitTimeMs(cost: number, now: number): number {
    return this.#counter.waitTimeMs(cost, this.limits.max, now);
  }

  spend(cost: number, now: number): void {
    if (cost > 0) this.#change(now, (level) => level + cost);
  }

  /** Headroom under the maximum, fractional while the counter decays (as this process last saw the store). */
  remaining(now: number): number {
    return Math.max(0, this.limits.max - this.#counter.level(now));
  }
}

function byAge(ageMs: number, steps: readonly (readonly [belowMs: number, cost: number])[]): number {
  for (const [belowMs, cost] of steps) if (ageMs < belowMs) return cost;
  return 0;
}

/** Amend: +1 fixed, plus +3/+2/+1 for an order younger than 5/10/15 s (§7.2). Never below 1. */
export function amendOrderCost(orderAgeMs: number): number {
  return 1 + byAge(orderAgeMs, [[5_000, 3], [10_000, 2], [15_000, 1]]);
}

/** Edit (cancel-replace): +1 fixed, plus +6/+5/+4/+2/+1 below 5/10/15/45/90 s (§7.2). */
export function editOrderCost(orderAgeMs: number): number {
  return 1 + byAge(orderAgeMs, [[5_000, 6], [10_000, 5], [15_000, 4], [45_000, 2], [90_000, 1]]);
}

/** Cancel: +8/+6/+5/+4/+2/+1 below 5/10/15/45/90/300 s; nothing for an order resting 300 s or more (§7.2). */
export function cancelOrderCost(orderAgeMs: number): number {
  return byAge(orderAgeMs, [[5_000, 8], [10_000, 6], [15_000, 5], [45_000, 4], [90_000, 2], [300_000, 1]]);
}

/** The per-pair matching-engine trading counter (§7.2), shared by REST, WebSocket and FIX. */
export class TradingRateLimiter {
  readonly limits: TradingCounterLimits;
  readonly #pairs = new Map<string, DecayingCounter>();

  constructor(tier: KrakenTier | TradingCounterLimits = 'starter') {
    this.limits = typeof tier === 'string' ? TRADING_COUNTER_LIMITS[tier] : tier;
  }

  #counter(pair: string): DecayingCounter {
    let counter = this.#pairs.get(pair);
    if (counter === undefined) {
      counter = new DecayingCounter(this.limits.decayPerSecond);
      this.#pairs.set(pair, counter);
    }
    return counter;
  }

  onOrderPlaced(pair: string, now: number): void {
    this.#counter(pair).add(1, now);
  }

  /** AddOrderBatch of `count` orders: +count/2. */
  onBatchPlaced(pair: string, count: number, now: number): void {
    this.#counter(pair).add(count / 2, now);
  }

  onAmend(pair: string, orderAgeMs: number, now: number): void {
    this.#counter(pair).add(amendOrderCost(orderAgeMs), now);
  }

  onEdit(pair: string, orderAgeMs: number, now: number): void {
    this.#counter(pair).add(editOrderCost(orderAgeMs), now);
  }

  onCancel(pair: string, orderAgeMs: number, now: number): void {
    const cost = cancelOrderCost(orderAgeMs);
    if (cost > 0) this.#counter(pair).add(cost, now);
  }

  /** Charges `cost` directly, e.g. to mark the counter full when Kraken reports it exceeded. */
  spend(pair: string, cost: number, now: number): void {
    if (cost > 0) this.#counter(pair).add(cost, now);
  }

  /** Headroom under the pair's threshold. */
  remaining(pair: string, now: number): number {
    const level = this.#pairs.get(pair)?.level(now) ?? 0;
    return Math.max(0, this.limits.threshold - level);
  }

  canSpend(pair: string, cost: number, now: number): boolean {
    const level = this.#pairs.get(pair)?.level(now) ?? 0;
    return level + cost <= this.limits.threshold + EPSILON;
  }

  waitTimeMs(pair: string, cost: number, now: number): number {
    return this.#counter(pair).waitTimeMs(cost, this.limits.threshold, now);
  }
}
