import { Decimal, ExchangeError, clientOrderId, instrumentId } from '@kbot/core';
import { describe, expect, it } from 'vitest';
import type { OrderInfo, TradeInfo } from './rest/types.js';
import { parseKrakenBalance, parseKrakenBalanceEx, parseKrakenOrder, parseKrakenTrade, venueOrderStatus } from './venue-state.js';

// Spec §6.2's captured open order, with a cl_ord_id and a partial execution.
const OPEN: OrderInfo = {
  refid: null,
  userref: 0,
  cl_ord_id: 'L1a2b3c-7',
  status: 'open',
  opentm: 1705259439.563,
  starttm: 0,
  expiretm: 0,
  descr: { pair: 'LTCUSDT', type: 'buy', ordertype: 'limit', price: '50.00000', price2: '0', leverage: 'none', order: 'buy 0.10000000 LTCUSDT @ limit 50.00000', close: '' },
  vol: '0.10000000',
  vol_exec: '0.04000000',
  cost: '2.000000',
  fee: '0.005200',
  price: '50.000000',
  stopprice: '0.000000',
  limitprice: '0.000000',
  misc: '',
  oflags: 'post,fciq',
};

const TRADE: TradeInfo = {
  ordertxid: 'OR6EGN-KQSEG-AMI6CL',
  postxid: 'TKH2SE-M7IF5-CFI7LT',
  pair: 'LTCUSDT',
  time: 1705259500.1234,
  type: 'buy',
  ordertype: 'limit',
  price: '50.00000',
  cost: '2.00000',
  fee: '0.00520',
  vol: '0.04000000',
  margin: '0.00000',
  misc: '',
  trade_id: 4242,
  maker: true,
};

const context = { resolvePair: (name: string) => (name === 'LTCUSDT' ? instrumentId('LTC/USDT') : undefined), clientOrderIdOf: (id: string | undefined, txid: string) => clientOrderId(id ?? txid) };

describe('Kraken REST account objects → core', () => {
  it('maps order statuses, splitting open orders by executed volume', () => {
    const zero = new Decimal(0);
    expect(venueOrderStatus('pending', zero)).toBe('submitted');
    expect(venueOrderStatus('open', zero)).toBe('accepted');
    expect(venueOrderStatus('open', new Decimal('0.1'))).toBe('partially-filled');
    expect(venueOrderStatus('closed', new Decimal('1'))).toBe('filled');
    expect(venueOrderStatus('canceled', zero)).toBe('canceled');
    expect(venueOrderStatus('expired', zero)).toBe('expired');
    expect(() => venueOrderStatus('vanished', zero)).toThrow(ExchangeError);
  });

  it('reads an order with its client id, pair, side and exact executed volume', () => {
    const order = parseKrakenOrder('OR6EGN-KQSEG-AMI6CL', OPEN, context);
    expect(order).toMatchObject({ clientOrderId: 'L1a2b3c-7', venueOrderId: 'OR6EGN-KQSEG-AMI6CL', status: 'partially-filled', krakenClientOrderId: 'L1a2b3c-7', instrumentId: 'LTC/USDT', side: 'buy', openedAt: 1705259439563, feesInBase: false });
    expect(order.filledQuantity.toFixed()).toBe('0.04');
    expect(parseKrakenOrder('OX', { ...OPEN, cl_ord_id: undefined, status: 'canceled', reason: 'User requested', oflags: 'fcib' } as OrderInfo, context)).toMatchObject({ clientOrderId: 'OX', reason: 'User requested', feesInBase: true });
  });

  it('reads a trade as a fill keyed by its trade txid, with Decimal money and maker flag', () => {
    const fill = parseKrakenTrade('TQ2VRX-UZN2T-4GRHVB', TRADE, { instrumentId: instrumentId('LTC/USDT'), clientOrderId: clientOrderId('L1a2b3c-7'), feeAsset: 'USDT' });
    expect(fill).toMatchObject({ tradeId: 'TQ2VRX-UZN2T-4GRHVB', venueOrderId: 'OR6EGN-KQSEG-AMI6CL', side: 'buy', liquidity: 'maker', feeAsset: 'USDT', time: 1705259500123 });
    expect([fill.quantity, fill.price, fill.fee].map((value) => value.toFixed())).toEqual(['0.04', '50', '0.0052']);
    expect(parseKrakenTrade('T2', { ...TRADE, maker: undefined } as TradeInfo, { instrumentId: instrumentId('LTC/USDT'), clientOrderId: clientOrderId('x'), feeAsset: 'USDT' }).liquidity).toBe('taker');
    expect(() => parseKrakenTrade('T3', { ...TRADE, vol: 'lots' }, { instrumentId: instrumentId('LTC/USDT'), clientOrderId: clientOrderId('x'), feeAsset: 'USDT' })).toThrow(/trade T3\.vol: received "lots"/);
  });

  it('reads balances with kbot asset names; BalanceEx subtracts what orders hold', () => {
    expect(parseKrakenBalance({ ZUSD: '100.5000', XXBT: '0.0100000000' }).map((balance) => [balance.asset, balance.total.toFixed(), balance.available.toFixed()])).toEqual([
      ['BTC', '0.01', '0.01'],
      ['USD', '100.5', '100.5'],
    ]);
    const extended = parseKrakenBalanceEx({ ZUSD: { balance: '100.0000', hold_trade: '40.0000' }, XXBT: { balance: '1.0', hold_trade: '0', credit: '5', credit_used: '0' } });
    expect(extended.map((balance) => [balance.asset, balance.total.toFixed(), balance.available.toFixed()])).toEqual([
      ['BTC', '1', '1'],
      ['USD', '100', '60'],
    ]);
  });
});
