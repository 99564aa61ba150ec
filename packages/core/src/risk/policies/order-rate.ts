import { ConfigError } from '../../errors/errors.js';
import type { JournaledEvent } from '../../model/events.js';
import type { InstrumentId } from '../../model/ids.js';
import { MINUTE_MS, type EpochMs } from '../../model/time.js';
import { objectAt, timeListsAt } from '../../persistence/state-json.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { integerAtLeast, positiveNumber } from './policy-options.js';

/**
 * Headroom the venue still gives on an instrument at `time`, in its own units (Kraken: points
 * under the per-pair trading counter's threshold); undefined when unknown.
 */
export type TradingBudget = (instrumentId: InstrumentId, time: EpochMs) => number | undefined;

export interface OrderRateOptions {
  /** Most orders submitted per instrument within `windowMs`. */
  readonly maxOrders?: number;
  /** Length of the sliding window; default one minute. */
  readonly windowMs?: number;
  /** Reads the venue's remaining budget (e.g. Kraken's trading counter from the adapter's rate limiter). */
  readonly budget?: TradingBudget;
  /** Least budget an order needs; default 1 (a Kraken add-order costs 1 point). */
  readonly minimumBudget?: number;
}

/**
 * Limits how fast the bot places orders, per instrument: at most `maxOrders` submitted orders in
 * any `windowMs` (sliding, on the engine clock), and, when `budget` is given, none while the
 * venue's remaining budget is below `minimumBudget`. Denied orders do not count; cancels are never
 * checked. Code `order-rate`.
 */
export function orderRate(options: OrderRateOptions): RiskPolicy {
  const maxOrders = options.maxOrders === undefined ? undefined : integerAtLeast(options.maxOrders, 'risk.maxOrdersPerMinute', 1);
  const windowMs = positiveNumber(options.windowMs ?? MINUTE_MS, 'risk.orderRate.windowMs');
  const minimumBudget = options.minimumBudget ?? 1;
  if (typeof minimumBudget !== 'number' || !Number.isFinite(minimumBudget) || minimumBudget < 0) {
    throw new ConfigError([{ path: 'risk.orderRate.minimumBudget', received: String(minimumBudget), expected: 'a number of 0 or more' }]);
  }
  if (maxOrders === undefined && options.budget === undefined) {
    throw new ConfigError([{ path: 'risk.maxOrdersPerMinute', received: 'nothing', expected: 'a limit (maxOrders) or a trading budget (budget), or both' }]);
  }
  const budget = options.budget;
  /** Submission times per instrument, oldest first. */
  const submitted = new Map<string, EpochMs[]>();

  return {
    name: 'order-rate',
    snapshot() {
      return { submitted: Object.fromEntries(submitted) };
    },
    restore(value: unknown, where: string) {
      const restored = timeListsAt(objectAt(value, where)['submitted'], `${where}.submitted`);
      submitted.clear();
      for (const [instrumentId, times] of restored) submitted.set(instrumentId, times);
    },
    check(order, view) {
      if (maxOrders !== undefined) {
        const times = submitted.get(order.instrumentId);
        if (times) {
          // Drop what left the window; the clock never goes back, so they never count again.
          let first = 0;
          while (first < times.length && times[first]! <= view.time - windowMs) first++;
          if (first > 0) times.splice(0, first);
          if (times.length >= maxOrders) {
            return deny('order-rate', `${times.length} orders on ${order.instrumentId} in the last ${windowMs / 1000} s, the limit is ${maxOrders}`);
          }
        }
      }
      if (budget) {
        const remaining = budget(order.instrumentId, view.time);
        if (remaining !== undefined && remaining < minimumBudget) {
          return deny('order-rate', `the venue's trading budget on ${order.instrumentId} is ${remaining}, below the ${minimumBudget} an order needs`);
        }
      }
      return ALLOW;
    },
    observe(event: JournaledEvent) {
      if (maxOrders === undefined || event.type !== 'order-submitted') return;
      const times = submitted.get(event.instrumentId);
      if (times) times.push(event.time);
      else submitted.set(event.instrumentId, [event.time]);
    },
  };
}
