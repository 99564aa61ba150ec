import { describe, expect, it } from 'vitest';
import { JsonNumber, parseLosslessJson } from './lossless-json.js';
import { parseMethodResponse } from './parse-response.js';

describe('parseMethodResponse', () => {
  it('reads an acknowledgement with its req_id, result, warnings and times', () => {
    const reply = parseMethodResponse(
      parseLosslessJson('{"method":"subscribe","req_id":1,"result":{"channel":"ticker","event_trigger":"trades","snapshot":true,"symbol":"BTC/USD","warnings":["snapshot is deprecated"]},"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}'),
    );
    expect(reply).toMatchObject({ method: 'subscribe', requestId: 1, success: true, error: undefined, warnings: ['snapshot is deprecated'], timeIn: Date.parse('2023-09-21T14:15:07.197Z') });
  });

  it('treats a missing or non-boolean success as a failure and keeps the single error string', () => {
    expect(parseMethodResponse({ method: 'subscribe', req_id: 2, error: 'Currency pair not supported ABC/XYZ' })).toMatchObject({ success: false, error: 'Currency pair not supported ABC/XYZ' });
    expect(parseMethodResponse({ method: 'add_order', req_id: 3, success: 'true' }).success).toBe(false);
  });

  it('keeps undocumented top-level fields (batch_cancel orders_cancelled)', () => {
    const reply = parseMethodResponse(parseLosslessJson('{"method":"batch_cancel","req_id":4,"orders_cancelled":2,"success":true}'));
    expect(reply.extra).toEqual({ orders_cancelled: new JsonNumber('2') });
  });

  it('refuses a reply without a method name', () => {
    expect(() => parseMethodResponse({ req_id: 1 })).toThrow(/reply\.method: received nothing, expected a non-empty string/);
  });
});
