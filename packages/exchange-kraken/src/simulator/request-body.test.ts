import { describe, expect, it } from 'vitest';
import { BodyError, listParam, parseBody, parseForm, rawNonce } from './request-body.js';

describe('request bodies', () => {
  it('parses bracketed form fields into nested objects and arrays', () => {
    expect(parseForm('nonce=1&close%5Bordertype%5D=limit&close%5Bprice%5D=10&orders%5B0%5D%5Btype%5D=buy&orders%5B1%5D%5Btype%5D=sell')).toEqual({
      nonce: '1',
      close: { ordertype: 'limit', price: '10' },
      orders: [{ type: 'buy' }, { type: 'sell' }],
    });
  });

  it('reads JSON bodies and refuses broken ones', () => {
    expect(parseBody('{"nonce":5,"orders":[{"type":"buy"}]}', 'application/json')).toEqual({ nonce: 5, orders: [{ type: 'buy' }] });
    expect(() => parseBody('{"nonce":', 'application/json')).toThrow(BodyError);
    expect(() => parseBody('[1]', 'application/json')).toThrow(BodyError);
  });

  it('takes the nonce digits from the raw text, even beyond 2^53', () => {
    const text = '{"nonce":1616492376594123456789,"pair":"XBTUSD"}';
    expect(rawNonce(text, parseBody(text, 'application/json'))).toBe('1616492376594123456789');
    expect(rawNonce('nonce=123&pair=XBTUSD', parseForm('nonce=123&pair=XBTUSD'))).toBe('123');
    expect(rawNonce('pair=XBTUSD', parseForm('pair=XBTUSD'))).toBeUndefined();
  });

  it('splits comma lists', () => {
    expect(listParam('A, B,,C')).toEqual(['A', 'B', 'C']);
    expect(listParam(['A', 'B'])).toEqual(['A', 'B']);
    expect(listParam(undefined)).toEqual([]);
  });
});
