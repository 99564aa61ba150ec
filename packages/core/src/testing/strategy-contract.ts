import { expect } from 'vitest';
import type { Bar, MarketDataKind } from '../model/market-data.js';
import type { Strategy } from '../strategy/strategy.js';
import { registerContract, type ContractCheck } from './contract-check.js';
import { createStrategyHarness, type StrategyHarness, type StrategyHarnessOptions } from './strategy-harness.js';

const KINDS: readonly MarketDataKind[] = ['bars', 'trades', 'quotes', 'book'];
const HANDLERS: Record<MarketDataKind, 'onBar' | 'onTrade' | 'onQuote' | 'onBook'> = { bars: 'onBar', trades: 'onTrade', quotes: 'onQuote', book: 'onBook' };
const INSTRUMENT = /^[A-Z0-9.]{1,16}\/[A-Z0-9.]{1,16}$/;

/** Harness settings for the strategy contract (everything but the strategy and its params). */
export type StrategyContractOptions<P> = Omit<StrategyHarnessOptions<P>, 'strategy' | 'params'>;

/** The rules every Strategy keeps; `runStrategyContract` registers them as tests. */
export function strategyContractChecks<P>(
  createStrategy: () => Strategy<P>,
  params: P,
  bars: readonly Bar[],
  options: StrategyContractOptions<P> = {},
): ContractCheck[] {
  const run = async (): Promise<StrategyHarness<P>> => {
    const harness = await createStrategyHarness({ ...options, strategy: createStrategy(), params });
    harness.feed(bars);
    await harness.stop('end of contract data');
    return harness;
  };
  return [
    {
      name: 'subscriptions are declared, valid, and the same on every call',
      run: () => {
        const strategy = createStrategy();
        const subscriptions = strategy.subscriptions(params);
        expect(subscriptions.length, 'a strategy must subscribe to some market data').toBeGreaterThan(0);
        for (const subscription of subscriptions) {
          const where = `subscription ${JSON.stringify(subscription)}`;
          expect(subscription.instrumentId, `${where}: instrumentId must be BASE/QUOTE`).toMatch(INSTRUMENT);
          expect(KINDS, `${where}: kind`).toContain(subscription.kind);
          if (subscription.kind === 'bars') {
            expect(Number.isInteger(subscription.interval) && subscription.interval! > 0, `${where}: bars need a positive interval in milliseconds`).toBe(true);
          }
          expect(typeof strategy[HANDLERS[subscription.kind]], `${where}: the strategy needs ${HANDLERS[subscription.kind]}`).toBe('function');
        }
        expect(createStrategy().subscriptions(params)).toEqual(subscriptions);
      },
    },
    {
      name: 'the contract bars reach the strategy',
      run: async () => {
        expect(bars.length, 'pass some bars to the contract').toBeGreaterThan(0);
        const harness = await run();
        expect(harness.barsSeen, "none of the bars matched the strategy's bar subscriptions (instrument and interval)").toBeGreaterThan(0);
      },
    },
    {
      name: 'handlers do not throw on the contract bars',
      run: async () => {
        await expect(run()).resolves.toBeDefined();
      },
    },
    {
      name: 'the same bars give the same journal, event for event',
      run: async () => {
        const first = await run();
        const second = await run();
        expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
        expect(second.intents.map((entry) => entry.intent)).toEqual(first.intents.map((entry) => entry.intent));
      },
    },
    {
      name: 'no order is submitted before the strategy has seen a bar',
      run: async () => {
        const harness = await run();
        const early = harness.intents.filter((entry) => entry.barsSeen === 0);
        expect(early.map((entry) => `${entry.clientOrderId}: ${entry.intent.side} ${String(entry.intent.quantity)} ${String(entry.intent.instrumentId)}`)).toEqual([]);
      },
    },
  ];
}

/**
 * The Strategy contract, run in the strategy harness over `bars`: declared subscriptions,
 * handlers that do not throw, a journal that is the same for the same bars, and no orders before
 * the first bar. `createStrategy` must return a new instance each time (strategies keep state).
 */
export function runStrategyContract<P>(
  name: string,
  createStrategy: () => Strategy<P>,
  params: P,
  bars: readonly Bar[],
  options: StrategyContractOptions<P> = {},
): void {
  registerContract(`${name} keeps the Strategy contract`, strategyContractChecks(createStrategy, params, bars, options));
}
