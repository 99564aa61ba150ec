import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import type { OrderEvent } from '../model/events.js';
import { InMemoryStore } from '../persistence/store.js';
import type { Strategy } from '../strategy/strategy.js';
import { createFakeExchange } from '../testing/fake-exchange.js';
import { Engine } from './engine.js';

// The venue's answers to an order and to its cancel can cross: a strategy that cancels in the
// handler that submitted (or a live cancel sent while AddOrder is in flight) hears about the
// order after asking to cancel it. Whatever order the answers come in, the order must end in the
// state the venue holds it in, and the strategy must hear every answer.

async function engineWithFake() {
  const clock = new TestClock(Date.UTC(2024, 0, 1));
  const exchange = createFakeExchange({ clock, autoRespond: false });
  const heard: string[] = [];
  const strategy: Strategy<Record<string, never>> = {
    subscriptions: () => [],
    onOrderEvent: (event: OrderEvent) => heard.push(`${event.type} ${event.order.status}`),
  };
  const engine = new Engine({
    mode: 'paper', clock, instruments: exchange.instruments, execution: exchange.execution, store: new InMemoryStore(),
    strategies: [{ id: 's', strategy, params: {} }], quoteAsset: 'USD', startBalances: { USD: '100000' },
  });
  await engine.start();
  const id = engine.submit('s', { instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '1', price: '40000' });
  return { engine, exchange, heard, id };
}

describe('an order whose cancel was requested before the venue answered the order', () => {
  it('ends rejected when the venue refuses the order, and the later refused cancel changes nothing', async () => {
    const { engine, exchange, heard, id } = await engineWithFake();
    engine.cancel(id);
    exchange.execution.reject(id, 'EOrder:Insufficient funds');
    exchange.execution.rejectCancel(id, 'EOrder:Unknown order');
    expect(engine.orders.get(id)!.status).toBe('rejected');
    expect(engine.orders.get(id)!.reason).toBe('EOrder:Insufficient funds');
    expect(heard).toEqual(['order-submitted submitted', 'order-cancel-requested pending-cancel', 'order-rejected rejected']);
    expect(engine.orders.openCount()).toBe(0);
    expect(engine.held('USD').toFixed()).toBe('0');
    await engine.stop();
  });

  it('keeps the venue id when the venue accepts it, and ends canceled when the cancel lands', async () => {
    const { engine, exchange, heard, id } = await engineWithFake();
    engine.cancel(id);
    const venueId = exchange.execution.accept(id);
    expect(engine.orders.get(id)!.status).toBe('pending-cancel');
    expect(engine.orders.get(id)!.venueOrderId).toBe(venueId);
    exchange.execution.confirmCancel(id);
    expect(engine.orders.get(id)!.status).toBe('canceled');
    expect(engine.orders.get(id)!.venueOrderId).toBe(venueId);
    expect(heard).toEqual(['order-submitted submitted', 'order-cancel-requested pending-cancel', 'order-accepted pending-cancel', 'order-canceled canceled']);
    await engine.stop();
  });

  it('is accepted again when the venue accepts it and then refuses the cancel', async () => {
    const { engine, exchange, id } = await engineWithFake();
    engine.cancel(id);
    exchange.execution.accept(id);
    exchange.execution.rejectCancel(id, 'EOrder:Rate limit exceeded');
    expect(engine.orders.get(id)!.status).toBe('accepted');
    expect(engine.orders.openCount()).toBe(1);
    await engine.stop();
  });
});

describe('an order part-filled while its cancel is in flight', () => {
  it('is partially filled, not accepted, when the venue refuses the cancel', async () => {
    const { engine, exchange, id } = await engineWithFake();
    exchange.execution.accept(id);
    engine.cancel(id);
    exchange.execution.fill(id, '0.2', '40000', { fee: '20' });
    expect(engine.orders.get(id)!.status).toBe('pending-cancel');
    exchange.execution.rejectCancel(id, 'EOrder:Rate limit exceeded');
    expect(engine.orders.get(id)!.status).toBe('partially-filled');
    expect(engine.orders.get(id)!.filledQuantity.toFixed()).toBe('0.2');
    exchange.execution.fill(id, '0.8', '40000', { fee: '80' });
    expect(engine.orders.get(id)!.status).toBe('filled');
    await engine.stop();
  });
});
