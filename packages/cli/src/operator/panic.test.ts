import { Decimal, defineInstrument, type Balance, type Instrument, type InstrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import type { MarketPrice, OperatorVenue, PlacedOrder } from './operator-venue.js';
import { panic } from './panic.js';

const INSTRUMENTS = [
  defineInstrument({ id: 'BTC/USD', pricePrecision: 1, quantityPrecision: 8, minQuantity: '0.0001', minCost: '0.5' }),
  defineInstrument({ id: 'ETH/USD', pricePrecision: 2, quantityPrecision: 8, minQuantity: '0.002', minCost: '0.5' }),
];

/** A venue in memory: balances, prices, and a log of what was asked of it. */
class FakeVenue implements OperatorVenue {
  readonly exchangeId = 'fake';
  readonly endpoint = 'memory';
  readonly calls: string[] = [];
  failCancel = false;
  failSellOf: string | undefined;

  constructor(private readonly balances: Balance[]) {}

  async instruments(): Promise<readonly Instrument[]> {
    return INSTRUMENTS;
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    this.calls.push('balances');
    return this.balances;
  }

  async fetchOpenOrders() {
    return [];
  }

  async fetchPrices(ids: readonly InstrumentId[]): Promise<ReadonlyMap<InstrumentId, MarketPrice>> {
    const price = (value: string): MarketPrice => ({ bid: new Decimal(value), ask: new Decimal(value), last: new Decimal(value) });
    return new Map(ids.map((id) => [id, price(id === 'BTC/USD' ? '40000' : '2000')]));
  }

  async cancelAllOrders(): Promise<number> {
    this.calls.push('cancel-all');
    if (this.failCancel) throw new Error('venue down');
    return 2;
  }

  async submitMarketOrder(order: { instrument: Instrument; side: 'buy' | 'sell'; quantity: Decimal }): Promise<PlacedOrder> {
    this.calls.push(`${order.side} ${order.quantity.toFixed()} ${order.instrument.id}`);
    if (order.instrument.base === this.failSellOf) throw new Error('EOrder:Insufficient funds');
    return { id: `O-${this.calls.length}`, clientOrderId: 'c', description: '', status: 'closed', filled: order.quantity, averagePrice: undefined };
  }
}

const balance = (asset: string, total: string, available = total): Balance => ({ asset, total: new Decimal(total), available: new Decimal(available) });

describe('panic', () => {
  it('halts first, then cancels; without flatten it sells nothing', async () => {
    const venue = new FakeVenue([balance('BTC', '1')]);
    const order: string[] = [];
    const report = await panic(venue, { quote: 'USD', halt: () => void order.push('halt') });
    expect(report).toMatchObject({ halt: 'halted', canceled: 2, flatten: false, sold: [], unsold: [], errors: [] });
    expect(venue.calls).toEqual(['cancel-all']);
    expect(order).toEqual(['halt']);
  });

  it('keeps going after a failed halt or cancel, and reports each failure', async () => {
    const venue = new FakeVenue([balance('USD', '100'), balance('BTC', '0.5')]);
    venue.failCancel = true;
    const report = await panic(venue, { quote: 'USD', flatten: true, halt: () => { throw new Error('bus closed'); } });
    expect(report.halt).toBe('failed');
    expect(report.canceled).toBeUndefined();
    expect(report.errors).toEqual(['halt: bus closed', 'cancel all orders: venue down']);
    expect(report.sold.map((sale) => `${sale.quantity.toFixed()} ${sale.asset}`)).toEqual(['0.5 BTC']);
  });

  it('flattens what it can and says why the rest stays: held, staking, kept, failed', async () => {
    const venue = new FakeVenue([balance('USD', '100'), balance('BTC', '0.5', '0.3'), balance('DOT.S', '10'), balance('USDT', '50'), balance('ETH', '1')]);
    venue.failSellOf = 'ETH';
    const report = await panic(venue, { quote: 'usd', keep: ['usdt'], flatten: true });
    expect(venue.calls).toEqual(['cancel-all', 'balances', 'sell 0.3 BTC/USD', 'sell 1 ETH/USD']);
    expect(report.quote).toBe('USD');
    expect(report.sold.map((sale) => sale.asset)).toEqual(['BTC']);
    expect(report.unsold.map((left) => `${left.quantity.toFixed()} ${left.asset}: ${left.reason}`)).toEqual([
      '10 DOT.S: a staking or earn balance: it cannot be traded until it is moved to spot',
      '0.2 BTC: held by an open order that was not canceled',
      '1 ETH: the sell order failed: EOrder:Insufficient funds',
    ]);
    expect(report.errors).toEqual(['sell 1 ETH on ETH/USD: EOrder:Insufficient funds']);
  });
});
