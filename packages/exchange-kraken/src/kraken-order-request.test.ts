import { Decimal, defineInstrument, krakenSpotInstruments, type Instrument } from '@kbot/core';
import { submitOrder } from '@kbot/core/testing';
import { describe, expect, it } from 'vitest';
import { isKrakenClientOrderId, toKrakenClientOrderId } from './client-order-id.js';
import { buildKrakenOrderRequest } from './kraken-order-request.js';
import { toWireJson, toWireRequest } from './ws/wire-json.js';

const BTC_USD = krakenSpotInstruments().find((instrument) => instrument.id === 'BTC/USD') as Instrument;
/** A pair whose tick (0.5) and lot (0.25) are not one unit of the last decimal: rounding must do arithmetic. */
const COARSE = defineInstrument({ id: 'CRS/USD', pricePrecision: 1, quantityPrecision: 2, priceIncrement: '0.5', quantityIncrement: '0.25' });
/** A pair with whole-number prices (precision 0). */
const WHOLE = defineInstrument({ id: 'WHL/EUR', pricePrecision: 0, quantityPrecision: 3 });

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
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', timeInForce: 'fok' as never }), BTC_USD, 'f')).toThrow('timeInForce: received "fok", expected "gtc", "ioc" or "gtd"');
  });

  it('sends good till canceled over REST when an order names no time in force, as the WebSocket request does', () => {
    const request = buildKrakenOrderRequest({ ...submitOrder({ instrumentId: 'BTC/USD', price: '39500.5' }), timeInForce: undefined } as never, BTC_USD, 'g');
    expect((request.rest as unknown as Record<string, unknown>).timeinforce).toBe('GTC');
    expect(toWireJson(request.ws)).not.toContain('time_in_force');
  });

  it('writes the add_order text Kraken expects, byte for byte, with the token last in params', () => {
    const order = submitOrder({ clientOrderId: 'L1690000000000-42', instrumentId: 'BTC/USD', side: 'buy', type: 'limit', quantity: '0.001', price: '29099.9', postOnly: true });
    const request = buildKrakenOrderRequest(order, BTC_USD, 'L1690000000000-42');
    expect(toWireRequest('add_order', request.ws, 17, 'tok"en')).toBe(
      '{"method":"add_order","params":{"symbol":"BTC/USD","order_type":"limit","side":"buy","order_qty":0.001,"limit_price":29099.9,"time_in_force":"gtc","post_only":true,"cl_ord_id":"L1690000000000-42","token":"tok\\"en"},"req_id":17}',
    );
    const gtd = buildKrakenOrderRequest(
      submitOrder({ instrumentId: 'BTC/USD', side: 'sell', type: 'take-profit', triggerPrice: '41000', quantity: '12.5', timeInForce: 'gtd', expireAt: Date.parse('2024-01-02T03:04:05.678Z') }),
      BTC_USD,
      'kb-9',
    );
    expect(toWireJson(gtd.ws)).toBe(
      '{"symbol":"BTC/USD","order_type":"take-profit","side":"sell","order_qty":12.5,"triggers":{"reference":"last","price":41000},"time_in_force":"gtd","expire_time":"2024-01-02T03:04:05.678Z","cl_ord_id":"kb-9"}',
    );
    expect(gtd.rest).toEqual({ pair: 'XBTUSD', type: 'sell', ordertype: 'take-profit', volume: '12.50000000', price: '41000.0', timeinforce: 'GTD', expiretm: '1704164645', cl_ord_id: 'kb-9' });
    expect(Object.keys(gtd.rest)).toEqual(['pair', 'type', 'ordertype', 'volume', 'price', 'timeinforce', 'expiretm', 'cl_ord_id']);
  });

  it('writes the same text as the field-by-field serializer for every order shape, at exact precision', () => {
    const shapes: { instrument: Instrument; input: Parameters<typeof submitOrder>[0] }[] = [];
    const quantities = ['0.00000001', '0.001', '1', '12.5', '123456789.12345678', '0.123456789', '7e-8', '100'];
    const prices = ['29099.9', '38000', '0.1', '99999999.9', '40000.04', '1e3', '30000.55'];
    for (const instrument of [BTC_USD, COARSE, WHOLE]) {
      for (const [index, quantity] of quantities.entries()) {
        const price = prices[index % prices.length]!;
        const side = index % 2 === 0 ? 'buy' : 'sell';
        shapes.push({ instrument, input: { instrumentId: instrument.id, side, type: 'limit', quantity, price, postOnly: index % 3 === 0 } });
        shapes.push({ instrument, input: { instrumentId: instrument.id, side, type: 'market', quantity, timeInForce: index % 2 === 0 ? 'ioc' : 'gtc' } });
        shapes.push({ instrument, input: { instrumentId: instrument.id, side, type: index % 2 === 0 ? 'stop-loss' : 'take-profit', quantity, triggerPrice: price, timeInForce: 'gtd', expireAt: 1_700_000_000_123 + index } });
      }
    }
    let checked = 0;
    for (const { instrument, input } of shapes) {
      let request;
      try {
        request = buildKrakenOrderRequest(submitOrder(input), instrument, `id-"${checked}`);
      } catch (error) {
        expect((error as Error).message).toMatch(/below one lot|rounds to/); // a quantity under the lot, say
        continue;
      }
      checked++;
      expect(Object.isFrozen(request.ws)).toBe(true);
      // A copy is not the object the builder wrote text for: toWireJson walks its fields.
      const fieldByField = toWireJson({ ...request.ws });
      expect(toWireJson(request.ws)).toBe(fieldByField);
      expect(toWireRequest('add_order', request.ws, checked, 'token')).toBe(toWireJson({ method: 'add_order', params: { ...request.ws, token: 'token' }, req_id: checked }));
      // The numbers on the socket are the REST texts' exact digits, never float-formatted.
      const sent = JSON.parse(fieldByField) as { order_qty: number; limit_price?: number; triggers?: { price: number } };
      expect(new Decimal(request.quantity).equals(new Decimal(fieldByField.match(/"order_qty":([^,}]+)/)![1]!))).toBe(true);
      expect(request.quantity).toBe(request.quantityValue.toFixed(instrument.quantityPrecision));
      expect(request.rest.volume).toBe(request.quantity);
      const priceOnWire = (sent.limit_price ?? sent.triggers?.price) === undefined ? undefined : fieldByField.match(/"(?:limit_price|price)":([^,}]+)/)![1]!;
      expect(priceOnWire === undefined ? undefined : new Decimal(priceOnWire).toFixed(instrument.pricePrecision)).toBe(request.price);
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('rounds on a coarse tick and lot, and only marks orders it changed as rounded', () => {
    const onGrid = buildKrakenOrderRequest(submitOrder({ instrumentId: COARSE.id, side: 'buy', type: 'limit', quantity: '1.75', price: '100.5' }), COARSE, 'a');
    expect([onGrid.quantity, onGrid.price, onGrid.rounded]).toEqual(['1.75', '100.5', false]);
    const buy = buildKrakenOrderRequest(submitOrder({ instrumentId: COARSE.id, side: 'buy', type: 'limit', quantity: '1.8', price: '100.4' }), COARSE, 'b');
    expect([buy.quantity, buy.price, buy.rounded, toWireJson(buy.ws)]).toEqual([
      '1.75',
      '100.0',
      true,
      '{"symbol":"CRS/USD","order_type":"limit","side":"buy","order_qty":1.75,"limit_price":100,"time_in_force":"gtc","cl_ord_id":"b"}',
    ]);
    const sell = buildKrakenOrderRequest(submitOrder({ instrumentId: COARSE.id, side: 'sell', type: 'limit', quantity: '0.5', price: '100.1' }), COARSE, 'c');
    expect([sell.price, sell.rounded]).toEqual(['100.5', true]);
    const whole = buildKrakenOrderRequest(submitOrder({ instrumentId: WHOLE.id, side: 'sell', type: 'limit', quantity: '2', price: '1500' }), WHOLE, 'd');
    expect([whole.quantity, whole.price, whole.rest.price, toWireJson(whole.ws)]).toEqual([
      '2.000',
      '1500',
      '1500',
      '{"symbol":"WHL/EUR","order_type":"limit","side":"sell","order_qty":2,"limit_price":1500,"time_in_force":"gtc","cl_ord_id":"d"}',
    ]);
    // A price of zero or below is refused, whether or not it sits on the tick.
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', type: 'limit', price: '0', quantity: '1' }), BTC_USD, 'e')).toThrow('EOrder:Invalid price: price: received 0, expected a positive price');
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', type: 'limit', price: '-1', quantity: '1' }), BTC_USD, 'e2')).toThrow('EOrder:Invalid price: price: received -1, expected a positive price');
    expect(() => buildKrakenOrderRequest(submitOrder({ instrumentId: 'BTC/USD', side: 'buy', type: 'limit', price: '0.04', quantity: '1' }), BTC_USD, 'f')).toThrow('EOrder:Invalid price: price: 0.04 rounds to 0 at the tick of BTC/USD (0.1)');
    expect(() => buildKrakenOrderRequest({ ...submitOrder({ instrumentId: 'BTC/USD', type: 'market', quantity: '1' }), quantity: new Decimal(Number.NaN) } as never, BTC_USD, 'g')).toThrow(
      'EGeneral:Invalid arguments:volume: quantity: received NaN, expected a positive BTC quantity of at least one lot (0.00000001)',
    );
  });
});
