import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import type { OrderEntryBudget } from '../exchange/exchange.js';
import type { InstrumentId } from '../model/ids.js';
import { InMemoryStore } from '../persistence/store.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import { Engine } from './engine.js';

async function budgetSeenByStrategy(withBudget: boolean): Promise<OrderEntryBudget | undefined> {
  const clock = new TestClock(Date.UTC(2024, 0, 1));
  const exchange = createFakeExchange({ clock });
  const asked: InstrumentId[] = [];
  if (withBudget) {
    Object.assign(exchange.execution, {
      orderEntryBudget: (id: InstrumentId): OrderEntryBudget => {
        asked.push(id);
        return { remaining: 42, submitCost: 1, cancelCost: () => 8 };
      },
    });
  }
  let seen: OrderEntryBudget | undefined;
  const strategy: Strategy<Record<string, never>> = {
    subscriptions: () => [],
    onStart: (ctx: StrategyContext<Record<string, never>>) => {
      seen = ctx.orders.budget('BTC/USD');
    },
  };
  const engine = new Engine({ mode: 'live', clock, instruments: exchange.instruments, execution: exchange.execution, store: new InMemoryStore(), strategies: [{ id: 's', strategy, params: {} }], quoteAsset: 'USD' });
  await engine.start();
  await engine.stop();
  if (withBudget) expect(asked).toEqual(['BTC/USD']);
  return seen;
}

describe('ctx.orders.tradingState', () => {
  it("follows the engine's trading state as it moves", async () => {
    const clock = new TestClock(Date.UTC(2024, 0, 1));
    const exchange = createFakeExchange({ clock });
    let ctx: StrategyContext<Record<string, never>> | undefined;
    const strategy: Strategy<Record<string, never>> = { subscriptions: () => [], onStart: (context) => (ctx = context) };
    const engine = new Engine({ mode: 'live', clock, instruments: exchange.instruments, execution: exchange.execution, store: new InMemoryStore(), strategies: [{ id: 's', strategy, params: {} }], quoteAsset: 'USD' });
    await engine.start();
    expect(ctx!.orders.tradingState).toBe('active');
    engine.setTradingState('halted', 'test');
    expect(ctx!.orders.tradingState).toBe('halted');
    engine.setTradingState('active', 'test');
    expect(ctx!.orders.tradingState).toBe('active');
    await engine.stop();
  });
});

describe('ctx.orders.budget', () => {
  it("is the execution client's order-entry budget for the instrument", async () => {
    const budget = await budgetSeenByStrategy(true);
    expect(budget?.remaining).toBe(42);
    expect(budget?.cancelCost('x' as never)).toBe(8);
  });

  it('is undefined where the venue sets no limit (the fake, like the simulated venue)', async () => {
    expect(await budgetSeenByStrategy(false)).toBeUndefined();
  });
});
