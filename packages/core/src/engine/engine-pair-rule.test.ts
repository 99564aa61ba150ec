import { describe, expect, it } from 'vitest';
import { krakenSpotInstruments } from '../backtest/instruments.js';
import { TestClock } from '../clock/clock.js';
import { OPERATOR_STRATEGY_ID } from '../control/engine-control.js';
import { StaticInstrumentProvider } from '../exchange/static-instrument-provider.js';
import type { OrderDenied } from '../model/events.js';
import { instrumentId, type ClientOrderId } from '../model/ids.js';
import { InMemoryStore } from '../persistence/store.js';
import { SimulatedVenue } from '../simulation/simulated-venue.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { Engine } from './engine.js';
import { recoverEngineState } from './recovery.js';

// Strategies of one bot share its account. If two traded one pair, each would read the account's
// position as its own: one strategy's exit would sell what the other bought.

const BTC = instrumentId('BTC/USD');
const ETH = instrumentId('ETH/USD');
const instruments = new StaticInstrumentProvider(krakenSpotInstruments());
let processes = 0;

async function bot(options: { strategies?: readonly string[]; store?: InMemoryStore; clock?: TestClock } = {}) {
  const store = options.store ?? new InMemoryStore();
  const clock = options.clock ?? new TestClock(Date.UTC(2024, 0, 1));
  const contexts = new Map<string, StrategyContext>();
  const strategy = (id: string): Strategy => ({ subscriptions: () => [], onStart: (ctx) => void contexts.set(id, ctx) });
  const loaded = store.load();
  const recovered = loaded.snapshot === undefined ? undefined : recoverEngineState(loaded, { instruments: (id) => instruments.get(id) });
  const balances = recovered === undefined ? { USD: '100000' } : Object.fromEntries(recovered.portfolio.balances().map((balance) => [balance.asset, balance.total.toFixed()]));
  const venue = new SimulatedVenue({ instruments: (id) => instruments.get(id), clock, balances, idPrefix: `P${++processes}` });
  const engine = new Engine({
    mode: 'paper', clock, instruments, execution: venue, store, quoteAsset: 'USD', snapshotEvery: 1000,
    strategies: (options.strategies ?? ['trend', 'reversion']).map((id) => ({ id, strategy: strategy(id), params: {} })),
    ...(recovered === undefined ? { startBalances: balances } : { recovered }),
  });
  await engine.start();
  const bar = (price = 40_000, id = BTC) => {
    clock.advanceBy(60_000);
    engine.onBar({ instrumentId: id, interval: 60_000, openTime: clock.now() - 60_000, open: price, high: price, low: price, close: price, volume: 100 });
  };
  const ctx = (id: string) => contexts.get(id)!;
  const denial = (id: ClientOrderId) => store.events().find((event): event is OrderDenied => event.type === 'order-denied' && event.clientOrderId === id);
  return { engine, store, clock, bar, ctx, denial };
}

describe('strategies of one bot never share a pair', () => {
  it('a position one strategy opened is invisible to the others, and their orders on its pair are denied pair-taken', async () => {
    const { bar, ctx, denial, engine } = await bot();
    bar();
    ctx('trend').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    bar();
    expect(ctx('trend').portfolio.position(BTC)?.quantity.toFixed()).toBe('0.1');
    expect(ctx('reversion').portfolio.position(BTC)).toBeUndefined();
    expect(ctx('reversion').portfolio.positions()).toEqual([]);
    expect(engine.portfolioViewFor().position(BTC)?.quantity.toFixed()).toBe('0.1');

    const sell = ctx('reversion').orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.1' });
    expect(denial(sell)).toMatchObject({ code: 'pair-taken', policy: 'pair-rule' });
    expect(denial(sell)?.reason).toBe('BTC/USD is traded by strategy "trend" of this bot (its open position): strategies of one bot do not share a pair, so none sells what another bought');
    const buy = ctx('reversion').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    expect(denial(buy)?.code).toBe('pair-taken');

    // Another pair is free, and the owner trades its own pair as before.
    const other = ctx('reversion').orders.submit({ instrumentId: ETH, side: 'buy', type: 'market', quantity: '1' });
    expect(denial(other)).toBeUndefined();
    const exit = ctx('trend').orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.1' });
    expect(denial(exit)).toBeUndefined();
    bar();
    expect(ctx('trend').portfolio.position(BTC)).toBeUndefined();

    // Flat again, with no open orders: the pair is free for the other strategy.
    const after = ctx('reversion').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    expect(denial(after)).toBeUndefined();
    bar();
    expect(ctx('reversion').portfolio.position(BTC)?.quantity.toFixed()).toBe('0.1');
    expect(ctx('trend').portfolio.position(BTC)).toBeUndefined();
  });

  it('an open order holds the pair too: a second strategy cannot start a position beside a resting entry', async () => {
    const { bar, ctx, denial } = await bot();
    bar();
    ctx('trend').orders.submit({ instrumentId: BTC, side: 'buy', type: 'limit', price: '39000', quantity: '0.1' });
    const buy = ctx('reversion').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    expect(denial(buy)?.reason).toContain('strategy "trend" of this bot (its open orders)');
  });

  it('operators and one-strategy bots are not limited: kbot sell and panic act for the account', async () => {
    const { bar, ctx, engine, denial } = await bot();
    bar();
    ctx('trend').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    bar();
    const operatorSell = engine.submit(OPERATOR_STRATEGY_ID, { instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.05', reduceOnly: true });
    expect(denial(operatorSell)).toBeUndefined();

    const single = await bot({ strategies: ['only'] });
    single.bar();
    expect(single.denial(single.ctx('only').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' }))).toBeUndefined();
  });

  it('after a restart the owner is known again from the position\'s entry order', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(Date.UTC(2024, 0, 1));
    const first = await bot({ store, clock });
    first.bar();
    first.ctx('reversion').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    first.bar();
    await first.engine.stop();

    const second = await bot({ store, clock });
    second.bar();
    expect(second.ctx('reversion').portfolio.position(BTC)?.quantity.toFixed()).toBe('0.1');
    expect(second.ctx('trend').portfolio.position(BTC)).toBeUndefined();
    expect(second.denial(second.ctx('trend').orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.1' }))?.code).toBe('pair-taken');
  });

  it('a position whose strategy left the config is anyone\'s to take over', async () => {
    const store = new InMemoryStore();
    const clock = new TestClock(Date.UTC(2024, 0, 1));
    const first = await bot({ store, clock, strategies: ['retired', 'trend'] });
    first.bar();
    first.ctx('retired').orders.submit({ instrumentId: BTC, side: 'buy', type: 'market', quantity: '0.1' });
    first.bar();
    await first.engine.stop();

    const second = await bot({ store, clock, strategies: ['trend', 'reversion'] });
    second.bar();
    expect(second.ctx('trend').portfolio.position(BTC)?.quantity.toFixed()).toBe('0.1');
    expect(second.denial(second.ctx('trend').orders.submit({ instrumentId: BTC, side: 'sell', type: 'market', quantity: '0.1' }))).toBeUndefined();
  });
});
