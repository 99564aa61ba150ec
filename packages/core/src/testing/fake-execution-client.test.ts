import { describe, expect, it } from 'vitest';
import { TestClock } from '../clock/clock.js';
import { Engine } from '../engine/engine.js';
import { InvariantError } from '../errors/errors.js';
import { InMemoryStore } from '../persistence/store.js';
import type { Strategy } from '../strategy/strategy.js';
import { createFakeExchange } from './fake-exchange.js';
import { FakeExecutionClient } from './fake-execution-client.js';
import { bars } from './market-data-builders.js';
import { submitOrder } from './order-builders.js';
import { RecordingSink } from './recording-sink.js';

describe('FakeExecutionClient', () => {
  it('records submits and cancels and reports only what the test says', async () => {
    const clock = new TestClock(1000);
    const client = new FakeExecutionClient({ clock });
    const sink = new RecordingSink();
    await client.connect(sink);
    const first = submitOrder({ clientOrderId: 'a', quantity: '0.5', price: '100' });
    const second = submitOrder({ clientOrderId: 'b' });
    client.submit(first);
    client.submit(second);
    expect(client.submitted.map((order) => order.clientOrderId)).toEqual(['a', 'b']);
    expect(sink.reports).toEqual([]);

    expect(client.acceptAll()).toEqual(['a', 'b']);
    clock.advanceTo(2000);
    const fill = client.fill('a', '0.2', '99.5', { fee: '0.05' });
    expect([fill.tradeId, fill.venueOrderId, fill.quantity.toFixed(), fill.price.toFixed(), fill.fee.toFixed(), fill.feeAsset, fill.time]).toEqual(['T-FAKE-1', 'O-FAKE-1', '0.2', '99.5', '0.05', 'USD', 2000]);
    expect(client.status('a')).toBe('partially-filled');
    client.cancel({ clientOrderId: second.clientOrderId, venueOrderId: undefined, instrumentId: second.instrumentId, requestedAt: 2000 });
    expect(client.cancels).toHaveLength(1);
    client.confirmCancel('b');
    client.rejectCancel('zzz', 'EOrder:Unknown order');
    expect(sink.reports.map((report) => `${report.kind} ${report.clientOrderId} ${report.time}`)).toEqual([
      'accepted a 1000', 'accepted b 1000', 'filled a 2000', 'canceled b 2000', 'cancel-rejected zzz 2000',
    ]);
    expect(client.openOrders().map((order) => order.clientOrderId)).toEqual(['a']);
    const reconciled = await client.reconcile(0);
    expect(reconciled.orders.map((state) => [state.clientOrderId, state.status, state.filledQuantity.toFixed()])).toEqual([['a', 'partially-filled', '0.2'], ['b', 'canceled', '0']]);
    expect(reconciled.fills).toEqual([fill]);
  });

  it('refuses to overfill, to drive unknown orders, and to work unconnected or closed', async () => {
    const client = new FakeExecutionClient();
    expect(() => client.submit(submitOrder())).toThrow(/before connect/);
    await client.connect(new RecordingSink());
    client.submit(submitOrder({ clientOrderId: 'x', quantity: '1' }));
    client.fill('x', '0.6', '10');
    expect(() => client.fill('x', '0.5', '10')).toThrow(/above its quantity 1/);
    expect(() => client.accept('nope')).toThrow(InvariantError);
    expect(() => client.accept('nope')).toThrow(/"nope".*known: x/);
    await client.close();
    expect(() => client.submit(submitOrder())).toThrow(/after close/);
  });

  it('with autoRespond, answers like a venue that checks the instrument rules', async () => {
    const exchange = createFakeExchange({ autoRespond: true });
    const sink = new RecordingSink();
    await exchange.execution.connect(sink);
    exchange.execution.submit(submitOrder({ clientOrderId: 'ok', quantity: '0.01', price: '40000' }));
    exchange.execution.submit(submitOrder({ clientOrderId: 'small', quantity: '0.00001', price: '40000' }));
    exchange.execution.submit(submitOrder({ clientOrderId: 'eth', instrumentId: 'ETH/USD', quantity: '1', price: '2000' }));
    exchange.execution.submit(submitOrder({ clientOrderId: 'ok', quantity: '0.01', price: '40000' }));
    expect(sink.reports.map((report) => `${report.kind} ${report.clientOrderId}${'reason' in report ? ` ${report.reason}` : ''}`)).toEqual([
      'accepted ok',
      'rejected small EOrder:Order minimum not met',
      'rejected eth EQuery:Unknown asset pair',
      'rejected ok EGeneral:Invalid arguments:cl_ord_id',
    ]);
  });

  it('drives the real engine: accepted and filled reports become journaled events and a position', async () => {
    const exchange = createFakeExchange({ balances: { USD: '1000' } });
    const clock = new TestClock(0);
    const store = new InMemoryStore();
    let submitted = false;
    const strategy: Strategy<undefined> = {
      subscriptions: () => [{ instrumentId: 'BTC/USD' as never, kind: 'bars', interval: 60_000 }],
      onBar: (_bar, ctx) => {
        if (!submitted) ctx.orders.submit({ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '0.01', price: '40000' });
        submitted = true;
      },
    };
    const engine = new Engine({
      mode: 'backtest', clock, instruments: exchange.instruments, execution: exchange.execution, store,
      strategies: [{ id: 'fake-driven', strategy, params: undefined }], quoteAsset: 'USD', startBalances: { USD: '1000' },
    });
    await engine.start();
    for (const candle of bars([40_100, 40_050])) engine.onBar(candle);
    expect(exchange.execution.submitted.map((order) => [order.clientOrderId, order.price?.toFixed()])).toEqual([['kb-1', '40000']]);
    exchange.execution.acceptAll();
    exchange.execution.fill('kb-1', '0.01', '40000', { fee: '1', liquidity: 'maker' });
    expect(store.events().map((event) => event.type)).toEqual(['engine-started', 'order-submitted', 'order-accepted', 'order-filled', 'position-opened']);
    expect(engine.portfolio.balanceTotal('USD').toFixed()).toBe('599');
    expect(engine.portfolio.balanceTotal('BTC').toFixed()).toBe('0.01');
  });
});
