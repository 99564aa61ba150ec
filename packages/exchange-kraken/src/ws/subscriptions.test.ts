import { ConfigError } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { expandSubscription, subscriptionKey } from './subscriptions.js';

describe('expandSubscription', () => {
  it("spells out Kraken's request params, keeping unsubscribe free of snapshot and event_trigger", () => {
    expect(expandSubscription({ channel: 'ticker', symbols: ['BTC/USD', 'BTC/USD', 'ETH/USD'], eventTrigger: 'bbo' })).toEqual({
      channel: 'ticker',
      symbols: ['BTC/USD', 'ETH/USD'],
      variant: undefined,
      subscribeParams: { channel: 'ticker', event_trigger: 'bbo' },
      unsubscribeParams: { channel: 'ticker' },
    });
    expect(expandSubscription({ channel: 'book', symbols: ['BTC/USD'], depth: 100 })).toMatchObject({ variant: 100, subscribeParams: { channel: 'book', depth: 100, snapshot: true }, unsubscribeParams: { channel: 'book', depth: 100 } });
    expect(expandSubscription({ channel: 'ohlc', symbols: ['BTC/USD'] })).toMatchObject({ variant: 1, unsubscribeParams: { channel: 'ohlc', interval: 1 } });
    expect(expandSubscription({ channel: 'executions', snapOrders: true, snapTrades: true })).toMatchObject({ symbols: [undefined], subscribeParams: { channel: 'executions', snap_orders: true, snap_trades: true } });
  });

  it('keys live subscriptions the way Kraken does: book by depth, ohlc by interval', () => {
    expect(subscriptionKey({ channel: 'book', symbol: 'BTC/USD', variant: 10 })).not.toBe(subscriptionKey({ channel: 'book', symbol: 'BTC/USD', variant: 25 }));
    expect(subscriptionKey({ channel: 'balances', symbol: undefined, variant: undefined })).toBe('balances||');
  });

  it('spells out a level3 subscription: private, by depth, always from a snapshot', () => {
    expect(expandSubscription({ channel: 'level3', symbols: ['BTC/USD'] })).toEqual({
      channel: 'level3', symbols: ['BTC/USD'], variant: 10, subscribeParams: { channel: 'level3', depth: 10, snapshot: true }, unsubscribeParams: { channel: 'level3', depth: 10 },
    });
  });

  it('refuses bad symbols, depths, intervals and channels with ConfigError naming each', () => {
    expect(() => expandSubscription({ channel: 'trade', symbols: [] })).toThrow(/trade\.symbols: received \[\], expected at least one symbol/);
    expect(() => expandSubscription({ channel: 'trade', symbols: ['BTCUSD'] })).toThrow(/trade\.symbols\[0\]: received "BTCUSD", expected a v2 symbol/);
    expect(() => expandSubscription({ channel: 'ohlc', symbols: ['BTC/USD'], interval: 2 as never })).toThrow(/ohlc\.interval: received 2/);
    expect(() => expandSubscription({ channel: 'level3' } as never)).toThrow(/level3\.symbols: received nothing, expected an array of v2 symbols/);
    expect(() => expandSubscription({ channel: 'level3', symbols: ['BTC/USD'], depth: 25 as never })).toThrow(/level3\.depth: received 25, expected one of 10, 100, 1000/);
    expect(() => expandSubscription({ channel: 'orders' } as never)).toThrow(ConfigError);
  });
});
