import { ConfigError } from '../../errors/errors.js';
import { Decimal, ZERO, decimalGreaterThan, type DecimalLike } from '../../model/decimal.js';
import type { JournaledEvent } from '../../model/events.js';
import { arrayAt, decimalAt, objectAt } from '../../persistence/state-json.js';
import { reducesExposure } from '../risk-engine.js';
import { ALLOW, deny, type RiskPolicy } from '../risk-policy.js';
import { money, orderNotional } from './order-value.js';
import { integerAtLeast, positiveAmount, positiveNumber } from './policy-options.js';

export interface FatFingerOptions {
  /** Largest value of one order, in its quote asset. */
  readonly maxOrderQuote?: DecimalLike;
  /** Largest value of one order as a multiple of the average of the strategy's recent orders (e.g. 5). */
  readonly maxOrderMultipleOfAverage?: number;
  /** How many recent orders of a strategy make the average; default 20. */
  readonly sampleSize?: number;
  /** The multiple is only checked once a strategy has submitted this many orders; default 5. */
  readonly minimumSamples?: number;
}

/**
 * Catches orders far bigger than meant: an order's value (quantity × limit, trigger or market
 * price) above `maxOrderQuote`, or above `maxOrderMultipleOfAverage` × the average value of the
 * same strategy's last `sampleSize` submitted orders. The multiple is not applied to orders that
 * only shrink a position (selling what many small buys accumulated is normal); the cap is.
 * Orders without a known price pass. Code `fat-finger`.
 */
export function fatFinger(options: FatFingerOptions): RiskPolicy {
  const cap = options.maxOrderQuote === undefined ? undefined : positiveAmount(options.maxOrderQuote, 'risk.fatFinger.maxOrderQuote');
  const multiple = options.maxOrderMultipleOfAverage === undefined ? undefined : new Decimal(positiveNumber(options.maxOrderMultipleOfAverage, 'risk.fatFinger.maxOrderMultipleOfAverage'));
  const sampleSize = integerAtLeast(options.sampleSize ?? 20, 'risk.fatFinger.sampleSize', 1);
  const minimumSamples = integerAtLeast(options.minimumSamples ?? 5, 'risk.fatFinger.minimumSamples', 1);
  if (cap === undefined && multiple === undefined) {
    throw new ConfigError([{ path: 'risk.fatFinger', received: 'neither limit', expected: 'maxOrderQuote, maxOrderMultipleOfAverage or both' }]);
  }
  if (minimumSamples > sampleSize) {
    throw new ConfigError([{ path: 'risk.fatFinger.minimumSamples', received: String(minimumSamples), expected: `at most sampleSize (${sampleSize})` }]);
  }
  /** Values of orders checked but not yet submitted or denied: market orders carry no price of their own. */
  const checked = new Map<string, Decimal>();
  /** Values of each strategy's recent submitted orders, oldest first. */
  const samples = new Map<string, Decimal[]>();

  return {
    name: 'fat-finger',
    snapshot() {
      return { samples: Object.fromEntries([...samples].map(([strategy, values]) => [strategy, values.map((value) => value.toFixed())])) };
    },
    restore(value: unknown, where: string) {
      const state = objectAt(value, where);
      const restored = new Map<string, Decimal[]>();
      for (const [strategy, values] of Object.entries(objectAt(state['samples'], `${where}.samples`))) {
        const path = `${where}.samples.${strategy}`;
        // A smaller sampleSize than the earlier run's keeps the most recent samples.
        restored.set(strategy, arrayAt(values, path).map((sample, index) => decimalAt(sample, `${path}[${index}]`)).slice(-sampleSize));
      }
      samples.clear();
      for (const [strategy, values] of restored) samples.set(strategy, values);
    },
    check(order, view) {
      const value = orderNotional(order, view.lastPrice);
      if (value === undefined) return ALLOW;
      checked.set(order.clientOrderId, value);
      const quote = view.instrument.quote;
      if (cap && decimalGreaterThan(value, cap)) {
        return deny('fat-finger', `the order is worth ${money(value)} ${quote}, above the single-order cap of ${cap.toFixed()} ${quote}`);
      }
      const recent = samples.get(order.strategyId);
      if (multiple && recent && recent.length >= minimumSamples && !reducesExposure(order, view)) {
        const average = recent.reduce((sum, sample) => sum.plus(sample), ZERO).dividedBy(recent.length);
        if (decimalGreaterThan(value, average.times(multiple))) {
          return deny('fat-finger', `the order is worth ${money(value)} ${quote}, more than ${multiple.toFixed()}× the ${money(average)} average of strategy ${order.strategyId}'s last ${recent.length} orders`);
        }
      }
      return ALLOW;
    },
    observe(event: JournaledEvent) {
      if (event.type === 'order-denied') {
        checked.delete(event.clientOrderId);
        return;
      }
      if (event.type !== 'order-submitted') return;
      const value = orderNotional(event.command, undefined) ?? checked.get(event.clientOrderId);
      checked.delete(event.clientOrderId);
      if (value === undefined || value.isZero()) return;
      const recent = samples.get(event.strategyId) ?? [];
      recent.push(value);
      if (recent.length > sampleSize) recent.shift();
      samples.set(event.strategyId, recent);
    },
  };
}
