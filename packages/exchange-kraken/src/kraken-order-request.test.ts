import { Decimal, krakenSpotInstruments, type Instrument } from '@kbot/core';
import { submitOrder } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { isKrakenClientOrderId, toKrakenClientOrderId } from './client-order-id.js';
import { buildKrakenOrderRequest } from './kraken-order-request.js';
import { toWireJson } from './ws/wire-json.js';

const BTC_USD = krakenSpotInstruments().find((instrument) => instrument.id === 'BTC/USD') as Instrument;

describe('cl_ord_id for kbot client order ids', () => {
  it("keeps kbot's ids as they are when Kraken accepts them", () => {
    for (const id of ['kb-1', 'Lmf0abcd1-123456', 'd15708c1-dbb6-465d-b77d-47258319cc90', '0123456789abcdef0123456789abcdef']) {
      expect(isKrakenClientOrderId(id)).toBe(true);
      expect(toKrakenClientOrderId(id)).toBe(id);
    }
  });

  it('maps longer or spaced ids to 32 hex digits, the same every time', () => {
    const long = 'mean-reversion-btc-usd-000123';
    const mapped = toKrakenClientOrderId(long);
    expect(mapped).toMatch(/^[0-9a-f]{32}$/);
    expect(toKrakenClientOrderId(long)).toBe(mapped);
    expect(toKrakenClientOrderId('has space')).toMatch(/^[0-9a-f]{32}$/);
    expect(toKrakenClientOrderId('mean-reversion-btc-usd-000124')).not.toBe(mapped);
  });
});

describe('buildKrakenOrderRequest', () => {
  it('writes a limit order at the instrument precision on both paths, as JSON numbers on the socket', () => {
    const order = submitOrder({ clientOrderId: 'kb-7', instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '0.0015', price: '39500.5', postOnly: true });
    const request = buildKrakenOrderRequest(order, BTC_USD, 'kb-7');
    expect(request.rounded).toBe(false);
    expect(toWireJson(request.ws)).toBe(
      '{"symbol":"BTC/USD","order_type":"limit","side":"buy","order_qty":0.0015,"limit_price":39500.5,"time_in_force":"gtc","post_only":true,"cl_ord_id":"kb-7"}',
    );
    expect(request.rest).toEqual({ pair: 'XBTUSD', type: 'buy', ordertype: 'limit', volume: '0.00150000', price: '39500.5', oflags: ['post'], timeinforce: 'GTC', cl_ord_id: 'kb-7' });
  });

  it('rounds what the engine did not: quantity down to the lot, a sell price up to the tick', () => {
    const order = submitOrder({ clientOrderId: 'kb-8', instrumentId: 'BTC/USD', side: 'sell', type: 'limit', quantity: '0.123456789', price: '40000.04' });
    const request = buildKrakenOrderRequest(order, BTC_USD, 'kb-8');
    expect([request.quantity, request.price, request.rounded]).toEqual(['0.12345678', '40000.1', true]);
  });

  it('sends market orders without a price and trigger orders with a trigger', () => {
    const market = buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', type: 'market', price: undefined, quantity: '0.01' }), BTC_USD, 'a');
    expect(market.ws).not.toHaveProperty('limit_price');
    expect(market.rest).not.toHaveProperty('price');
    const stop = buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', side: 'sell', type: 'stop-loss', price: undefined, triggerPrice: new Decimal('38000'), quantity: '0.01' }), BTC_USD, 'b');
    expect(toWireJson(stop.ws.triggers)).toBe('{"reference":"last","price":38000}');
    expect(stop.rest).toMatchObject({ ordertype: 'stop-loss', price: '38000.0' });
  });

  it('refuses what Kraken cannot express, naming the field', () => {
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', quantity: '0.000000001' }), BTC_USD, 'c')).toThrow(/below one lot/);
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', type: 'market', price: undefined, postOnly: true }), BTC_USD, 'd')).toThrow(/postOnly/);
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', timeInForce: 'gtd' }), BTC_USD, 'e')).toThrow(/expireAt/);
  });
});
