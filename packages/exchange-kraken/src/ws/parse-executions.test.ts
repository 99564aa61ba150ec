import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './lossless-json.js';
import { parseExecutionsMessage } from './parse-executions.js';

// Spec §8.12 examples: pending_new → new → trade (partially_filled) → filled.
const MESSAGES = [
  '{"channel":"executions","type":"update","sequence":5,"data":[{"exec_type":"pending_new","order_id":"OABC12-DEF34-GHI567","cl_ord_id":"d15708c1-dbb6-465d-b77d-47258319cc90","symbol":"BTC/USD","side":"buy","order_type":"limit","order_qty":0.0001,"limit_price":33000,"time_in_force":"GTC","order_status":"pending_new","cum_cost":0,"fee_usd_equiv":0,"timestamp":"2026-06-06T10:00:00Z"}]}',
  '{"channel":"executions","type":"update","sequence":6,"data":[{"exec_type":"new","order_id":"OABC12-DEF34-GHI567","order_status":"new","timestamp":"2026-06-06T10:00:01Z"}]}',
  '{"channel":"executions","type":"update","sequence":7,"data":[{"exec_type":"trade","order_id":"OABC12-DEF34-GHI567","exec_id":"TBQGLU-646YF-3L6UC6","trade_id":1234567,"symbol":"BTC/USD","side":"buy","last_qty":0.0001,"last_price":33000,"cost":3.3,"liquidity_ind":"m","fees":[{"asset":"USD","qty":0.00825}],"cum_qty":0.0001,"cum_cost":3.3,"avg_price":33000,"order_status":"partially_filled","timestamp":"2026-06-06T10:05:00Z"}]}',
  '{"channel":"executions","type":"update","sequence":8,"data":[{"exec_type":"filled","order_id":"OABC12-DEF34-GHI567","order_status":"filled","cum_qty":0.0001,"cum_cost":3.3,"avg_price":33000,"fee_usd_equiv":0.00825,"timestamp":"2026-06-06T10:05:00Z"}]}',
];

describe('parseExecutionsMessage', () => {
  const [pending, accepted, trade, filled] = MESSAGES.map((text) => parseExecutionsMessage(parseLosslessJson(text), 0));

  it('reads the order as it is placed, with Decimal quantity and price and the client order id', () => {
    const report = pending!.reports[0]!;
    expect(pending!.sequence).toBe(5);
    expect(report).toMatchObject({ execType: 'pending_new', orderStatus: 'pending_new', orderId: 'OABC12-DEF34-GHI567', clientOrderId: 'd15708c1-dbb6-465d-b77d-47258319cc90', instrumentId: 'BTC/USD', side: 'buy', orderType: 'limit', timeInForce: 'gtc', fill: undefined });
    expect(report.orderQuantity!.toFixed()).toBe('0.0001');
    expect(report.limitPrice!.toFixed()).toBe('33000');
    expect(accepted!.reports[0]).toMatchObject({ execType: 'new', orderStatus: 'new', time: Date.parse('2026-06-06T10:00:01Z') });
  });

  it('reads a fill with its execution id, trade id, maker flag and exact fee', () => {
    const report = trade!.reports[0]!;
    expect(report.orderStatus).toBe('partially_filled');
    const fill = report.fill!;
    expect(fill).toMatchObject({ executionId: 'TBQGLU-646YF-3L6UC6', tradeId: '1234567', liquidity: 'maker' });
    expect([fill.quantity, fill.price, fill.cost!].map((value) => value.toFixed())).toEqual(['0.0001', '33000', '3.3']);
    expect(fill.fees.map((fee) => [fee.asset, fee.quantity.toFixed()])).toEqual([['USD', '0.00825']]);
  });

  it('marks completion only with the separate filled event', () => {
    const report = filled!.reports[0]!;
    expect(report).toMatchObject({ execType: 'filled', orderStatus: 'filled', fill: undefined });
    expect(report.feeUsdEquivalent!.toFixed()).toBe('0.00825');
    expect(report.cumulativeQuantity!.toFixed()).toBe('0.0001');
  });

  it('keeps unknown exec types and reasons, and requires the fill id of a trade', () => {
    const odd = parseExecutionsMessage({ type: 'update', data: [{ exec_type: 'teleported', order_id: 'O1', cancel_reason: 'User requested' }] }, 9).reports[0]!;
    expect(odd).toMatchObject({ execType: 'unknown', venueExecType: 'teleported', reason: 'User requested', time: 9 });
    expect(() => parseExecutionsMessage({ type: 'update', data: [{ exec_type: 'trade', order_id: 'O1', last_qty: 1, last_price: 1 }] }, 0)).toThrow(/executions O1\.exec_id: received nothing/);
  });
});
