import { InvariantError } from '../errors/errors.js';
import type { InstrumentProvider } from '../exchange/exchange.js';
import type { Learner } from '../learning/learner.js';
import type { Logger } from '../log/logger.js';
import type { InstrumentId, StrategyId } from '../model/ids.js';
import type { StrategyContext } from '../strategy/strategy.js';
import type { Engine } from './engine.js';
import { asInstrumentId } from './market-cache.js';

/**
 * Builds the context one strategy sees: read-only views of market and portfolio, and an order
 * port that stamps every order with the strategy's id.
 */
export function createStrategyContext<P>(options: {
  strategyId: StrategyId;
  params: P;
  engine: Engine;
  instruments: InstrumentProvider;
  learners: readonly Learner[];
  log: Logger;
}): StrategyContext<P> {
  const { engine, instruments, strategyId, learners } = options;
  const id = (value: InstrumentId | string) => asInstrumentId(value);
  return Object.freeze({
    strategyId,
    params: Object.freeze(options.params),
    clock: engine.clock,
    log: options.log,
    market: Object.freeze({
      instrument(value: InstrumentId | string) {
        const instrument = instruments.get(id(value));
        if (!instrument) throw new InvariantError(`instrument ${String(value)} is not known to the venue`);
        return instrument;
      },
      lastBar: (value: InstrumentId | string, interval?: number) => engine.market.lastBar(id(value), interval),
      lastTrade: (value: InstrumentId | string) => engine.market.lastTrade(id(value)),
      lastQuote: (value: InstrumentId | string) => engine.market.lastQuote(id(value)),
      book: (value: InstrumentId | string) => engine.market.book(id(value)),
      lastPrice: (value: InstrumentId | string) => engine.market.lastPrice(id(value)),
    }),
    portfolio: engine.portfolioViewFor(strategyId),
    orders: Object.freeze({
      submit: (intent: Parameters<Engine['submit']>[1]) => engine.submit(strategyId, intent),
      cancel: (clientOrderId: Parameters<Engine['cancel']>[0]) => engine.cancel(clientOrderId),
      cancelAll: (instrumentId?: InstrumentId | string) =>
        engine.cancelAll({ strategyId, ...(instrumentId === undefined ? {} : { instrumentId: id(instrumentId) }) }),
      budget: (instrumentId: InstrumentId | string) => engine.orderEntryBudget(id(instrumentId)),
      get tradingState() {
        return engine.risk.state;
      },
    }),
    get warmingUp() {
      return engine.warmingUp;
    },
    state: Object.freeze({
      get: (key: string) => engine.strategyState(strategyId, key),
      set: (key: string, value: unknown) => engine.setStrategyState(strategyId, key, value),
      keys: () => engine.strategyStateKeys(strategyId),
    }),
    learner: Object.freeze({
      advise(query: Parameters<Learner['advise']>[0]) {
        let lowest: ReturnType<Learner['advise']> = { allow: true };
        for (const learner of learners) {
          const advice = learner.advise(query);
          // The most cautious learner wins: any veto vetoes; otherwise the lowest score is kept.
          if (!advice.allow) return advice;
          if (advice.score !== undefined && (lowest.score === undefined || advice.score < lowest.score)) lowest = advice;
        }
        return lowest;
      },
    }),
  });
}
