import { Decimal } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { WireJsonObject, toWireJson, toWireRequest } from './wire-json.js';

describe('toWireJson', () => {
  it('writes Decimals as JSON numbers with exactly their digits and leaves undefined fields out', () => {
    const text = toWireJson({ method: 'add_order', params: { order_qty: new Decimal('0.00000001'), limit_price: new Decimal('37500.10'), post_only: true, display_qty: undefined, ids: ['a', 1] }, req_id: 7 });
    expect(text).toBe('{"method":"add_order","params":{"order_qty":0.00000001,"limit_price":37500.1,"post_only":true,"ids":["a",1]},"req_id":7}');
    expect(JSON.parse(text).params.order_qty).toBe(1e-8);
    expect(toWireJson({ big: new Decimal('123456789012345678901234.5') })).toBe('{"big":123456789012345678901234.5}');
  });

  it('writes prices and quantities given as text or as tiny or huge numbers as plain JSON numbers, and names a bad one', () => {
    expect(toWireJson({ symbol: 'BTC/USD', order_qty: '1.25', limit_price: 1e-7, triggers: { price: '41000.5' }, cl_ord_id: '123' })).toBe(
      '{"symbol":"BTC/USD","order_qty":1.25,"limit_price":0.0000001,"triggers":{"price":41000.5},"cl_ord_id":"123"}',
    );
    expect(toWireJson({ order_qty: 1e21 })).toBe('{"order_qty":1000000000000000000000}');
    expect(() => toWireJson({ limit_price: 'abc' })).toThrow(/request limit_price: received "abc", expected a decimal number/);
  });

  it('refuses values that are not JSON', () => {
    expect(() => toWireJson({ qty: Number.NaN })).toThrow('request: received NaN, expected a finite number');
    expect(() => toWireJson({ qty: new Decimal(Number.POSITIVE_INFINITY) })).toThrow(/expected a finite decimal/);
    expect(() => toWireJson({ callback: () => 1 })).toThrow(/received a function/);
  });

  it("writes a frozen WireJsonObject as its written text, and anything else (a copy, a thawed one) field by field", () => {
    const written = (fields: string, values: Record<string, unknown>, freeze = true): object => {
      const value = Object.assign(new WireJsonObject(fields), values);
      return freeze ? Object.freeze(value) : value;
    };
    // The written text wins over the fields for a frozen one (the maker guarantees they agree).
    const frozen = written('{"side":"buy","order_qty":0.5', { side: 'buy', order_qty: new Decimal('0.25') });
    expect(toWireJson(frozen)).toBe('{"side":"buy","order_qty":0.5}');
    expect(toWireJson({ params: frozen })).toBe('{"params":{"side":"buy","order_qty":0.5}}');
    // A copy has no written text: its fields are what it says.
    expect(toWireJson({ ...frozen })).toBe('{"side":"buy","order_qty":0.25}');
    // Not frozen, so its fields may have changed since the text was written: field by field.
    expect(toWireJson(written('{"side":"buy"', { side: 'sell' }, false))).toBe('{"side":"sell"}');
    expect(() => new WireJsonObject('')).toThrow(/expected an object's JSON text without its closing brace/);
  });
});

describe('toWireRequest', () => {
  it('writes method, params with the token last, and req_id, as toWireJson of the copied params would', () => {
    const params = { channel: 'executions', snap_trades: true, limit_price: new Decimal('37500.10') };
    expect(toWireRequest('ping', undefined, 3)).toBe('{"method":"ping","req_id":3}');
    expect(toWireRequest('subscribe', params, 4)).toBe('{"method":"subscribe","params":{"channel":"executions","snap_trades":true,"limit_price":37500.1},"req_id":4}');
    expect(toWireRequest('subscribe', params, 5, 'secret')).toBe('{"method":"subscribe","params":{"channel":"executions","snap_trades":true,"limit_price":37500.1,"token":"secret"},"req_id":5}');
    const written = Object.freeze(Object.assign(new WireJsonObject('{"channel":"executions","snap_trades":true,"limit_price":37500.1'), params));
    expect(toWireRequest('subscribe', written, 6, 'secret')).toBe(toWireRequest('subscribe', params, 6, 'secret'));
    expect(toWireRequest('cancel_all', {}, 7, 'a\u0001"b')).toBe('{"method":"cancel_all","params":{"token":"a\\u0001\\"b"},"req_id":7}');
    // params that already hold a token: it keeps its place and takes the new value, as a spread would.
    expect(toWireRequest('cancel_all', { token: 'old', x: 1 }, 8, 'new')).toBe('{"method":"cancel_all","params":{"token":"new","x":1},"req_id":8}');
    expect(() => toWireRequest('add_order', { order_qty: Number.NaN }, 9, 't')).toThrow(/expected a finite number/);
    expect(() => toWireRequest('ping', undefined, Number.POSITIVE_INFINITY)).toThrow(/expected a finite number/);
    expect(toWireRequest('ping', undefined, 2 ** 60)).toBe(`{"method":"ping","req_id":${JSON.stringify(2 ** 60)}}`);
  });
});
