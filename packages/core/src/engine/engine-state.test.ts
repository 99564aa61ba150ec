import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import { Decimal } from '../model/decimal.js';
import type { Fill } from '../model/fill.js';
import { clientOrderId, instrumentId, strategyId, tradeId } from '../model/ids.js';
import { decodeValue, encodeValue } from '../persistence/event-codec.js';
import { InMemoryStore } from '../persistence/store.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { FakeExecutionClient } from '../testing/fake-execution-client.js';
import { Engine } from './engine.js';
import { ENGINE_STATE_FORMAT, parseEngineState } from './engine-state.js';

const BTC = instrumentId('BTC/USD');
const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
const btc = instruments.get(BTC)!;

function fill(side: 'buy' | 'sell', quantity: string, price: string, id: string, fee = '0.1'): Fill {
  return {
    tradeId: tradeId(id), clientOrderId: clientOrderId(`o-${id}`), venueOrderId: undefined, strategyId: strategyId('s'), instrumentId: BTC,
    side, quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal(fee), feeAsset: 'USD', liquidity: 'maker', time: Number(id.replace(/\D/g, '')),
  };
}

/** An engine with orders in several states and a position in the middle of a round trip. */
async function busyEngine(): Promise<{ engine: Engine; venue: FakeExecutionClient }> {
  const venue = new FakeExecutionClient({ clock: new TestClock(1_000) });
  const engine = new Engine({
    mode: 'live', clock: new TestClock(1_000), instruments, execution: venue, store: new InMemoryStore(),
    strategies: [{ id: 's', strategy: { subscriptions: () => [] }, params: {} }], quoteAsset: 'USD', startBalances: { USD: '10000', ETH: '0.5' },
    orderIdPrefix: 'L7-',
  });
  await engine.start();
  const entry = engine.submit('s', { instrumentId: BTC, side: 'buy', type: 'limit', price: '40000.1', quantity: '0.03', tag: 'entry', features: { rsi: 28.5 } });
  const canceling = engine.submit('s', { instrumentId: BTC, side: 'buy', type: 'limit', price: '39000', quantity: '0.01', timeInForce: 'gtd', expireAt: 9_000 });
  engine.submit('s', { instrumentId: BTC, side: 'sell', type: 'stop-loss', triggerPrice: '35000', quantity: '0.01', reduceOnly: true });
  venue.acceptAll();
  venue.fill(entry, '0.01', '40000.1', { fee: '1.0001', tradeId: 'K-1' });
  venue.fill(entry, '0.02', '39990', { fee: '2', tradeId: 'K-2' });
  engine.submit('s', { instrumentId: BTC, side: 'sell', type: 'limit', price: '41000', quantity: '0.01' });
  venue.acceptAll();
  venue.fill(clientOrderId('L7-4'), '0.01', '41000', { fee: '1.025', tradeId: 'K-3' });
  engine.cancel(canceling);
  return { engine, venue };
}

describe('the engine snapshot state', () => {
  it('is plain JSON with money as strings, and reads back to the same orders and portfolio', async () => {
    const { engine } = await busyEngine();
    const state = engine.snapshotState();
    const text = JSON.stringify(state);
    expect(text).not.toContain('$decimal');
    expect(state).toMatchObject({ format: ENGINE_STATE_FORMAT, orderCounter: 4, orderIdPrefix: 'L7-', tradingState: 'active' });
    expect(state.portfolio.balances).toEqual({ BTC: '0.02', ETH: '0.5', USD: '9206.1739' });
    expect(state.orders.find((order) => order.clientOrderId === 'L7-2')).toMatchObject({ status: 'pending-cancel', statusBeforeCancel: 'accepted', expireAt: 9_000, timeInForce: 'gtd' });
    expect(state.orders.find((order) => order.clientOrderId === 'L7-1')).toMatchObject({ tradeIds: ['K-1', 'K-2'], features: { rsi: 28.5 }, tag: 'entry', averageFillPrice: engine.orders.get(clientOrderId('L7-1'))!.averageFillPrice!.toFixed() });

    // Through plain JSON (and through the store's codec): the same orders, every Decimal exact.
    for (const copy of [JSON.parse(text), decodeValue(encodeValue(state))]) {
      const parsed = parseEngineState(copy);
      expect(parsed.orders.map((restored) => restored.order)).toEqual(engine.orders.all());
      expect(parsed.orders.map((restored) => restored.tradeIds)).toEqual(engine.orders.all().map((order) => engine.orders.tradeIds(order.clientOrderId)));
      expect(Portfolio.fromJSON(parsed.portfolio).toJSON()).toEqual(state.portfolio);
    }
  });

  it('restores a position in the middle of a round trip: closing it after a restart gives the same round trip', () => {
    const original = new Portfolio({ USD: '10000' });
    original.applyFill(fill('buy', '0.02', '40000', 'T1'), btc);
    original.applyFill(fill('buy', '0.01', '39000', 'T2'), btc);
    original.applyFill(fill('sell', '0.01', '41000', 'T3'), btc);
    const restored = Portfolio.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    expect(restored.position(BTC)).toEqual(original.position(BTC));
    const closeOriginal = original.applyFill(fill('sell', '0.02', '42000', 'T4'), btc);
    const closeRestored = restored.applyFill(fill('sell', '0.02', '42000', 'T4'), btc);
    expect(closeRestored).toEqual(closeOriginal);
    expect(closeRestored.kind).toBe('closed');
    expect(restored.toJSON()).toEqual(original.toJSON());
  });

  it('names the field and the value when a snapshot is not what this kbot wrote', async () => {
    const { engine } = await busyEngine();
    const state = JSON.parse(JSON.stringify(engine.snapshotState()));
    expect(() => parseEngineState({ ...state, format: 2 }, 'snapshot at sequence 9')).toThrow(/snapshot at sequence 9\.format: received 2, expected 1/);
    const orders = [...state.orders];
    orders[1] = { ...orders[1], quantity: 'lots' };
    expect(() => parseEngineState({ ...state, orders })).toThrow(/snapshot\.orders\[1\]\.quantity: received "lots", expected a decimal string/);
    orders[1] = { ...state.orders[1], status: 'gone' };
    expect(() => parseEngineState({ ...state, orders })).toThrow(/snapshot\.orders\[1\]\.status: received "gone", expected "initialized"/);
    expect(() => Portfolio.fromJSON({ ...state.portfolio, balances: { USD: 12 } }, 'portfolio')).toThrow(/portfolio\.balances\.USD: received 12, expected a decimal string/);
    expect(() => parseEngineState({ ...state, tradingState: 'paused' })).toThrow(/snapshot\.tradingState: received "paused", expected "active", "reducing", "halted"/);
  });
});
