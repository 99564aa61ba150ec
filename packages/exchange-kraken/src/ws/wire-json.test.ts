import { Decimal } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import { toWireJson } from './wire-json.js';

describe('toWireJson', () => {
  it('writes Decimals as JSON numbers with exactly their digits and leaves undefined fields out', () => {
    const text = toWireJson({ method: 'add_order', params: { order_qty: new Decimal('0.00000001'), limit_price: new Decimal('37500.10'), post_only: true, display_qty: undefined, ids: ['a', 1] }, req_id: 7 });
    expect(text).toBe('{"method":"add_order","params":{"order_qty":0.00000001,"limit_price":37500.1,"post_only":true,"ids":["a",1]},"req_id":7}');
    expect(JSON.parse(text).params.order_qty).toBe(1e-8);
    expect(toWireJson({ big: new Decimal('123456789012345678901234.5') })).toBe('{"big":123456789012345678901234.5}');
  });

  it('refuses values that are not JSON', () => {
    expect(() => toWireJson({ qty: Number.NaN })).toThrow('request: received NaN, expected a finite number');
    expect(() => toWireJson({ qty: new Decimal(Number.POSITIVE_INFINITY) })).toThrow(/expected a finite decimal/);
    expect(() => toWireJson({ callback: () => 1 })).toThrow(/received a function/);
  });
});
